import assert from "node:assert/strict";
import { loadConfig } from "../../../src/config/mod.ts";
import { startEchoUpstream, startHeldStreamUpstream } from "../../support/fake_upstream.ts";
import { startGateway } from "../../support/gateway_harness.ts";

const ADMIN_OFF = `config: {adminAddr: "off", statsAddr: "off", readinessAddr: "off"}\n`;

function routeTo(address: string, extraBind = "") {
  return `${ADMIN_OFF}binds:
- port: 0
  listeners:
  - routes:
    - backends: [{host: ${address}}]
${extraBind}`;
}

Deno.test("Gateway.reload lets a stream on the old snapshot run to its end", async () => {
  const { upstream: streaming, release } = await startHeldStreamUpstream(
    "data: one\n\n",
    "data: two\n\n",
  );
  const next = await startEchoUpstream("next");
  const gw = await startGateway(routeTo(streaming.address));
  try {
    const response = await fetch(gw.url());
    const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
    assert.equal((await reader.read()).value, "data: one\n\n");
    await gw.gateway.reload(loadConfig(routeTo(next.address), { source: "reload.yaml" }));
    // New requests go to the new backend while the old stream keeps flowing.
    const fresh = await fetch(gw.url());
    assert.equal(fresh.headers.get("x-upstream"), "next");
    await fresh.body?.cancel();
    release();
    let rest = "";
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) {
      rest += chunk.value;
    }
    assert.equal(rest, "data: two\n\n");
  } finally {
    release();
    await gw.close();
    await streaming.close();
    await next.close();
  }
});

Deno.test("Gateway.reload that cannot listen on a new port keeps the old config serving", async () => {
  const upstream = await startEchoUpstream("old");
  const other = await startEchoUpstream("new");
  const busy = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const busyPort = (busy.addr as Deno.NetAddr).port;
  const gw = await startGateway(routeTo(upstream.address));
  try {
    const bad = routeTo(
      other.address,
      `- port: ${busyPort}\n  listeners:\n  - routes:\n    - policies: {directResponse: {status: 200}}\n`,
    );
    await assert.rejects(
      gw.gateway.reload(loadConfig(bad, { source: "reload.yaml" })),
      /address already in use|in use/,
    );
    const response = await fetch(gw.url());
    assert.equal(response.headers.get("x-upstream"), "old");
    await response.body?.cancel();
  } finally {
    busy.close();
    await gw.close();
    await upstream.close();
    await other.close();
  }
});
