import assert from "node:assert/strict";
import OpenAI from "openai";
import { completions } from "../../../../src/llm/formats/chat_completions.ts";
import type { SseEvent } from "../../../../src/llm/formats/mod.ts";
import type { LlmErrorBody, StreamEvent } from "../../../../src/llm/ir.ts";

const NOW = 1_700_000_000;

function encodeAll(events: StreamEvent[], includeUsage: boolean, error?: LlmErrorBody): SseEvent[] {
  const encoder = completions.createStreamEncoder({
    model: "client-model",
    request: { model: "client-model", messages: [], stream: true, includeUsage },
    nowSeconds: NOW,
  });
  const out: SseEvent[] = [];
  for (const event of events) out.push(...encoder.encode(event));
  out.push(...encoder.end(error));
  return out;
}

function parsed(out: SseEvent[]): unknown[] {
  return out.map((event) => event.data === "[DONE]" ? "[DONE]" : JSON.parse(event.data));
}

/** The chunk envelope around one choice delta (usage: null when the client asked for usage). */
function chunk(delta: unknown, finishReason: string | null = null, usage = false) {
  return {
    id: "msg_1",
    object: "chat.completion.chunk",
    created: 1_741_000_000,
    model: "client-model",
    choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }],
    ...(usage ? { usage: null } : {}),
  };
}

const textStream: StreamEvent[] = [
  { type: "start", id: "msg_1", model: "provider-model", created: 1_741_000_000 },
  { type: "textDelta", index: 0, text: "Hel" },
  { type: "textDelta", index: 0, text: "lo" },
  { type: "partEnd", index: 0 },
  { type: "usage", usage: { inputTokens: 10, outputTokens: 2, cacheReadTokens: 4 } },
  { type: "finish", stopReason: "stop" },
];

Deno.test("completions stream encoder sends role, deltas, finish, the usage chunk and [DONE] when usage was asked", () => {
  assert.deepEqual(parsed(encodeAll(textStream, true)), [
    chunk({ role: "assistant", content: "", refusal: null }, null, true),
    chunk({ content: "Hel" }, null, true),
    chunk({ content: "lo" }, null, true),
    chunk({}, "stop", true),
    {
      id: "msg_1",
      object: "chat.completion.chunk",
      created: 1_741_000_000,
      model: "client-model",
      choices: [],
      usage: {
        prompt_tokens: 10,
        completion_tokens: 2,
        total_tokens: 12,
        prompt_tokens_details: { cached_tokens: 4 },
        completion_tokens_details: { reasoning_tokens: 0 },
      },
    },
    "[DONE]",
  ]);
});

Deno.test("completions stream encoder never sends usage when the client did not ask", () => {
  assert.deepEqual(parsed(encodeAll(textStream, false)), [
    chunk({ role: "assistant", content: "", refusal: null }),
    chunk({ content: "Hel" }),
    chunk({ content: "lo" }),
    chunk({}, "stop"),
    "[DONE]",
  ]);
});

Deno.test("completions stream encoder numbers tool calls among tool calls, not by IR part index", () => {
  const out = parsed(encodeAll([
    { type: "start", id: "msg_1", model: "m", created: 1_741_000_000 },
    { type: "reasoningDelta", index: 0, text: "plan" },
    { type: "reasoningDelta", index: 0, signature: "sig" },
    { type: "partEnd", index: 0 },
    { type: "textDelta", index: 1, text: "Checking." },
    { type: "partEnd", index: 1 },
    { type: "toolCallStart", index: 2, id: "toolu_a", name: "get_weather" },
    { type: "toolCallDelta", index: 2, arguments: '{"city":' },
    { type: "toolCallDelta", index: 2, arguments: '"Paris"}' },
    { type: "partEnd", index: 2 },
    { type: "toolCallStart", index: 3, id: "toolu_b", name: "get_time" },
    { type: "toolCallDelta", index: 3, arguments: "{}" },
    { type: "partEnd", index: 3 },
    { type: "finish", stopReason: "toolUse" },
  ], false));
  assert.deepEqual(out.slice(1, -1), [
    chunk({ reasoning_content: "plan" }),
    chunk({ thinking_blocks: [{ type: "thinking", thinking: "", signature: "sig" }] }),
    chunk({ content: "Checking." }),
    chunk({
      tool_calls: [{
        index: 0,
        id: "toolu_a",
        type: "function",
        function: { name: "get_weather", arguments: "" },
      }],
    }),
    chunk({ tool_calls: [{ index: 0, function: { arguments: '{"city":' } }] }),
    chunk({ tool_calls: [{ index: 0, function: { arguments: '"Paris"}' } }] }),
    chunk({
      tool_calls: [{
        index: 1,
        id: "toolu_b",
        type: "function",
        function: { name: "get_time", arguments: "" },
      }],
    }),
    chunk({ tool_calls: [{ index: 1, function: { arguments: "{}" } }] }),
    chunk({}, "tool_calls"),
  ]);
});

Deno.test("completions stream encoder closes a stream that ended without a finish event", () => {
  const out = parsed(
    encodeAll([{ type: "start", id: "msg_1", model: "m", created: 1_741_000_000 }], false),
  );
  assert.deepEqual(out, [
    chunk({ role: "assistant", content: "", refusal: null }),
    chunk({}, "stop"),
    "[DONE]",
  ]);
});

Deno.test("completions stream encoder ends a cut stream with an error chunk and no [DONE]", () => {
  const out = encodeAll(textStream.slice(0, 2), true, { kind: "api", message: "upstream cut" });
  assert.deepEqual(parsed(out).slice(-1), [
    { error: { message: "upstream cut", type: "server_error", param: null, code: null } },
  ]);
  assert.ok(!out.some((event) => event.data === "[DONE]"));
  assert.ok(!out.some((event) => event.data.includes('"choices":[]')));
});

Deno.test("completions stream encoder passes a provider's mid-stream error on and then stays silent", () => {
  const out = parsed(encodeAll([
    ...textStream.slice(0, 2),
    {
      type: "error",
      error: { kind: "overloaded", message: "Overloaded", providerType: "overloaded_error" },
    },
  ], true));
  assert.deepEqual(out.slice(-1), [
    {
      error: { message: "Overloaded", type: "server_error", param: null, code: "overloaded_error" },
    },
  ]);
});

/** The real OpenAI SDK reading what the encoder wrote, through a fetch that never leaves the process. */
function openaiOver(out: SseEvent[]): OpenAI {
  const body = out.map((event) => `data: ${event.data}\n\n`).join("");
  return new OpenAI({
    apiKey: "test",
    baseURL: "http://127.0.0.1:9/v1",
    maxRetries: 0,
    fetch: () =>
      Promise.resolve(
        new Response(body, { status: 200, headers: { "content-type": "text/event-stream" } }),
      ),
  });
}

Deno.test("completions stream encoder output assembles in the OpenAI SDK into the same message", async () => {
  const out = encodeAll([
    { type: "start", id: "msg_1", model: "m", created: 1_741_000_000 },
    { type: "textDelta", index: 0, text: "Checking." },
    { type: "partEnd", index: 0 },
    { type: "toolCallStart", index: 1, id: "toolu_a", name: "get_weather" },
    { type: "toolCallDelta", index: 1, arguments: '{"city":"Par' },
    { type: "toolCallDelta", index: 1, arguments: 'is"}' },
    { type: "partEnd", index: 1 },
    { type: "toolCallStart", index: 2, id: "toolu_b", name: "get_time" },
    { type: "partEnd", index: 2 },
    { type: "usage", usage: { inputTokens: 5, outputTokens: 6 } },
    { type: "finish", stopReason: "toolUse" },
  ], true);
  const stream = openaiOver(out).chat.completions.stream({
    model: "client-model",
    messages: [{ role: "user", content: "weather?" }],
    stream_options: { include_usage: true },
  });
  const completion = await stream.finalChatCompletion();
  assert.equal(completion.choices[0]?.finish_reason, "tool_calls");
  assert.equal(completion.choices[0]?.message.content, "Checking.");
  assert.deepEqual(completion.choices[0]?.message.tool_calls, [
    {
      id: "toolu_a",
      type: "function",
      function: { name: "get_weather", arguments: '{"city":"Paris"}' },
    },
    { id: "toolu_b", type: "function", function: { name: "get_time", arguments: "" } },
  ]);
  assert.equal(completion.usage?.total_tokens, 11);
});

Deno.test("completions stream encoder's cut-stream error makes the OpenAI SDK throw an APIError", async () => {
  const out = encodeAll(textStream.slice(0, 2), false, { kind: "api", message: "upstream cut" });
  const stream = await openaiOver(out).chat.completions.create({
    model: "client-model",
    messages: [{ role: "user", content: "hi" }],
    stream: true,
  });
  await assert.rejects(
    async () => {
      for await (const _ of stream) { /* drain */ }
    },
    (error: unknown) => error instanceof OpenAI.APIError && error.message.includes("upstream cut"),
  );
});
