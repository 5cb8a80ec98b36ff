import assert from "node:assert/strict";
import { ConfigError, loadConfig } from "../../../src/config/mod.ts";
import { buildSnapshot } from "../../../src/gateway/mod.ts";
import { startGateway } from "../../support/gateway_harness.ts";

Deno.test("frontendPolicies.accessLog adds CEL fields, removes defaults and filters, like config.logging", async () => {
  const gw = await startGateway(`frontendPolicies:
  accessLog:
    filter: 'request.path != "/quiet"'
    add:
      user: 'request.headers["x-user"]'
    remove: [http.host]
binds:
- port: 0
  listeners:
  - routes:
    - policies: {directResponse: {status: 200}}
`);
  try {
    await (await fetch(`${gw.url()}/loud`, { headers: { "x-user": "alice" } })).body?.cancel();
    await (await fetch(`${gw.url()}/quiet`)).body?.cancel();
    const lines = gw.logs.filter((line) => line.includes("\trequest "));
    assert.equal(lines.length, 1, lines.join(""));
    assert.match(lines[0]!, / user=alice/);
    assert.match(lines[0]!, /http\.path=\/loud/);
    assert.doesNotMatch(lines[0]!, /http\.host=/);
  } finally {
    await gw.close();
  }
});

Deno.test("frontendPolicies keys agw lacks are reported as not supported, and bad CEL by its path", () => {
  const unsupported = `frontendPolicies:\n  tracing: {host: localhost:4317}\n`;
  assert.throws(() => loadConfig(unsupported, { source: "t.yaml" }), (error: unknown) => {
    assert.ok(error instanceof ConfigError);
    assert.match(error.message, /frontendPolicies\.tracing: "tracing" is not supported by agw yet/);
    return true;
  });
  const badCel = loadConfig(`frontendPolicies:\n  accessLog:\n    add: {who: 'request.'}\n`, {
    source: "t.yaml",
  });
  assert.throws(
    () => buildSnapshot(badCel),
    /frontendPolicies\.accessLog\.add\.who: invalid CEL expression/,
  );
});
