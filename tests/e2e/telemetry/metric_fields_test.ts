/** `config.metrics.fields.add`: CEL-computed labels on agentgateway_requests_total. */
import assert from "node:assert/strict";
import { startEchoUpstream } from "../../support/fake_upstream.ts";
import { type GatewayHarness, startGateway } from "../../support/gateway_harness.ts";
import { type Exposition, parsePrometheus } from "../../support/prometheus.ts";
import { configIssues } from "../../support/config_issues.ts";

const REQUESTS = "agentgateway_requests_total";

function config(upstream: string, fields: string): string {
  return `config:
  adminAddr: "off"
  statsAddr: 127.0.0.1:0
  readinessAddr: "off"
  metrics:
    fields:
      add:
${fields}
binds:
- port: 0
  listeners:
  - routes:
    - name: echo
      backends:
      - host: ${upstream}
`;
}

async function scrape(gw: GatewayHarness): Promise<Exposition> {
  const response = await fetch(`http://127.0.0.1:${gw.gateway.adminPorts.stats}/metrics`);
  assert.equal(response.status, 200);
  return parsePrometheus(await response.text());
}

async function send(gw: GatewayHarness, headers: HeadersInit = {}): Promise<void> {
  const response = await fetch(gw.url(), { headers });
  await response.body?.cancel();
}

Deno.test("metrics fields add a CEL label to agentgateway_requests_total", async () => {
  const upstream = await startEchoUpstream();
  const gw = await startGateway(
    config(upstream.address, `        user: 'request.headers["x-user"]'`),
  );
  try {
    await send(gw, { "x-user": "alice" });
    await send(gw, { "x-user": "alice" });
    await send(gw, { "x-user": "bob" });
    const metrics = await scrape(gw);
    const labels = { bind: "bind/0", route: "echo", status: "200" };
    assert.equal(metrics.value(REQUESTS, { ...labels, user: "alice" }), 2);
    assert.equal(metrics.value(REQUESTS, { ...labels, user: "bob" }), 1);
    assert.equal(metrics.find(REQUESTS).length, 2);
  } finally {
    await gw.close();
    await upstream.close();
  }
});

Deno.test("metrics fields leave a label empty when its expression fails or is absent", async () => {
  const upstream = await startEchoUpstream();
  const fields = `        user: 'request.headers["x-user"]'
        model: 'llm.requestModel'
        code_class: 'string(response.code / 100) + "xx"'`;
  const gw = await startGateway(config(upstream.address, fields));
  try {
    await send(gw);
    await send(gw, { "x-user": "carol" });
    const metrics = await scrape(gw);
    const labels = { bind: "bind/0", route: "echo", status: "200", model: "", code_class: "2xx" };
    assert.equal(metrics.value(REQUESTS, { ...labels, user: "" }), 1);
    assert.equal(metrics.value(REQUESTS, { ...labels, user: "carol" }), 1);
    // The missing header warns once; the absent llm slot does not warn at all.
    const warned = gw.logs.filter((line) => line.includes("CEL expression failed"));
    assert.equal(warned.length, 1, warned.join(""));
    assert.match(warned[0]!, /use=metrics\.fields field=user/);
  } finally {
    await gw.close();
    await upstream.close();
  }
});

Deno.test("metrics fields escape label values that need it", async () => {
  const upstream = await startEchoUpstream();
  const gw = await startGateway(
    config(upstream.address, `        agent: 'request.headers["x-agent"]'`),
  );
  try {
    await send(gw, { "x-agent": 'say "hi" \\ bye' });
    const metrics = await scrape(gw);
    assert.equal(
      metrics.value(REQUESTS, {
        bind: "bind/0",
        route: "echo",
        status: "200",
        agent: 'say "hi" \\ bye',
      }),
      1,
    );
  } finally {
    await gw.close();
    await upstream.close();
  }
});

Deno.test("metrics rejects an invalid CEL field as a config error at its YAML path", () => {
  assert.deepEqual(configIssues(config("127.0.0.1:8080", `        user: 'fail('`)), [{
    path: "config.metrics.fields.add.user",
    message: "invalid CEL expression at column 6: Unexpected token: EOF",
  }]);
});
