/**
 * Issue #12 defect 1: a deadline or a client disconnect on a kept-alive upstream connection
 * ends the call at once, closes that connection, and never sends the request a second time.
 */
import assert from "node:assert/strict";
import { startGateway } from "../../support/gateway_harness.ts";
import { logEvents } from "../../support/log_events.ts";
import {
  type ObservedUpstream,
  slowAnswer,
  startObservedUpstream,
  within,
} from "../../support/observed_upstream.ts";

/** How long the slow upstream takes: far beyond every deadline below. */
const SLOW_MS = 3_000;
/** A guard for events that should come promptly: a failure, never a delay of a pass. */
const EVENT_MS = 2_000;
/** An LLM-shaped POST: sent twice, it would be billed twice. */
const PROMPT = JSON.stringify({ model: "m", messages: [{ role: "user", content: "hi" }] });

function config(address: string, requestTimeout?: string): string {
  return `binds:
- port: 0
  listeners:
  - routes:
    - ${requestTimeout ? `policies: {timeout: {requestTimeout: ${requestTimeout}}}` : "name: r"}
      backends:
      - host: ${address}
`;
}

function slowUpstream(): ObservedUpstream {
  return startObservedUpstream((request, observed) =>
    observed.path === "/slow" ? slowAnswer(request, SLOW_MS) : new Response("fast")
  );
}

/** Warms the gateway's connection to the upstream with one fast request. */
async function warm(url: string): Promise<void> {
  const response = await fetch(`${url}/fast`);
  assert.equal(response.status, 200);
  assert.equal(await response.text(), "fast");
}

/**
 * After an abandoned /slow (request 2): a later request goes out on a new connection, and the
 * upstream has seen /slow once. A replay would go out when the exchange was dropped, so before
 * this later request.
 */
async function assertNoReplayNorReuse(url: string, upstream: ObservedUpstream): Promise<void> {
  await warm(url);
  const [first, slow, after] = upstream.received;
  assert.deepEqual(upstream.received.map((r) => `${r.method} ${r.path}`), [
    "GET /fast",
    `${slow!.method} /slow`,
    "GET /fast",
  ]);
  // The slow request did go out on the warm connection: the case the issue is about.
  assert.equal(slow!.remotePort, first!.remotePort);
  assert.notEqual(after!.remotePort, slow!.remotePort, "the abandoned connection was reused");
}

Deno.test("requestTimeout on a warm upstream connection answers 504 at the deadline and sends the request once", async () => {
  const upstream = slowUpstream();
  const gw = await startGateway(config(upstream.address, "300ms"));
  try {
    await warm(gw.url());
    const started = performance.now();
    const response = await within(
      fetch(`${gw.url()}/slow`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: PROMPT,
      }),
      SLOW_MS + EVENT_MS,
      "the answer to /slow",
    );
    const elapsed = performance.now() - started;
    assert.equal(response.status, 504);
    assert.equal(await response.text(), "request timeout");
    assert.ok(elapsed >= 290 && elapsed < SLOW_MS / 2, `answered after ${elapsed} ms`);
    // The upstream sees its caller go away: agw closed the connection rather than wait.
    const slow = await within(upstream.arrival(2), EVENT_MS, "the slow request");
    assert.equal(slow.body, PROMPT);
    await within(slow.closed, EVENT_MS, "the upstream connection closing");
    await assertNoReplayNorReuse(gw.url(), upstream);
  } finally {
    await gw.close();
    await upstream.close();
  }
});

Deno.test("a client disconnect on a warm upstream connection cancels the upstream call once", async () => {
  const upstream = slowUpstream();
  const gw = await startGateway(config(upstream.address));
  const logs = logEvents(gw);
  try {
    await warm(gw.url());
    const client = new AbortController();
    const pending = fetch(`${gw.url()}/slow`, {
      method: "POST",
      body: "prompt",
      signal: client.signal,
    });
    const slow = await within(upstream.arrival(2), EVENT_MS, "the slow request");
    client.abort();
    await assert.rejects(pending);
    await within(slow.closed, EVENT_MS, "the upstream connection closing");
    // agw itself is done with the request (its access line), not left waiting on the transport.
    await logs.line(/\trequest .*http\.path=\/slow /, { ms: EVENT_MS });
    await assertNoReplayNorReuse(gw.url(), upstream);
  } finally {
    await gw.close();
    await upstream.close();
  }
});
