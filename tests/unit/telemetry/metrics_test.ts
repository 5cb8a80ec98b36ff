import assert from "node:assert/strict";
import { Metrics } from "../../../src/telemetry/mod.ts";
import { parsePrometheus, parseValue } from "../../support/prometheus.ts";

const BUCKET = "agentgateway_request_duration_seconds_bucket";

Deno.test("Metrics.render writes a valid exposition before any request", () => {
  const metrics = parsePrometheus(new Metrics().render());
  assert.deepEqual(metrics.samples, []);
  assert.equal(metrics.types.get("agentgateway_requests_total"), "counter");
});

Deno.test("Metrics.render places each duration in the first bucket that holds it, cumulatively", () => {
  const m = new Metrics();
  m.recordRequest("bind/80", "r", 200, 0.003);
  m.recordRequest("bind/80", "r", 200, 0.005);
  m.recordRequest("bind/80", "r", 200, 0.2);
  m.recordRequest("bind/80", "r", 200, 20);
  const metrics = parsePrometheus(m.render());
  const labels = { bind: "bind/80", route: "r", status: "200" };
  const at = (le: string) => metrics.value(BUCKET, { ...labels, le });
  assert.equal(at("0.001"), 0);
  assert.equal(at("0.005"), 2); // A bound is inclusive.
  assert.equal(at("0.1"), 2);
  assert.equal(at("0.25"), 3);
  assert.equal(at("10"), 3);
  assert.equal(at("+Inf"), 4); // 20 s is past every finite bound.
  assert.equal(metrics.value("agentgateway_requests_total", labels), 4);
  assert.equal(metrics.value("agentgateway_request_duration_seconds_count", labels), 4);
  assert.ok(
    Math.abs(metrics.value("agentgateway_request_duration_seconds_sum", labels) - 20.208) < 1e-9,
  );
  const bounds = metrics.find(BUCKET, labels).map((s) => parseValue(s.labels.le!)!);
  assert.deepEqual(bounds, bounds.toSorted((a, b) => a - b));
});

Deno.test("Metrics.render escapes label values so a scraper reads them back unchanged", () => {
  const m = new Metrics();
  const route = 'a "quoted"\\route\nwith a newline';
  m.recordRequest("bind/80", route, 503, 0.01);
  m.recordUpstreamError('connect "refused"');
  const metrics = parsePrometheus(m.render());
  assert.equal(
    metrics.value("agentgateway_requests_total", { bind: "bind/80", route, status: "503" }),
    1,
  );
  assert.equal(
    metrics.value("agentgateway_upstream_errors_total", { reason: 'connect "refused"' }),
    1,
  );
});

Deno.test("Metrics keeps one series per bind, route and status", () => {
  const m = new Metrics();
  m.recordRequest("bind/80", "r", 200, 0.01);
  m.recordRequest("bind/80", "r", 404, 0.01);
  m.recordRequest("bind/81", "r", 200, 0.01);
  m.recordRequest("bind/80", "r", 200, 0.01);
  const metrics = parsePrometheus(m.render());
  assert.deepEqual(
    metrics.find("agentgateway_requests_total").map((
      s,
    ) => [s.labels.bind, s.labels.status, s.value]),
    [["bind/80", "200", 2], ["bind/80", "404", 1], ["bind/81", "200", 1]],
  );
});

Deno.test("Metrics records GenAI token usage, timings and MCP requests with agentgateway's names", () => {
  const m = new Metrics();
  const labels = {
    operation: "chat",
    system: "openai",
    requestModel: "gpt-4o",
    responseModel: "gpt-4o-2024",
  };
  m.recordTokenUsage(labels, { input: 12, output: 30 });
  m.recordGenAiTiming(labels, 1.5, 0.2);
  m.recordMcpRequest("tools/call", "everything", "echo");
  m.recordRequest("bind/80", "r", 200, 0.01, [["llm.model", "gpt-4o"]]);
  const metrics = parsePrometheus(m.render());
  const genAi = {
    gen_ai_operation_name: "chat",
    gen_ai_system: "openai",
    gen_ai_request_model: "gpt-4o",
    gen_ai_response_model: "gpt-4o-2024",
  };
  assert.equal(
    metrics.value("agentgateway_gen_ai_client_token_usage_sum", {
      ...genAi,
      gen_ai_token_type: "output",
    }),
    30,
  );
  assert.equal(metrics.value("agentgateway_gen_ai_server_request_duration_count", genAi), 1);
  assert.equal(metrics.value("agentgateway_gen_ai_server_time_to_first_token_sum", genAi), 0.2);
  assert.equal(
    metrics.value("agentgateway_mcp_requests_total", {
      method: "tools/call",
      server: "everything",
      tool: "echo",
    }),
    1,
  );
  // A CEL label's name is made a valid Prometheus label name.
  assert.equal(
    metrics.value("agentgateway_requests_total", {
      bind: "bind/80",
      route: "r",
      status: "200",
      llm_model: "gpt-4o",
    }),
    1,
  );
});
