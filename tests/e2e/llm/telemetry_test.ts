/**
 * GenAI telemetry of an LLM call: the user's tracing block fills its `llm.*` span attributes,
 * and the token and duration metrics carry agentgateway's names and labels.
 */
import assert from "node:assert/strict";
import OpenAI from "openai";
import { startFakeAnthropic } from "../../support/fake_anthropic.ts";
import { startFakeOtlpCollector } from "../../support/fake_otlp_collector.ts";
import { startGateway } from "../../support/gateway_harness.ts";
import { parsePrometheus } from "../../support/prometheus.ts";

Deno.test("the user's tracing block gets llm.* attributes from a translated LLM call", async (t) => {
  for (const stream of [false, true]) {
    await t.step(stream ? "streamed" : "buffered", async () => {
      const collector = await startFakeOtlpCollector();
      const provider = await startFakeAnthropic();
      const gw = await startGateway(`config:
  adminAddr: "off"
  statsAddr: "off"
  readinessAddr: "off"
  tracing:
    otlpEndpoint: ${collector.grpcUrl}
    randomSampling: true
    clientSampling: true
    fields:
      add:
        span.name: '"openai.chat"'
        llm.system: 'llm.provider'
        llm.params.temperature: 'llm.params.temperature'
        request.headers: 'request.headers'
        request.body: 'request.body'
        request.response.body: 'response.body'
        llm.completion: 'llm.completion'
        llm.input_messages: 'flattenRecursive(llm.prompt.map(c, {"message": c}))'
        gen_ai.prompt: 'flattenRecursive(llm.prompt)'
        llm.output_messages: 'flattenRecursive(llm.completion.map(c, {"role":"assistant", "content": c}))'
binds:
- port: 0
  listeners:
  - routes:
    - backends:
      - ai:
          name: claude
          hostOverride: ${provider.address}
          provider:
            anthropic: {}
`);
      try {
        const client = new OpenAI({ apiKey: "k", baseURL: `${gw.url()}/v1` });
        const messages = [
          { role: "system" as const, content: "Be brief." },
          { role: "user" as const, content: "Hello!" },
        ];
        if (stream) {
          const chunks = await client.chat.completions.create({
            model: "claude-test",
            messages,
            temperature: 0.3,
            stream: true,
          });
          for await (const _ of chunks) { /* drain */ }
        } else {
          await client.chat.completions.create({
            model: "claude-test",
            messages,
            temperature: 0.3,
          });
        }
        await gw.close();
        const [span] = await collector.waitForSpans(1);
        const attributes = span!.attributes;
        assert.equal(span!.name, "openai.chat");
        assert.equal(attributes["llm.system"], "anthropic");
        assert.equal(attributes["llm.params.temperature"], 0.3);
        assert.match(String(attributes["llm.completion"]), /Hello! How can I help you today\?/);
        assert.equal(attributes["gen_ai.prompt.0.role"], "system");
        assert.equal(attributes["gen_ai.prompt.1.content"], "Hello!");
        assert.equal(attributes["llm.input_messages.1.message.content"], "Hello!");
        assert.equal(attributes["llm.output_messages.0.role"], "assistant");
        assert.match(String(attributes["request.body"]), /"Hello!"/);
      } finally {
        await gw.close();
        await provider.close();
        await collector.close();
      }
    });
  }
});

Deno.test("an LLM call records GenAI token and duration metrics with agentgateway's labels", async () => {
  const provider = await startFakeAnthropic();
  const gw = await startGateway(`config:
  adminAddr: "off"
  statsAddr: 127.0.0.1:0
  readinessAddr: "off"
binds:
- port: 0
  listeners:
  - routes:
    - backends:
      - ai:
          name: claude
          hostOverride: ${provider.address}
          provider:
            anthropic: {model: claude-real}
`);
  try {
    const client = new OpenAI({ apiKey: "k", baseURL: `${gw.url()}/v1` });
    const chunks = await client.chat.completions.create({
      model: "asked-model",
      messages: [{ role: "user", content: "Hi" }],
      stream: true,
    });
    for await (const _ of chunks) { /* drain */ }
    const stats = `http://127.0.0.1:${gw.gateway.adminPorts.stats}/metrics`;
    const metrics = parsePrometheus(await (await fetch(stats)).text());
    const tokens = metrics.find("agentgateway_gen_ai_client_token_usage_sum");
    const byType = Object.fromEntries(tokens.map((s) => [s.labels.gen_ai_token_type, s.value]));
    assert.deepEqual(byType, { input: 12, output: 9 });
    assert.equal(tokens[0]!.labels.gen_ai_request_model, "asked-model");
    assert.equal(tokens[0]!.labels.gen_ai_system, "anthropic");
    assert.ok(
      metrics.find("agentgateway_gen_ai_server_time_to_first_token_count").length > 0,
    );
    assert.ok(
      metrics.find("agentgateway_gen_ai_server_request_duration_count").length > 0,
    );
  } finally {
    await gw.close();
    await provider.close();
  }
});
