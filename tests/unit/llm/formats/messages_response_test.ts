import assert from "node:assert/strict";
import { messages } from "../../../../src/llm/formats/messages.ts";
import type { EncodeOptions } from "../../../../src/llm/formats/types.ts";
import { type IrResponse, LlmError } from "../../../../src/llm/ir.ts";

const options: EncodeOptions = {
  model: "client-model",
  request: { model: "client-model", messages: [], stream: false },
  nowSeconds: 1767225600,
};

const answer = {
  id: "msg_01",
  type: "message",
  role: "assistant",
  model: "claude-sonnet-4-5-20250929",
  content: [
    { type: "thinking", thinking: "The user wants weather.", signature: "EqQBCgIYAhIM" },
    { type: "redacted_thinking", data: "EmwKAhgBEgy3va" },
    { type: "text", text: "Let me check.", citations: null },
    { type: "tool_use", id: "toolu_01", name: "get_weather", input: { city: "Paris" } },
  ],
  stop_reason: "tool_use",
  stop_sequence: null,
  usage: {
    input_tokens: 100,
    cache_creation_input_tokens: 20,
    cache_read_input_tokens: 30,
    output_tokens: 50,
    output_tokens_details: { thinking_tokens: 12 },
    service_tier: "standard",
  },
};

Deno.test("messages decodeResponse carries every block, the stop reason and usage with cache in input", () => {
  assert.deepEqual(messages.decodeResponse(structuredClone(answer)), {
    id: "msg_01",
    model: "claude-sonnet-4-5-20250929",
    content: [
      { type: "reasoning", text: "The user wants weather.", signature: "EqQBCgIYAhIM" },
      { type: "reasoning", text: "", encrypted: "EmwKAhgBEgy3va" },
      { type: "text", text: "Let me check." },
      { type: "toolCall", id: "toolu_01", name: "get_weather", arguments: '{"city":"Paris"}' },
    ],
    stopReason: "toolUse",
    usage: {
      inputTokens: 150,
      outputTokens: 50,
      cacheReadTokens: 30,
      cacheWriteTokens: 20,
      reasoningTokens: 12,
    },
  });
});

Deno.test("messages decodeResponse maps each stop reason, an unknown one to stop", () => {
  const cases: [string | null, string][] = [
    ["end_turn", "stop"],
    ["max_tokens", "length"],
    ["stop_sequence", "stopSequence"],
    ["tool_use", "toolUse"],
    ["pause_turn", "pauseTurn"],
    ["refusal", "refusal"],
    ["model_context_window_exceeded", "length"],
    ["something_new", "stop"],
    [null, "stop"],
  ];
  for (const [reason, expected] of cases) {
    const body = { ...answer, content: [], stop_reason: reason };
    assert.equal(messages.decodeResponse(body).stopReason, expected, String(reason));
  }
  const stopped = messages.decodeResponse({
    ...answer,
    content: [],
    stop_reason: "stop_sequence",
    stop_sequence: "END",
  });
  assert.equal(stopped.stopSequence, "END");
});

Deno.test("messages decodeResponse answers 502 for an unknown block or a broken body", async (t) => {
  const bad: [string, unknown, string][] = [
    ["a server tool block", {
      ...answer,
      content: [{ type: "server_tool_use", id: "s", name: "web_search", input: {} }],
    }, "server_tool_use"],
    ["a web search result", {
      ...answer,
      content: [{ type: "web_search_tool_result", tool_use_id: "s", content: [] }],
    }, "web_search_tool_result"],
    ["not an object", "oops", "not a JSON object"],
    ["no content", { ...answer, content: undefined }, "content"],
    ["another type", { ...answer, type: "completion" }, "completion"],
    ["text not a string", { ...answer, content: [{ type: "text", text: 1 }] }, "content[0].text"],
  ];
  for (const [name, body, needle] of bad) {
    await t.step(name, () => {
      assert.throws(() => messages.decodeResponse(body), (error: unknown) => {
        assert.ok(error instanceof LlmError);
        assert.equal(error.status, 502);
        assert.ok(error.message.includes(needle), error.message);
        return true;
      });
    });
  }
});

Deno.test("messages encodeResponse writes a message with usage split back out of input", () => {
  const response: IrResponse = {
    id: "chatcmpl-1",
    model: "gpt-5",
    content: [
      { type: "reasoning", text: "Thinking it over." },
      { type: "text", text: "Here." },
      { type: "toolCall", id: "call_1", name: "w", arguments: '{"city":"Rome"}' },
      { type: "toolCall", id: "call_2", name: "now", arguments: "" },
    ],
    stopReason: "toolUse",
    usage: { inputTokens: 150, outputTokens: 40, cacheReadTokens: 30, reasoningTokens: 8 },
  };
  assert.deepEqual(messages.encodeResponse(response, options), {
    id: "chatcmpl-1",
    type: "message",
    role: "assistant",
    model: "client-model",
    content: [
      { type: "thinking", thinking: "Thinking it over.", signature: "" },
      { type: "text", text: "Here." },
      { type: "tool_use", id: "call_1", name: "w", input: { city: "Rome" } },
      { type: "tool_use", id: "call_2", name: "now", input: {} },
    ],
    stop_reason: "tool_use",
    stop_sequence: null,
    usage: {
      input_tokens: 120,
      output_tokens: 40,
      cache_creation_input_tokens: 0,
      cache_read_input_tokens: 30,
      output_tokens_details: { thinking_tokens: 8 },
    },
  });
});

Deno.test("messages encodeResponse maps IR stop reasons to Anthropic's", () => {
  const cases: [IrResponse["stopReason"], string][] = [
    ["stop", "end_turn"],
    ["length", "max_tokens"],
    ["stopSequence", "stop_sequence"],
    ["toolUse", "tool_use"],
    ["pauseTurn", "pause_turn"],
    ["refusal", "refusal"],
    ["contentFilter", "refusal"],
    ["error", "end_turn"],
  ];
  for (const [reason, expected] of cases) {
    const response: IrResponse = {
      id: "r",
      model: "m",
      content: [],
      stopReason: reason,
      usage: { inputTokens: 0, outputTokens: 0 },
    };
    const body = messages.encodeResponse(response, options) as Record<string, unknown>;
    assert.equal(body.stop_reason, expected, reason);
  }
});

Deno.test("messages encodeResponse answers 502 for tool arguments that are not a JSON object", () => {
  const response: IrResponse = {
    id: "r",
    model: "m",
    content: [{ type: "toolCall", id: "c", name: "w", arguments: '{"city": "Ro' }],
    stopReason: "toolUse",
    usage: { inputTokens: 1, outputTokens: 1 },
  };
  assert.throws(() => messages.encodeResponse(response, options), (error: unknown) => {
    assert.ok(error instanceof LlmError);
    assert.equal(error.status, 502);
    return true;
  });
});

Deno.test("messages decodeResponse then encodeResponse keeps an Anthropic answer", () => {
  const { content, usage, ...rest } = answer;
  const back = messages.encodeResponse(messages.decodeResponse(structuredClone(answer)), {
    ...options,
    model: answer.model,
  });
  assert.deepEqual(back, {
    ...rest,
    content: content.map((block) => {
      const { citations: _, ...kept } = block as Record<string, unknown>;
      return kept;
    }),
    usage: {
      input_tokens: usage.input_tokens,
      output_tokens: usage.output_tokens,
      cache_creation_input_tokens: usage.cache_creation_input_tokens,
      cache_read_input_tokens: usage.cache_read_input_tokens,
      output_tokens_details: usage.output_tokens_details,
    },
  });
});

Deno.test("messages encodeError writes Anthropic's error types", () => {
  const kinds = [
    ["invalidRequest", "invalid_request_error"],
    ["authentication", "authentication_error"],
    ["permission", "permission_error"],
    ["notFound", "not_found_error"],
    ["requestTooLarge", "request_too_large"],
    ["rateLimit", "rate_limit_error"],
    ["api", "api_error"],
    ["overloaded", "overloaded_error"],
    ["timeout", "timeout_error"],
  ] as const;
  for (const [kind, type] of kinds) {
    assert.deepEqual(messages.encodeError({ kind, message: "m", param: "p" }, 400), {
      type: "error",
      error: { type, message: "m" },
    });
  }
});

Deno.test("messages decodeError reads Anthropic, Google and plain-text error bodies", async (t) => {
  await t.step("Anthropic's shape", () => {
    assert.deepEqual(
      messages.decodeError(529, {
        type: "error",
        error: { type: "overloaded_error", message: "Overloaded" },
        request_id: "req_1",
      }),
      { kind: "overloaded", message: "Overloaded", providerType: "overloaded_error" },
    );
    assert.equal(
      messages.decodeError(402, { type: "error", error: { type: "billing_error", message: "m" } })
        .kind,
      "permission",
    );
  });
  await t.step("Vertex's Google shape, also wrapped in an array", () => {
    const google = {
      error: { code: 429, message: "Quota exceeded", status: "RESOURCE_EXHAUSTED" },
    };
    const expected = {
      kind: "rateLimit",
      message: "Quota exceeded",
      providerType: "RESOURCE_EXHAUSTED",
    };
    assert.deepEqual(messages.decodeError(429, google), expected);
    assert.deepEqual(messages.decodeError(429, [google]), expected);
  });
  await t.step("text and empty bodies fall back on the status", () => {
    assert.deepEqual(messages.decodeError(401, "bad key\n"), {
      kind: "authentication",
      message: "bad key",
    });
    assert.deepEqual(messages.decodeError(504, ""), {
      kind: "timeout",
      message: "upstream answered HTTP 504",
    });
    assert.equal(messages.decodeError(413, null).kind, "requestTooLarge");
    assert.equal(messages.decodeError(418, {}).kind, "invalidRequest");
    assert.equal(
      messages.decodeError(500, { error: { type: "new_kind", message: "x" } }).kind,
      "api",
    );
  });
});
