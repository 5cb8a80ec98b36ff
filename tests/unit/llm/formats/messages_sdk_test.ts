/**
 * The Messages codec against the SDKs that speak it: their default request bodies must decode,
 * and the answers and streams agw encodes must parse into the message they describe. The SDKs
 * get an in-process `fetch`, so nothing leaves the test.
 * @module
 */
import assert from "node:assert/strict";
import Anthropic from "@anthropic-ai/sdk";
import { createAnthropic } from "@ai-sdk/anthropic";
import { generateText, jsonSchema, Output, streamText, tool, type ToolSet } from "ai";
import { messages } from "../../../../src/llm/formats/messages.ts";
import type { EncodeOptions } from "../../../../src/llm/formats/types.ts";
import type { IrResponse, StreamEvent } from "../../../../src/llm/ir.ts";

const options: EncodeOptions = {
  model: "claude-sonnet-4-5",
  request: { model: "claude-sonnet-4-5", messages: [], stream: true },
  nowSeconds: 1767225600,
};

const answer: IrResponse = {
  id: "chatcmpl-9",
  model: "gpt-5",
  content: [
    { type: "text", text: "Checking." },
    { type: "toolCall", id: "call_1", name: "get_weather", arguments: '{"city":"Paris"}' },
  ],
  stopReason: "toolUse",
  usage: { inputTokens: 30, outputTokens: 12, cacheReadTokens: 10 },
};

const streamed: StreamEvent[] = [
  { type: "start", id: "chatcmpl-9", model: "gpt-5" },
  { type: "textDelta", index: 0, text: "Check" },
  { type: "textDelta", index: 0, text: "ing." },
  { type: "toolCallStart", index: 1, id: "call_1", name: "get_weather" },
  { type: "toolCallDelta", index: 1, arguments: '{"ci' },
  { type: "toolCallDelta", index: 1, arguments: 'ty":"Paris"}' },
  { type: "finish", stopReason: "toolUse" },
  { type: "usage", usage: { inputTokens: 30, outputTokens: 12, cacheReadTokens: 10 } },
];

/** A fetch that records each request body and answers with agw's encoding. */
function fakeFetch(bodies: unknown[]): typeof fetch {
  return ((_input: string | URL | Request, init?: RequestInit) => {
    const body = JSON.parse(String(init?.body));
    bodies.push(body);
    if (body.stream !== true) {
      return Promise.resolve(Response.json(messages.encodeResponse(answer, options)));
    }
    const encoder = messages.createStreamEncoder(options);
    const events = [...streamed.flatMap((event) => encoder.encode(event)), ...encoder.end()];
    const text = events.map((event) => `event: ${event.event}\ndata: ${event.data}\n\n`).join("");
    return Promise.resolve(
      new Response(text, { headers: { "content-type": "text/event-stream" } }),
    );
  }) as typeof fetch;
}

const weatherSchema = {
  type: "object" as const,
  properties: { city: { type: "string" } },
  required: ["city"],
};

Deno.test("@anthropic-ai/sdk bodies decode, and the SDK reads the answer and stream agw encodes", async () => {
  const bodies: unknown[] = [];
  const client = new Anthropic({
    apiKey: "test",
    baseURL: "http://127.0.0.1:9",
    fetch: fakeFetch(bodies),
    maxRetries: 0,
  });
  const params = {
    model: "claude-sonnet-4-5",
    max_tokens: 2048,
    system: [{
      type: "text" as const,
      text: "Be brief.",
      cache_control: { type: "ephemeral" as const },
    }],
    messages: [{ role: "user" as const, content: "Weather in Paris?" }],
    tools: [{ name: "get_weather", input_schema: weatherSchema }],
    thinking: { type: "enabled" as const, budget_tokens: 1024 },
  };
  const message = await client.messages.create(params);
  assert.deepEqual(message.content, [
    { type: "text", text: "Checking." },
    { type: "tool_use", id: "call_1", name: "get_weather", input: { city: "Paris" } },
  ]);
  assert.equal(message.usage.input_tokens, 20);
  assert.equal(message.usage.cache_read_input_tokens, 10);

  const final = await client.messages.stream(params).finalMessage();
  assert.deepEqual(final.content, message.content);
  assert.equal(final.stop_reason, "tool_use");
  assert.equal(final.usage.output_tokens, 12);
  assert.equal(final.usage.input_tokens, 20);

  for (const body of bodies) assert.doesNotThrow(() => messages.decodeRequest(body));
});

Deno.test("@ai-sdk/anthropic bodies decode, and it reads the answer and stream agw encodes", async () => {
  const bodies: unknown[] = [];
  const anthropic = createAnthropic({
    apiKey: "test",
    baseURL: "http://127.0.0.1:9/v1",
    fetch: fakeFetch(bodies),
  });
  // The AI SDK's tool types do not survive exactOptionalPropertyTypes; the runtime shape does.
  const tools = {
    get_weather: tool({
      description: "Weather for a city",
      inputSchema: jsonSchema<{ city: string }>(weatherSchema),
    }),
  } as ToolSet;
  const generated = await generateText({
    model: anthropic("claude-sonnet-4-5"),
    prompt: "Weather in Paris?",
    tools,
    maxRetries: 0,
  });
  assert.equal(generated.text, "Checking.");
  assert.deepEqual(generated.toolCalls.map((call) => [call.toolName, call.input]), [
    ["get_weather", { city: "Paris" }],
  ]);

  const result = streamText({
    model: anthropic("claude-sonnet-4-5"),
    system: "Be brief.",
    prompt: "Weather in Paris?",
    tools,
    maxRetries: 0,
    providerOptions: { anthropic: { thinking: { type: "enabled", budgetTokens: 1024 } } },
  });
  assert.equal(await result.text, "Checking.");
  assert.deepEqual((await result.toolCalls).map((call) => [call.toolName, call.input]), [
    ["get_weather", { city: "Paris" }],
  ]);
  assert.equal((await result.usage).outputTokens, 12);

  await generateText({
    model: anthropic("claude-sonnet-4-5"),
    prompt: "Extract the city.",
    output: Output.object({ schema: jsonSchema<{ city: string }>(weatherSchema) }),
    maxRetries: 0,
  }).catch(() => undefined);

  assert.ok(bodies.length >= 3);
  for (const body of bodies) {
    assert.doesNotThrow(() => messages.decodeRequest(body), JSON.stringify(body));
  }
});
