import assert from "node:assert/strict";
import { DEFAULT_MAX_TOKENS, messages } from "../../../../src/llm/formats/messages.ts";
import { type IrRequest, LlmError, type Message } from "../../../../src/llm/ir.ts";

const user = (text: string): Message => ({ role: "user", content: [{ type: "text", text }] });

function request(extra: Partial<IrRequest> = {}): IrRequest {
  return { model: "claude-sonnet-4-5", messages: [user("Hi")], stream: false, ...extra };
}

function encode(extra: Partial<IrRequest> = {}): Record<string, unknown> {
  return messages.encodeRequest(request(extra)) as Record<string, unknown>;
}

function assertRefused(extra: Partial<IrRequest>, param: string): void {
  assert.throws(() => messages.encodeRequest(request(extra)), (error: unknown) => {
    assert.ok(error instanceof LlmError, String(error));
    assert.equal(error.status, 400);
    assert.equal(error.body.param, param, error.message);
    return true;
  });
}

Deno.test("messages encodeRequest sends the agentgateway default max_tokens when the IR has none", () => {
  assert.deepEqual(encode(), {
    model: "claude-sonnet-4-5",
    max_tokens: DEFAULT_MAX_TOKENS,
    messages: [{ role: "user", content: [{ type: "text", text: "Hi" }] }],
  });
  assert.equal(DEFAULT_MAX_TOKENS, 4096);
  assert.equal(encode({ maxTokens: 300 }).max_tokens, 300);
});

Deno.test("messages encodeRequest moves leading system messages to system and refuses a later one", () => {
  const body = encode({
    messages: [
      { role: "system", content: [{ type: "text", text: "Be terse." }] },
      {
        role: "system",
        content: [{ type: "text", text: "Cached", cacheControl: { type: "ephemeral" } }],
      },
      user("Hi"),
    ],
  });
  assert.deepEqual(body.system, [
    { type: "text", text: "Be terse." },
    { type: "text", text: "Cached", cache_control: { type: "ephemeral" } },
  ]);
  assertRefused({
    messages: [user("Hi"), { role: "system", content: [{ type: "text", text: "x" }] }],
  }, "messages[1]");
  assertRefused(
    {
      messages: [{
        role: "system",
        content: [{ type: "image", source: { kind: "url", url: "https://x/a.png" } }],
      }],
    },
    "messages[0].content[0]",
  );
});

Deno.test("messages encodeRequest merges tool results into one user turn, results first", () => {
  const body = encode({
    messages: [
      user("Weather in Paris and Rome?"),
      {
        role: "assistant",
        content: [
          { type: "text", text: "Checking." },
          { type: "toolCall", id: "t1", name: "w", arguments: '{"city":"Paris"}' },
          { type: "toolCall", id: "t2", name: "w", arguments: "" },
        ],
      },
      {
        role: "tool",
        content: [{
          type: "toolResult",
          toolCallId: "t1",
          content: [{ type: "text", text: "sunny" }],
        }],
      },
      {
        role: "tool",
        content: [{
          type: "toolResult",
          toolCallId: "t2",
          isError: true,
          content: [
            { type: "text", text: "failed" },
            { type: "image", source: { kind: "base64", mediaType: "image/png", data: "iVBO" } },
          ],
        }],
      },
      user("Thanks"),
    ],
  });
  assert.deepEqual(body.messages, [
    { role: "user", content: [{ type: "text", text: "Weather in Paris and Rome?" }] },
    {
      role: "assistant",
      content: [
        { type: "text", text: "Checking." },
        { type: "tool_use", id: "t1", name: "w", input: { city: "Paris" } },
        { type: "tool_use", id: "t2", name: "w", input: {} },
      ],
    },
    {
      role: "user",
      content: [
        { type: "tool_result", tool_use_id: "t1", content: "sunny" },
        {
          type: "tool_result",
          tool_use_id: "t2",
          content: [
            { type: "text", text: "failed" },
            { type: "image", source: { type: "base64", media_type: "image/png", data: "iVBO" } },
          ],
          is_error: true,
        },
        { type: "text", text: "Thanks" },
      ],
    },
  ]);
});

Deno.test("messages encodeRequest merges consecutive same-role messages and skips empty ones", () => {
  const body = encode({
    messages: [user("a"), user("b"), { role: "assistant", content: [] }, user(""), user("c")],
  });
  assert.deepEqual(body.messages, [{
    role: "user",
    content: [{ type: "text", text: "a" }, { type: "text", text: "b" }, {
      type: "text",
      text: "c",
    }],
  }]);
});

Deno.test("messages encodeRequest refuses fields Anthropic cannot carry, naming each", async (t) => {
  const cases: [string, Partial<IrRequest>, string][] = [
    ["seed", { seed: 7 }, "seed"],
    ["frequency penalty", { frequencyPenalty: 0.5 }, "frequency_penalty"],
    ["presence penalty", { presencePenalty: 0.5 }, "presence_penalty"],
    ["JSON mode without schema", { responseFormat: { type: "json_object" } }, "response_format"],
    [
      "a schema description",
      { responseFormat: { type: "json_schema", name: "r", schema: {}, description: "why" } },
      "response_format.json_schema.description",
    ],
    ["temperature above 1", { temperature: 1.5 }, "temperature"],
    ["a participant name", { messages: [{ ...user("Hi"), name: "alice" }] }, "messages[0].name"],
    [
      "arguments that are not JSON",
      {
        messages: [user("Hi"), {
          role: "assistant",
          content: [{ type: "toolCall", id: "t", name: "n", arguments: "{oops" }],
        }],
      },
      "messages[1].content[0].arguments",
    ],
    [
      "a tool call in a user message",
      {
        messages: [{
          role: "user",
          content: [{ type: "toolCall", id: "t", name: "n", arguments: "{}" }],
        }],
      },
      "messages[0].content[0]",
    ],
    [
      "an audio file",
      {
        messages: [{
          role: "user",
          content: [{
            type: "file",
            source: { kind: "base64", mediaType: "audio/wav", data: "UklG" },
          }],
        }],
      },
      "messages[0].content[0]",
    ],
  ];
  for (const [name, extra, param] of cases) await t.step(name, () => assertRefused(extra, param));
});

Deno.test("messages encodeRequest maps tools, tool choice and parallel tool calls", async (t) => {
  const tools = [
    { name: "a", description: "A", parameters: { type: "object", properties: {} }, strict: true },
    { name: "b", parameters: {}, cacheControl: { type: "ephemeral" as const } },
  ];
  await t.step("tools get an object input_schema", () => {
    assert.deepEqual(encode({ tools }).tools, [
      {
        name: "a",
        description: "A",
        input_schema: { type: "object", properties: {} },
        strict: true,
      },
      { name: "b", input_schema: { type: "object" }, cache_control: { type: "ephemeral" } },
    ]);
  });
  await t.step("each tool choice", () => {
    assert.deepEqual(encode({ toolChoice: "required" }).tool_choice, { type: "any" });
    assert.deepEqual(encode({ toolChoice: "auto" }).tool_choice, { type: "auto" });
    assert.deepEqual(encode({ toolChoice: "none", parallelToolCalls: false }).tool_choice, {
      type: "none",
    });
    assert.deepEqual(encode({ toolChoice: { name: "a" } }).tool_choice, {
      type: "tool",
      name: "a",
    });
  });
  await t.step("parallelToolCalls false disables parallel tool use", () => {
    assert.deepEqual(encode({ parallelToolCalls: false }).tool_choice, {
      type: "auto",
      disable_parallel_tool_use: true,
    });
    assert.deepEqual(encode({ toolChoice: "required", parallelToolCalls: false }).tool_choice, {
      type: "any",
      disable_parallel_tool_use: true,
    });
    assert.equal(encode({ parallelToolCalls: true }).tool_choice, undefined);
  });
});

Deno.test("messages encodeRequest maps reasoning through the shared effort table", async (t) => {
  await t.step("an effort becomes a budget", () => {
    assert.deepEqual(encode({ reasoning: { effort: "low" } }).thinking, {
      type: "enabled",
      budget_tokens: 2048,
    });
    assert.deepEqual(encode({ reasoning: { effort: "none" } }).thinking, { type: "disabled" });
  });
  await t.step("an explicit budget wins over the effort", () => {
    assert.deepEqual(encode({ reasoning: { effort: "high", budgetTokens: 3000 } }).thinking, {
      type: "enabled",
      budget_tokens: 3000,
    });
  });
  await t.step("without a client limit, max_tokens leaves room above the budget", () => {
    const body = encode({ reasoning: { effort: "high" } });
    assert.equal(body.max_tokens, 24576 + DEFAULT_MAX_TOKENS);
    assert.equal(encode({ reasoning: { effort: "low" } }).max_tokens, DEFAULT_MAX_TOKENS);
  });
  await t.step("an effort budget stays below the client's token limit", () => {
    assert.deepEqual(encode({ reasoning: { effort: "high" }, maxTokens: 5000 }).thinking, {
      type: "enabled",
      budget_tokens: 4999,
    });
    assert.deepEqual(encode({ reasoning: { effort: "high" }, maxTokens: 30000 }).thinking, {
      type: "enabled",
      budget_tokens: 24576,
    });
    assertRefused({ reasoning: { effort: "medium" }, maxTokens: 1000 }, "reasoning_effort");
    assert.deepEqual(encode({ reasoning: { effort: "none" }, maxTokens: 100 }).thinking, {
      type: "disabled",
    });
  });
  await t.step("a reasoning config with neither leaves thinking to the provider", () => {
    assert.equal(encode({ reasoning: { summary: "auto" } }).thinking, undefined);
  });
});

Deno.test("messages encodeRequest sends signed and redacted thinking back and leaves foreign reasoning out", () => {
  const body = encode({
    messages: [user("Hi"), {
      role: "assistant",
      content: [
        { type: "reasoning", text: "Signed.", signature: "sig" },
        { type: "reasoning", text: "", encrypted: "redacted-data" },
        { type: "reasoning", text: "OpenAI summary", id: "rs_1", encrypted: "gAAA" },
        { type: "reasoning", text: "Gemini thought" },
        { type: "text", text: "Hello" },
      ],
    }],
  });
  assert.deepEqual((body.messages as unknown[])[1], {
    role: "assistant",
    content: [
      { type: "thinking", thinking: "Signed.", signature: "sig" },
      { type: "redacted_thinking", data: "redacted-data" },
      { type: "text", text: "Hello" },
    ],
  });
});

Deno.test("messages encodeRequest maps images, documents, output format, user and stream", () => {
  const body = encode({
    messages: [{
      role: "user",
      content: [
        {
          type: "image",
          source: { kind: "url", url: "data:image/jpeg;base64,/9j/4AAQ" },
          detail: "high",
        },
        { type: "image", source: { kind: "url", url: "https://example.com/cat.png" } },
        {
          type: "file",
          source: { kind: "base64", mediaType: "application/pdf", data: "JVBERi0=" },
          filename: "a.pdf",
        },
        { type: "file", source: { kind: "base64", mediaType: "text/plain", data: "aMOpbGxv" } },
        { type: "file", source: { kind: "url", url: "https://example.com/a.pdf" } },
      ],
    }],
    responseFormat: {
      type: "json_schema",
      name: "answer",
      schema: { type: "object" },
      strict: true,
    },
    user: "user-7",
    stop: ["END"],
    temperature: 0.5,
    topP: 0.9,
    topK: 10,
    stream: true,
    includeUsage: true,
    metadata: { tag: "x" },
  });
  assert.deepEqual(body, {
    model: "claude-sonnet-4-5",
    max_tokens: DEFAULT_MAX_TOKENS,
    messages: [{
      role: "user",
      content: [
        { type: "image", source: { type: "base64", media_type: "image/jpeg", data: "/9j/4AAQ" } },
        { type: "image", source: { type: "url", url: "https://example.com/cat.png" } },
        {
          type: "document",
          source: { type: "base64", media_type: "application/pdf", data: "JVBERi0=" },
          title: "a.pdf",
        },
        { type: "document", source: { type: "text", media_type: "text/plain", data: "héllo" } },
        { type: "document", source: { type: "url", url: "https://example.com/a.pdf" } },
      ],
    }],
    temperature: 0.5,
    top_p: 0.9,
    top_k: 10,
    stop_sequences: ["END"],
    output_config: { format: { type: "json_schema", schema: { type: "object" } } },
    metadata: { user_id: "user-7" },
    stream: true,
  });
});

Deno.test("messages decodeRequest then encodeRequest returns the client's body", () => {
  const body = {
    model: "claude-sonnet-4-5",
    max_tokens: 2000,
    system: [{ type: "text", text: "Be terse.", cache_control: { type: "ephemeral" } }],
    messages: [
      { role: "user", content: [{ type: "text", text: "Weather?" }] },
      {
        role: "assistant",
        content: [
          { type: "thinking", thinking: "Use the tool.", signature: "sig" },
          { type: "tool_use", id: "t1", name: "w", input: { city: "Paris" } },
        ],
      },
      {
        role: "user",
        content: [
          { type: "tool_result", tool_use_id: "t1", content: "sunny", is_error: false },
          { type: "text", text: "Thanks" },
        ],
      },
    ],
    tools: [{ name: "w", description: "Weather", input_schema: { type: "object" } }],
    tool_choice: { type: "auto", disable_parallel_tool_use: true },
    temperature: 1,
    top_k: 5,
    stop_sequences: ["END"],
    thinking: { type: "enabled", budget_tokens: 1024 },
    output_config: { format: { type: "json_schema", schema: { type: "object" } } },
    metadata: { user_id: "u" },
    stream: true,
  };
  assert.deepEqual(messages.encodeRequest(messages.decodeRequest(structuredClone(body))), body);
});
