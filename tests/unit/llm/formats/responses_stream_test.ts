import assert from "node:assert/strict";
import { responses } from "../../../../src/llm/formats/responses.ts";
import type { EncodeOptions, SseEvent } from "../../../../src/llm/formats/types.ts";
import { type IrResponse, LlmError, type StreamEvent } from "../../../../src/llm/ir.ts";

const OPTIONS: EncodeOptions = {
  model: "fixture-model",
  request: {
    model: "fixture-model",
    messages: [{ role: "user", content: [{ type: "text", text: "Hi" }] }],
    stream: true,
    includeUsage: true,
  },
  nowSeconds: 1767225600,
};

type Data = Record<string, unknown> & { type: string; sequence_number: number };

function run(events: StreamEvent[], cut?: { message: string }): Data[] {
  const encoder = responses.createStreamEncoder(OPTIONS);
  const out: SseEvent[] = [];
  for (const event of events) out.push(...encoder.encode(event));
  out.push(...encoder.end(cut === undefined ? undefined : { kind: "api", ...cut }));
  return out.map((event) => {
    const data = JSON.parse(event.data) as Data;
    assert.equal(event.event, data.type, "event: and data.type agree");
    return data;
  });
}

function typesOf(events: Data[]): string[] {
  return events.map((event) => event.type);
}

function last(events: Data[]): Data {
  const event = events.at(-1);
  assert.ok(event);
  return event;
}

const TEXT: StreamEvent[] = [
  { type: "start", id: "chatcmpl-1", model: "gpt-4.1", created: 1767000000 },
  { type: "textDelta", index: 0, text: "Hel" },
  { type: "textDelta", index: 0, text: "lo" },
  { type: "partEnd", index: 0 },
  { type: "finish", stopReason: "stop" },
  { type: "usage", usage: { inputTokens: 5, outputTokens: 2 } },
];

Deno.test("responses streams text in the documented event order with sequence numbers", () => {
  const events = run(TEXT);
  assert.deepEqual(typesOf(events), [
    "response.created",
    "response.in_progress",
    "response.output_item.added",
    "response.content_part.added",
    "response.output_text.delta",
    "response.output_text.delta",
    "response.output_text.done",
    "response.content_part.done",
    "response.output_item.done",
    "response.completed",
  ]);
  assert.deepEqual(events.map((event) => event.sequence_number), [...events.keys()]);
  const created = events[0]?.response as Record<string, unknown>;
  assert.equal(created.id, "resp_chatcmpl-1");
  assert.equal(created.status, "in_progress");
  assert.equal(created.created_at, 1767000000);
  assert.deepEqual(created.output, []);
  assert.equal(created.usage, null);
  assert.deepEqual(events[4], {
    type: "response.output_text.delta",
    item_id: "msg_chatcmpl-1_0",
    output_index: 0,
    content_index: 0,
    delta: "Hel",
    logprobs: [],
    sequence_number: 4,
  });
  assert.equal(events[6]?.text, "Hello");
  const completed = last(events).response as Record<string, unknown>;
  assert.equal(completed.status, "completed");
  assert.deepEqual(completed.usage, {
    input_tokens: 5,
    input_tokens_details: { cached_tokens: 0, cache_write_tokens: 0 },
    output_tokens: 2,
    output_tokens_details: { reasoning_tokens: 0 },
    total_tokens: 7,
  });
});

Deno.test("responses streams reasoning summaries and keeps the proof for output_item.done", () => {
  const events = run([
    { type: "start", id: "msg_1", model: "claude" },
    { type: "reasoningDelta", index: 0, text: "Let me " },
    { type: "reasoningDelta", index: 0, text: "think." },
    { type: "reasoningDelta", index: 0, signature: "sig" },
    { type: "partEnd", index: 0 },
    { type: "reasoningDelta", index: 1, encrypted: "redacted" },
    { type: "partEnd", index: 1 },
    { type: "finish", stopReason: "stop" },
  ]);
  assert.deepEqual(typesOf(events).slice(2), [
    "response.output_item.added",
    "response.reasoning_summary_part.added",
    "response.reasoning_summary_text.delta",
    "response.reasoning_summary_text.delta",
    "response.reasoning_summary_text.done",
    "response.reasoning_summary_part.done",
    "response.output_item.done",
    "response.output_item.added",
    "response.output_item.done",
    "response.completed",
  ]);
  assert.deepEqual(events[3], {
    type: "response.reasoning_summary_part.added",
    item_id: "rs_msg_1_0",
    output_index: 0,
    summary_index: 0,
    part: { type: "summary_text", text: "" },
    sequence_number: 3,
  });
  assert.deepEqual(events[8]?.item, {
    id: "rs_msg_1_0",
    type: "reasoning",
    summary: [{ type: "summary_text", text: "Let me think." }],
    encrypted_content: 'agw:{"signature":"sig"}',
  });
  assert.deepEqual(events[10]?.item, {
    id: "rs_msg_1_1",
    type: "reasoning",
    summary: [],
    encrypted_content: "redacted",
  });
  // No usage ever arrived: the completed response says so rather than inventing zeros.
  assert.equal((last(events).response as Record<string, unknown>).usage, null);
});

Deno.test("responses streams parallel tool calls with arguments split mid-JSON", () => {
  const events = run([
    { type: "start", id: "c1", model: "m" },
    { type: "toolCallStart", index: 0, id: "call_a", name: "get_weather" },
    { type: "toolCallStart", index: 1, id: "call_b", name: "get_time" },
    { type: "toolCallDelta", index: 0, arguments: '{"ci' },
    { type: "toolCallDelta", index: 1, arguments: '{"tz":"UTC"}' },
    { type: "toolCallDelta", index: 0, arguments: 'ty":"Paris"}' },
    { type: "partEnd", index: 1 },
    { type: "partEnd", index: 0 },
    { type: "finish", stopReason: "toolUse" },
  ]);
  assert.deepEqual(events[2], {
    type: "response.output_item.added",
    output_index: 0,
    item: {
      id: "fc_c1_0",
      type: "function_call",
      status: "in_progress",
      arguments: "",
      call_id: "call_a",
      name: "get_weather",
    },
    sequence_number: 2,
  });
  const deltas = events.filter((event) => event.type === "response.function_call_arguments.delta");
  assert.deepEqual(deltas.map((event) => [event.output_index, event.delta]), [
    [0, '{"ci'],
    [1, '{"tz":"UTC"}'],
    [0, 'ty":"Paris"}'],
  ]);
  const done = events.filter((event) => event.type === "response.function_call_arguments.done");
  assert.deepEqual(done.map((event) => [event.item_id, event.arguments]), [
    ["fc_c1_1", '{"tz":"UTC"}'],
    ["fc_c1_0", '{"city":"Paris"}'],
  ]);
  const output = (last(events).response as { output: Record<string, unknown>[] }).output;
  assert.deepEqual(output.map((item) => [item.call_id, item.arguments, item.status]), [
    ["call_a", '{"city":"Paris"}', "completed"],
    ["call_b", '{"tz":"UTC"}', "completed"],
  ]);
});

Deno.test("responses stream's final response matches the buffered encoding of the same answer", () => {
  const answer: IrResponse = {
    id: "msg_9",
    model: "m",
    content: [
      { type: "reasoning", text: "hmm", signature: "s" },
      { type: "text", text: "one" },
      { type: "text", text: "two" },
      { type: "toolCall", id: "t1", name: "f", arguments: "{}" },
    ],
    stopReason: "toolUse",
    usage: { inputTokens: 9, outputTokens: 4, cacheReadTokens: 3, reasoningTokens: 1 },
    created: 1767000000,
  };
  const events = run([
    { type: "start", id: "msg_9", model: "m", created: 1767000000 },
    { type: "reasoningDelta", index: 0, text: "hmm", signature: "s" },
    { type: "partEnd", index: 0 },
    { type: "textDelta", index: 1, text: "one" },
    { type: "partEnd", index: 1 },
    { type: "textDelta", index: 2, text: "two" },
    { type: "partEnd", index: 2 },
    { type: "toolCallStart", index: 3, id: "t1", name: "f" },
    { type: "toolCallDelta", index: 3, arguments: "{}" },
    { type: "partEnd", index: 3 },
    { type: "usage", usage: answer.usage },
    { type: "finish", stopReason: "toolUse" },
  ]);
  const buffered = responses.encodeResponse(answer, { ...OPTIONS, model: "fixture-model" });
  assert.deepEqual(last(events).response, buffered);
  // Consecutive text parts share one message item, as content parts 0 and 1.
  const parts = events.filter((event) => event.type === "response.content_part.added");
  assert.deepEqual(parts.map((event) => [event.output_index, event.content_index]), [[1, 0], [
    1,
    1,
  ]]);
});

Deno.test("responses closes parts the provider never ended, before another item or the end", () => {
  const events = run([
    { type: "start", id: "x", model: "m" },
    { type: "textDelta", index: 0, text: "calling" },
    { type: "toolCallStart", index: 1, id: "c", name: "f" },
    { type: "toolCallDelta", index: 1, arguments: "{}" },
    { type: "finish", stopReason: "toolUse" },
  ]);
  assert.deepEqual(typesOf(events).slice(2), [
    "response.output_item.added",
    "response.content_part.added",
    "response.output_text.delta",
    "response.output_text.done",
    "response.content_part.done",
    "response.output_item.done",
    "response.output_item.added",
    "response.function_call_arguments.delta",
    "response.function_call_arguments.done",
    "response.output_item.done",
    "response.completed",
  ]);
});

Deno.test("responses ends a length-limited stream with response.incomplete", () => {
  const events = run([
    { type: "start", id: "x", model: "m" },
    { type: "textDelta", index: 0, text: "trunc" },
    { type: "finish", stopReason: "length" },
    { type: "usage", usage: { inputTokens: 1, outputTokens: 16 } },
  ]);
  const final = last(events);
  assert.equal(final.type, "response.incomplete");
  const response = final.response as {
    status: string;
    incomplete_details: unknown;
    output: { status: string }[];
  };
  assert.equal(response.status, "incomplete");
  assert.deepEqual(response.incomplete_details, { reason: "max_output_tokens" });
  assert.equal(response.output[0]?.status, "incomplete");
});

Deno.test("responses ends a stream the provider stopped with an error with response.failed", () => {
  const events = run([{ type: "start", id: "x", model: "m" }, {
    type: "finish",
    stopReason: "error",
  }]);
  assert.equal(last(events).type, "response.failed");
});

Deno.test("responses ends a cut stream with one error event and nothing after", () => {
  const encoder = responses.createStreamEncoder(OPTIONS);
  const before = [
    ...encoder.encode({ type: "start", id: "x", model: "m" }),
    ...encoder.encode({ type: "textDelta", index: 0, text: "par" }),
  ];
  const end = encoder.end({ kind: "api", message: "upstream stream ended early" });
  assert.equal(end.length, 1);
  assert.deepEqual(JSON.parse(end[0]?.data ?? ""), {
    type: "error",
    code: "server_error",
    message: "upstream stream ended early",
    param: null,
    sequence_number: before.length,
  });
  assert.equal(end[0]?.event, "error");
  assert.deepEqual(encoder.encode({ type: "textDelta", index: 0, text: "tial" }), []);
  assert.deepEqual(encoder.end(), []);
});

Deno.test("responses relays a provider error mid-stream as the last event", () => {
  const encoder = responses.createStreamEncoder(OPTIONS);
  encoder.encode({ type: "start", id: "x", model: "m" });
  const out = encoder.encode({
    type: "error",
    error: { kind: "overloaded", message: "Overloaded", providerType: "overloaded_error" },
  });
  assert.deepEqual(out.map((event) => JSON.parse(event.data)), [{
    type: "error",
    code: "overloaded_error",
    message: "Overloaded",
    param: null,
    sequence_number: 2,
  }]);
  assert.deepEqual(encoder.end(), []);
});

Deno.test("responses opens the response even when the provider sent no start event", () => {
  const events = run([{ type: "textDelta", index: 0, text: "hi" }, {
    type: "finish",
    stopReason: "stop",
  }]);
  assert.deepEqual(typesOf(events).slice(0, 2), ["response.created", "response.in_progress"]);
  assert.equal((events[0]?.response as { id: string }).id, "resp_agw_1767225600");
});

Deno.test("responses streams an empty answer as created, in_progress and completed", () => {
  const events = run([
    { type: "start", id: "x", model: "m" },
    { type: "partEnd", index: 0 },
    { type: "finish", stopReason: "stop" },
  ]);
  assert.deepEqual(typesOf(events), [
    "response.created",
    "response.in_progress",
    "response.completed",
  ]);
});

Deno.test("responses rejects stream events that contradict the part they name", () => {
  const encoder = responses.createStreamEncoder(OPTIONS);
  encoder.encode({ type: "toolCallStart", index: 0, id: "c", name: "f" });
  assert.throws(() => encoder.encode({ type: "textDelta", index: 0, text: "x" }), LlmError);
  assert.throws(
    () => encoder.encode({ type: "toolCallDelta", index: 5, arguments: "{}" }),
    LlmError,
  );
  encoder.encode({ type: "partEnd", index: 0 });
  assert.throws(
    () => encoder.encode({ type: "toolCallStart", index: 0, id: "d", name: "g" }),
    LlmError,
  );
});
