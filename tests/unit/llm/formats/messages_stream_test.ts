import assert from "node:assert/strict";
import { messages } from "../../../../src/llm/formats/messages.ts";
import type { EncodeOptions, SseEvent, StreamFrame } from "../../../../src/llm/formats/types.ts";
import { LlmError, type StreamEvent } from "../../../../src/llm/ir.ts";

const options: EncodeOptions = {
  model: "client-model",
  request: { model: "client-model", messages: [], stream: true },
  nowSeconds: 1767225600,
};

/** One Anthropic SSE frame, as the API sends it (`event:` named after the payload's type). */
function frame(payload: Record<string, unknown>): StreamFrame {
  return { kind: "sse", event: { event: String(payload.type), data: JSON.stringify(payload) } };
}

function decodeAll(frames: StreamFrame[], end = true): StreamEvent[] {
  const decoder = messages.createStreamDecoder();
  const events = frames.flatMap((f) => decoder.push(f));
  return end ? [...events, ...decoder.end()] : events;
}

function encodeAll(
  events: StreamEvent[],
  error?: Parameters<ReturnType<typeof messages.createStreamEncoder>["end"]>[0],
) {
  const encoder = messages.createStreamEncoder(options);
  const out = events.flatMap((event) => encoder.encode(event));
  out.push(...encoder.end(error));
  return out.map((event: SseEvent) => ({ event: event.event, data: JSON.parse(event.data) }));
}

const start = {
  type: "message_start",
  message: {
    id: "msg_01",
    type: "message",
    role: "assistant",
    model: "claude-sonnet-4-5",
    content: [],
    stop_reason: null,
    stop_sequence: null,
    usage: {
      input_tokens: 40,
      cache_creation_input_tokens: 0,
      cache_read_input_tokens: 10,
      output_tokens: 1,
    },
  },
};

const toolStream: Record<string, unknown>[] = [
  start,
  {
    type: "content_block_start",
    index: 0,
    content_block: { type: "thinking", thinking: "", signature: "" },
  },
  { type: "ping" },
  {
    type: "content_block_delta",
    index: 0,
    delta: { type: "thinking_delta", thinking: "Two cities." },
  },
  { type: "content_block_delta", index: 0, delta: { type: "signature_delta", signature: "EqQB" } },
  { type: "content_block_stop", index: 0 },
  { type: "content_block_start", index: 1, content_block: { type: "text", text: "" } },
  { type: "content_block_delta", index: 1, delta: { type: "text_delta", text: "Checking both." } },
  { type: "content_block_stop", index: 1 },
  {
    type: "content_block_start",
    index: 2,
    content_block: { type: "tool_use", id: "toolu_1", name: "w", input: {} },
  },
  { type: "content_block_delta", index: 2, delta: { type: "input_json_delta", partial_json: "" } },
  {
    type: "content_block_delta",
    index: 2,
    delta: { type: "input_json_delta", partial_json: '{"ci' },
  },
  {
    type: "content_block_delta",
    index: 2,
    delta: { type: "input_json_delta", partial_json: 'ty": "Paris"}' },
  },
  { type: "content_block_stop", index: 2 },
  {
    type: "content_block_start",
    index: 3,
    content_block: { type: "tool_use", id: "toolu_2", name: "w", input: {} },
  },
  {
    type: "content_block_delta",
    index: 3,
    delta: { type: "input_json_delta", partial_json: '{"city": "Rome"}' },
  },
  { type: "content_block_stop", index: 3 },
  {
    type: "message_delta",
    delta: { stop_reason: "tool_use", stop_sequence: null },
    usage: { output_tokens: 89 },
  },
  { type: "message_stop" },
];

Deno.test("messages stream decoder turns every Anthropic event into IR events, skipping ping", () => {
  assert.deepEqual(decodeAll(toolStream.map(frame)), [
    { type: "start", id: "msg_01", model: "claude-sonnet-4-5" },
    {
      type: "usage",
      usage: { inputTokens: 50, outputTokens: 1, cacheReadTokens: 10, cacheWriteTokens: 0 },
    },
    { type: "reasoningDelta", index: 0, text: "Two cities." },
    { type: "reasoningDelta", index: 0, signature: "EqQB" },
    { type: "partEnd", index: 0 },
    { type: "textDelta", index: 1, text: "Checking both." },
    { type: "partEnd", index: 1 },
    { type: "toolCallStart", index: 2, id: "toolu_1", name: "w" },
    { type: "toolCallDelta", index: 2, arguments: '{"ci' },
    { type: "toolCallDelta", index: 2, arguments: 'ty": "Paris"}' },
    { type: "partEnd", index: 2 },
    { type: "toolCallStart", index: 3, id: "toolu_2", name: "w" },
    { type: "toolCallDelta", index: 3, arguments: '{"city": "Rome"}' },
    { type: "partEnd", index: 3 },
    {
      type: "usage",
      usage: { inputTokens: 50, outputTokens: 89, cacheReadTokens: 10, cacheWriteTokens: 0 },
    },
    { type: "finish", stopReason: "toolUse" },
  ]);
});

Deno.test("messages stream decoder reads cumulative message_delta usage, redacted thinking and errors", () => {
  const events = decodeAll([
    frame({
      ...start,
      message: { ...start.message, usage: { input_tokens: 0, output_tokens: 0 } },
    }),
    frame({
      type: "content_block_start",
      index: 0,
      content_block: { type: "redacted_thinking", data: "Emw" },
    }),
    frame({ type: "content_block_stop", index: 0 }),
    frame({
      type: "message_delta",
      delta: { stop_reason: "max_tokens", stop_sequence: null },
      usage: {
        input_tokens: 12,
        output_tokens: 30,
        output_tokens_details: { thinking_tokens: 20 },
      },
    }),
    frame({ type: "error", error: { type: "overloaded_error", message: "Overloaded" } }),
  ]);
  assert.deepEqual(events.slice(2), [
    { type: "reasoningDelta", index: 0, encrypted: "Emw" },
    { type: "partEnd", index: 0 },
    { type: "usage", usage: { inputTokens: 12, outputTokens: 30, reasoningTokens: 20 } },
    { type: "finish", stopReason: "length" },
    {
      type: "error",
      error: { kind: "overloaded", message: "Overloaded", providerType: "overloaded_error" },
    },
  ]);
});

Deno.test("messages stream decoder reports a stream that ends before message_stop", () => {
  const events = decodeAll([
    frame(start),
    frame({ type: "content_block_start", index: 0, content_block: { type: "text", text: "" } }),
  ]);
  assert.deepEqual(events.at(-1), {
    type: "error",
    error: { kind: "api", message: "the Anthropic stream ended before message_stop" },
  });
});

Deno.test("messages stream decoder answers 502 for frames it cannot read and skips unknown events", async (t) => {
  const cases: [string, StreamFrame][] = [
    ["data that is not JSON", { kind: "sse", event: { event: "message_start", data: "{nope" } }],
    ["an event-stream frame", {
      kind: "eventstream",
      eventType: "messageStart",
      messageType: "event",
      payload: {},
    }],
    [
      "a server tool block",
      frame({
        type: "content_block_start",
        index: 0,
        content_block: { type: "server_tool_use", id: "s", name: "web_search" },
      }),
    ],
    [
      "an unknown delta",
      frame({ type: "content_block_delta", index: 0, delta: { type: "telepathy_delta" } }),
    ],
  ];
  for (const [name, bad] of cases) {
    await t.step(name, () => {
      const decoder = messages.createStreamDecoder();
      assert.throws(
        () => decoder.push(bad),
        (error: unknown) => error instanceof LlmError && error.status === 502,
      );
    });
  }
  await t.step("an unknown event type", () => {
    assert.deepEqual(
      messages.createStreamDecoder().push(frame({ type: "future_event", x: 1 })),
      [],
    );
  });
});

Deno.test("messages stream encoder reproduces an Anthropic stream it decoded, without ping", () => {
  const encoded = encodeAll(decodeAll(toolStream.map(frame)));
  const expected = toolStream.filter((event) =>
    event.type !== "ping" &&
    !(event.type === "content_block_delta" &&
      (event.delta as { partial_json?: string } | undefined)?.partial_json === "")
  );
  assert.deepEqual(encoded.map((e) => e.event), expected.map((e) => e.type));
  assert.deepEqual(encoded[0]?.data, {
    ...start,
    message: {
      ...start.message,
      model: "client-model",
      usage: {
        input_tokens: 40,
        output_tokens: 1,
        cache_creation_input_tokens: 0,
        cache_read_input_tokens: 10,
      },
    },
  });
  assert.deepEqual(encoded.slice(1, -2).map((e) => e.data), expected.slice(1, -2));
  assert.deepEqual(encoded.at(-2)?.data, {
    type: "message_delta",
    delta: { stop_reason: "tool_use", stop_sequence: null },
    usage: {
      input_tokens: 40,
      output_tokens: 89,
      cache_creation_input_tokens: 0,
      cache_read_input_tokens: 10,
    },
  });
});

Deno.test("messages stream encoder sends message_start before usage is known and the final usage in message_delta", () => {
  // OpenAI's order: no usage at the start, finish, then a usage-only chunk.
  const out = encodeAll([
    { type: "start", id: "chatcmpl-1", model: "gpt-5" },
    { type: "textDelta", index: 0, text: "Hel" },
    { type: "textDelta", index: 0, text: "lo" },
    { type: "finish", stopReason: "stop" },
    { type: "usage", usage: { inputTokens: 12, outputTokens: 3, cacheReadTokens: 2 } },
  ]);
  assert.deepEqual(out.map((e) => e.event), [
    "message_start",
    "content_block_start",
    "content_block_delta",
    "content_block_delta",
    "content_block_stop",
    "message_delta",
    "message_stop",
  ]);
  assert.deepEqual(out[0]?.data.message.usage, {
    input_tokens: 0,
    output_tokens: 0,
    cache_creation_input_tokens: 0,
    cache_read_input_tokens: 0,
  });
  assert.equal(out[0]?.data.message.id, "chatcmpl-1");
  assert.deepEqual(out[5]?.data, {
    type: "message_delta",
    delta: { stop_reason: "end_turn", stop_sequence: null },
    usage: {
      input_tokens: 10,
      output_tokens: 3,
      cache_creation_input_tokens: 0,
      cache_read_input_tokens: 2,
    },
  });
});

Deno.test("messages stream encoder closes the open block when another part starts", () => {
  // Chat Completions has no part-end event: text, then two tool calls, then the finish.
  const out = encodeAll([
    { type: "start", id: "c", model: "m" },
    { type: "textDelta", index: 0, text: "Sure." },
    { type: "toolCallStart", index: 1, id: "call_a", name: "a" },
    { type: "toolCallDelta", index: 1, arguments: '{"x":' },
    { type: "toolCallDelta", index: 1, arguments: "1}" },
    { type: "toolCallStart", index: 2, id: "call_b", name: "b" },
    { type: "toolCallDelta", index: 2, arguments: "{}" },
    { type: "partEnd", index: 7 },
    { type: "finish", stopReason: "toolUse" },
  ]);
  assert.deepEqual(out.slice(1, -2).map((e) => e.data), [
    { type: "content_block_start", index: 0, content_block: { type: "text", text: "" } },
    { type: "content_block_delta", index: 0, delta: { type: "text_delta", text: "Sure." } },
    { type: "content_block_stop", index: 0 },
    {
      type: "content_block_start",
      index: 1,
      content_block: { type: "tool_use", id: "call_a", name: "a", input: {} },
    },
    {
      type: "content_block_delta",
      index: 1,
      delta: { type: "input_json_delta", partial_json: '{"x":' },
    },
    {
      type: "content_block_delta",
      index: 1,
      delta: { type: "input_json_delta", partial_json: "1}" },
    },
    { type: "content_block_stop", index: 1 },
    {
      type: "content_block_start",
      index: 2,
      content_block: { type: "tool_use", id: "call_b", name: "b", input: {} },
    },
    {
      type: "content_block_delta",
      index: 2,
      delta: { type: "input_json_delta", partial_json: "{}" },
    },
    { type: "content_block_stop", index: 2 },
  ]);
  assert.equal(out.at(-2)?.data.delta.stop_reason, "tool_use");
});

Deno.test("messages stream encoder numbers blocks densely and reopens text that resumes", () => {
  const out = encodeAll([
    { type: "start", id: "c", model: "m" },
    { type: "reasoningDelta", index: 3, text: "hm" },
    { type: "textDelta", index: 5, text: "A" },
    { type: "reasoningDelta", index: 3, text: "more" },
    { type: "finish", stopReason: "stop" },
  ]);
  const starts = out.filter((e) => e.event === "content_block_start").map((
    e,
  ) => [e.data.index, e.data.content_block.type]);
  assert.deepEqual(starts, [[0, "thinking"], [1, "text"], [2, "thinking"]]);
});

Deno.test("messages stream encoder refuses tool arguments for a closed or unknown call with a 502", () => {
  const encoder = messages.createStreamEncoder(options);
  encoder.encode({ type: "toolCallStart", index: 0, id: "a", name: "a" });
  encoder.encode({ type: "textDelta", index: 1, text: "x" });
  const isBadGateway = (error: unknown) => error instanceof LlmError && error.status === 502;
  assert.throws(
    () => encoder.encode({ type: "toolCallDelta", index: 0, arguments: "{}" }),
    isBadGateway,
  );
  assert.throws(
    () => encoder.encode({ type: "toolCallDelta", index: 9, arguments: "{}" }),
    isBadGateway,
  );
});

Deno.test("messages stream encoder ends a cut stream with an error event and no message_stop", () => {
  const out = encodeAll(
    [{ type: "start", id: "c", model: "m" }, { type: "textDelta", index: 0, text: "Hal" }],
    { kind: "api", message: "upstream stream ended before the answer was complete" },
  );
  assert.deepEqual(out.map((e) => e.event), [
    "message_start",
    "content_block_start",
    "content_block_delta",
    "error",
  ]);
  assert.deepEqual(out.at(-1)?.data, {
    type: "error",
    error: { type: "api_error", message: "upstream stream ended before the answer was complete" },
  });
});

Deno.test("messages stream encoder forwards a provider error once and then stays silent", () => {
  const encoder = messages.createStreamEncoder(options);
  const first = encoder.encode({
    type: "error",
    error: { kind: "rateLimit", message: "slow down" },
  });
  assert.deepEqual(first, [{
    event: "error",
    data: JSON.stringify({
      type: "error",
      error: { type: "rate_limit_error", message: "slow down" },
    }),
  }]);
  assert.deepEqual(encoder.encode({ type: "textDelta", index: 0, text: "late" }), []);
  assert.deepEqual(encoder.end(), []);
});

Deno.test("messages stream encoder writes redacted thinking whole and empty streams completely", () => {
  const redacted = encodeAll([
    { type: "reasoningDelta", index: 0, encrypted: "Emw" },
    { type: "usage", usage: { inputTokens: 5, outputTokens: 2, reasoningTokens: 1 } },
  ]);
  assert.deepEqual(redacted[1]?.data, {
    type: "content_block_start",
    index: 0,
    content_block: { type: "redacted_thinking", data: "Emw" },
  });
  assert.deepEqual(redacted.at(-2)?.data.usage.output_tokens_details, { thinking_tokens: 1 });
  const empty = encodeAll([]);
  assert.deepEqual(empty.map((e) => e.event), ["message_start", "message_delta", "message_stop"]);
  assert.equal(empty[0]?.data.message.id, "msg_1767225600");
});
