/**
 * Issue #12 defect 2: `config.backend.poolMaxSize` caps the connections to one upstream; a
 * request that finds them all busy waits a bounded time, then gets 503 with a log line and a
 * metric. Without it there is no cap: thousands of held streams all flow.
 */
import assert from "node:assert/strict";
import { startHeldStreamUpstream } from "../../support/fake_upstream.ts";
import { startGateway } from "../../support/gateway_harness.ts";
import { logEvents } from "../../support/log_events.ts";
import { within } from "../../support/observed_upstream.ts";
import { parsePrometheus } from "../../support/prometheus.ts";

const ADMIN_OFF = `  adminAddr: "off"
  statsAddr: "off"
  readinessAddr: "off"
`;

/** Two routes to one upstream: `/timed` has a 300 ms deadline, the rest has none. */
function config(address: string, poolMaxSize?: number): string {
  const backend = poolMaxSize === undefined ? "" : `  backend: {poolMaxSize: ${poolMaxSize}}\n`;
  return `config:
${ADMIN_OFF}${backend}binds:
- port: 0
  listeners:
  - routes:
    - matches: [{path: {pathPrefix: /timed}}]
      policies: {timeout: {requestTimeout: 300ms}}
      backends: [{host: ${address}}]
    - backends: [{host: ${address}}]
`;
}

/** Opens a stream through the gateway and reads its first event. */
async function openStream(url: string): Promise<ReadableStreamDefaultReader<Uint8Array>> {
  const response = await fetch(url);
  assert.equal(response.status, 200);
  const reader = response.body!.getReader();
  const first = await reader.read();
  assert.equal(new TextDecoder().decode(first.value), "data: first\n\n");
  return reader;
}

Deno.test("poolMaxSize refuses a request with 503, a log line and a metric once the pool stays full", async () => {
  const { upstream, release } = await startHeldStreamUpstream("data: first\n\n", "data: end\n\n");
  const gw = await startGateway(config(upstream.address, 2));
  const logs = logEvents(gw);
  const held: ReadableStreamDefaultReader<Uint8Array>[] = [];
  try {
    held.push(await openStream(`${gw.url()}/a`), await openStream(`${gw.url()}/b`));

    const started = performance.now();
    const refused = await fetch(`${gw.url()}/timed`);
    const elapsed = performance.now() - started;
    assert.equal(refused.status, 503);
    assert.equal(await refused.text(), "upstream call failed: connection pool full");
    // It waited for a connection as long as its deadline allowed, no longer.
    assert.ok(elapsed >= 290 && elapsed < 2_000, `refused after ${elapsed} ms`);
    const line = await logs.line(/\twarn\tupstream connection pool full/);
    assert.match(line, new RegExp(`endpoint=${upstream.address}`));
    assert.match(line, /poolMaxSize=2/);
    const metrics = parsePrometheus(gw.gateway.metrics.render());
    assert.equal(
      metrics.value("agentgateway_upstream_pool_full_total", { endpoint: upstream.address }),
      1,
    );
    assert.equal(upstream.received.length, 2, "the refused request never reached the upstream");

    // A waiting request gets the connection a finished stream gives back.
    const waiting = fetch(`${gw.url()}/c`);
    await held.shift()!.cancel();
    const reader = (await waiting).body!.getReader();
    assert.equal(new TextDecoder().decode((await reader.read()).value), "data: first\n\n");
    held.push(reader);
  } finally {
    release();
    for (const reader of held) await reader.cancel();
    await gw.close();
    await upstream.close();
  }
});

Deno.test("without poolMaxSize 2,000 concurrent held streams through one route all flow", async () => {
  const { upstream, release } = await startHeldStreamUpstream("data: first\n\n", "data: end\n\n");
  const gw = await startGateway(config(upstream.address));
  const readers: ReadableStreamDefaultReader<Uint8Array>[] = [];
  try {
    const opening = Array.from({ length: 2_000 }, (_, i) => openStream(`${gw.url()}/s${i}`));
    // A guard against a silent queue (the old 1,024-socket cap), not a delay: they flow in ~2 s.
    const opened = await within(Promise.all(opening), 20_000, "the first event of every stream");
    readers.push(...opened);
    assert.equal(upstream.received.length, 2_000);
    release();
    for (const reader of readers.splice(0)) {
      assert.equal(new TextDecoder().decode((await reader.read()).value), "data: end\n\n");
      assert.equal((await reader.read()).done, true);
    }
  } finally {
    release();
    for (const reader of readers) await reader.cancel();
    await gw.close();
    await upstream.close();
  }
});
