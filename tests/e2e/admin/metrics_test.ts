/** The stats server's `/metrics`: Prometheus text with agentgateway's metric names. */
import assert from "node:assert/strict";
import { startGateway } from "../../support/gateway_harness.ts";
import { parsePrometheus, parseValue } from "../../support/prometheus.ts";

const CONFIG = `config:
  adminAddr: "off"
  statsAddr: 127.0.0.1:0
  readinessAddr: "off"
binds:
- port: 0
  listeners:
  - routes:
    - name: ok
      matches: [{path: {exact: /ok}}]
      policies: {directResponse: {status: 200, body: ok}}
    - name: teapot
      matches: [{path: {exact: /teapot}}]
      policies: {directResponse: {status: 418}}
`;

const REQUESTS = "agentgateway_requests_total";
const DURATION = "agentgateway_request_duration_seconds";

Deno.test("metrics /metrics counts requests by bind, route and status with a matching histogram", async () => {
  const gw = await startGateway(CONFIG);
  try {
    const sent = { "/ok": 3, "/teapot": 2, "/missing": 1 };
    for (const [path, count] of Object.entries(sent)) {
      for (let i = 0; i < count; i++) await (await fetch(`${gw.url()}${path}`)).body?.cancel();
    }
    const response = await fetch(`http://127.0.0.1:${gw.gateway.adminPorts.stats}/metrics`);
    assert.equal(response.status, 200);
    assert.match(response.headers.get("content-type") ?? "", /^text\/plain; version=0\.0\.4/);
    const metrics = parsePrometheus(await response.text());
    assert.equal(metrics.types.get(REQUESTS), "counter");
    assert.equal(metrics.types.get(DURATION), "histogram");

    const series = [
      { labels: { bind: "bind/0", route: "ok", status: "200" }, count: 3 },
      { labels: { bind: "bind/0", route: "teapot", status: "418" }, count: 2 },
      // No route matched: the route label is empty.
      { labels: { bind: "bind/0", route: "", status: "404" }, count: 1 },
    ];
    assert.equal(metrics.find(REQUESTS).length, series.length);
    for (const { labels, count } of series) {
      assert.equal(metrics.value(REQUESTS, labels), count);
      assert.equal(metrics.value(`${DURATION}_count`, labels), count);
      assert.ok(metrics.value(`${DURATION}_sum`, labels) >= 0);
      const buckets = metrics.find(`${DURATION}_bucket`, labels);
      const bounds = buckets.map((bucket) => parseValue(bucket.labels.le ?? "") ?? NaN);
      assert.equal(bounds.at(-1), Infinity);
      assert.deepEqual(bounds, bounds.toSorted((a, b) => a - b));
      const counts = buckets.map((bucket) => bucket.value);
      assert.deepEqual(counts, counts.toSorted((a, b) => a - b), "buckets are cumulative");
      assert.equal(metrics.value(`${DURATION}_bucket`, { ...labels, le: "+Inf" }), count);
    }
  } finally {
    await gw.close();
  }
});

Deno.test("metrics answers 404 off the /metrics path", async () => {
  const gw = await startGateway(CONFIG);
  try {
    const response = await fetch(`http://127.0.0.1:${gw.gateway.adminPorts.stats}/`);
    assert.equal(response.status, 404);
    await response.body?.cancel();
  } finally {
    await gw.close();
  }
});
