import assert from "node:assert/strict";
import type { EncodeOptions } from "../../../../src/llm/formats/types.ts";
import { responses } from "../../../../src/llm/formats/responses.ts";
import type { IrRequest, IrResponse, StopReason } from "../../../../src/llm/ir.ts";

const REQUEST: IrRequest = {
  model: "gpt-5.1",
  messages: [
    { role: "system", content: [{ type: "text", text: "Be terse." }] },
    { role: "user", content: [{ type: "text", text: "Weather?" }] },
  ],
  tools: [{ name: "get_weather", parameters: { type: "object" }, strict: true }],
  toolChoice: { name: "get_weather" },
  maxTokens: 500,
  temperature: 0.3,
  reasoning: { effort: "low", summary: "auto" },
  responseFormat: { type: "json_schema", name: "w", schema: { type: "object" }, strict: true },
  metadata: { trace: "t" },
  stream: false,
};

const ANSWER: IrResponse = {
  id: "msg_01abc",
  model: "claude-sonnet-4-5",
  content: [
    { type: "reasoning", text: "Two cities.", signature: "sig-1" },
    { type: "text", text: "Checking " },
    { type: "text", text: "both." },
    { type: "toolCall", id: "toolu_1", name: "get_weather", arguments: '{"city":"Paris"}' },
    { type: "toolCall", id: "toolu_2", name: "get_weather", arguments: '{"city":"Oslo"}' },
  ],
  stopReason: "toolUse",
  usage: {
    inputTokens: 120,
    outputTokens: 40,
    cacheReadTokens: 100,
    cacheWriteTokens: 10,
    reasoningTokens: 12,
  },
  created: 1767000000,
};

const OPTIONS: EncodeOptions = {
  model: "claude-sonnet-4-5",
  request: REQUEST,
  nowSeconds: 1767225600,
};

function encode(response: IrResponse, options: EncodeOptions = OPTIONS): Record<string, unknown> {
  return responses.encodeResponse(response, options) as Record<string, unknown>;
}

Deno.test("responses encodes reasoning, merged text and parallel calls as output items", () => {
  const body = encode(ANSWER);
  assert.equal(body.id, "resp_msg_01abc");
  assert.equal(body.object, "response");
  assert.equal(body.status, "completed");
  assert.equal(body.created_at, 1767000000);
  assert.equal(body.completed_at, 1767225600);
  assert.equal(body.model, "claude-sonnet-4-5");
  assert.deepEqual(body.output, [
    {
      id: "rs_msg_01abc_0",
      type: "reasoning",
      summary: [{ type: "summary_text", text: "Two cities." }],
      encrypted_content: 'agw:{"signature":"sig-1"}',
    },
    {
      id: "msg_msg_01abc_1",
      type: "message",
      status: "completed",
      content: [
        { type: "output_text", text: "Checking ", annotations: [], logprobs: [] },
        { type: "output_text", text: "both.", annotations: [], logprobs: [] },
      ],
      role: "assistant",
    },
    {
      id: "fc_msg_01abc_2",
      type: "function_call",
      status: "completed",
      arguments: '{"city":"Paris"}',
      call_id: "toolu_1",
      name: "get_weather",
    },
    {
      id: "fc_msg_01abc_3",
      type: "function_call",
      status: "completed",
      arguments: '{"city":"Oslo"}',
      call_id: "toolu_2",
      name: "get_weather",
    },
  ]);
  assert.deepEqual(body.usage, {
    input_tokens: 120,
    input_tokens_details: { cached_tokens: 100, cache_write_tokens: 10 },
    output_tokens: 40,
    output_tokens_details: { reasoning_tokens: 12 },
    total_tokens: 160,
  });
});

Deno.test("responses echoes the request parameters SDKs read back", () => {
  const body = encode(ANSWER);
  assert.equal(body.instructions, "Be terse.");
  assert.equal(body.max_output_tokens, 500);
  assert.equal(body.temperature, 0.3);
  assert.equal(body.top_p, null);
  assert.equal(body.parallel_tool_calls, true);
  assert.equal(body.store, false);
  assert.deepEqual(body.tool_choice, { type: "function", name: "get_weather" });
  assert.deepEqual(body.tools, [{
    type: "function",
    name: "get_weather",
    description: null,
    parameters: { type: "object" },
    strict: true,
  }]);
  assert.deepEqual(body.reasoning, { effort: "low", summary: "auto" });
  assert.deepEqual(body.text, {
    format: { type: "json_schema", name: "w", schema: { type: "object" }, strict: true },
    verbosity: "medium",
  });
  assert.deepEqual(body.metadata, { trace: "t" });
  assert.equal(body.error, null);
  assert.equal(body.incomplete_details, null);
});

Deno.test("responses echoes defaults for a bare request, and reports a budget as its effort", () => {
  const body = encode({ ...ANSWER, created: undefined } as unknown as IrResponse, {
    ...OPTIONS,
    request: {
      model: "m",
      messages: [{ role: "user", content: [] }],
      reasoning: { budgetTokens: 8000 },
      stream: false,
    },
  });
  assert.equal(body.created_at, 1767225600);
  assert.equal(body.instructions, null);
  assert.equal(body.tool_choice, "auto");
  assert.deepEqual(body.tools, []);
  assert.deepEqual(body.text, { format: { type: "text" }, verbosity: "medium" });
  assert.deepEqual(body.reasoning, { effort: "medium", summary: null });
  assert.deepEqual(body.metadata, {});
});

Deno.test("responses splits text around a tool call into two messages", () => {
  const body = encode({
    ...ANSWER,
    content: [
      { type: "text", text: "a" },
      { type: "toolCall", id: "c", name: "f", arguments: "{}" },
      { type: "text", text: "b" },
    ],
  });
  const output = body.output as { type: string; id: string }[];
  assert.deepEqual(output.map((item) => [item.type, item.id]), [
    ["message", "msg_msg_01abc_0"],
    ["function_call", "fc_msg_01abc_1"],
    ["message", "msg_msg_01abc_2"],
  ]);
});

Deno.test("responses keeps a provider's resp_ id and a reasoning item's own id", () => {
  const body = encode({
    ...ANSWER,
    id: "resp_42",
    content: [{ type: "reasoning", text: "", id: "rs_own", encrypted: "gAAAA" }],
  });
  assert.equal(body.id, "resp_42");
  assert.deepEqual(body.output, [{
    id: "rs_own",
    type: "reasoning",
    summary: [],
    encrypted_content: "gAAAA",
  }]);
});

Deno.test("responses encodes an empty answer as no output items", () => {
  const body = encode({ ...ANSWER, content: [], usage: { inputTokens: 3, outputTokens: 0 } });
  assert.deepEqual(body.output, []);
  assert.deepEqual(body.usage, {
    input_tokens: 3,
    input_tokens_details: { cached_tokens: 0, cache_write_tokens: 0 },
    output_tokens: 0,
    output_tokens_details: { reasoning_tokens: 0 },
    total_tokens: 3,
  });
});

Deno.test("responses maps every stop reason to a status", () => {
  const cases: [StopReason, string, unknown][] = [
    ["stop", "completed", null],
    ["toolUse", "completed", null],
    ["stopSequence", "completed", null],
    ["pauseTurn", "completed", null],
    ["length", "incomplete", { reason: "max_output_tokens" }],
    ["contentFilter", "incomplete", { reason: "content_filter" }],
    ["refusal", "incomplete", { reason: "content_filter" }],
    ["error", "failed", null],
  ];
  for (const [stopReason, status, details] of cases) {
    const body = encode({ ...ANSWER, stopReason });
    assert.equal(body.status, status, stopReason);
    assert.deepEqual(body.incomplete_details, details, stopReason);
    assert.equal(body.completed_at, status === "completed" ? 1767225600 : null, stopReason);
  }
  const failed = encode({ ...ANSWER, stopReason: "error" });
  assert.deepEqual(failed.error, {
    code: "server_error",
    type: "server_error",
    message: "the provider stopped with an error",
    param: null,
  });
});

Deno.test("responses output items sent back as input decode to the same IR parts", () => {
  const body = encode(ANSWER);
  const request = responses.decodeRequest({
    model: "m",
    input: [{ role: "user", content: "Weather?" }, ...(body.output as unknown[])],
  });
  assert.deepEqual(request.messages[1], {
    role: "assistant",
    content: [
      { type: "reasoning", text: "Two cities.", id: "rs_msg_01abc_0", signature: "sig-1" },
      { type: "text", text: "Checking " },
      { type: "text", text: "both." },
      { type: "toolCall", id: "toolu_1", name: "get_weather", arguments: '{"city":"Paris"}' },
      { type: "toolCall", id: "toolu_2", name: "get_weather", arguments: '{"city":"Oslo"}' },
    ],
  });
});

Deno.test("responses round-trips a signature together with encrypted data", () => {
  const body = encode({
    ...ANSWER,
    content: [{ type: "reasoning", text: "t", signature: "s", encrypted: "e" }],
  });
  const request = responses.decodeRequest({ model: "m", input: body.output });
  assert.deepEqual(request.messages[0]?.content[0], {
    type: "reasoning",
    text: "t",
    id: "rs_msg_01abc_0",
    signature: "s",
    encrypted: "e",
  });
});
