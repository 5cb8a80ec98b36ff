import assert from "node:assert/strict";
import { completions } from "../../../../src/llm/formats/chat_completions.ts";
import { type IrRequest, LlmError } from "../../../../src/llm/ir.ts";

const user = (content: unknown) => ({ role: "user", content });
const base = { model: "gpt-4o", messages: [user("Hi")] };

function decode(body: Record<string, unknown>): IrRequest {
  return completions.decodeRequest(structuredClone(body));
}

/** Asserts that decoding `body` is a 400 whose `param` is `param`. */
function assertRefused(body: unknown, param: string): void {
  assert.throws(() => completions.decodeRequest(body), (error: unknown) => {
    assert.ok(error instanceof LlmError, String(error));
    assert.equal(error.status, 400);
    assert.equal(error.body.kind, "invalidRequest");
    assert.equal(error.body.param, param, error.message);
    return true;
  });
}

Deno.test("completions decodeRequest carries every sampling and output field into the IR", () => {
  const request = decode({
    ...base,
    max_completion_tokens: 100,
    temperature: 0.5,
    top_p: 0.9,
    top_k: 40,
    stop: "END",
    seed: 7,
    frequency_penalty: 0.1,
    presence_penalty: 0.2,
    parallel_tool_calls: false,
    reasoning_effort: "low",
    user: "u-1",
    metadata: { team: "search" },
    stream: true,
    stream_options: { include_usage: true },
  });
  assert.deepEqual(request, {
    model: "gpt-4o",
    messages: [{ role: "user", content: [{ type: "text", text: "Hi" }] }],
    stream: true,
    parallelToolCalls: false,
    maxTokens: 100,
    temperature: 0.5,
    topP: 0.9,
    topK: 40,
    stop: ["END"],
    seed: 7,
    frequencyPenalty: 0.1,
    presencePenalty: 0.2,
    reasoning: { effort: "low" },
    user: "u-1",
    metadata: { team: "search" },
    includeUsage: true,
  });
});

Deno.test("completions decodeRequest drops delivery hints without a trace in the IR", () => {
  const request = decode({
    ...base,
    store: true,
    service_tier: "flex",
    prompt_cache_key: "k",
    prompt_cache_retention: "24h",
    prompt_cache_options: { mode: "implicit" },
    stream: true,
    stream_options: { include_obfuscation: false },
    n: 1,
    logprobs: false,
    logit_bias: {},
    modalities: ["text"],
  });
  assert.deepEqual(request, {
    model: "gpt-4o",
    messages: [{ role: "user", content: [{ type: "text", text: "Hi" }] }],
    stream: true,
  });
});

Deno.test("completions decodeRequest treats null optional fields as absent", () => {
  const request = decode({ ...base, temperature: null, stop: null, tools: null, user: null });
  assert.deepEqual(request, {
    model: "gpt-4o",
    messages: [{ role: "user", content: [{ type: "text", text: "Hi" }] }],
    stream: false,
  });
});

Deno.test("completions decodeRequest takes max_tokens or max_completion_tokens, and refuses two different limits", () => {
  assert.equal(decode({ ...base, max_tokens: 64 }).maxTokens, 64);
  assert.equal(decode({ ...base, max_tokens: 64, max_completion_tokens: 64 }).maxTokens, 64);
  assertRefused({ ...base, max_tokens: 64, max_completion_tokens: 65 }, "max_tokens");
});

Deno.test("completions decodeRequest prefers safety_identifier over user for the end-user id", () => {
  assert.equal(decode({ ...base, user: "old", safety_identifier: "new" }).user, "new");
});

Deno.test("completions decodeRequest refuses each field it cannot carry, naming it", async (t) => {
  const cases: [string, Record<string, unknown>, string][] = [
    ["n > 1", { n: 2 }, "n"],
    ["logprobs", { logprobs: true }, "logprobs"],
    ["top_logprobs", { top_logprobs: 3 }, "top_logprobs"],
    ["logit_bias", { logit_bias: { "50256": -100 } }, "logit_bias"],
    ["audio", { audio: { voice: "alloy", format: "mp3" } }, "audio"],
    ["an audio modality", { modalities: ["text", "audio"] }, "modalities[1]"],
    ["prediction", { prediction: { type: "content", content: "x" } }, "prediction"],
    ["web search", { web_search_options: {} }, "web_search_options"],
    ["moderation", { moderation: { model: "omni-moderation-latest" } }, "moderation"],
    ["verbosity", { verbosity: "low" }, "verbosity"],
    ["legacy functions", { functions: [{ name: "f" }] }, "functions"],
    ["legacy function_call", { function_call: "auto" }, "function_call"],
    ["reasoning effort max", { reasoning_effort: "max" }, "reasoning_effort"],
    ["an unknown field", { chat_template_kwargs: {} }, "chat_template_kwargs"],
    ["a custom tool", { tools: [{ type: "custom", custom: { name: "x" } }] }, "tools[0].type"],
    [
      "allowed_tools",
      { tool_choice: { type: "allowed_tools", allowed_tools: { mode: "auto", tools: [] } } },
      "tool_choice.allowed_tools",
    ],
    [
      "a custom tool choice",
      { tool_choice: { type: "custom", custom: { name: "x" } } },
      "tool_choice.type",
    ],
    ["a grammar response format", { response_format: { type: "grammar" } }, "response_format.type"],
  ];
  for (const [name, fields, param] of cases) {
    await t.step(name, () => assertRefused({ ...base, ...fields }, param));
  }
});

Deno.test("completions decodeRequest refuses message content it cannot carry, naming the path", async (t) => {
  const cases: [string, unknown[], string][] = [
    ["the function role", [{ role: "function", name: "f", content: "x" }], "messages[0].role"],
    [
      "audio input",
      [user([{ type: "input_audio", input_audio: { data: "AAA", format: "wav" } }])],
      "messages[0].content[0]",
    ],
    [
      "an uploaded file id",
      [user([{ type: "file", file: { file_id: "file-abc" } }])],
      "messages[0].content[0].file.file_id",
    ],
    [
      "an assistant function_call",
      [{ role: "assistant", content: null, function_call: { name: "f", arguments: "{}" } }],
      "messages[0].function_call",
    ],
    [
      "an assistant audio reference",
      [{ role: "assistant", content: null, audio: { id: "audio_1" } }],
      "messages[0].audio",
    ],
    [
      "a custom tool call",
      [{
        role: "assistant",
        tool_calls: [{ id: "c", type: "custom", custom: { name: "x", input: "" } }],
      }],
      "messages[0].tool_calls[0].type",
    ],
    ["an unknown message field", [{ role: "user", content: "x", weight: 1 }], "messages[0].weight"],
  ];
  for (const [name, messages, param] of cases) {
    await t.step(name, () => assertRefused({ model: "m", messages }, param));
  }
});

Deno.test("completions decodeRequest answers 400 naming the field of a schema-invalid body", async (t) => {
  const cases: [string, unknown, string][] = [
    ["not an object", [], "body"],
    ["no messages", { model: "m" }, "messages"],
    ["no model", { messages: [] }, "model"],
    ["messages not an array", { model: "m", messages: "hi" }, "messages"],
    [
      "a message without role",
      { model: "m", messages: [user("a"), { content: "b" }] },
      "messages[1].role",
    ],
    [
      "an unknown role",
      { model: "m", messages: [{ role: "bot", content: "b" }] },
      "messages[0].role",
    ],
    [
      "content of the wrong type",
      { model: "m", messages: [user("a"), user(5)] },
      "messages[1].content",
    ],
    [
      "a user message without content",
      { model: "m", messages: [{ role: "user" }] },
      "messages[0].content",
    ],
    [
      "a tool message without tool_call_id",
      { model: "m", messages: [{ role: "tool", content: "x" }] },
      "messages[0].tool_call_id",
    ],
    ["temperature as a string", { ...base, temperature: "hot" }, "temperature"],
    ["a fractional seed", { ...base, seed: 1.5 }, "seed"],
    ["stop with a number", { ...base, stop: ["a", 1] }, "stop[1]"],
    [
      "a tool without a name",
      { ...base, tools: [{ type: "function", function: {} }] },
      "tools[0].function.name",
    ],
    ["an unknown tool_choice", { ...base, tool_choice: "always" }, "tool_choice"],
    ["an unknown reasoning effort", { ...base, reasoning_effort: "extreme" }, "reasoning_effort"],
    ["a non-string metadata value", { ...base, metadata: { a: 1 } }, "metadata.a"],
    [
      "an image part without url",
      { model: "m", messages: [user([{ type: "image_url", image_url: {} }])] },
      "messages[0].content[0].image_url.url",
    ],
    [
      "a system message with an image",
      {
        model: "m",
        messages: [{ role: "system", content: [{ type: "image_url", image_url: { url: "u" } }] }],
      },
      "messages[0].content[0].type",
    ],
  ];
  for (const [name, body, param] of cases) await t.step(name, () => assertRefused(body, param));
});

Deno.test("completions decodeRequest keeps system and developer messages in order as system turns", () => {
  const request = decode({
    model: "m",
    messages: [
      { role: "system", content: "one" },
      user("hi"),
      {
        role: "developer",
        content: [{ type: "text", text: "two" }, { type: "text", text: "three" }],
      },
    ],
  });
  assert.deepEqual(request.messages, [
    { role: "system", content: [{ type: "text", text: "one" }] },
    { role: "user", content: [{ type: "text", text: "hi" }] },
    { role: "system", content: [{ type: "text", text: "two" }, { type: "text", text: "three" }] },
  ]);
});

Deno.test("completions decodeRequest reads images by URL and data URL, files, names and cache markers", () => {
  const request = decode({
    model: "m",
    messages: [{
      role: "user",
      name: "alice",
      content: [
        { type: "text", text: "look", cache_control: { type: "ephemeral", ttl: "1h" } },
        { type: "image_url", image_url: { url: "https://x/cat.png", detail: "low" } },
        { type: "image_url", image_url: { url: "data:image/jpeg;base64,/9j/4A==" } },
        {
          type: "file",
          file: { filename: "a.pdf", file_data: "data:application/pdf;base64,JVBE" },
        },
        {
          type: "file",
          file: { filename: "b.pdf", file_data: "JVBF" },
          prompt_cache_breakpoint: { mode: "explicit", ttl: "30m" },
        },
      ],
    }],
  });
  assert.deepEqual(request.messages[0], {
    role: "user",
    name: "alice",
    content: [
      { type: "text", text: "look", cacheControl: { type: "ephemeral", ttl: "1h" } },
      { type: "image", source: { kind: "url", url: "https://x/cat.png" }, detail: "low" },
      { type: "image", source: { kind: "base64", mediaType: "image/jpeg", data: "/9j/4A==" } },
      {
        type: "file",
        source: { kind: "base64", mediaType: "application/pdf", data: "JVBE" },
        filename: "a.pdf",
      },
      {
        type: "file",
        source: { kind: "base64", mediaType: "application/pdf", data: "JVBF" },
        filename: "b.pdf",
        cacheControl: { type: "ephemeral" },
      },
    ],
  });
});

Deno.test("completions decodeRequest turns assistant tool calls and tool messages into IR parts", () => {
  const request = decode({
    model: "m",
    messages: [
      user("weather?"),
      {
        role: "assistant",
        content: "",
        tool_calls: [
          {
            id: "c1",
            type: "function",
            function: { name: "get_weather", arguments: '{"city":"Paris"}' },
          },
          { id: "c2", type: "function", function: { name: "get_time", arguments: "{}" } },
        ],
      },
      { role: "tool", tool_call_id: "c1", content: "sunny" },
      {
        role: "tool",
        tool_call_id: "c2",
        content: [
          { type: "text", text: "noon" },
          { type: "image_url", image_url: { url: "data:image/png;base64,iVBO" } },
        ],
      },
    ],
  });
  assert.deepEqual(request.messages.slice(1), [
    {
      role: "assistant",
      content: [
        { type: "toolCall", id: "c1", name: "get_weather", arguments: '{"city":"Paris"}' },
        { type: "toolCall", id: "c2", name: "get_time", arguments: "{}" },
      ],
    },
    {
      role: "tool",
      content: [{
        type: "toolResult",
        toolCallId: "c1",
        name: "get_weather",
        content: [{ type: "text", text: "sunny" }],
      }],
    },
    {
      role: "tool",
      content: [{
        type: "toolResult",
        toolCallId: "c2",
        name: "get_time",
        content: [
          { type: "text", text: "noon" },
          { type: "image", source: { kind: "base64", mediaType: "image/png", data: "iVBO" } },
        ],
      }],
    },
  ]);
});

Deno.test("completions decodeRequest keeps an empty user message and an earlier refusal as text", () => {
  const request = decode({
    model: "m",
    messages: [user(""), { role: "assistant", content: null, refusal: "I can't help with that." }],
  });
  assert.deepEqual(request.messages, [
    { role: "user", content: [{ type: "text", text: "" }] },
    { role: "assistant", content: [{ type: "text", text: "I can't help with that." }] },
  ]);
});

Deno.test("completions decodeRequest reads echoed reasoning: thinking_blocks with signatures first, else reasoning_content", () => {
  const signed = decode({
    model: "m",
    messages: [{
      role: "assistant",
      content: "42",
      reasoning_content: "think",
      thinking_blocks: [
        { type: "thinking", thinking: "think", signature: "sig" },
        { type: "redacted_thinking", data: "opaque" },
      ],
    }],
  });
  assert.deepEqual(signed.messages[0]?.content, [
    { type: "reasoning", text: "think", signature: "sig" },
    { type: "reasoning", text: "", encrypted: "opaque" },
    { type: "text", text: "42" },
  ]);
  const plain = decode({
    model: "m",
    messages: [{ role: "assistant", content: "42", reasoning_content: "r" }],
  });
  assert.deepEqual(plain.messages[0]?.content, [
    { type: "reasoning", text: "r" },
    { type: "text", text: "42" },
  ]);
});

Deno.test("completions decodeRequest reads tools, tool_choice and every response_format", () => {
  const request = decode({
    ...base,
    tools: [
      {
        type: "function",
        function: { name: "f", description: "d", parameters: { type: "object" }, strict: true },
        cache_control: { type: "ephemeral" },
      },
      { type: "function", function: { name: "g" } },
    ],
    tool_choice: { type: "function", function: { name: "g" } },
    response_format: {
      type: "json_schema",
      json_schema: {
        name: "out",
        description: "the answer",
        schema: { type: "object" },
        strict: true,
      },
    },
  });
  assert.deepEqual(request.tools, [
    {
      name: "f",
      parameters: { type: "object" },
      description: "d",
      strict: true,
      cacheControl: { type: "ephemeral" },
    },
    { name: "g", parameters: { type: "object", properties: {} } },
  ]);
  assert.deepEqual(request.toolChoice, { name: "g" });
  assert.deepEqual(request.responseFormat, {
    type: "json_schema",
    name: "out",
    schema: { type: "object" },
    description: "the answer",
    strict: true,
  });
  assert.equal(decode({ ...base, tool_choice: "required" }).toolChoice, "required");
  assert.deepEqual(decode({ ...base, response_format: { type: "json_object" } }).responseFormat, {
    type: "json_object",
  });
});

Deno.test("completions decodeRequest ignores stream_options when the request does not stream", () => {
  assert.equal(
    decode({ ...base, stream_options: { include_usage: true } }).includeUsage,
    undefined,
  );
});
