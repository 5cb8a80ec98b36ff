import assert from "node:assert/strict";
import { startUpstream } from "../../support/fake_upstream.ts";
import { startGateway } from "../../support/gateway_harness.ts";

function config(address: string, retry: string) {
  return `binds:
- port: 0
  listeners:
  - routes:
    - policies:
        retry:
${retry}
      backends:
      - host: ${address}
`;
}

/** An upstream that fails `failures` times with `status`, then answers 200. */
function flakyUpstream(failures: number, status: number) {
  let calls = 0;
  return startUpstream((_request, report) => {
    calls++;
    return calls <= failures
      ? new Response("try again", { status })
      : new Response(`ok after ${calls} with body "${report.body}"`);
  });
}

Deno.test("retry retries a 503 and returns the first success", async () => {
  const upstream = await flakyUpstream(2, 503);
  const gw = await startGateway(
    config(upstream.address, "          attempts: 2\n          codes: [503]"),
  );
  try {
    const response = await fetch(gw.url(), { method: "POST", body: "payload" });
    assert.equal(response.status, 200);
    // The replayed body reaches the upstream on every attempt.
    assert.equal(await response.text(), 'ok after 3 with body "payload"');
    assert.equal(upstream.received.length, 3);
    assert.ok(upstream.received.every((r) => r.body === "payload"));
  } finally {
    await gw.close();
    await upstream.close();
  }
});

Deno.test("retry gives up after its attempts and returns the last answer", async () => {
  const upstream = await flakyUpstream(5, 503);
  const gw = await startGateway(
    config(upstream.address, "          attempts: 1\n          codes: [503]"),
  );
  try {
    const response = await fetch(gw.url());
    assert.equal(response.status, 503);
    assert.equal(await response.text(), "try again");
    assert.equal(upstream.received.length, 2);
  } finally {
    await gw.close();
    await upstream.close();
  }
});

Deno.test("retry does not retry a status that is not listed", async () => {
  const upstream = await flakyUpstream(1, 500);
  const gw = await startGateway(
    config(upstream.address, "          attempts: 3\n          codes: [503]"),
  );
  try {
    const response = await fetch(gw.url());
    assert.equal(response.status, 500);
    await response.body?.cancel();
    assert.equal(upstream.received.length, 1);
  } finally {
    await gw.close();
    await upstream.close();
  }
});

Deno.test("retry does not replay a streamed body without a known small length", async () => {
  const upstream = await flakyUpstream(1, 503);
  const gw = await startGateway(
    config(upstream.address, "          attempts: 3\n          codes: [503]"),
  );
  try {
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode("streamed"));
        controller.close();
      },
    });
    const response = await fetch(gw.url(), { method: "POST", body, duplex: "half" } as RequestInit);
    assert.equal(response.status, 503);
    await response.body?.cancel();
    assert.equal(upstream.received.length, 1);
  } finally {
    await gw.close();
    await upstream.close();
  }
});

Deno.test("retry to another backend sends the route's body, not the previous backend's rewrite", async () => {
  const failing = await startUpstream(() => new Response("down", { status: 503 }));
  const healthy = await startUpstream((_request, report) => new Response(report.body));
  const gw = await startGateway(`binds:
- port: 0
  listeners:
  - routes:
    - policies:
        # Enough attempts that reaching the healthy backend is certain, not likely (2^-20 to miss).
        retry: {attempts: 20, codes: [503]}
      backends:
      - host: ${failing.address}
        policies:
          transformations:
            request: {body: '"a much longer rewritten body"'}
      - host: ${healthy.address}
`);
  try {
    // Backends are drawn at random: send until the failing one has been tried first at least once.
    for (let i = 0; i < 50 && failing.received.length === 0; i++) {
      const response = await fetch(gw.url(), { method: "POST", body: "abc" });
      assert.equal(await response.text(), "abc");
    }
    assert.ok(failing.received.length > 0);
    assert.equal(failing.received[0]!.body, "a much longer rewritten body");
    for (const seen of healthy.received) {
      assert.equal(seen.body, "abc");
      assert.equal(seen.headers["content-length"], "3");
    }
  } finally {
    await gw.close();
    await failing.close();
    await healthy.close();
  }
});
