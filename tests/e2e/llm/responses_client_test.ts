/**
 * The openai client's Responses API through agw to a provider of another format (Anthropic),
 * buffered and streamed, and as passthrough to an OpenAI provider.
 */
import assert from "node:assert/strict";
import OpenAI from "openai";
import { startFakeAnthropic } from "../../support/fake_anthropic.ts";
import type { FakeProvider } from "../../support/fake_llm.ts";
import { startFakeOpenAi } from "../../support/fake_openai.ts";
import { startLlmGateway } from "../../support/llm_gateway.ts";

async function gatewayFor(provider: FakeProvider, kind: "anthropic" | "openAI") {
  const env = await startLlmGateway(provider, kind);
  const client = new OpenAI({ apiKey: "k", baseURL: `${env.gateway.url()}/v1`, maxRetries: 0 });
  return Object.assign(env, { client });
}

Deno.test("the openai Responses client gets an Anthropic answer through agw", async () => {
  const provider = await startFakeAnthropic();
  await using env = await gatewayFor(provider, "anthropic");
  const response = await env.client.responses.create({
    model: "claude-test",
    instructions: "Be brief.",
    input: "Hello!",
    max_output_tokens: 64,
  });
  assert.equal(response.output_text, "Hello! How can I help you today?");
  assert.equal(response.usage?.input_tokens, 12);
  const sent = provider.received[0]!;
  assert.equal(sent.path, "/v1/messages");
  assert.equal(sent.body?.max_tokens, 64);
  assert.ok(sent.body?.system, "instructions became Anthropic's system prompt");
});

Deno.test("the openai Responses client streams an Anthropic answer through agw", async () => {
  const provider = await startFakeAnthropic();
  await using env = await gatewayFor(provider, "anthropic");
  const stream = env.client.responses.stream({ model: "claude-test", input: "Hello!" });
  let text = "";
  stream.on("response.output_text.delta", (event) => text += event.delta);
  const final = await stream.finalResponse();
  assert.equal(text, "Hello! How can I help you today?");
  assert.equal(final.output_text, "Hello! How can I help you today?");
  assert.equal(final.usage?.output_tokens, 9);
});

Deno.test("the openai Responses client passes through to an OpenAI provider", async () => {
  const provider = await startFakeOpenAi();
  await using env = await gatewayFor(provider, "openAI");
  const response = await env.client.responses.create({ model: "gpt-test", input: "Hello!" });
  assert.equal(response.output_text, "Hello! How can I help you today?");
  assert.equal(provider.received[0]?.path, "/v1/responses");
  assert.equal(provider.received[0]?.body?.input, "Hello!");
  const line = env.gateway.logs.find((l) => l.includes("gen_ai.usage.input_tokens=12"));
  assert.ok(line, env.gateway.logs.join("\n"));
});
