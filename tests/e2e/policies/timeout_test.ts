import assert from "node:assert/strict";
import { deferred, startUpstream } from "../../support/fake_upstream.ts";
import { startGateway } from "../../support/gateway_harness.ts";

function config(address: string, timeout: string) {
  return `binds:
- port: 0
  listeners:
  - routes:
    - policies:
        timeout:
${timeout}
      backends:
      - host: ${address}
`;
}

/** An upstream that answers only when the test releases it. */
async function heldUpstream() {
  const release = deferred();
  const upstream = await startUpstream(async () => {
    await release.promise;
    return new Response("late");
  });
  return { upstream, release };
}

Deno.test("timeout requestTimeout answers 504 when the upstream is too slow", async () => {
  const { upstream, release } = await heldUpstream();
  const gw = await startGateway(config(upstream.address, "          requestTimeout: 50ms"));
  try {
    const response = await fetch(gw.url());
    assert.equal(response.status, 504);
    assert.equal(await response.text(), "request timeout");
  } finally {
    release.resolve();
    await gw.close();
    await upstream.close();
  }
});

Deno.test("timeout backendRequestTimeout bounds each upstream attempt", async () => {
  const { upstream, release } = await heldUpstream();
  const gw = await startGateway(config(upstream.address, "          backendRequestTimeout: 50ms"));
  try {
    const response = await fetch(gw.url());
    assert.equal(response.status, 504);
    await response.body?.cancel();
  } finally {
    release.resolve();
    await gw.close();
    await upstream.close();
  }
});

Deno.test("timeout does not cut off a response that arrives in time", async () => {
  const upstream = await startUpstream(() => new Response("fast"));
  const gw = await startGateway(config(upstream.address, "          requestTimeout: 10s"));
  try {
    const response = await fetch(gw.url());
    assert.equal(response.status, 200);
    assert.equal(await response.text(), "fast");
  } finally {
    await gw.close();
    await upstream.close();
  }
});
