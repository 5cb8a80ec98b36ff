import assert from "node:assert/strict";
import { completions } from "../../../../src/llm/formats/chat_completions.ts";
import type { EncodeOptions } from "../../../../src/llm/formats/mod.ts";
import { type IrResponse, LlmError } from "../../../../src/llm/ir.ts";

const options: EncodeOptions = {
  model: "client-model",
  request: { model: "client-model", messages: [], stream: false },
  nowSeconds: 1_700_000_000,
};

function answer(message: Record<string, unknown>, extra: Record<string, unknown> = {}) {
  return {
    id: "chatcmpl-1",
    object: "chat.completion",
    created: 1_741_000_000,
    model: "gpt-4o-2024-08-06",
    choices: [{
      index: 0,
      message: { role: "assistant", ...message },
      logprobs: null,
      finish_reason: "stop",
    }],
    ...extra,
  };
}

function assertBadAnswer(body: unknown, mentions: string): void {
  assert.throws(() => completions.decodeResponse(body), (error: unknown) => {
    assert.ok(error instanceof LlmError);
    assert.equal(error.status, 502);
    assert.match(error.message, new RegExp(mentions));
    return true;
  });
}

Deno.test("completions decodeResponse reads text, tool calls and every usage detail", () => {
  const response = completions.decodeResponse(answer({
    content: "Checking.",
    refusal: null,
    tool_calls: [{ id: "c1", type: "function", function: { name: "f", arguments: '{"a":1}' } }],
  }, {
    usage: {
      prompt_tokens: 100,
      completion_tokens: 20,
      total_tokens: 120,
      prompt_tokens_details: { cached_tokens: 64, cache_write_tokens: 30 },
      completion_tokens_details: { reasoning_tokens: 12 },
    },
  }));
  assert.deepEqual(response, {
    id: "chatcmpl-1",
    model: "gpt-4o-2024-08-06",
    created: 1_741_000_000,
    content: [
      { type: "text", text: "Checking." },
      { type: "toolCall", id: "c1", name: "f", arguments: '{"a":1}' },
    ],
    stopReason: "stop",
    usage: {
      inputTokens: 100,
      outputTokens: 20,
      cacheReadTokens: 64,
      cacheWriteTokens: 30,
      reasoningTokens: 12,
    },
  });
});

Deno.test("completions decodeResponse reads reasoning_content, vLLM's reasoning and LiteLLM's thinking_blocks", () => {
  const deepseek = completions.decodeResponse(
    answer({ content: "Yes.", reasoning_content: "Because." }),
  );
  assert.deepEqual(deepseek.content, [
    { type: "reasoning", text: "Because." },
    { type: "text", text: "Yes." },
  ]);
  const vllm = completions.decodeResponse(answer({ content: "Yes.", reasoning: "Since." }));
  assert.deepEqual(vllm.content[0], { type: "reasoning", text: "Since." });
  const litellm = completions.decodeResponse(answer({
    content: "Yes.",
    reasoning_content: "Because.",
    thinking_blocks: [{ type: "thinking", thinking: "Because.", signature: "sig" }, {
      type: "redacted_thinking",
      data: "opaque",
    }],
  }));
  assert.deepEqual(litellm.content, [
    { type: "reasoning", text: "Because.", signature: "sig" },
    { type: "reasoning", text: "", encrypted: "opaque" },
    { type: "text", text: "Yes." },
  ]);
});

Deno.test("completions decodeResponse keeps a refusal as text with the stop reason refusal", () => {
  const response = completions.decodeResponse(answer({ content: null, refusal: "I can't." }));
  assert.deepEqual(response.content, [{ type: "text", text: "I can't." }]);
  assert.equal(response.stopReason, "refusal");
});

Deno.test("completions decodeResponse maps finish reasons, and an unknown one to stop", () => {
  const reasonOf = (finish: unknown) => {
    const body = answer({ content: "x" });
    body.choices[0]!.finish_reason = finish as string;
    return completions.decodeResponse(body).stopReason;
  };
  assert.equal(reasonOf("length"), "length");
  assert.equal(reasonOf("tool_calls"), "toolUse");
  assert.equal(reasonOf("content_filter"), "contentFilter");
  assert.equal(reasonOf("model_length"), "length");
  assert.equal(reasonOf("insufficient_system_resource"), "error");
  assert.equal(reasonOf("eos_token"), "stop");
  assert.equal(reasonOf(null), "stop");
});

Deno.test("completions decodeResponse gives a tool call without id a stable one", () => {
  const response = completions.decodeResponse(answer({
    content: null,
    tool_calls: [{ type: "function", function: { name: "f", arguments: "{}" } }],
  }));
  assert.deepEqual(response.content, [
    { type: "toolCall", id: "call_chatcmpl-1_0", name: "f", arguments: "{}" },
  ]);
  assert.deepEqual(response.usage, { inputTokens: 0, outputTokens: 0 });
});

Deno.test("completions decodeResponse answers 502 for an answer it cannot carry whole", async (t) => {
  await t.step("not an object", () => assertBadAnswer("oops", "not a JSON object"));
  await t.step("no choices", () => assertBadAnswer({ id: "x" }, "choices"));
  await t.step("empty choices", () => assertBadAnswer({ choices: [] }, "no message"));
  await t.step(
    "audio output",
    () => assertBadAnswer(answer({ content: null, audio: { id: "a", data: "" } }), "audio"),
  );
  await t.step("a custom tool call", () =>
    assertBadAnswer(
      answer({ tool_calls: [{ id: "c", type: "custom", custom: { name: "x", input: "" } }] }),
      "custom",
    ));
  await t.step(
    "an unknown content part",
    () => assertBadAnswer(answer({ content: [{ type: "image", url: "u" }] }), "'image' part"),
  );
});

Deno.test("completions decodeResponse turns a 200 carrying an error object into that error", () => {
  assert.throws(
    () => completions.decodeResponse({ error: { message: "overloaded", type: "server_error" } }),
    (error: unknown) => error instanceof LlmError && error.message === "overloaded",
  );
});

Deno.test("completions encodeResponse builds a chat.completion with tool calls, reasoning and usage details", () => {
  const response: IrResponse = {
    id: "msg_01",
    model: "claude-sonnet-4-5",
    content: [
      { type: "reasoning", text: "Need the weather.", signature: "sig-1" },
      { type: "text", text: "Let me " },
      { type: "text", text: "check." },
      { type: "toolCall", id: "toolu_1", name: "get_weather", arguments: '{"city":"Paris"}' },
    ],
    stopReason: "toolUse",
    usage: {
      inputTokens: 120,
      outputTokens: 40,
      cacheReadTokens: 100,
      cacheWriteTokens: 10,
      reasoningTokens: 15,
    },
  };
  assert.deepEqual(completions.encodeResponse(response, options), {
    id: "msg_01",
    object: "chat.completion",
    created: 1_700_000_000,
    model: "client-model",
    choices: [{
      index: 0,
      message: {
        role: "assistant",
        content: "Let me check.",
        refusal: null,
        reasoning_content: "Need the weather.",
        thinking_blocks: [{ type: "thinking", thinking: "Need the weather.", signature: "sig-1" }],
        tool_calls: [{
          id: "toolu_1",
          type: "function",
          function: { name: "get_weather", arguments: '{"city":"Paris"}' },
        }],
      },
      logprobs: null,
      finish_reason: "tool_calls",
    }],
    usage: {
      prompt_tokens: 120,
      completion_tokens: 40,
      total_tokens: 160,
      prompt_tokens_details: { cached_tokens: 100, cache_write_tokens: 10 },
      completion_tokens_details: { reasoning_tokens: 15 },
    },
  });
});

Deno.test("completions encodeResponse gives unsigned reasoning as reasoning_content only, and keeps created", () => {
  const encoded = completions.encodeResponse({
    id: "r",
    model: "m",
    created: 5,
    content: [{ type: "reasoning", text: "hm" }, { type: "text", text: "ok" }],
    stopReason: "stop",
    usage: { inputTokens: 1, outputTokens: 2 },
  }, options) as { created: number; choices: { message: Record<string, unknown> }[] };
  assert.equal(encoded.created, 5);
  assert.deepEqual(encoded.choices[0]?.message, {
    role: "assistant",
    content: "ok",
    refusal: null,
    reasoning_content: "hm",
  });
});

Deno.test("completions encodeResponse maps every stop reason onto a Chat finish_reason", () => {
  const finishOf = (stopReason: IrResponse["stopReason"]) => {
    const encoded = completions.encodeResponse({
      id: "r",
      model: "m",
      content: [],
      stopReason,
      usage: { inputTokens: 0, outputTokens: 0 },
    }, options) as { choices: { finish_reason: string; message: { content: unknown } }[] };
    assert.equal(encoded.choices[0]?.message.content, "");
    return encoded.choices[0]?.finish_reason;
  };
  assert.equal(finishOf("stop"), "stop");
  assert.equal(finishOf("stopSequence"), "stop");
  assert.equal(finishOf("length"), "length");
  assert.equal(finishOf("toolUse"), "tool_calls");
  assert.equal(finishOf("contentFilter"), "content_filter");
  assert.equal(finishOf("refusal"), "content_filter");
  assert.equal(finishOf("pauseTurn"), "stop");
});

Deno.test("completions encodeError uses OpenAI's error shape and type strings", () => {
  assert.deepEqual(
    completions.encodeError({ kind: "invalidRequest", message: "bad", param: "n" }, 400),
    { error: { message: "bad", type: "invalid_request_error", param: "n", code: null } },
  );
  assert.deepEqual(
    completions.encodeError({
      kind: "rateLimit",
      message: "slow down",
      providerType: "rate_limit_error",
    }, 429),
    {
      error: {
        message: "slow down",
        type: "rate_limit_error",
        param: null,
        code: "rate_limit_error",
      },
    },
  );
  const typeOf = (kind: Parameters<typeof completions.encodeError>[0]["kind"]) =>
    (completions.encodeError({ kind, message: "m" }, 500) as { error: { type: string } }).error
      .type;
  assert.equal(typeOf("authentication"), "authentication_error");
  assert.equal(typeOf("permission"), "permission_error");
  assert.equal(typeOf("notFound"), "not_found_error");
  assert.equal(typeOf("api"), "server_error");
  assert.equal(typeOf("overloaded"), "server_error");
});

Deno.test("completions decodeError reads OpenAI's error JSON, a vLLM error, and plain text from a proxy", () => {
  assert.deepEqual(
    completions.decodeError(400, {
      error: {
        message: "This model's maximum context length is 128000 tokens.",
        type: "invalid_request_error",
        param: "messages",
        code: "context_length_exceeded",
      },
    }),
    {
      kind: "invalidRequest",
      message: "This model's maximum context length is 128000 tokens.",
      param: "messages",
      providerType: "context_length_exceeded",
    },
  );
  assert.deepEqual(
    completions.decodeError(429, {
      error: { message: "quota", type: "insufficient_quota", code: null },
    }),
    { kind: "rateLimit", message: "quota", providerType: "insufficient_quota" },
  );
  assert.deepEqual(
    completions.decodeError(404, {
      object: "error",
      message: "The model `x` does not exist.",
      type: "NotFoundError",
    }),
    { kind: "notFound", message: "The model `x` does not exist.", providerType: "NotFoundError" },
  );
  assert.deepEqual(completions.decodeError(502, "<html>Bad Gateway</html>\n"), {
    kind: "api",
    message: "<html>Bad Gateway</html>",
  });
  assert.deepEqual(completions.decodeError(503, ""), {
    kind: "overloaded",
    message: "provider answered HTTP 503",
  });
  assert.equal(
    completions.decodeError(401, { error: { message: "no key" } }).kind,
    "authentication",
  );
});
