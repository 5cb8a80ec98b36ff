import assert from "node:assert/strict";
import { logger } from "../../../src/telemetry/mod.ts";
import { startGateway } from "../../support/gateway_harness.ts";

Deno.test("admin POST /logging changes the log level at run time", async () => {
  const gw = await startGateway(`config:
  adminAddr: 127.0.0.1:0
  statsAddr: "off"
  readinessAddr: "off"
  logging: {level: info}
binds: []
`);
  const admin = `http://127.0.0.1:${gw.gateway.adminPorts.admin}`;
  try {
    assert.equal(await (await fetch(`${admin}/logging`)).text(), "level=info\n");
    const changed = await fetch(`${admin}/logging?level=debug`, { method: "POST" });
    assert.equal(changed.status, 200);
    assert.equal(await changed.text(), "level=debug\n");
    assert.equal(logger.isEnabled("debug"), true);
    const bad = await fetch(`${admin}/logging?level=loud`, { method: "POST" });
    assert.equal(bad.status, 400);
    assert.match(await bad.text(), /error, warn, info, debug, trace/);
    assert.equal(logger.level, "debug");
    const wrongMethod = await fetch(`${admin}/logging`, { method: "DELETE" });
    assert.equal(wrongMethod.status, 405);
    await wrongMethod.body?.cancel();
  } finally {
    await gw.close();
  }
});
