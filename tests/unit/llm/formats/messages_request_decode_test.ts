import assert from "node:assert/strict";
import { messages } from "../../../../src/llm/formats/messages.ts";
import { type IrRequest, LlmError } from "../../../../src/llm/ir.ts";

const base = {
  model: "claude-sonnet-4-5",
  max_tokens: 1024,
  messages: [{ role: "user", content: "Hi" }],
};

function decode(extra: Record<string, unknown>): IrRequest {
  return messages.decodeRequest({ ...base, ...extra });
}

/** Asserts a 400 whose `param` is `param`. */
function assertRefused(body: unknown, param: string): void {
  assert.throws(() => messages.decodeRequest(body), (error: unknown) => {
    assert.ok(error instanceof LlmError, String(error));
    assert.equal(error.status, 400);
    assert.equal(error.body.kind, "invalidRequest");
    assert.equal(error.body.param, param, error.message);
    assert.ok(error.message.startsWith(param), error.message);
    return true;
  });
}

Deno.test("messages decodeRequest reads the required fields and defaults stream to false", () => {
  assert.deepEqual(messages.decodeRequest(base), {
    model: "claude-sonnet-4-5",
    messages: [{ role: "user", content: [{ type: "text", text: "Hi" }] }],
    maxTokens: 1024,
    stream: false,
  });
});

Deno.test("messages decodeRequest answers 400 for a schema-invalid body, naming the field", async (t) => {
  const cases: [string, unknown, string][] = [
    ["missing max_tokens", { model: "m", messages: [] }, "max_tokens"],
    ["missing messages", { model: "m", max_tokens: 1 }, "messages"],
    ["model not a string", { ...base, model: 3 }, "model"],
    ["negative max_tokens", { ...base, max_tokens: -1 }, "max_tokens"],
    ["messages not an array", { ...base, messages: {} }, "messages"],
    ["a message without role", { ...base, messages: [{ content: "x" }] }, "messages[0].role"],
    [
      "content of the wrong type",
      { ...base, messages: [{ role: "user", content: "a" }, { role: "user", content: 5 }] },
      "messages[1].content",
    ],
    [
      "an unknown key in a message",
      { ...base, messages: [{ role: "user", content: "a", name: "bob" }] },
      "messages[0].name",
    ],
    [
      "an unknown block type",
      { ...base, messages: [{ role: "user", content: [{ type: "audio" }] }] },
      "messages[0].content[0].type",
    ],
    [
      "a tool_use block in a user turn",
      {
        ...base,
        messages: [{
          role: "user",
          content: [{ type: "tool_use", id: "a", name: "b", input: {} }],
        }],
      },
      "messages[0].content[0]",
    ],
    ["temperature not a number", { ...base, temperature: "hot" }, "temperature"],
    ["stop_sequences not strings", { ...base, stop_sequences: [1] }, "stop_sequences[0]"],
    ["stream not a boolean", { ...base, stream: "yes" }, "stream"],
    [
      "tool_choice of an unknown type",
      { ...base, tool_choice: { type: "some" } },
      "tool_choice.type",
    ],
    [
      "thinking enabled without budget",
      { ...base, thinking: { type: "enabled" } },
      "thinking.budget_tokens",
    ],
    [
      "a tool without input_schema",
      { ...base, tools: [{ name: "t" }] },
      "tools[0].input_schema",
    ],
    [
      "an unknown field in metadata",
      { ...base, metadata: { user_id: "u", tag: "x" } },
      "metadata.tag",
    ],
    ["a body that is not an object", [], "body"],
  ];
  for (const [name, body, param] of cases) {
    await t.step(name, () => assertRefused(body, param));
  }
});

Deno.test("messages decodeRequest refuses fields no other format can carry, naming each", async (t) => {
  const userBlock = (block: unknown) => ({
    ...base,
    messages: [{ role: "user", content: [block] }],
  });
  const cases: [string, unknown, string][] = [
    ["an unknown top-level field", { ...base, frobnicate: true }, "frobnicate"],
    ["container", { ...base, container: "c_1" }, "container"],
    [
      "mcp_servers",
      { ...base, mcp_servers: [{ type: "url", url: "https://x", name: "x" }] },
      "mcp_servers",
    ],
    ["context_management", { ...base, context_management: { edits: [] } }, "context_management"],
    ["inference_geo", { ...base, inference_geo: "us" }, "inference_geo"],
    ["the web search server tool", {
      ...base,
      tools: [{ type: "web_search_20250305", name: "web_search" }],
    }, "tools[0]"],
    ["the bash tool", { ...base, tools: [{ type: "bash_20250124", name: "bash" }] }, "tools[0]"],
    [
      "the text editor tool",
      { ...base, tools: [{ type: "text_editor_20250728", name: "str_replace_based_edit_tool" }] },
      "tools[0]",
    ],
    ["a server_tool_use block", {
      ...base,
      messages: [{
        role: "assistant",
        content: [{ type: "server_tool_use", id: "s", name: "web_search", input: {} }],
      }],
    }, "messages[0].content[0]"],
    [
      "a search_result block",
      userBlock({ type: "search_result", source: "s", title: "t", content: [] }),
      "messages[0].content[0]",
    ],
    ["a web_search_tool_result block", {
      ...base,
      messages: [{
        role: "assistant",
        content: [{ type: "web_search_tool_result", tool_use_id: "s", content: [] }],
      }],
    }, "messages[0].content[0]"],
    [
      "a container_upload block",
      userBlock({ type: "container_upload", file_id: "f" }),
      "messages[0].content[0]",
    ],
    [
      "a Files API image",
      userBlock({ type: "image", source: { type: "file", file_id: "f" } }),
      "messages[0].content[0].source",
    ],
    [
      "text citations",
      userBlock({
        type: "text",
        text: "a",
        citations: [{ type: "char_location", cited_text: "a" }],
      }),
      "messages[0].content[0].citations",
    ],
    [
      "document citations",
      userBlock({
        type: "document",
        source: { type: "text", media_type: "text/plain", data: "a" },
        citations: { enabled: true },
      }),
      "messages[0].content[0].citations",
    ],
    [
      "document context",
      userBlock({
        type: "document",
        source: { type: "url", url: "https://x/a.pdf" },
        context: "c",
      }),
      "messages[0].content[0].context",
    ],
    [
      "a document inside a tool result",
      userBlock({
        type: "tool_result",
        tool_use_id: "t",
        content: [{ type: "document", source: { type: "url", url: "https://x/a.pdf" } }],
      }),
      "messages[0].content[0].content[0]",
    ],
    ["effort max", { ...base, output_config: { effort: "max" } }, "output_config.effort"],
    [
      "a task budget",
      { ...base, output_config: { task_budget: { type: "tokens", total: 5 } } },
      "output_config.task_budget",
    ],
    ["thinking between_tools", { ...base, thinking: { type: "between_tools" } }, "thinking.type"],
    ["deferred tool loading", {
      ...base,
      tools: [{ name: "t", input_schema: { type: "object" }, defer_loading: true }],
    }, "tools[0].defer_loading"],
    ["tool input examples", {
      ...base,
      tools: [{ name: "t", input_schema: { type: "object" }, input_examples: [{ a: 1 }] }],
    }, "tools[0].input_examples"],
    ["programmatic tool calling", {
      ...base,
      tools: [{
        name: "t",
        input_schema: { type: "object" },
        allowed_callers: ["code_execution_20250825"],
      }],
    }, "tools[0].allowed_callers"],
  ];
  for (const [name, body, param] of cases) {
    await t.step(name, () => assertRefused(body, param));
  }
});

Deno.test("messages decodeRequest drops delivery hints without changing the request", () => {
  const plain = messages.decodeRequest({
    ...base,
    tools: [{ name: "t", input_schema: { type: "object" } }],
  });
  const hinted = messages.decodeRequest({
    ...base,
    service_tier: "auto",
    speed: "fast",
    diagnostics: { previous_message_id: "msg_1" },
    anthropic_version: "vertex-2023-10-16",
    container: null,
    tools: [{
      name: "t",
      input_schema: { type: "object" },
      eager_input_streaming: true,
      allowed_callers: ["direct"],
    }],
  });
  assert.deepEqual(hinted, plain);
});

Deno.test("messages decodeRequest turns a user turn's tool results into tool messages in order", () => {
  const request = decode({
    messages: [
      { role: "user", content: "weather?" },
      {
        role: "assistant",
        content: [
          { type: "tool_use", id: "t1", name: "w", input: { city: "Paris" } },
          { type: "tool_use", id: "t2", name: "w", input: { city: "Rome" } },
        ],
      },
      {
        role: "user",
        content: [
          { type: "tool_result", tool_use_id: "t1", content: "sunny" },
          {
            type: "tool_result",
            tool_use_id: "t2",
            is_error: true,
            content: [
              { type: "text", text: "no data" },
              { type: "image", source: { type: "base64", media_type: "image/png", data: "iVBO" } },
            ],
          },
          { type: "text", text: "and tomorrow?" },
        ],
      },
    ],
  });
  assert.deepEqual(request.messages.slice(2), [
    {
      role: "tool",
      content: [
        { type: "toolResult", toolCallId: "t1", content: [{ type: "text", text: "sunny" }] },
        {
          type: "toolResult",
          toolCallId: "t2",
          isError: true,
          content: [
            { type: "text", text: "no data" },
            { type: "image", source: { kind: "base64", mediaType: "image/png", data: "iVBO" } },
          ],
        },
      ],
    },
    { role: "user", content: [{ type: "text", text: "and tomorrow?" }] },
  ]);
  assert.deepEqual(request.messages[1]?.content[1], {
    type: "toolCall",
    id: "t2",
    name: "w",
    arguments: '{"city":"Rome"}',
  });
});

Deno.test("messages decodeRequest keeps system blocks, system turns and cache markers", () => {
  const request = decode({
    system: [
      { type: "text", text: "You are terse." },
      { type: "text", text: "Long context", cache_control: { type: "ephemeral", ttl: "1h" } },
    ],
    messages: [
      { role: "user", content: "Hi" },
      { role: "system", content: "From now on, answer in French." },
      {
        role: "user",
        content: [{ type: "text", text: "Bye", cache_control: null, citations: null }],
      },
    ],
  });
  assert.deepEqual(request.messages, [
    {
      role: "system",
      content: [
        { type: "text", text: "You are terse." },
        { type: "text", text: "Long context", cacheControl: { type: "ephemeral", ttl: "1h" } },
      ],
    },
    { role: "user", content: [{ type: "text", text: "Hi" }] },
    { role: "system", content: [{ type: "text", text: "From now on, answer in French." }] },
    { role: "user", content: [{ type: "text", text: "Bye" }] },
  ]);
});

Deno.test("messages decodeRequest carries images and documents of every inline kind", () => {
  const request = decode({
    messages: [{
      role: "user",
      content: [
        { type: "image", source: { type: "url", url: "https://example.com/a.png" } },
        {
          type: "document",
          title: "report.pdf",
          source: { type: "base64", media_type: "application/pdf", data: "JVBERi0=" },
          cache_control: { type: "ephemeral" },
        },
        { type: "document", source: { type: "text", media_type: "text/plain", data: "héllo" } },
        {
          type: "document",
          source: { type: "url", url: "https://example.com/a.pdf" },
          citations: { enabled: false },
        },
      ],
    }],
  });
  assert.deepEqual(request.messages[0]?.content, [
    { type: "image", source: { kind: "url", url: "https://example.com/a.png" } },
    {
      type: "file",
      source: { kind: "base64", mediaType: "application/pdf", data: "JVBERi0=" },
      filename: "report.pdf",
      cacheControl: { type: "ephemeral" },
    },
    { type: "file", source: { kind: "base64", mediaType: "text/plain", data: "aMOpbGxv" } },
    { type: "file", source: { kind: "url", url: "https://example.com/a.pdf" } },
  ]);
});

Deno.test("messages decodeRequest maps tools, tool_choice and parallel tool use", async (t) => {
  await t.step("a named tool with parallel use disabled", () => {
    const request = decode({
      tools: [{
        name: "get_weather",
        description: "Weather for a city",
        input_schema: { type: "object", properties: { city: { type: "string" } } },
        cache_control: { type: "ephemeral" },
        strict: true,
        type: "custom",
      }],
      tool_choice: { type: "tool", name: "get_weather", disable_parallel_tool_use: true },
    });
    assert.deepEqual(request.tools, [{
      name: "get_weather",
      description: "Weather for a city",
      parameters: { type: "object", properties: { city: { type: "string" } } },
      strict: true,
      cacheControl: { type: "ephemeral" },
    }]);
    assert.deepEqual(request.toolChoice, { name: "get_weather" });
    assert.equal(request.parallelToolCalls, false);
  });
  await t.step("any, auto and none", () => {
    assert.equal(decode({ tool_choice: { type: "any" } }).toolChoice, "required");
    assert.equal(
      decode({ tool_choice: { type: "auto", disable_parallel_tool_use: false } }).toolChoice,
      "auto",
    );
    assert.equal(decode({ tool_choice: { type: "none" } }).toolChoice, "none");
    assert.equal(decode({ tool_choice: { type: "auto" } }).parallelToolCalls, undefined);
  });
});

Deno.test("messages decodeRequest maps thinking, effort and structured output", async (t) => {
  await t.step("enabled thinking carries its budget", () => {
    assert.deepEqual(decode({ thinking: { type: "enabled", budget_tokens: 4000 } }).reasoning, {
      budgetTokens: 4000,
    });
  });
  await t.step("disabled thinking is effort none", () => {
    assert.deepEqual(decode({ thinking: { type: "disabled" } }).reasoning, { effort: "none" });
  });
  await t.step("adaptive thinking with effort and a summarized display", () => {
    assert.deepEqual(
      decode({
        thinking: { type: "adaptive", display: "summarized" },
        output_config: { effort: "high" },
      }).reasoning,
      { effort: "high", summary: "auto" },
    );
    assert.deepEqual(decode({ thinking: { type: "adaptive", display: "omitted" } }).reasoning, {});
  });
  await t.step("output_config.format and the beta output_format are JSON schemas", () => {
    const schema = {
      type: "object",
      properties: { answer: { type: "string" } },
      required: ["answer"],
    };
    const expected = { type: "json_schema", name: "response", schema, strict: true };
    assert.deepEqual(
      decode({ output_config: { format: { type: "json_schema", schema } } }).responseFormat,
      expected,
    );
    assert.deepEqual(
      decode({ output_format: { type: "json_schema", schema } }).responseFormat,
      expected,
    );
    assertRefused(
      {
        ...base,
        output_format: { type: "json_schema", schema },
        output_config: { format: { type: "json_schema", schema } },
      },
      "output_format",
    );
  });
});

Deno.test("messages decodeRequest reads sampling, stop sequences and the user id", () => {
  const request = decode({
    temperature: 0.2,
    top_p: 0.9,
    top_k: 40,
    stop_sequences: ["\n\nHuman:"],
    metadata: { user_id: "user-7" },
    stream: true,
  });
  assert.equal(request.temperature, 0.2);
  assert.equal(request.topP, 0.9);
  assert.equal(request.topK, 40);
  assert.deepEqual(request.stop, ["\n\nHuman:"]);
  assert.equal(request.user, "user-7");
  assert.equal(request.stream, true);
});

Deno.test("messages decodeRequest puts top-level cache_control on the last cacheable part", () => {
  const request = decode({
    cache_control: { type: "ephemeral" },
    messages: [
      { role: "user", content: "Hi" },
      {
        role: "assistant",
        content: [{ type: "text", text: "Hello" }, {
          type: "tool_use",
          id: "t",
          name: "n",
          input: {},
        }],
      },
    ],
  });
  assert.deepEqual(request.messages[1]?.content[0], {
    type: "text",
    text: "Hello",
    cacheControl: { type: "ephemeral" },
  });
  assert.equal("cacheControl" in (request.messages[0]?.content[0] ?? {}), false);
});

Deno.test("messages decodeRequest keeps empty content and thinking blocks as given", () => {
  const request = decode({
    messages: [
      { role: "user", content: [] },
      {
        role: "assistant",
        content: [
          { type: "thinking", thinking: "Let me see.", signature: "EqQBCgIYAhIM" },
          { type: "redacted_thinking", data: "EmwKAhgBEgy3va" },
          { type: "text", text: "" },
        ],
      },
    ],
  });
  assert.deepEqual(request.messages, [
    { role: "user", content: [] },
    {
      role: "assistant",
      content: [
        { type: "reasoning", text: "Let me see.", signature: "EqQBCgIYAhIM" },
        { type: "reasoning", text: "", encrypted: "EmwKAhgBEgy3va" },
        { type: "text", text: "" },
      ],
    },
  ]);
});
