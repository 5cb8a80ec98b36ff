import assert from "node:assert/strict";
import {
  closedPort,
  deferred,
  type EchoReport,
  startEchoUpstream,
  startHeldStreamUpstream,
  startUpstream,
} from "../../support/fake_upstream.ts";
import { json, startGateway } from "../../support/gateway_harness.ts";

function routeTo(address: string, policies = "") {
  return `binds:
- port: 0
  listeners:
  - routes:
    - name: r
${policies}
      backends:
      - host: ${address}
`;
}

Deno.test("proxy forwards method, path, query, body and headers and passes the answer back", async () => {
  const upstream = await startEchoUpstream();
  const gw = await startGateway(routeTo(upstream.address));
  try {
    const response = await fetch(`${gw.url()}/a/b?x=1&y=2`, {
      method: "POST",
      headers: { "x-custom": "v", "content-type": "text/plain" },
      body: "hello",
    });
    assert.equal(response.status, 200);
    assert.equal(response.headers.get("x-upstream"), "echo");
    const report = await json<EchoReport>(response);
    assert.equal(report.method, "POST");
    assert.equal(report.path, "/a/b?x=1&y=2");
    assert.equal(report.body, "hello");
    assert.equal(report.headers["x-custom"], "v");
    // The client's Host is preserved (Gateway API), and the forwarding headers are set.
    assert.equal(report.host, new URL(gw.url()).host);
    assert.equal(report.headers["x-forwarded-for"], "127.0.0.1");
    assert.equal(report.headers["x-forwarded-proto"], "http");
    assert.equal(report.headers["x-forwarded-host"], new URL(gw.url()).host);
  } finally {
    await gw.close();
    await upstream.close();
  }
});

Deno.test("proxy strips hop-by-hop headers in both directions", async () => {
  const upstream = await startUpstream(() =>
    new Response("ok", { headers: { "x-drop-me": "1", connection: "x-drop-me", "x-keep": "1" } })
  );
  const gw = await startGateway(routeTo(upstream.address));
  try {
    const response = await fetch(gw.url(), {
      headers: { "x-hop": "1", connection: "x-hop", "keep-alive": "timeout=5" },
    });
    await response.text();
    assert.equal(response.headers.get("x-drop-me"), null);
    assert.equal(response.headers.get("x-keep"), "1");
    const seen = upstream.received[0]!;
    assert.equal(seen.headers["x-hop"], undefined);
    assert.equal(seen.headers["keep-alive"], undefined);
  } finally {
    await gw.close();
    await upstream.close();
  }
});

Deno.test("proxy passes an upstream's own error status and body through untouched", async () => {
  const upstream = await startUpstream(() => new Response('{"error":"teapot"}', { status: 418 }));
  const gw = await startGateway(routeTo(upstream.address));
  try {
    const response = await fetch(gw.url());
    assert.equal(response.status, 418);
    assert.equal(await response.text(), '{"error":"teapot"}');
  } finally {
    await gw.close();
    await upstream.close();
  }
});

Deno.test("proxy answers 503 when the upstream refuses connections", async () => {
  const gw = await startGateway(routeTo(`127.0.0.1:${closedPort()}`));
  try {
    const response = await fetch(gw.url());
    assert.equal(response.status, 503);
    assert.match(await response.text(), /^upstream call failed: connection refused/);
  } finally {
    await gw.close();
  }
});

Deno.test("proxy answers 404 route not found when no route matches", async () => {
  const gw = await startGateway(`binds:
- port: 0
  listeners:
  - routes:
    - matches: [{path: {exact: /only}}]
      policies: {directResponse: {status: 200}}
`);
  try {
    const response = await fetch(`${gw.url()}/other`);
    assert.equal(response.status, 404);
    assert.equal(await response.text(), "route not found");
  } finally {
    await gw.close();
  }
});

Deno.test("proxy answers 500 when a route has no backend", async () => {
  const gw = await startGateway(`binds:
- port: 0
  listeners:
  - routes:
    - name: empty
`);
  try {
    const response = await fetch(gw.url());
    assert.equal(response.status, 500);
    await response.body?.cancel();
  } finally {
    await gw.close();
  }
});

Deno.test("proxy streams an SSE response: the first event arrives before the upstream finishes", async () => {
  const { upstream, release } = await startHeldStreamUpstream(
    "data: first\n\n",
    "data: second\n\n",
  );
  const gw = await startGateway(routeTo(upstream.address));
  try {
    const response = await fetch(gw.url());
    const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
    const first = await reader.read();
    assert.equal(first.value, "data: first\n\n");
    release();
    let rest = "";
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) {
      rest += chunk.value;
    }
    assert.equal(rest, "data: second\n\n");
  } finally {
    release();
    await gw.close();
    await upstream.close();
  }
});

Deno.test("proxy streams a request body to the upstream without buffering it", async () => {
  const firstChunkSeen = deferred<string>();
  const upstream = await startUpstream(async (request) => {
    const reader = request.body!.pipeThrough(new TextDecoderStream()).getReader();
    const first = await reader.read();
    firstChunkSeen.resolve(first.value ?? "");
    let rest = "";
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) {
      rest += chunk.value;
    }
    return new Response(`${first.value}|${rest}`);
  }, { streamBody: true });
  const gw = await startGateway(routeTo(upstream.address));
  try {
    const sendRest = deferred();
    const body = new ReadableStream<Uint8Array>({
      async start(controller) {
        controller.enqueue(new TextEncoder().encode("part1"));
        await sendRest.promise;
        controller.enqueue(new TextEncoder().encode("part2"));
        controller.close();
      },
    });
    const pending = fetch(gw.url(), { method: "POST", body, duplex: "half" } as RequestInit);
    // The upstream sees the first chunk while the client is still holding the rest.
    assert.equal(await firstChunkSeen.promise, "part1");
    sendRest.resolve();
    const response = await pending;
    assert.equal(await response.text(), "part1|part2");
  } finally {
    await gw.close();
  }
  await upstream.close();
});

Deno.test("proxy cancels the upstream response when the client disconnects", async () => {
  const upstreamCancelled = deferred<string>();
  const upstream = await startUpstream(() => {
    // An endless stream, produced only as fast as it is read.
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        controller.enqueue(new TextEncoder().encode("data: tick\n\n"));
      },
      cancel(reason) {
        upstreamCancelled.resolve(String(reason ?? "cancelled"));
      },
    });
    return new Response(body, { headers: { "content-type": "text/event-stream" } });
  });
  const gw = await startGateway(routeTo(upstream.address));
  try {
    const controller = new AbortController();
    const response = await fetch(gw.url(), { signal: controller.signal });
    const reader = response.body!.getReader();
    await reader.read();
    controller.abort();
    await reader.closed.catch(() => {});
    // The upstream's stream is cancelled because agw closed its connection.
    assert.ok(await upstreamCancelled.promise);
  } finally {
    await gw.close();
    await upstream.close();
  }
});

Deno.test("proxy answers 503 for an upstream status no HTTP response may carry", async () => {
  const { default: net } = await import("node:net");
  const server = net.createServer((socket) => {
    socket.once("data", () => socket.end("HTTP/1.1 999 Odd\r\ncontent-length: 2\r\n\r\nhi"));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as { port: number }).port;
  const gw = await startGateway(routeTo(`127.0.0.1:${port}`));
  try {
    const response = await fetch(gw.url());
    assert.equal(response.status, 503);
    assert.match(await response.text(), /invalid status 999/);
  } finally {
    await gw.close();
    await new Promise((resolve) => server.close(resolve));
  }
});
