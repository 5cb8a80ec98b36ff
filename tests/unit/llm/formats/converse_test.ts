import assert from "node:assert/strict";
import { converse } from "../../../../src/llm/formats/converse.ts";
import type { StreamFrame } from "../../../../src/llm/formats/types.ts";
import {
  type IrRequest,
  LlmError,
  type Message,
  type StreamEvent,
} from "../../../../src/llm/ir.ts";

type Body = Record<string, unknown>;

const CLAUDE = "us.anthropic.claude-sonnet-4-5-20250929-v1:0";

function request(messages: Message[], extra: Partial<IrRequest> = {}): IrRequest {
  return { model: CLAUDE, messages, stream: false, ...extra };
}

const user = (text: string): Message => ({ role: "user", content: [{ type: "text", text }] });

function encode(ir: IrRequest): Body {
  return converse.encodeRequest(ir) as Body;
}

function refusal(fn: () => unknown): { status: number; param: string | undefined } {
  try {
    fn();
  } catch (error) {
    if (error instanceof LlmError) return { status: error.status, param: error.body.param };
    throw error;
  }
  assert.fail("expected an LlmError");
}

function event(eventType: string, payload: unknown, messageType = "event"): StreamFrame {
  return { kind: "eventstream", eventType, messageType, payload };
}

function decodeStream(frames: StreamFrame[], end = true): StreamEvent[] {
  const decoder = converse.createStreamDecoder();
  const events = frames.flatMap((frame) => decoder.push(frame));
  return end ? [...events, ...decoder.end()] : events;
}

Deno.test("converse encodeRequest builds system, alternating turns, tool blocks and cache points", () => {
  const body = encode(request([
    {
      role: "system",
      content: [{ type: "text", text: "Be brief.", cacheControl: { type: "ephemeral" } }],
    },
    user("Weather?"),
    {
      role: "assistant",
      content: [
        { type: "reasoning", text: "Use the tool.", signature: "sig" },
        { type: "reasoning", text: "", encrypted: "cmVkYWN0ZWQ=" },
        { type: "reasoning", text: "from elsewhere" },
        { type: "toolCall", id: "tooluse_1", name: "w", arguments: '{"city":"Paris"}' },
      ],
    },
    {
      role: "tool",
      content: [{
        type: "toolResult",
        toolCallId: "tooluse_1",
        isError: true,
        content: [
          { type: "text", text: "down" },
          { type: "image", source: { kind: "url", url: "data:image/webp;base64,UklG" } },
        ],
        cacheControl: { type: "ephemeral", ttl: "5m" },
      }],
    },
    user("And now?"),
  ], {
    tools: [{ name: "w", parameters: {}, strict: true, cacheControl: { type: "ephemeral" } }],
    toolChoice: "auto",
    maxTokens: 200,
    temperature: 0.5,
    topP: 0.8,
    stop: ["END"],
    metadata: { team: "search" },
    user: "u-1",
  }));
  assert.deepEqual(body, {
    messages: [
      { role: "user", content: [{ text: "Weather?" }] },
      {
        role: "assistant",
        content: [
          { reasoningContent: { reasoningText: { text: "Use the tool.", signature: "sig" } } },
          { reasoningContent: { redactedContent: "cmVkYWN0ZWQ=" } },
          { toolUse: { toolUseId: "tooluse_1", name: "w", input: { city: "Paris" } } },
        ],
      },
      {
        role: "user",
        content: [
          {
            toolResult: {
              toolUseId: "tooluse_1",
              content: [{ text: "down" }, { image: { format: "webp", source: { bytes: "UklG" } } }],
              status: "error",
            },
          },
          { cachePoint: { type: "default", ttl: "5m" } },
          { text: "And now?" },
        ],
      },
    ],
    system: [{ text: "Be brief." }, { cachePoint: { type: "default" } }],
    inferenceConfig: { maxTokens: 200, temperature: 0.5, topP: 0.8, stopSequences: ["END"] },
    toolConfig: {
      tools: [
        { toolSpec: { name: "w", inputSchema: { json: { type: "object" } }, strict: true } },
        { cachePoint: { type: "default" } },
      ],
      toolChoice: { auto: {} },
    },
    requestMetadata: { team: "search" },
  });
});

Deno.test("converse encodeRequest maps tool choices, and withholds tools for none", () => {
  const tools = [{ name: "f", parameters: { type: "object" } }];
  const choice = (
    extra: Partial<IrRequest>,
    messages = [user("a")],
  ) => (encode(request(messages, { tools, ...extra })).toolConfig as Body | undefined);
  assert.equal(choice({})?.toolChoice, undefined);
  assert.deepEqual(choice({ toolChoice: "required" })?.toolChoice, { any: {} });
  assert.deepEqual(choice({ toolChoice: { name: "f" } })?.toolChoice, { tool: { name: "f" } });
  assert.equal(choice({ toolChoice: "none" }), undefined);
  const withCalls: Message[] = [
    user("a"),
    { role: "assistant", content: [{ type: "toolCall", id: "t", name: "f", arguments: "" }] },
    { role: "tool", content: [{ type: "toolResult", toolCallId: "t", content: [] }] },
  ];
  assert.deepEqual(refusal(() => choice({ toolChoice: "none" }, withCalls)), {
    status: 400,
    param: "tool_choice",
  });
});

Deno.test("converse encodeRequest puts top_k and thinking where each model family reads them", () => {
  const claude = encode(request([user("a")], { topK: 40, reasoning: { effort: "medium" } }));
  assert.deepEqual(claude.additionalModelRequestFields, {
    top_k: 40,
    thinking: { type: "enabled", budget_tokens: 8192 },
  });
  const off = encode(request([user("a")], { reasoning: { budgetTokens: 0 } }));
  assert.deepEqual(off.additionalModelRequestFields, { thinking: { type: "disabled" } });
  const nova = encode(request([user("a")], { model: "us.amazon.nova-pro-v1:0", topK: 5 }));
  assert.deepEqual(nova.additionalModelRequestFields, { inferenceConfig: { topK: 5 } });
  const llama = "meta.llama3-70b-instruct-v1:0";
  assert.deepEqual(refusal(() => encode(request([user("a")], { model: llama, topK: 5 }))), {
    status: 400,
    param: "top_k",
  });
  assert.deepEqual(
    refusal(() => encode(request([user("a")], { model: llama, reasoning: { effort: "high" } }))),
    { status: 400, param: "reasoning" },
  );
  // Thinking is off by default elsewhere: "none" needs nothing.
  const none = encode(request([user("a")], { model: llama, reasoning: { effort: "none" } }));
  assert.equal(none.additionalModelRequestFields, undefined);
});

Deno.test("converse encodeRequest sends a JSON schema as outputConfig and documents with clean names", () => {
  const body = encode(request([{
    role: "user",
    content: [
      {
        type: "file",
        source: { kind: "base64", mediaType: "application/pdf", data: "JVBE" },
        filename: "Q3 report (final).v2.pdf",
      },
      { type: "file", source: { kind: "url", url: "s3://bucket/notes.md" } },
      { type: "image", source: { kind: "url", url: "s3://bucket/cat.jpeg" } },
    ],
  }], {
    responseFormat: {
      type: "json_schema",
      name: "report",
      description: "A summary",
      strict: true,
      schema: { type: "object" },
    },
  }));
  assert.deepEqual(body.messages, [{
    role: "user",
    content: [
      { document: { format: "pdf", name: "Q3 report (final)-v2", source: { bytes: "JVBE" } } },
      {
        document: {
          format: "md",
          name: "document 0 1",
          source: { s3Location: { uri: "s3://bucket/notes.md" } },
        },
      },
      { image: { format: "jpeg", source: { s3Location: { uri: "s3://bucket/cat.jpeg" } } } },
    ],
  }]);
  assert.deepEqual(body.outputConfig, {
    textFormat: {
      type: "json_schema",
      structure: {
        jsonSchema: { schema: '{"type":"object"}', name: "report", description: "A summary" },
      },
    },
  });
});

Deno.test("converse encodeRequest refuses what Converse cannot carry, naming the field", async (t) => {
  const image = (url: string): Message => ({
    role: "user",
    content: [{ type: "image", source: { kind: "url", url } }],
  });
  const cases: [string, IrRequest, string][] = [
    ["a seed", request([user("a")], { seed: 1 }), "seed"],
    ["a frequency penalty", request([user("a")], { frequencyPenalty: 1 }), "frequency_penalty"],
    ["a presence penalty", request([user("a")], { presencePenalty: 1 }), "presence_penalty"],
    [
      "serial tool calls",
      request([user("a")], { parallelToolCalls: false }),
      "parallel_tool_calls",
    ],
    [
      "JSON mode without a schema",
      request([user("a")], { responseFormat: { type: "json_object" } }),
      "response_format",
    ],
    ["an image by https URL", request([image("https://x/cat.png")]), "messages[0].content[0]"],
    ["a bmp image", request([image("data:image/bmp;base64,Qk0=")]), "messages[0].content[0]"],
    [
      "an unknown document type",
      request([{
        role: "user",
        content: [{
          type: "file",
          source: { kind: "base64", mediaType: "application/zip", data: "" },
        }],
      }]),
      "messages[0].content[0]",
    ],
    [
      "a cache ttl Bedrock lacks",
      request([{
        role: "user",
        content: [{ type: "text", text: "a", cacheControl: { type: "ephemeral", ttl: "24h" } }],
      }]),
      "messages[0].content[0].cache_control.ttl",
    ],
    ["a participant name", request([{ ...user("a"), name: "bob" }]), "messages[0].name"],
    [
      "a late system message",
      request([user("a"), { role: "system", content: [{ type: "text", text: "b" }] }]),
      "messages[1]",
    ],
    [
      "arguments that are not an object",
      request([user("a"), {
        role: "assistant",
        content: [{ type: "toolCall", id: "t", name: "f", arguments: "[1]" }],
      }]),
      "messages[1].content[0].arguments",
    ],
    [
      "a named tool choice without tools",
      request([user("a")], { toolChoice: { name: "f" } }),
      "tool_choice",
    ],
  ];
  for (const [name, ir, param] of cases) {
    await t.step(name, () => assert.deepEqual(refusal(() => encode(ir)), { status: 400, param }));
  }
});

Deno.test("converse decodeResponse reads blocks, stop reason, stop sequence and cache-inclusive usage", () => {
  const body = {
    output: {
      message: {
        role: "assistant",
        content: [
          { reasoningContent: { reasoningText: { text: "hmm", signature: "s" } } },
          { reasoningContent: { redactedContent: "cmVk" } },
          { text: "Calling." },
          { toolUse: { toolUseId: "tooluse_a", name: "f", input: { x: 1 } } },
        ],
      },
    },
    stopReason: "stop_sequence",
    additionalModelResponseFields: { stop_sequence: "END" },
    usage: {
      inputTokens: 10,
      outputTokens: 5,
      totalTokens: 315,
      cacheReadInputTokens: 200,
      cacheWriteInputTokens: 100,
    },
    metrics: { latencyMs: 100 },
  };
  const response = converse.decodeResponse(body);
  assert.match(response.id, /^converse-[0-9a-f]{8}$/);
  assert.equal(converse.decodeResponse(structuredClone(body)).id, response.id);
  assert.deepEqual({ ...response, id: "" }, {
    id: "",
    model: "",
    content: [
      { type: "reasoning", text: "hmm", signature: "s" },
      { type: "reasoning", text: "", encrypted: "cmVk" },
      { type: "text", text: "Calling." },
      { type: "toolCall", id: "tooluse_a", name: "f", arguments: '{"x":1}' },
    ],
    stopReason: "stopSequence",
    stopSequence: "END",
    usage: { inputTokens: 310, outputTokens: 5, cacheReadTokens: 200, cacheWriteTokens: 100 },
  });
});

Deno.test("converse answers round-trip: a decoded turn sent back as history is the blocks Bedrock gave", () => {
  const content = [
    { reasoningContent: { reasoningText: { text: "hmm", signature: "s" } } },
    { text: "Calling." },
    { toolUse: { toolUseId: "tooluse_a", name: "f", input: { x: 1 } } },
  ];
  const response = converse.decodeResponse({
    output: { message: { role: "assistant", content } },
    stopReason: "tool_use",
  });
  const body = encode(request([user("q"), { role: "assistant", content: response.content }]));
  assert.deepEqual((body.messages as Body[])[1], { role: "assistant", content });
});

Deno.test("converse decodeResponse maps stop reasons and refuses blocks it cannot carry", () => {
  const reasons: [string | undefined, string][] = [
    ["end_turn", "stop"],
    ["tool_use", "toolUse"],
    ["max_tokens", "length"],
    ["stop_sequence", "stopSequence"],
    ["guardrail_intervened", "contentFilter"],
    ["content_filtered", "contentFilter"],
    ["malformed_tool_use", "error"],
    ["model_context_window_exceeded", "length"],
    ["brand_new_reason", "stop"],
    [undefined, "stop"],
  ];
  for (const [stopReason, expected] of reasons) {
    const response = converse.decodeResponse({
      output: { message: { role: "assistant", content: [] } },
      stopReason,
    });
    assert.equal(response.stopReason, expected, String(stopReason));
  }
  assert.throws(
    () =>
      converse.decodeResponse({
        output: { message: { content: [{ citationsContent: { content: [] } }] } },
      }),
    /"citationsContent" block/,
  );
  assert.equal(refusal(() => converse.decodeResponse({ output: {} })).status, 502);
});

Deno.test("converse stream decoder turns events into IR parts, with finish after usage", () => {
  const events = decodeStream([
    event("messageStart", { role: "assistant" }),
    event("contentBlockDelta", {
      contentBlockIndex: 0,
      delta: { reasoningContent: { text: "Th" } },
    }),
    event("contentBlockDelta", {
      contentBlockIndex: 0,
      delta: { reasoningContent: { signature: "sig" } },
    }),
    event("contentBlockStop", { contentBlockIndex: 0 }),
    event("contentBlockDelta", { contentBlockIndex: 1, delta: { text: "Hi" } }),
    event("contentBlockStop", { contentBlockIndex: 1 }),
    event("contentBlockStart", {
      contentBlockIndex: 2,
      start: { toolUse: { toolUseId: "tooluse_1", name: "f" } },
    }),
    event("contentBlockDelta", { contentBlockIndex: 2, delta: { toolUse: { input: '{"a":' } } }),
    event("contentBlockDelta", { contentBlockIndex: 2, delta: { toolUse: { input: "1}" } } }),
    event("contentBlockStop", { contentBlockIndex: 2 }),
    event("messageStop", { stopReason: "tool_use" }),
    event("metadata", {
      usage: { inputTokens: 3, outputTokens: 4, totalTokens: 7 },
      metrics: { latencyMs: 1 },
    }),
  ]);
  assert.deepEqual(events, [
    { type: "start", id: "", model: "" },
    { type: "reasoningDelta", index: 0, text: "Th" },
    { type: "reasoningDelta", index: 0, signature: "sig" },
    { type: "partEnd", index: 0 },
    { type: "textDelta", index: 1, text: "Hi" },
    { type: "partEnd", index: 1 },
    { type: "toolCallStart", index: 2, id: "tooluse_1", name: "f" },
    { type: "toolCallDelta", index: 2, arguments: '{"a":' },
    { type: "toolCallDelta", index: 2, arguments: "1}" },
    { type: "partEnd", index: 2 },
    { type: "usage", usage: { inputTokens: 3, outputTokens: 4 } },
    { type: "finish", stopReason: "toolUse" },
  ]);
});

Deno.test("converse stream decoder reports exceptions, cut streams and events it cannot read", () => {
  assert.deepEqual(
    decodeStream([
      event("messageStart", { role: "assistant" }),
      event("throttlingException", { message: "Too many requests" }, "exception"),
    ], false),
    [
      { type: "start", id: "", model: "" },
      {
        type: "error",
        error: {
          kind: "rateLimit",
          message: "Too many requests",
          providerType: "throttlingException",
        },
      },
    ],
  );
  const cut = decodeStream([
    event("messageStart", { role: "assistant" }),
    event("contentBlockDelta", { contentBlockIndex: 0, delta: { text: "a" } }),
  ]);
  assert.deepEqual(cut.slice(-2).map((e) => e.type), ["partEnd", "error"]);
  // A payload wrapped in its event name reads the same.
  assert.deepEqual(
    decodeStream([
      event("messageStop", { messageStop: { stopReason: "max_tokens" } }),
    ]).at(-1),
    { type: "finish", stopReason: "length" },
  );
  const decoder = converse.createStreamDecoder();
  assert.throws(() => decoder.push(event("somethingNew", {})), /unknown event "somethingNew"/);
  assert.throws(
    () =>
      decoder.push(event("contentBlockDelta", { contentBlockIndex: 0, delta: { citation: {} } })),
    /"citation" delta/,
  );
  assert.throws(
    () =>
      decoder.push(
        event("contentBlockDelta", { contentBlockIndex: 5, delta: { toolUse: { input: "{" } } }),
      ),
    LlmError,
  );
  assert.throws(() => decoder.push({ kind: "sse", event: { data: "{}" } }), LlmError);
});

Deno.test("converse decodeError maps Bedrock statuses and messages to kinds", () => {
  const cases: [number, unknown, string][] = [
    [400, { message: "Malformed input request" }, "invalidRequest"],
    [
      403,
      { message: "You don't have access to the model with the specified model ID." },
      "permission",
    ],
    [403, { message: "The security token included in the request is invalid." }, "authentication"],
    [404, { message: "Could not resolve the foundation model" }, "notFound"],
    [408, { message: "Model has timed out" }, "timeout"],
    [424, { message: "Model error" }, "api"],
    [429, { message: "Too many requests" }, "rateLimit"],
    [500, { message: "Internal" }, "api"],
    [503, { Message: "Service unavailable" }, "overloaded"],
  ];
  for (const [status, body, kind] of cases) {
    assert.equal(converse.decodeError(status, body).kind, kind, `${status}`);
  }
  assert.deepEqual(
    converse.decodeError(429, {
      __type: "com.amazon.bedrock#ThrottlingException",
      message: "slow",
    }),
    { kind: "rateLimit", message: "slow", providerType: "ThrottlingException" },
  );
  assert.deepEqual(converse.decodeError(502, ""), {
    kind: "api",
    message: "upstream answered HTTP 502",
  });
});
