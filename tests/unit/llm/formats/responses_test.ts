import assert from "node:assert/strict";
import { responses } from "../../../../src/llm/formats/responses.ts";
import type { IrRequest } from "../../../../src/llm/ir.ts";
import { LlmError } from "../../../../src/llm/ir.ts";

const fixtures = new URL("../../../fixtures/llm/requests/responses/", import.meta.url);

function fixture(name: string): unknown {
  return JSON.parse(Deno.readTextFileSync(new URL(`${name}.json`, fixtures)));
}

function decode(body: Record<string, unknown>): IrRequest {
  return responses.decodeRequest({ model: "gpt-5.1", input: "Hi", ...body });
}

function rejectionOf(body: unknown): LlmError {
  try {
    responses.decodeRequest(body);
  } catch (error) {
    if (error instanceof LlmError) return error;
    throw error;
  }
  assert.fail(`expected a 400 for ${JSON.stringify(body)}`);
}

Deno.test("responses decodes a string input as one user message", () => {
  const request = responses.decodeRequest({ model: "gpt-5.1", input: "Hi" });
  assert.deepEqual(request, {
    model: "gpt-5.1",
    messages: [{ role: "user", content: [{ type: "text", text: "Hi" }] }],
    stream: false,
  });
});

Deno.test("responses asks the provider for stream usage, which response.completed always carries", () => {
  assert.equal(decode({ stream: true }).includeUsage, true);
  assert.equal(decode({ stream: false }).includeUsage, undefined);
});

Deno.test("responses decodes the full fixture into one IR conversation", () => {
  const request = responses.decodeRequest(fixture("full"));
  assert.deepEqual(request.messages.map((message) => message.role), [
    "system",
    "system",
    "user",
    "assistant",
    "tool",
    "user",
  ]);
  assert.deepEqual(request.messages[0]?.content, [{
    type: "text",
    text: "You are a terse assistant. Answer in English.",
  }]);
  // Reasoning, text and both calls of one turn form one assistant message.
  assert.deepEqual(request.messages[3]?.content.map((part) => part.type), [
    "reasoning",
    "text",
    "toolCall",
    "toolCall",
  ]);
  assert.deepEqual(request.messages[3]?.content[0], {
    type: "reasoning",
    text: "The user wants two cities: call the tool twice.",
    id: "rs_0001",
    encrypted: "gAAAAABencrypted0001",
  });
  // Both outputs form one tool message, named after their calls for Gemini.
  const results = request.messages[4]?.content;
  assert.deepEqual(results?.[1], {
    type: "toolResult",
    toolCallId: "call_oslo",
    name: "get_weather",
    content: [
      { type: "text", text: '{"temperature_c":7,"sky":"rain"}' },
      { type: "image", source: { kind: "base64", mediaType: "image/png", data: "iVBORw0KGgo=" } },
    ],
  });
  assert.equal(request.maxTokens, 1024);
  assert.equal(request.temperature, 0.2);
  assert.equal(request.topP, 0.9);
  assert.equal(request.parallelToolCalls, true);
  assert.equal(request.toolChoice, "auto");
  assert.equal(request.user, "user-1234");
  assert.deepEqual(request.metadata, { trace: "full-fixture" });
  assert.deepEqual(request.reasoning, { effort: "medium", summary: "auto" });
  assert.equal(request.responseFormat?.type, "json_schema");
  assert.deepEqual(request.tools?.map((tool) => [tool.name, tool.strict]), [["get_weather", true]]);
});

Deno.test("responses keeps several system and developer messages in order", () => {
  const request = decode({
    instructions: "first",
    input: [
      { role: "system", content: "second" },
      { role: "user", content: "question" },
      { role: "developer", content: [{ type: "input_text", text: "later" }] },
    ],
  });
  assert.deepEqual(
    request.messages.map((message) => [message.role, message.content[0]]),
    [
      ["system", { type: "text", text: "first" }],
      ["system", { type: "text", text: "second" }],
      ["user", { type: "text", text: "question" }],
      ["system", { type: "text", text: "later" }],
    ],
  );
});

Deno.test("responses carries empty content as it came", () => {
  const request = decode({
    input: [{ role: "user", content: "" }, { role: "assistant", content: [] }],
  });
  assert.deepEqual(request.messages, [
    { role: "user", content: [{ type: "text", text: "" }] },
    { role: "assistant", content: [] },
  ]);
});

Deno.test("responses decodes images by URL and by data URL, and files by data, name and URL", () => {
  const request = responses.decodeRequest(fixture("images"));
  assert.deepEqual(request.messages[0]?.content.slice(1), [
    { type: "image", source: { kind: "url", url: "https://example.com/a.png" }, detail: "high" },
    {
      type: "image",
      source: { kind: "base64", mediaType: "image/jpeg", data: "/9j/4AAQSkZJRg==" },
      detail: "auto",
    },
    {
      type: "file",
      source: { kind: "base64", mediaType: "application/pdf", data: "JVBERi0xLjQK" },
      filename: "report.pdf",
    },
    { type: "file", source: { kind: "url", url: "https://example.com/appendix.pdf" } },
  ]);
});

Deno.test("responses reads bare base64 file data by the filename's extension", () => {
  const request = decode({
    input: [{
      role: "user",
      content: [{ type: "input_file", filename: "notes.PDF", file_data: "JVBERi0=" }],
    }],
  });
  assert.deepEqual(request.messages[0]?.content[0], {
    type: "file",
    source: { kind: "base64", mediaType: "application/pdf", data: "JVBERi0=" },
    filename: "notes.PDF",
  });
});

Deno.test("responses turns a prompt cache breakpoint into the IR cache marker", () => {
  const request = decode({
    input: [{
      role: "user",
      content: [{
        type: "input_text",
        text: "long prefix",
        prompt_cache_breakpoint: { mode: "explicit", ttl: "12h" },
      }],
    }],
  });
  assert.deepEqual(request.messages[0]?.content[0], {
    type: "text",
    text: "long prefix",
    cacheControl: { type: "ephemeral" },
  });
});

Deno.test("responses carries an assistant refusal and earlier output text as text", () => {
  const request = decode({
    input: [{
      type: "message",
      role: "assistant",
      id: "msg_1",
      status: "completed",
      phase: "final_answer",
      content: [
        {
          type: "output_text",
          text: "Partly",
          annotations: [{ type: "url_citation" }],
          logprobs: [],
        },
        { type: "refusal", refusal: "I can't help with that." },
      ],
    }],
  });
  assert.deepEqual(request.messages, [{
    role: "assistant",
    content: [{ type: "text", text: "Partly" }, { type: "text", text: "I can't help with that." }],
  }]);
});

Deno.test("responses reasoning items keep their proof: raw encrypted content, or agw's signature envelope", async (t) => {
  await t.step("raw encrypted_content is IR encrypted", () => {
    const request = decode({
      input: [{ type: "reasoning", id: "rs_1", summary: [], encrypted_content: "gAAAA" }],
    });
    assert.deepEqual(request.messages[0]?.content[0], {
      type: "reasoning",
      text: "",
      id: "rs_1",
      encrypted: "gAAAA",
    });
  });
  await t.step("the envelope gives back signature and encrypted data", () => {
    const request = responses.decodeRequest(fixture("reasoning"));
    assert.deepEqual(request.messages[1]?.content[0], {
      type: "reasoning",
      text: "Multiply 17 by 20, then by 3.\n\n340 + 51 = 391.",
      id: "rs_prev",
      signature: "EqQBCkYIBRgCIkB0c2lnbmF0dXJl",
    });
  });
  await t.step("full reasoning content wins over its summary", () => {
    const request = decode({
      input: [{
        type: "reasoning",
        id: "rs_2",
        summary: [{ type: "summary_text", text: "short" }],
        content: [{ type: "reasoning_text", text: "the whole thought" }],
      }],
    });
    assert.equal(request.messages[0]?.content[0]?.type, "reasoning");
    assert.deepEqual(request.messages[0]?.content[0], {
      type: "reasoning",
      text: "the whole thought",
      id: "rs_2",
    });
  });
});

Deno.test("responses narrows tools to tool_choice.allowed_tools", () => {
  const request = responses.decodeRequest(fixture("tools"));
  assert.deepEqual(request.tools?.map((tool) => tool.name), ["find_restaurant", "book_table"]);
  assert.equal(request.toolChoice, "required");
  assert.equal(request.parallelToolCalls, false);
  // A null parameters schema is a function without arguments.
  assert.deepEqual(request.tools?.[1]?.parameters, { type: "object", properties: {} });
});

Deno.test("responses decodes a named function tool_choice and the legacy user field", () => {
  const request = responses.decodeRequest(fixture("tool_choice_function"));
  assert.deepEqual(request.toolChoice, { name: "get_weather" });
  assert.equal(request.user, "legacy-user-id");
});

Deno.test("responses decodes json_object and json_schema formats", () => {
  assert.deepEqual(responses.decodeRequest(fixture("json_object")).responseFormat, {
    type: "json_object",
  });
  const request = responses.decodeRequest(fixture("json_schema"));
  assert.equal(request.responseFormat?.type, "json_schema");
  assert.deepEqual(
    request.responseFormat?.type === "json_schema"
      ? [request.responseFormat.name, request.responseFormat.strict]
      : [],
    ["calendar_event", true],
  );
});

Deno.test("responses reads the deprecated reasoning.generate_summary as summary", () => {
  assert.deepEqual(decode({ reasoning: { generate_summary: "concise" } }).reasoning, {
    summary: "concise",
  });
});

Deno.test("responses drops delivery hints without changing the IR", () => {
  const plain = decode({});
  const hinted = decode({
    store: true,
    service_tier: "flex",
    prompt_cache_key: "k",
    prompt_cache_retention: "24h",
    prompt_cache_options: { mode: "explicit", ttl: "12h", comparison_response_id: "resp_1" },
    stream_options: { include_obfuscation: false },
    include: ["reasoning.encrypted_content", "web_search_call.action.sources"],
    max_tool_calls: 3,
    truncation: "disabled",
    background: false,
    top_logprobs: 0,
    image: { context_compression: "auto" },
    text: { verbosity: "medium" },
    context_management: [],
  });
  assert.deepEqual(hinted, plain);
});

Deno.test("responses prefers safety_identifier over the deprecated user", () => {
  assert.equal(decode({ user: "old", safety_identifier: "new" }).user, "new");
});

const REJECTIONS: [string, unknown, string][] = [
  ["a body that is not an object", [], "body"],
  ["a missing model", { input: "Hi" }, "model"],
  ["a model that is not a string", { model: 5, input: "Hi" }, "model"],
  ["an empty model", { model: "", input: "Hi" }, "model"],
  ["a missing input", { model: "m" }, "input"],
  ["an input that is neither string nor list", { model: "m", input: 3 }, "input"],
  ["an unknown top-level field", { model: "m", input: "Hi", n: 2 }, "n"],
  [
    "previous_response_id",
    { model: "m", input: "Hi", previous_response_id: "r" },
    "previous_response_id",
  ],
  ["conversation", { model: "m", input: "Hi", conversation: "conv_1" }, "conversation"],
  ["a stored prompt", { model: "m", input: "Hi", prompt: { id: "pmpt_1" } }, "prompt"],
  ["background: true", { model: "m", input: "Hi", background: true }, "background"],
  ["background_options", { model: "m", input: "Hi", background_options: {} }, "background_options"],
  [
    "context_management",
    { model: "m", input: "Hi", context_management: [{ type: "compaction" }] },
    "context_management",
  ],
  ["moderation", { model: "m", input: "Hi", moderation: { model: "omni" } }, "moderation"],
  ["access_programs", { model: "m", input: "Hi", access_programs: {} }, "access_programs"],
  ["truncation: auto", { model: "m", input: "Hi", truncation: "auto" }, "truncation"],
  ["top_logprobs", { model: "m", input: "Hi", top_logprobs: 5 }, "top_logprobs"],
  [
    "include of logprobs",
    { model: "m", input: "Hi", include: ["message.output_text.logprobs"] },
    "include[0]",
  ],
  ["an unknown include", { model: "m", input: "Hi", include: ["x.y"] }, "include[0]"],
  ["text.verbosity low", { model: "m", input: "Hi", text: { verbosity: "low" } }, "text.verbosity"],
  [
    "reasoning.effort max",
    { model: "m", input: "Hi", reasoning: { effort: "max" } },
    "reasoning.effort",
  ],
  [
    "reasoning.context",
    { model: "m", input: "Hi", reasoning: { context: "all_turns" } },
    "reasoning.context",
  ],
  ["reasoning.mode pro", { model: "m", input: "Hi", reasoning: { mode: "pro" } }, "reasoning.mode"],
  [
    "prompt cache prewarm",
    { model: "m", input: "Hi", prompt_cache_options: { prewarm: true } },
    "prompt_cache_options.prewarm",
  ],
  [
    "image context compression",
    { model: "m", input: "Hi", image: { context_compression: "enabled" } },
    "image.context_compression",
  ],
  ["a string temperature", { model: "m", input: "Hi", temperature: "hot" }, "temperature"],
  [
    "zero max_output_tokens",
    { model: "m", input: "Hi", max_output_tokens: 0 },
    "max_output_tokens",
  ],
  ["a non-string metadata value", { model: "m", input: "Hi", metadata: { k: 1 } }, "metadata.k"],
  [
    "unknown stream_options",
    { model: "m", input: "Hi", stream_options: { include_usage: true } },
    "stream_options.include_usage",
  ],
  ["a message without role", { model: "m", input: [{ content: "Hi" }] }, "input[0].role"],
  [
    "a message with a bad role",
    { model: "m", input: [{ role: "bot", content: "Hi" }] },
    "input[0].role",
  ],
  [
    "message content of a wrong type",
    { model: "m", input: [{ role: "user", content: 1 }] },
    "input[0].content",
  ],
  [
    "an item_reference",
    {
      model: "m",
      input: [{ role: "user", content: "Hi" }, { type: "item_reference", id: "msg_1" }],
    },
    "input[1]",
  ],
  ["an untyped item reference", { model: "m", input: [{ id: "msg_1" }] }, "input[0]"],
  [
    "a built-in tool call item",
    { model: "m", input: [{ type: "web_search_call", id: "ws_1", status: "completed" }] },
    "input[0].type",
  ],
  [
    "a function call in a namespace",
    {
      model: "m",
      input: [{ type: "function_call", call_id: "c", name: "f", arguments: "{}", namespace: "ns" }],
    },
    "input[0].namespace",
  ],
  [
    "a programmatic function call",
    {
      model: "m",
      input: [{
        type: "function_call",
        call_id: "c",
        name: "f",
        arguments: "{}",
        caller: { type: "program", caller_id: "p" },
      }],
    },
    "input[0].caller.type",
  ],
  [
    "a function call without call_id",
    { model: "m", input: [{ type: "function_call", name: "f", arguments: "{}" }] },
    "input[0].call_id",
  ],
  [
    "a function call output without call_id",
    { model: "m", input: [{ type: "function_call_output", output: "x" }] },
    "input[0].call_id",
  ],
  [
    "a file in a function call output",
    {
      model: "m",
      input: [{
        type: "function_call_output",
        call_id: "c",
        output: [{ type: "input_file", file_data: "data:application/pdf;base64,AA==" }],
      }],
    },
    "input[0].output[0].type",
  ],
  [
    "an image in a system message",
    {
      model: "m",
      input: [{ role: "system", content: [{ type: "input_image", image_url: "https://x/y.png" }] }],
    },
    "input[0].content[0].type",
  ],
  [
    "output text in a user message",
    { model: "m", input: [{ role: "user", content: [{ type: "output_text", text: "x" }] }] },
    "input[0].content[0].type",
  ],
  [
    "audio input",
    { model: "m", input: [{ role: "user", content: [{ type: "input_audio", input_audio: {} }] }] },
    "input[0].content[0].type",
  ],
  [
    "an unknown field on a content part",
    {
      model: "m",
      input: [{ role: "user", content: [{ type: "input_text", text: "x", extra: 1 }] }],
    },
    "input[0].content[0].extra",
  ],
  [
    "an image by file_id",
    {
      model: "m",
      input: [{ role: "user", content: [{ type: "input_image", file_id: "file_1" }] }],
    },
    "input[0].content[0].file_id",
  ],
  [
    "a file by file_id",
    { model: "m", input: [{ role: "user", content: [{ type: "input_file", file_id: "file_1" }] }] },
    "input[0].content[0].file_id",
  ],
  [
    "a file with high detail",
    {
      model: "m",
      input: [{
        role: "user",
        content: [{ type: "input_file", file_url: "https://x/y.pdf", detail: "high" }],
      }],
    },
    "input[0].content[0].detail",
  ],
  [
    "bare base64 of an unknown file type",
    {
      model: "m",
      input: [{
        role: "user",
        content: [{ type: "input_file", file_data: "AAAA", filename: "x.bin" }],
      }],
    },
    "input[0].content[0].file_data",
  ],
  [
    "a data URL that is not base64",
    {
      model: "m",
      input: [{
        role: "user",
        content: [{ type: "input_image", image_url: "data:image/png,abc" }],
      }],
    },
    "input[0].content[0].image_url",
  ],
  [
    "a reasoning summary of the wrong type",
    {
      model: "m",
      input: [{ type: "reasoning", id: "rs", summary: [{ type: "text", text: "x" }] }],
    },
    "input[0].summary[0].type",
  ],
  [
    "a web_search tool",
    { model: "m", input: "Hi", tools: [{ type: "web_search" }] },
    "tools[0].type",
  ],
  [
    "a file_search tool",
    { model: "m", input: "Hi", tools: [{ type: "file_search", vector_store_ids: [] }] },
    "tools[0].type",
  ],
  [
    "a code_interpreter tool",
    { model: "m", input: "Hi", tools: [{ type: "code_interpreter" }] },
    "tools[0].type",
  ],
  [
    "a computer use tool",
    { model: "m", input: "Hi", tools: [{ type: "computer_use_preview" }] },
    "tools[0].type",
  ],
  [
    "an mcp tool",
    { model: "m", input: "Hi", tools: [{ type: "mcp", server_label: "x" }] },
    "tools[0].type",
  ],
  [
    "an image_generation tool",
    { model: "m", input: "Hi", tools: [{ type: "image_generation" }] },
    "tools[0].type",
  ],
  [
    "a function tool with output_schema",
    {
      model: "m",
      input: "Hi",
      tools: [{ type: "function", name: "f", parameters: {}, strict: true, output_schema: {} }],
    },
    "tools[0].output_schema",
  ],
  [
    "a deferred function tool",
    {
      model: "m",
      input: "Hi",
      tools: [{ type: "function", name: "f", parameters: {}, strict: true, defer_loading: true }],
    },
    "tools[0].defer_loading",
  ],
  [
    "a function tool without a name",
    { model: "m", input: "Hi", tools: [{ type: "function", parameters: {}, strict: true }] },
    "tools[0].name",
  ],
  [
    "a built-in tool_choice",
    { model: "m", input: "Hi", tool_choice: { type: "file_search" } },
    "tool_choice.type",
  ],
  [
    "a tool_choice naming an unknown function",
    { model: "m", input: "Hi", tool_choice: { type: "function", name: "nope" } },
    "tool_choice.name",
  ],
  ["an unknown tool_choice string", { model: "m", input: "Hi", tool_choice: "any" }, "tool_choice"],
  [
    "an unknown text format",
    { model: "m", input: "Hi", text: { format: { type: "grammar" } } },
    "text.format.type",
  ],
  [
    "a json_schema format without schema",
    { model: "m", input: "Hi", text: { format: { type: "json_schema", name: "x" } } },
    "text.format.schema",
  ],
];

for (const [name, body, param] of REJECTIONS) {
  Deno.test(`responses answers 400 naming ${param} for ${name}`, () => {
    const error = rejectionOf(body);
    assert.equal(error.status, 400);
    assert.equal(error.body.kind, "invalidRequest");
    assert.equal(error.body.param, param);
    assert.ok(
      error.message.startsWith(param === "body" ? "the request body" : param),
      error.message,
    );
  });
}

Deno.test("responses explains why item_reference is refused and what to do instead", () => {
  const error = rejectionOf(fixture("item_reference"));
  assert.match(error.message, /agw does not store responses/);
  assert.match(error.message, /store = false/);
});

Deno.test("responses encodes errors in the OpenAI shape", () => {
  assert.deepEqual(
    responses.encodeError({ kind: "invalidRequest", message: "bad", param: "tools[0].type" }, 400),
    {
      error: { message: "bad", type: "invalid_request_error", param: "tools[0].type", code: null },
    },
  );
  assert.deepEqual(
    responses.encodeError(
      { kind: "rateLimit", message: "slow down", providerType: "rate_limit_exceeded" },
      429,
    ),
    {
      error: {
        message: "slow down",
        type: "rate_limit_error",
        param: null,
        code: "rate_limit_exceeded",
      },
    },
  );
  assert.deepEqual(
    responses.encodeError({ kind: "overloaded", message: "busy" }, 529),
    { error: { message: "busy", type: "service_unavailable_error", param: null, code: null } },
  );
});
