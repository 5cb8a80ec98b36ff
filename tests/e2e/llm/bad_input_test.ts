/**
 * Bad input on LLM routes, from either side: a client body that is not JSON, invalid, or too
 * large; a provider answer that cannot be read, or a stream that breaks off. Each gets a clear
 * answer in the client's own API format, never a crash, a hang or a silent drop.
 */
import assert from "node:assert/strict";
import Anthropic from "@anthropic-ai/sdk";
import OpenAI from "openai";
import { startFakeAnthropic } from "../../support/fake_anthropic.ts";
import { startFakeOpenAi } from "../../support/fake_openai.ts";
import { startLlmGateway as gatewayFor } from "../../support/llm_gateway.ts";

function post(url: string, body: string, headers: Record<string, string> = {}) {
  return fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", ...headers },
    body,
  });
}

Deno.test("an LLM route answers a body that is not JSON with an OpenAI-shaped 400", async () => {
  await using env = await gatewayFor(await startFakeAnthropic(), "anthropic");
  const response = await post(`${env.gateway.url()}/v1/chat/completions`, "{not json");
  assert.equal(response.status, 400);
  const body = await response.json();
  assert.equal(body.error.type, "invalid_request_error");
  assert.match(body.error.message, /not valid JSON/);
});

Deno.test("an LLM route names the missing field of an invalid request, in the client's format", async () => {
  await using env = await gatewayFor(await startFakeAnthropic(), "anthropic");
  const response = await post(
    `${env.gateway.url()}/v1/chat/completions`,
    JSON.stringify({ model: "m" }),
  );
  assert.equal(response.status, 400);
  const body = await response.json();
  assert.equal(body.error.type, "invalid_request_error");
  assert.match(`${body.error.param} ${body.error.message}`, /messages/);
});

Deno.test("an Anthropic client without max_tokens gets Anthropic's 400 naming it", async () => {
  await using env = await gatewayFor(await startFakeOpenAi(), "openAI");
  const response = await post(
    `${env.gateway.url()}/v1/messages`,
    JSON.stringify({ model: "m", messages: [{ role: "user", content: "Hi" }] }),
    { "anthropic-version": "2023-06-01" },
  );
  assert.equal(response.status, 400);
  const body = await response.json();
  assert.equal(body.type, "error");
  assert.equal(body.error.type, "invalid_request_error");
  assert.match(body.error.message, /max_tokens/);
});

Deno.test("an LLM route refuses a body over its limit with 413", async () => {
  const provider = await startFakeOpenAi();
  await using env = await gatewayFor(provider, "openAI");
  const huge = JSON.stringify({
    model: "m",
    messages: [{ role: "user", content: "x".repeat(17 * 1024 * 1024) }],
  });
  const response = await post(`${env.gateway.url()}/v1/chat/completions`, huge);
  assert.equal(response.status, 413);
  assert.equal((await response.json()).error.type, "invalid_request_error");
  assert.equal(provider.received.length, 0);
});

Deno.test("a provider answer that is not JSON is a 502 in the client's format", async () => {
  const provider = await startFakeAnthropic();
  provider.script(() => ({ raw: { status: 200, body: "<html>oops", contentType: "text/html" } }));
  await using env = await gatewayFor(provider, "anthropic");
  const client = new OpenAI({ apiKey: "k", baseURL: `${env.gateway.url()}/v1`, maxRetries: 0 });
  await assert.rejects(
    client.chat.completions.create({ model: "m", messages: [{ role: "user", content: "Hi" }] }),
    (error: unknown) => {
      assert.ok(error instanceof OpenAI.APIError, String(error));
      assert.equal(error.status, 502);
      return true;
    },
  );
});

Deno.test("a provider stream cut mid-way ends the OpenAI client's stream with an error", async () => {
  const provider = await startFakeAnthropic();
  provider.script(() => ({ text: "one two three four five", cutAfterEvents: 4 }));
  await using env = await gatewayFor(provider, "anthropic");
  const client = new OpenAI({ apiKey: "k", baseURL: `${env.gateway.url()}/v1`, maxRetries: 0 });
  const stream = await client.chat.completions.create({
    model: "m",
    messages: [{ role: "user", content: "Hi" }],
    stream: true,
  });
  let text = "";
  await assert.rejects(async () => {
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? "";
  });
  assert.ok(text.length > 0, "the part before the cut arrived");
  const line = env.gateway.logs.find((l) => l.includes("gen_ai.error"));
  assert.ok(line, env.gateway.logs.join("\n"));
  assert.match(line, /error=/);
});

Deno.test("a provider stream cut mid-way ends the Anthropic client's stream with an error", async () => {
  const provider = await startFakeOpenAi();
  provider.script(() => ({ text: "one two three four five", cutAfterEvents: 3 }));
  await using env = await gatewayFor(provider, "openAI");
  const client = new Anthropic({ apiKey: "k", baseURL: env.gateway.url(), maxRetries: 0 });
  const stream = client.messages.stream({
    model: "m",
    max_tokens: 50,
    messages: [{ role: "user", content: "Hi" }],
  });
  await assert.rejects(stream.finalMessage());
});

Deno.test("a route type agw does not serve is a 404 in the client's format", async () => {
  await using env = await gatewayFor(
    await startFakeOpenAi(),
    "openAI",
    `      policies:
        ai:
          routes:
            /v1/realtime: realtime
`,
  );
  const response = await post(`${env.gateway.url()}/v1/realtime`, "{}");
  assert.equal(response.status, 404);
  const body = await response.json();
  assert.equal(body.error.type, "not_found_error");
});

Deno.test("a retried LLM call logs the attempt that answered, once", async () => {
  const provider = await startFakeOpenAi();
  let calls = 0;
  provider.script(() =>
    calls++ === 0
      ? { error: { status: 429, body: { error: { message: "slow", type: "rate_limit_error" } } } }
      : { text: "ok" }
  );
  await using env = await gatewayFor(
    provider,
    "openAI",
    `      policies:
        retry:
          attempts: 2
          codes: [429]
`,
  );
  const client = new Anthropic({ apiKey: "k", baseURL: env.gateway.url(), maxRetries: 0 });
  const message = await client.messages.create({
    model: "m",
    max_tokens: 10,
    messages: [{ role: "user", content: "Hi" }],
  });
  assert.equal(message.type, "message");
  const line = env.gateway.logs.find((l) => l.includes("gen_ai.operation.name"))!;
  assert.equal(line.split("gen_ai.operation.name=").length, 2, line);
  assert.doesNotMatch(line, /error=/);
});
