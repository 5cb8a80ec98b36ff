import assert from "node:assert/strict";
import { startFakeOtlpCollector } from "../../support/fake_otlp_collector.ts";
import { startHeldStreamUpstream, startUpstream } from "../../support/fake_upstream.ts";
import { startGateway } from "../../support/gateway_harness.ts";

/** The tracing block from a user's config, as written, pointed at the local collector. */
function userTracing(endpoint: string): string {
  return `config:
  adminAddr: "off"
  statsAddr: "off"
  readinessAddr: "off"
  tracing:
    otlpEndpoint: ${endpoint}
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
`;
}

Deno.test("tracing fields from a user's config export CEL attributes, and llm.* is simply absent on plain HTTP", async () => {
  const collector = await startFakeOtlpCollector();
  const upstream = await startUpstream(() =>
    new Response('{"answer":42}', { headers: { "content-type": "application/json" } })
  );
  const gw = await startGateway(`${userTracing(collector.grpcUrl)}binds:
- port: 0
  listeners:
  - routes:
    - backends: [{host: ${upstream.address}}]
`);
  try {
    const response = await fetch(`${gw.url()}/v1/chat`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-tenant": "acme" },
      body: '{"question":"?"}',
    });
    assert.equal(await response.text(), '{"answer":42}');
    await gw.close();
    const [span] = await collector.waitForSpans(1);
    assert.equal(span!.name, "openai.chat");
    assert.equal(span!.attributes["request.body"], '{"question":"?"}');
    assert.equal(span!.attributes["request.response.body"], '{"answer":42}');
    assert.equal(JSON.parse(String(span!.attributes["request.headers"]))["x-tenant"], "acme");
    for (const name of Object.keys(span!.attributes)) {
      assert.ok(!name.startsWith("llm.") && !name.startsWith("gen_ai."), `unexpected ${name}`);
    }
    // Absent llm.* values are not errors: nothing was logged about them.
    assert.ok(!gw.logs.some((line) => line.includes("CEL expression failed")), gw.logs.join(""));
    // The upstream still received the whole body.
    assert.equal(upstream.received[0]!.body, '{"question":"?"}');
  } finally {
    await gw.close();
    await upstream.close();
    await collector.close();
  }
});

Deno.test("tracing that reads response.body still streams: the first event arrives before the end", async () => {
  const collector = await startFakeOtlpCollector();
  const { upstream: upstream, release } = await startHeldStreamUpstream(
    "data: one\n\n",
    "data: two\n\n",
  );
  const gw = await startGateway(`${userTracing(collector.grpcUrl)}binds:
- port: 0
  listeners:
  - routes:
    - backends: [{host: ${upstream.address}}]
`);
  try {
    const response = await fetch(gw.url());
    const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
    assert.equal((await reader.read()).value, "data: one\n\n");
    release();
    let rest = "";
    for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) {
      rest += chunk.value;
    }
    assert.equal(rest, "data: two\n\n");
    await gw.close();
    const [span] = await collector.waitForSpans(1);
    assert.equal(span!.attributes["request.response.body"], "data: one\n\ndata: two\n\n");
  } finally {
    release();
    await gw.close();
    await upstream.close();
    await collector.close();
  }
});

Deno.test("tracing randomSampling may be a CEL expression evaluated per request", async () => {
  const collector = await startFakeOtlpCollector();
  const upstream = await startUpstream(() => new Response("ok"));
  const gw = await startGateway(`config:
  adminAddr: "off"
  statsAddr: "off"
  readinessAddr: "off"
  tracing:
    otlpEndpoint: ${collector.grpcUrl}
    randomSampling: 'default(request.headers["x-trace"], "") == "yes"'
binds:
- port: 0
  listeners:
  - routes:
    - backends: [{host: ${upstream.address}}]
`);
  try {
    await (await fetch(`${gw.url()}/untraced`)).body?.cancel();
    await (await fetch(`${gw.url()}/traced`, { headers: { "x-trace": "yes" } })).body?.cancel();
    await gw.close();
    await collector.waitForSpans(1);
    assert.deepEqual(collector.spans.map((span) => span.attributes["http.path"]), ["/traced"]);
  } finally {
    await gw.close();
    await upstream.close();
    await collector.close();
  }
});
