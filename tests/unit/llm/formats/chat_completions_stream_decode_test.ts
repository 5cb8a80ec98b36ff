import assert from "node:assert/strict";
import { completions } from "../../../../src/llm/formats/chat_completions.ts";
import type { StreamFrame } from "../../../../src/llm/formats/mod.ts";
import { LlmError, type StreamEvent } from "../../../../src/llm/ir.ts";

const ID = "chatcmpl-9";

function frame(data: unknown): StreamFrame {
  return { kind: "sse", event: { data: typeof data === "string" ? data : JSON.stringify(data) } };
}

/** One chunk with a choice delta (and optionally usage). */
function delta(fields: Record<string, unknown>, finish: string | null = null, usage?: unknown) {
  return frame({
    id: ID,
    object: "chat.completion.chunk",
    created: 1_741_000_000,
    model: "gpt-4o",
    choices: [{ index: 0, delta: fields, logprobs: null, finish_reason: finish }],
    ...(usage === undefined ? {} : { usage }),
  });
}

function usageChunk(usage: unknown) {
  return frame({
    id: ID,
    object: "chat.completion.chunk",
    created: 1,
    model: "gpt-4o",
    choices: [],
    usage,
  });
}

const DONE = frame("[DONE]");
const START: StreamEvent = { type: "start", id: ID, model: "gpt-4o", created: 1_741_000_000 };

function decodeAll(frames: StreamFrame[], end = true): StreamEvent[] {
  const decoder = completions.createStreamDecoder();
  const events = frames.flatMap((f) => decoder.push(f));
  if (end) events.push(...decoder.end());
  return events;
}

Deno.test("completions stream decoder turns text deltas into one part and waits for usage before finish", () => {
  const events = decodeAll([
    delta({ role: "assistant", content: "", refusal: null }),
    delta({ content: "Hel" }),
    delta({ content: "lo" }),
    delta({}, "stop"),
    usageChunk({
      prompt_tokens: 9,
      completion_tokens: 2,
      total_tokens: 11,
      prompt_tokens_details: { cached_tokens: 0 },
      completion_tokens_details: { reasoning_tokens: 0 },
    }),
    DONE,
  ]);
  assert.deepEqual(events, [
    START,
    { type: "textDelta", index: 0, text: "Hel" },
    { type: "textDelta", index: 0, text: "lo" },
    { type: "partEnd", index: 0 },
    {
      type: "usage",
      usage: { inputTokens: 9, outputTokens: 2, cacheReadTokens: 0, reasoningTokens: 0 },
    },
    { type: "finish", stopReason: "stop" },
  ]);
});

Deno.test("completions stream decoder keys parallel tool calls by index and keeps argument fragments split mid-JSON", () => {
  const events = decodeAll([
    delta({ role: "assistant", content: "Checking." }),
    delta({
      tool_calls: [{
        index: 0,
        id: "call_a",
        type: "function",
        function: { name: "get_weather", arguments: "" },
      }],
    }),
    delta({ tool_calls: [{ index: 0, function: { arguments: '{"ci' } }] }),
    delta({ tool_calls: [{ index: 0, function: { arguments: 'ty":"Paris"}' } }] }),
    delta({
      tool_calls: [{
        index: 1,
        id: "call_b",
        type: "function",
        function: { name: "get_time", arguments: "{}" },
      }],
    }),
    delta({}, "tool_calls"),
    DONE,
  ]);
  assert.deepEqual(events, [
    START,
    { type: "textDelta", index: 0, text: "Checking." },
    { type: "partEnd", index: 0 },
    { type: "toolCallStart", index: 1, id: "call_a", name: "get_weather" },
    { type: "toolCallDelta", index: 1, arguments: '{"ci' },
    { type: "toolCallDelta", index: 1, arguments: 'ty":"Paris"}' },
    { type: "partEnd", index: 1 },
    { type: "toolCallStart", index: 2, id: "call_b", name: "get_time" },
    { type: "toolCallDelta", index: 2, arguments: "{}" },
    { type: "partEnd", index: 2 },
    { type: "finish", stopReason: "toolUse" },
  ]);
});

Deno.test("completions stream decoder holds arguments until a late function name, and invents a stable id", () => {
  const events = decodeAll([
    delta({ tool_calls: [{ index: 0, function: { arguments: '{"a":' } }] }),
    delta({ tool_calls: [{ index: 0, function: { name: "f", arguments: "1}" } }] }),
    delta({}, "tool_calls"),
    DONE,
  ]);
  assert.deepEqual(events, [
    START,
    { type: "toolCallStart", index: 0, id: "call_chatcmpl-9_0", name: "f" },
    { type: "toolCallDelta", index: 0, arguments: '{"a":1}' },
    { type: "partEnd", index: 0 },
    { type: "finish", stopReason: "toolUse" },
  ]);
});

Deno.test("completions stream decoder reads reasoning_content (or vLLM's reasoning) as a reasoning part before the text", () => {
  const events = decodeAll([
    delta({ role: "assistant", content: null, reasoning_content: "" }),
    delta({ reasoning_content: "Think", reasoning: "Think" }),
    delta({ reasoning: " more." }),
    delta({ content: "Done." }),
    delta({ thinking_blocks: [{ type: "thinking", thinking: "", signature: "sig" }] }),
    delta({ content: "" }, "stop", { prompt_tokens: 3, completion_tokens: 4, total_tokens: 7 }),
    DONE,
  ]);
  assert.deepEqual(events, [
    START,
    { type: "reasoningDelta", index: 0, text: "Think" },
    { type: "reasoningDelta", index: 0, text: " more." },
    { type: "partEnd", index: 0 },
    { type: "textDelta", index: 1, text: "Done." },
    { type: "partEnd", index: 1 },
    { type: "reasoningDelta", index: 2, signature: "sig" },
    { type: "partEnd", index: 2 },
    { type: "usage", usage: { inputTokens: 3, outputTokens: 4 } },
    { type: "finish", stopReason: "stop" },
  ]);
});

Deno.test("completions stream decoder waits past Azure's empty prompt_filter_results chunk for the answer's id", () => {
  const events = decodeAll([
    frame({ id: "", object: "", created: 0, model: "", choices: [], prompt_filter_results: [] }),
    delta({ content: "Hi" }, "stop"),
    DONE,
  ]);
  assert.deepEqual(events.slice(0, 2), [START, { type: "textDelta", index: 0, text: "Hi" }]);
});

Deno.test("completions stream decoder maps a refusal delta to text with the stop reason refusal", () => {
  const events = decodeAll([delta({ refusal: "I can't." }), delta({}, "stop"), DONE]);
  assert.deepEqual(events.slice(1), [
    { type: "textDelta", index: 0, text: "I can't." },
    { type: "partEnd", index: 0 },
    { type: "finish", stopReason: "refusal" },
  ]);
});

Deno.test("completions stream decoder maps an unknown finish reason to stop", () => {
  const events = decodeAll([delta({ content: "x" }, "eos"), DONE]);
  assert.deepEqual(events.at(-1), { type: "finish", stopReason: "stop" });
});

Deno.test("completions stream decoder finishes at the end of a stream without [DONE] once a finish_reason came", () => {
  const events = decodeAll([delta({ content: "x" }, "length")]);
  assert.deepEqual(events.at(-1), { type: "finish", stopReason: "length" });
});

Deno.test("completions stream decoder reports a stream that ended before any finish_reason as an error", () => {
  const events = decodeAll([delta({ content: "Once upon" })]);
  assert.equal(events.at(-1)?.type, "error");
  assert.ok(!events.some((event) => event.type === "finish"));
});

Deno.test("completions stream decoder turns an error chunk into an IR error event and ignores what follows", () => {
  const decoder = completions.createStreamDecoder();
  const events = [
    ...decoder.push(delta({ content: "x" })),
    ...decoder.push(
      frame({
        error: {
          message: "The server had an error",
          type: "server_error",
          param: null,
          code: null,
        },
      }),
    ),
    ...decoder.push(delta({ content: "y" })),
    ...decoder.end(),
  ];
  assert.deepEqual(events.slice(2), [
    {
      type: "error",
      error: { kind: "api", message: "The server had an error", providerType: "server_error" },
    },
  ]);
});

Deno.test("completions stream decoder answers 502 for a chunk it cannot read", async (t) => {
  const assertBad = (frames: StreamFrame[]) =>
    assert.throws(
      () => decodeAll(frames),
      (error: unknown) => error instanceof LlmError && error.status === 502,
    );
  await t.step("not JSON", () => assertBad([frame("{oops")]));
  await t.step("audio output", () => assertBad([delta({ audio: { id: "a", data: "AAA" } })]));
  await t.step(
    "a custom tool call",
    () => assertBad([delta({ tool_calls: [{ index: 0, type: "custom", custom: { name: "x" } }] })]),
  );
  await t.step(
    "a tool call that never names its function",
    () =>
      assertBad([
        delta({ tool_calls: [{ index: 0, function: { arguments: "{}" } }] }),
        delta({}, "tool_calls"),
      ]),
  );
});

Deno.test("completions stream decoder and encoder together give a Chat client back the provider's chunks", () => {
  const frames = [
    delta({ role: "assistant", content: "", refusal: null }),
    delta({ content: "Hi" }),
    delta({
      tool_calls: [{
        index: 0,
        id: "call_a",
        type: "function",
        function: { name: "f", arguments: "" },
      }],
    }),
    delta({ tool_calls: [{ index: 0, function: { arguments: "{}" } }] }),
    delta({}, "tool_calls"),
    usageChunk({ prompt_tokens: 1, completion_tokens: 2, total_tokens: 3 }),
    DONE,
  ];
  const encoder = completions.createStreamEncoder({
    model: "gpt-4o",
    request: { model: "gpt-4o", messages: [], stream: true, includeUsage: true },
    nowSeconds: 0,
  });
  const out = decodeAll(frames).flatMap((event) => encoder.encode(event));
  out.push(...encoder.end());
  const chunks = out.map((event) => event.data === "[DONE]" ? event.data : JSON.parse(event.data));
  assert.deepEqual(chunks.map((c) => typeof c === "string" ? c : c.choices[0]?.delta ?? c.usage), [
    { role: "assistant", content: "", refusal: null },
    { content: "Hi" },
    {
      tool_calls: [{
        index: 0,
        id: "call_a",
        type: "function",
        function: { name: "f", arguments: "" },
      }],
    },
    { tool_calls: [{ index: 0, function: { arguments: "{}" } }] },
    {},
    {
      prompt_tokens: 1,
      completion_tokens: 2,
      total_tokens: 3,
      prompt_tokens_details: { cached_tokens: 0 },
      completion_tokens_details: { reasoning_tokens: 0 },
    },
    "[DONE]",
  ]);
});
