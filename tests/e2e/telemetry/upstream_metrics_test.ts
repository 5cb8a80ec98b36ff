import assert from "node:assert/strict";
import { closedPort, startEchoUpstream } from "../../support/fake_upstream.ts";
import { startGateway } from "../../support/gateway_harness.ts";
import { parsePrometheus } from "../../support/prometheus.ts";

const STATS = `config:
  adminAddr: "off"
  statsAddr: 127.0.0.1:0
  readinessAddr: "off"
`;

Deno.test("metrics count upstream connections once per connection, not per request", async () => {
  const upstream = await startEchoUpstream();
  const gw = await startGateway(`${STATS}binds:
- port: 0
  listeners:
  - routes:
    - backends: [{host: ${upstream.address}}]
`);
  try {
    for (let i = 0; i < 3; i++) await (await fetch(gw.url())).body?.cancel();
    const text = await (await fetch(`http://127.0.0.1:${gw.gateway.adminPorts.stats}/metrics`))
      .text();
    const metrics = parsePrometheus(text);
    // Sequential requests reuse one keep-alive connection.
    assert.equal(
      metrics.value("agentgateway_upstream_connections_total", { endpoint: upstream.address }),
      1,
    );
  } finally {
    await gw.close();
    await upstream.close();
  }
});

Deno.test("metrics count upstream failures by reason and declare the GenAI and MCP families", async () => {
  const gw = await startGateway(`${STATS}binds:
- port: 0
  listeners:
  - routes:
    - backends: [{host: 127.0.0.1:${closedPort()}}]
`);
  try {
    await (await fetch(gw.url())).body?.cancel();
    const metrics = parsePrometheus(
      await (await fetch(`http://127.0.0.1:${gw.gateway.adminPorts.stats}/metrics`)).text(),
    );
    assert.equal(metrics.value("agentgateway_upstream_errors_total", { reason: "connect" }), 1);
    const families: [string, string][] = [
      ["agentgateway_gen_ai_client_token_usage", "histogram"],
      ["agentgateway_gen_ai_server_request_duration", "histogram"],
      ["agentgateway_gen_ai_server_time_to_first_token", "histogram"],
      ["agentgateway_mcp_requests_total", "counter"],
    ];
    for (const [name, type] of families) assert.equal(metrics.types.get(name), type, name);
  } finally {
    await gw.close();
  }
});
