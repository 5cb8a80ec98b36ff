/**
 * The user's own LLM bind (issue #7), as written but for the address: an OpenAI-compatible
 * provider (DashScope) behind `hostOverride`, reached over TLS with a rewritten Host and a
 * backendAuth key, `qwen-plus` replacing the client's model, and `/models` passed through.
 * The stand-in answers as that provider would, with a certificate from the test CA.
 */
import assert from "node:assert/strict";
import { startFakeOpenAi } from "../../support/fake_openai.ts";
import { startGateway } from "../../support/gateway_harness.ts";
import { testCa } from "../../support/test_ca.ts";

async function setup() {
  const ca = await testCa();
  const provider = await startFakeOpenAi({
    tls: { cert: ca.server.cert, key: ca.server.key },
    requireKey: "sk-abc",
  });
  // The user's config; only hostOverride (the address) and the test CA root differ.
  const gateway = await startGateway(`binds:
- port: 0
  listeners:
  - routes:
    - policies:
        urlRewrite:
          authority:
            full: dashscope.aliyuncs.com
        requestHeaderModifier:
          set:
            Host: "dashscope.aliyuncs.com"
        backendTLS:
          root: ${ca.ca.certFile}
        backendAuth:
          key: "sk-abc"
      backends:
      - ai:
          name: qwen-plus
          hostOverride: ${provider.address}
          provider:
            openAI:
              model: qwen-plus
          policies:
            ai:
              routes:
                /compatible-mode/v1/chat/completions: completions
                /compatible-mode/v1/models: passthrough
                "*": passthrough
`);
  return {
    provider,
    gateway,
    async [Symbol.asyncDispose]() {
      await gateway.close();
      await provider.close();
    },
  };
}

Deno.test("the user's LLM config sends qwen-plus over TLS with the rewritten Host and key", async () => {
  await using env = await setup();
  const response = await fetch(`${env.gateway.url()}/compatible-mode/v1/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      model: "any-model-name",
      messages: [{ role: "user", content: "Hello!" }],
    }),
  });
  const body = await response.json();
  assert.equal(response.status, 200, JSON.stringify(body));
  assert.equal(body.object, "chat.completion");
  assert.equal(body.choices[0].message.content, "Hello! How can I help you today?");
  const [received] = env.provider.received;
  assert.ok(received);
  assert.equal(received.path, "/compatible-mode/v1/chat/completions");
  assert.equal(received.headers.host, "dashscope.aliyuncs.com");
  assert.equal(received.headers.authorization, "Bearer sk-abc");
  assert.equal(received.body?.model, "qwen-plus");
  assert.deepEqual(received.body?.messages, [{ role: "user", content: "Hello!" }]);
  const line = env.gateway.logs.find((l) => l.includes("gen_ai.request.model"));
  assert.ok(line, env.gateway.logs.join("\n"));
  assert.match(line, /gen_ai\.provider\.name=openai/);
  assert.match(line, /gen_ai\.request\.model=any-model-name/);
  assert.match(line, /gen_ai\.usage\.input_tokens=12/);
  assert.match(line, /gen_ai\.usage\.output_tokens=9/);
});

Deno.test("the user's LLM config streams and hides the usage chunk it asked for itself", async () => {
  await using env = await setup();
  const response = await fetch(`${env.gateway.url()}/compatible-mode/v1/chat/completions`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      model: "any-model-name",
      stream: true,
      messages: [{ role: "user", content: "Hello!" }],
    }),
  });
  assert.equal(response.status, 200);
  const text = await response.text();
  assert.match(text, /data: \[DONE\]/);
  assert.doesNotMatch(text, /"choices":\[\]/, `the usage-only chunk is not the client's:\n${text}`);
  assert.deepEqual(env.provider.received[0]?.body?.stream_options, { include_usage: true });
  assert.equal(env.provider.received[0]?.body?.model, "qwen-plus");
  // Telemetry waits for the stream's end, where usage arrives.
  const line = env.gateway.logs.find((l) => l.includes("gen_ai.usage.output_tokens"));
  assert.ok(line, env.gateway.logs.join("\n"));
});

Deno.test("the user's LLM config passes /compatible-mode/v1/models through untouched", async () => {
  await using env = await setup();
  const response = await fetch(`${env.gateway.url()}/compatible-mode/v1/models`);
  assert.equal(response.status, 200);
  assert.deepEqual(await response.json(), {
    object: "list",
    data: [{ id: "gpt-test", object: "model" }],
  });
  const [received] = env.provider.received;
  assert.equal(received?.path, "/compatible-mode/v1/models");
  assert.equal(received?.method, "GET");
  assert.equal(received?.headers.host, "dashscope.aliyuncs.com");
  assert.equal(received?.headers.authorization, "Bearer sk-abc");
});
