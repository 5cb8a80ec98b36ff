import assert from "node:assert/strict";
import {
  deferred,
  type EchoReport,
  startEchoUpstream,
  startUpstream,
} from "../../support/fake_upstream.ts";
import { startGateway } from "../../support/gateway_harness.ts";

Deno.test("requestMirror copies every request to the mirror when percentage is 1", async () => {
  const primary = await startEchoUpstream("primary");
  const mirrored = deferred<EchoReport>();
  const mirror = await startUpstream((_request, report) => {
    mirrored.resolve(report);
    return new Response("mirror answer is discarded", { status: 500 });
  });
  const gw = await startGateway(`binds:
- port: 0
  listeners:
  - routes:
    - policies:
        requestMirror:
          backend: {host: ${mirror.address}}
          percentage: 1
      backends:
      - host: ${primary.address}
`);
  try {
    const response = await fetch(`${gw.url()}/m?x=1`, {
      method: "POST",
      body: "copy me",
      headers: { "x-h": "1" },
    });
    assert.equal(response.status, 200);
    assert.equal(response.headers.get("x-upstream"), "primary");
    await response.body?.cancel();
    const copy = await mirrored.promise;
    assert.equal(copy.path, "/m?x=1");
    assert.equal(copy.body, "copy me");
    assert.equal(copy.headers["x-h"], "1");
  } finally {
    await gw.close();
    await primary.close();
    await mirror.close();
  }
});

Deno.test("requestMirror with percentage 0 never mirrors", async () => {
  const primary = await startEchoUpstream("primary");
  const mirror = await startEchoUpstream("mirror");
  const gw = await startGateway(`binds:
- port: 0
  listeners:
  - routes:
    - policies:
        requestMirror:
          backend: {host: ${mirror.address}}
          percentage: 0
      backends:
      - host: ${primary.address}
`);
  try {
    for (let i = 0; i < 5; i++) await (await fetch(gw.url())).body?.cancel();
    assert.equal(primary.received.length, 5);
    assert.equal(mirror.received.length, 0);
  } finally {
    await gw.close();
    await primary.close();
    await mirror.close();
  }
});

Deno.test("requestMirror sends no copy of a request the backend's policies deny", async () => {
  const primary = await startEchoUpstream("primary");
  const copied = deferred<EchoReport>();
  const mirror = await startUpstream((_request, report) => {
    copied.resolve(report);
    return new Response("ignored");
  });
  const gw = await startGateway(`binds:
- port: 0
  listeners:
  - routes:
    - policies:
        requestMirror:
          backend: {host: ${mirror.address}}
          percentage: 1
      backends:
      - host: ${primary.address}
        policies:
          authorization:
            rules: ['request.path != "/denied"']
`);
  try {
    const denied = await fetch(`${gw.url()}/denied`);
    assert.equal(denied.status, 403);
    await denied.body?.cancel();
    const allowed = await fetch(`${gw.url()}/allowed`);
    assert.equal(allowed.status, 200);
    await allowed.body?.cancel();
    // The allowed request's copy arrives; the denied one, sent first, never had a copy.
    assert.equal((await copied.promise).path, "/allowed");
    assert.deepEqual(mirror.received.map((r) => r.path), ["/allowed"]);
  } finally {
    await gw.close();
    await primary.close();
    await mirror.close();
  }
});
