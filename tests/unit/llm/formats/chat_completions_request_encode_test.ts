import assert from "node:assert/strict";
import { completions } from "../../../../src/llm/formats/chat_completions.ts";
import { type IrRequest, LlmError, type Message } from "../../../../src/llm/ir.ts";

const hi: Message = { role: "user", content: [{ type: "text", text: "Hi" }] };

function encode(fields: Partial<IrRequest>): Record<string, unknown> {
  return completions.encodeRequest({
    model: "gpt-4o",
    messages: [hi],
    stream: false,
    ...fields,
  }) as Record<
    string,
    unknown
  >;
}

function assertRefused(fields: Partial<IrRequest>, param: string): void {
  assert.throws(() => encode(fields), (error: unknown) => {
    assert.ok(error instanceof LlmError, String(error));
    assert.equal(error.status, 400);
    assert.equal(error.body.param, param, error.message);
    return true;
  });
}

Deno.test("completions encodeRequest writes every IR field it has a place for", () => {
  const body = encode({
    messages: [{ role: "system", content: [{ type: "text", text: "Be brief." }] }, hi],
    tools: [{ name: "f", description: "d", parameters: { type: "object" }, strict: true }],
    toolChoice: { name: "f" },
    parallelToolCalls: false,
    maxTokens: 300,
    temperature: 0.2,
    topP: 0.8,
    stop: ["x"],
    seed: 3,
    frequencyPenalty: 0.4,
    presencePenalty: 0.5,
    responseFormat: { type: "json_schema", name: "out", schema: { type: "object" }, strict: true },
    reasoning: { effort: "medium" },
    user: "u-1",
    stream: true,
  });
  assert.deepEqual(body, {
    model: "gpt-4o",
    messages: [
      { role: "system", content: "Be brief." },
      { role: "user", content: "Hi" },
    ],
    tools: [{
      type: "function",
      function: { name: "f", description: "d", parameters: { type: "object" }, strict: true },
    }],
    tool_choice: { type: "function", function: { name: "f" } },
    parallel_tool_calls: false,
    max_completion_tokens: 300,
    temperature: 0.2,
    top_p: 0.8,
    stop: ["x"],
    seed: 3,
    frequency_penalty: 0.4,
    presence_penalty: 0.5,
    response_format: {
      type: "json_schema",
      json_schema: { name: "out", schema: { type: "object" }, strict: true },
    },
    reasoning_effort: "medium",
    user: "u-1",
    stream: true,
    stream_options: { include_usage: true },
  });
});

Deno.test("completions encodeRequest always asks a stream for usage, whatever the client asked", () => {
  assert.deepEqual(encode({ stream: true, includeUsage: false }).stream_options, {
    include_usage: true,
  });
  assert.equal(encode({ stream: false }).stream, undefined);
});

Deno.test("completions encodeRequest maps a thinking budget to the effort of the shared table", () => {
  assert.equal(encode({ reasoning: { budgetTokens: 2000 } }).reasoning_effort, "low");
  assert.equal(encode({ reasoning: { budgetTokens: 10_000 } }).reasoning_effort, "high");
  assert.equal(
    encode({ reasoning: { effort: "none", budgetTokens: 9000 } }).reasoning_effort,
    "none",
  );
});

Deno.test("completions encodeRequest drops delivery hints: cache markers, metadata, summaries, old reasoning", () => {
  const body = encode({
    messages: [
      {
        role: "user",
        content: [{ type: "text", text: "Hi", cacheControl: { type: "ephemeral" } }],
      },
      {
        role: "assistant",
        content: [
          { type: "reasoning", text: "hmm", signature: "sig" },
          { type: "text", text: "Hello" },
        ],
      },
    ],
    tools: [{ name: "f", parameters: {}, cacheControl: { type: "ephemeral" } }],
    metadata: { a: "b" },
    reasoning: { effort: "low", summary: "auto" },
  });
  assert.deepEqual(body, {
    model: "gpt-4o",
    messages: [{ role: "user", content: "Hi" }, { role: "assistant", content: "Hello" }],
    tools: [{ type: "function", function: { name: "f", parameters: {} } }],
    reasoning_effort: "low",
  });
});

Deno.test("completions encodeRequest sends tool calls with null content and results as tool messages", () => {
  const body = encode({
    messages: [
      hi,
      {
        role: "assistant",
        content: [
          { type: "toolCall", id: "c1", name: "a", arguments: "{}" },
          { type: "toolCall", id: "c2", name: "b", arguments: '{"x":1}' },
        ],
      },
      {
        role: "tool",
        content: [
          {
            type: "toolResult",
            toolCallId: "c1",
            name: "a",
            content: [{ type: "text", text: "one" }],
          },
        ],
      },
      {
        role: "user",
        content: [
          {
            type: "toolResult",
            toolCallId: "c2",
            isError: true,
            content: [{ type: "text", text: "two" }, { type: "text", text: "three" }],
          },
          { type: "text", text: "and now?" },
        ],
      },
    ],
  });
  assert.deepEqual(body.messages, [
    { role: "user", content: "Hi" },
    {
      role: "assistant",
      content: null,
      tool_calls: [
        { id: "c1", type: "function", function: { name: "a", arguments: "{}" } },
        { id: "c2", type: "function", function: { name: "b", arguments: '{"x":1}' } },
      ],
    },
    { role: "tool", tool_call_id: "c1", content: "one" },
    {
      role: "tool",
      tool_call_id: "c2",
      content: [{ type: "text", text: "two" }, { type: "text", text: "three" }],
    },
    { role: "user", content: "and now?" },
  ]);
});

Deno.test("completions encodeRequest writes images and files as data URLs, with names and detail", () => {
  const body = encode({
    messages: [{
      role: "user",
      name: "alice",
      content: [
        { type: "text", text: "see" },
        {
          type: "image",
          source: { kind: "base64", mediaType: "image/png", data: "iVBO" },
          detail: "high",
        },
        { type: "image", source: { kind: "url", url: "https://x/y.jpg" } },
        {
          type: "file",
          source: { kind: "base64", mediaType: "application/pdf", data: "JVBE" },
          filename: "a.pdf",
        },
      ],
    }],
  });
  assert.deepEqual(body.messages, [{
    role: "user",
    name: "alice",
    content: [
      { type: "text", text: "see" },
      { type: "image_url", image_url: { url: "data:image/png;base64,iVBO", detail: "high" } },
      { type: "image_url", image_url: { url: "https://x/y.jpg" } },
      { type: "file", file: { file_data: "data:application/pdf;base64,JVBE", filename: "a.pdf" } },
    ],
  }]);
});

Deno.test("completions encodeRequest refuses what Chat Completions cannot carry, naming the field", async (t) => {
  await t.step("top_k", () => assertRefused({ topK: 40 }, "top_k"));
  await t.step("an image in a tool result", () =>
    assertRefused({
      messages: [hi, {
        role: "tool",
        content: [{
          type: "toolResult",
          toolCallId: "c",
          content: [
            { type: "text", text: "shot" },
            { type: "image", source: { kind: "url", url: "https://x/s.png" } },
          ],
        }],
      }],
    }, "messages[1].content[0].content[1]"));
  await t.step("a file by URL", () =>
    assertRefused({
      messages: [{
        role: "user",
        content: [{ type: "file", source: { kind: "url", url: "https://x/a.pdf" } }],
      }],
    }, "messages[0].content[0]"));
  await t.step("an image in a system message", () =>
    assertRefused({
      messages: [{
        role: "system",
        content: [{ type: "image", source: { kind: "url", url: "u" } }],
      }],
    }, "messages[0].content[0]"));
});

Deno.test("completions decodeRequest then encodeRequest keeps a Chat body, modernising max_tokens and developer", () => {
  const body = {
    model: "gpt-4o",
    messages: [
      { role: "developer", content: "Be brief." },
      { role: "user", content: "What is 2+2?" },
      {
        role: "assistant",
        content: null,
        tool_calls: [{
          id: "c",
          type: "function",
          function: { name: "calc", arguments: '{"e":"2+2"}' },
        }],
      },
      { role: "tool", tool_call_id: "c", content: "4" },
    ],
    tools: [{ type: "function", function: { name: "calc", parameters: { type: "object" } } }],
    tool_choice: "required",
    max_tokens: 50,
    temperature: 0,
  };
  const encoded = completions.encodeRequest(completions.decodeRequest(structuredClone(body)));
  assert.deepEqual(encoded, {
    model: "gpt-4o",
    messages: [{ role: "system", content: "Be brief." }, ...body.messages.slice(1)],
    tools: body.tools,
    tool_choice: "required",
    max_completion_tokens: 50,
    temperature: 0,
  });
});
