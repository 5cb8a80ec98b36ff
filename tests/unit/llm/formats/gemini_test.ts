import assert from "node:assert/strict";
import { gemini } from "../../../../src/llm/formats/gemini.ts";
import type { StreamFrame } from "../../../../src/llm/formats/types.ts";
import {
  type IrRequest,
  LlmError,
  type Message,
  type StreamEvent,
} from "../../../../src/llm/ir.ts";

type Body = Record<string, unknown>;

function request(messages: Message[], extra: Partial<IrRequest> = {}): IrRequest {
  return { model: "gemini-2.5-flash", messages, stream: false, ...extra };
}

const user = (text: string): Message => ({ role: "user", content: [{ type: "text", text }] });

function encode(ir: IrRequest): Body {
  return gemini.encodeRequest(ir) as Body;
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

function sse(chunk: unknown): StreamFrame {
  return { kind: "sse", event: { data: JSON.stringify(chunk) } };
}

function decodeStream(chunks: unknown[], end = true): StreamEvent[] {
  const decoder = gemini.createStreamDecoder();
  const events = chunks.flatMap((chunk) => decoder.push(sse(chunk)));
  return end ? [...events, ...decoder.end()] : events;
}

const callConversation: Message[] = [
  { role: "system", content: [{ type: "text", text: "Be brief." }] },
  { role: "system", content: [{ type: "text", text: "Use tools." }] },
  user("Weather in Paris and Rome?"),
  {
    role: "assistant",
    content: [
      { type: "reasoning", text: "", signature: "sigA" },
      {
        type: "toolCall",
        id: "call_gemini_r1_0",
        name: "get_weather",
        arguments: '{"city":"Paris"}',
      },
      { type: "toolCall", id: "fc_native", name: "get_weather", arguments: '{"city":"Rome"}' },
    ],
  },
  {
    role: "tool",
    content: [{
      type: "toolResult",
      toolCallId: "call_gemini_r1_0",
      content: [{ type: "text", text: "18 °C, " }, { type: "text", text: "cloudy" }],
    }],
  },
  {
    role: "tool",
    content: [{
      type: "toolResult",
      toolCallId: "fc_native",
      isError: true,
      content: [
        { type: "text", text: "station offline" },
        { type: "image", source: { kind: "base64", mediaType: "image/png", data: "iVBORw0=" } },
      ],
    }],
  },
];

Deno.test("gemini encodeRequest puts leading system messages in systemInstruction and merges tool results into one user content", () => {
  const body = encode(request(callConversation));
  assert.deepEqual(body.systemInstruction, {
    parts: [{ text: "Be brief." }, { text: "Use tools." }],
  });
  assert.deepEqual(body.contents, [
    { role: "user", parts: [{ text: "Weather in Paris and Rome?" }] },
    {
      role: "model",
      parts: [
        // The signature goes back on the part it came with; a synthesized id is not sent.
        {
          functionCall: { name: "get_weather", args: { city: "Paris" } },
          thoughtSignature: "sigA",
        },
        { functionCall: { name: "get_weather", args: { city: "Rome" }, id: "fc_native" } },
      ],
    },
    {
      role: "user",
      parts: [
        { functionResponse: { name: "get_weather", response: { output: "18 °C, cloudy" } } },
        {
          functionResponse: {
            name: "get_weather",
            response: { error: "station offline" },
            id: "fc_native",
            parts: [{ inlineData: { mimeType: "image/png", data: "iVBORw0=" } }],
          },
        },
      ],
    },
  ]);
  assert.equal("model" in body, false);
  assert.equal("stream" in body, false);
});

Deno.test("gemini encodeRequest uses a tool result's own name when no earlier call has its id", () => {
  const body = encode(request([
    user("Hi"),
    {
      role: "tool",
      content: [{ type: "toolResult", toolCallId: "x", name: "lookup", content: [] }],
    },
  ]));
  const contents = body.contents as Body[];
  assert.deepEqual(contents[0]!.parts, [
    { text: "Hi" },
    { functionResponse: { name: "lookup", response: { output: "" }, id: "x" } },
  ]);
});

Deno.test("gemini encodeRequest refuses what Gemini cannot carry, naming the field", async (t) => {
  const cases: [string, IrRequest, string][] = [
    [
      "a tool result whose call is unknown",
      request([{
        role: "tool",
        content: [{ type: "toolResult", toolCallId: "nope", content: [] }],
      }]),
      "messages[0].content[0].toolCallId",
    ],
    [
      "a system message after the first turn",
      request([user("a"), { role: "system", content: [{ type: "text", text: "b" }] }]),
      "messages[1]",
    ],
    ["a participant name", request([{ ...user("a"), name: "alice" }]), "messages[0].name"],
    [
      "arguments that are not JSON",
      request([user("a"), {
        role: "assistant",
        content: [{ type: "toolCall", id: "c", name: "f", arguments: "{oops" }],
      }]),
      "messages[1].content[0].arguments",
    ],
    [
      "parallel tool calls turned off",
      request([user("a")], { parallelToolCalls: false }),
      "parallel_tool_calls",
    ],
    [
      "a required call without tools",
      request([user("a")], { toolChoice: "required" }),
      "tool_choice",
    ],
    [
      "an image in a system message",
      request([{
        role: "system",
        content: [{ type: "image", source: { kind: "url", url: "https://x/y.png" } }],
      }]),
      "messages[0].content[0]",
    ],
    [
      "a tool call in a user message",
      request([{
        role: "user",
        content: [{ type: "toolCall", id: "c", name: "f", arguments: "{}" }],
      }]),
      "messages[0].content[0]",
    ],
    [
      "a second schema description",
      request([user("a")], {
        responseFormat: {
          type: "json_schema",
          name: "x",
          schema: { type: "object", description: "theirs" },
          description: "ours",
        },
      }),
      "response_format.json_schema.description",
    ],
  ];
  for (const [name, ir, param] of cases) {
    await t.step(name, () => assert.deepEqual(refusal(() => encode(ir)), { status: 400, param }));
  }
});

Deno.test("gemini encodeRequest maps sampling, stop, seed, penalties, JSON schema and thinking into generationConfig", () => {
  const body = encode(request([user("a")], {
    maxTokens: 100,
    temperature: 0.3,
    topP: 0.9,
    topK: 40,
    stop: ["END"],
    seed: 7,
    frequencyPenalty: 0.1,
    presencePenalty: 0.2,
    responseFormat: {
      type: "json_schema",
      name: "event",
      strict: true,
      description: "An event",
      schema: { type: "object", properties: { day: { type: "string" } } },
    },
    reasoning: { effort: "low" },
    user: "u-1",
    metadata: { team: "a" },
  }));
  assert.deepEqual(body.generationConfig, {
    maxOutputTokens: 100,
    temperature: 0.3,
    topP: 0.9,
    topK: 40,
    stopSequences: ["END"],
    seed: 7,
    frequencyPenalty: 0.1,
    presencePenalty: 0.2,
    responseMimeType: "application/json",
    responseJsonSchema: {
      type: "object",
      properties: { day: { type: "string" } },
      description: "An event",
    },
    thinkingConfig: { thinkingBudget: 2048, includeThoughts: true },
  });
  const off = encode(request([user("a")], { reasoning: { effort: "none" } }));
  assert.deepEqual(off.generationConfig, { thinkingConfig: { thinkingBudget: 0 } });
  const json = encode(request([user("a")], { responseFormat: { type: "json_object" } }));
  assert.deepEqual(json.generationConfig, { responseMimeType: "application/json" });
});

Deno.test("gemini encodeRequest maps tool choices to functionCallingConfig modes", () => {
  const tools = [{ name: "f", parameters: { type: "object" } }, {
    name: "g",
    description: "G",
    parameters: {},
  }];
  const mode = (extra: Partial<IrRequest>) =>
    (encode(request([user("a")], { tools, ...extra })).toolConfig as Body | undefined)
      ?.functionCallingConfig;
  assert.equal(mode({}), undefined);
  assert.deepEqual(mode({ toolChoice: "auto" }), { mode: "AUTO" });
  assert.deepEqual(mode({ toolChoice: "none" }), { mode: "NONE" });
  assert.deepEqual(mode({ toolChoice: "required" }), { mode: "ANY" });
  assert.deepEqual(mode({ toolChoice: { name: "g" } }), {
    mode: "ANY",
    allowedFunctionNames: ["g"],
  });
  assert.deepEqual(
    mode({ tools: [{ name: "f", parameters: { type: "object" }, strict: true }] }),
    { mode: "VALIDATED" },
  );
  assert.deepEqual(encode(request([user("a")], { tools })).tools, [{
    functionDeclarations: [
      { name: "f", parametersJsonSchema: { type: "object" } },
      { name: "g", description: "G", parametersJsonSchema: { type: "object" } },
    ],
  }]);
});

Deno.test("gemini encodeRequest sends inline and URL media, and drops empty text and unsigned reasoning", () => {
  const body = encode(request([
    {
      role: "user",
      content: [
        { type: "text", text: "" },
        { type: "image", source: { kind: "url", url: "data:image/png;base64,AAAA" } },
        { type: "image", source: { kind: "url", url: "gs://bucket/cat.JPG?x=1" }, detail: "high" },
        { type: "file", source: { kind: "url", url: "https://example.com/video" } },
        {
          type: "file",
          source: { kind: "base64", mediaType: "application/pdf", data: "JVBE" },
          filename: "a.pdf",
        },
      ],
    },
    {
      role: "assistant",
      content: [
        { type: "reasoning", text: "unsigned summary" },
        { type: "reasoning", text: "", encrypted: "opaque" },
        { type: "reasoning", text: "signed thought", signature: "s1" },
        { type: "text", text: "Answer." },
        { type: "reasoning", text: "", signature: "s2" },
      ],
    },
  ]));
  assert.deepEqual(body.contents, [
    {
      role: "user",
      parts: [
        { inlineData: { mimeType: "image/png", data: "AAAA" } },
        { fileData: { mimeType: "image/jpeg", fileUri: "gs://bucket/cat.JPG?x=1" } },
        { fileData: { fileUri: "https://example.com/video" } },
        { inlineData: { mimeType: "application/pdf", data: "JVBE" } },
      ],
    },
    {
      role: "model",
      parts: [
        { text: "signed thought", thought: true, thoughtSignature: "s1" },
        // A trailing signature belongs to the last part.
        { text: "Answer.", thoughtSignature: "s2" },
      ],
    },
  ]);
});

const toolAnswer = {
  candidates: [{
    content: {
      role: "model",
      parts: [
        { text: "Checking." },
        { functionCall: { name: "w", args: { city: "Paris" } }, thoughtSignature: "sigP" },
        { functionCall: { name: "w", args: { city: "Rome" } } },
      ],
    },
    finishReason: "STOP",
  }],
  usageMetadata: {
    promptTokenCount: 50,
    candidatesTokenCount: 20,
    thoughtsTokenCount: 30,
    cachedContentTokenCount: 10,
    toolUsePromptTokenCount: 5,
    totalTokenCount: 105,
  },
  modelVersion: "gemini-2.5-pro",
  responseId: "resp+1/x",
};

Deno.test("gemini decodeResponse reads calls with synthesized ids, signatures and usage with thoughts", () => {
  const response = gemini.decodeResponse(structuredClone(toolAnswer));
  assert.deepEqual(response, {
    id: "resp+1/x",
    model: "gemini-2.5-pro",
    content: [
      { type: "text", text: "Checking." },
      { type: "reasoning", text: "", signature: "sigP" },
      {
        type: "toolCall",
        id: "call_gemini_resp_1_x_0",
        name: "w",
        arguments: '{"city":"Paris"}',
      },
      { type: "toolCall", id: "call_gemini_resp_1_x_1", name: "w", arguments: '{"city":"Rome"}' },
    ],
    stopReason: "toolUse",
    usage: { inputTokens: 55, outputTokens: 50, cacheReadTokens: 10, reasoningTokens: 30 },
  });
});

Deno.test("gemini answers round-trip: a decoded turn sent back as history is the parts Gemini gave", () => {
  const response = gemini.decodeResponse(structuredClone(toolAnswer));
  const body = encode(request([user("q"), { role: "assistant", content: response.content }]));
  const contents = body.contents as Body[];
  assert.deepEqual(contents[1], toolAnswer.candidates[0]!.content);
});

Deno.test("gemini decodeResponse prefers Gemini's own call ids and closes a thought with a separate signature", () => {
  const response = gemini.decodeResponse({
    candidates: [{
      content: {
        parts: [
          { text: "Thinking", thought: true },
          { text: "", thought: true, thoughtSignature: "sigT" },
          { functionCall: { id: "fc_9", name: "t" } },
        ],
      },
      finishReason: "STOP",
    }],
    responseId: "r",
  });
  assert.deepEqual(response.content, [
    { type: "reasoning", text: "Thinking", signature: "sigT" },
    { type: "toolCall", id: "fc_9", name: "t", arguments: "{}" },
  ]);
  assert.equal(response.model, "");
  assert.deepEqual(response.usage, { inputTokens: 0, outputTokens: 0 });
});

Deno.test("gemini decodeResponse maps finish reasons, including unknown ones", () => {
  const reasons: [string | undefined, string][] = [
    ["STOP", "stop"],
    ["MAX_TOKENS", "length"],
    ["SAFETY", "contentFilter"],
    ["RECITATION", "contentFilter"],
    ["PROHIBITED_CONTENT", "contentFilter"],
    ["BLOCKLIST", "contentFilter"],
    ["SPII", "contentFilter"],
    ["LANGUAGE", "refusal"],
    ["MALFORMED_FUNCTION_CALL", "error"],
    ["OTHER", "stop"],
    ["SOMETHING_NEW", "stop"],
    [undefined, "stop"],
  ];
  for (const [finishReason, expected] of reasons) {
    const response = gemini.decodeResponse({
      candidates: [{ content: { parts: [{ text: "x" }] }, finishReason }],
      responseId: "r",
    });
    assert.equal(response.stopReason, expected, String(finishReason));
  }
});

Deno.test("gemini decodeResponse reads a blocked prompt as contentFilter, and refuses what it cannot carry", () => {
  const blocked = gemini.decodeResponse({
    promptFeedback: { blockReason: "SAFETY" },
    usageMetadata: { promptTokenCount: 3 },
    responseId: "b",
  });
  assert.deepEqual(blocked.content, []);
  assert.equal(blocked.stopReason, "contentFilter");
  assert.equal(blocked.usage.inputTokens, 3);
  const bad = (body: unknown) => refusal(() => gemini.decodeResponse(body)).status;
  assert.equal(bad({ responseId: "x" }), 502);
  assert.equal(bad("text"), 502);
  assert.throws(
    () =>
      gemini.decodeResponse({
        candidates: [{ content: { parts: [{ inlineData: { mimeType: "image/png", data: "" } }] } }],
      }),
    /"inlineData" part/,
  );
});

Deno.test("gemini stream decoder keeps one text part open and reports usage and finish at the end", () => {
  const events = decodeStream([
    {
      candidates: [{ content: { parts: [{ text: "Hel" }] } }],
      usageMetadata: { promptTokenCount: 4 },
      responseId: "s1",
      modelVersion: "m",
    },
    {
      candidates: [{ content: { parts: [{ text: "lo" }] } }],
      usageMetadata: { promptTokenCount: 4 },
      responseId: "s1",
    },
    {
      candidates: [{ content: { parts: [{ text: "" }] }, finishReason: "STOP" }],
      usageMetadata: { promptTokenCount: 4, candidatesTokenCount: 2 },
      responseId: "s1",
    },
  ]);
  assert.deepEqual(events, [
    { type: "start", id: "s1", model: "m" },
    { type: "textDelta", index: 0, text: "Hel" },
    { type: "usage", usage: { inputTokens: 4, outputTokens: 0 } },
    { type: "textDelta", index: 0, text: "lo" },
    { type: "usage", usage: { inputTokens: 4, outputTokens: 2 } },
    { type: "partEnd", index: 0 },
    { type: "finish", stopReason: "stop" },
  ]);
});

Deno.test("gemini stream decoder gives each call whole, with the ids the buffered answer gets", () => {
  const buffered = gemini.decodeResponse(structuredClone(toolAnswer));
  const events = decodeStream([
    {
      ...toolAnswer,
      candidates: [{ content: { parts: [toolAnswer.candidates[0]!.content.parts[0]] } }],
    },
    {
      ...toolAnswer,
      candidates: [{
        ...toolAnswer.candidates[0],
        content: { parts: toolAnswer.candidates[0]!.content.parts.slice(1) },
      }],
    },
  ]);
  const usage = buffered.usage;
  assert.deepEqual(events, [
    { type: "start", id: "resp+1/x", model: "gemini-2.5-pro" },
    { type: "textDelta", index: 0, text: "Checking." },
    { type: "usage", usage },
    { type: "partEnd", index: 0 },
    { type: "reasoningDelta", index: 1, signature: "sigP" },
    { type: "partEnd", index: 1 },
    { type: "toolCallStart", index: 2, id: "call_gemini_resp_1_x_0", name: "w" },
    { type: "toolCallDelta", index: 2, arguments: '{"city":"Paris"}' },
    { type: "partEnd", index: 2 },
    { type: "toolCallStart", index: 3, id: "call_gemini_resp_1_x_1", name: "w" },
    { type: "toolCallDelta", index: 3, arguments: '{"city":"Rome"}' },
    { type: "partEnd", index: 3 },
    { type: "finish", stopReason: "toolUse" },
  ]);
});

Deno.test("gemini stream decoder streams thoughts as reasoning and a signature-only chunk onto the open thought", () => {
  const events = decodeStream([
    { candidates: [{ content: { parts: [{ text: "Think", thought: true }] } }], responseId: "t" },
    { candidates: [{ content: { parts: [{ text: "", thought: true, thoughtSignature: "S" }] } }] },
    { candidates: [{ content: { parts: [{ text: "Done." }] }, finishReason: "STOP" }] },
  ]);
  assert.deepEqual(events, [
    { type: "start", id: "t", model: "" },
    { type: "reasoningDelta", index: 0, text: "Think" },
    { type: "reasoningDelta", index: 0, signature: "S" },
    { type: "partEnd", index: 0 },
    { type: "textDelta", index: 1, text: "Done." },
    { type: "partEnd", index: 1 },
    { type: "finish", stopReason: "stop" },
  ]);
});

Deno.test("gemini stream decoder splits a text part where a signature arrives mid-text", () => {
  const events = decodeStream([
    { candidates: [{ content: { parts: [{ text: "Yes, 1009" }] } }], responseId: "m" },
    {
      candidates: [{
        content: { parts: [{ text: " is prime.", thoughtSignature: "S" }] },
        finishReason: "STOP",
      }],
    },
  ]);
  assert.deepEqual(events, [
    { type: "start", id: "m", model: "" },
    { type: "textDelta", index: 0, text: "Yes, 1009" },
    { type: "partEnd", index: 0 },
    { type: "reasoningDelta", index: 1, signature: "S" },
    { type: "partEnd", index: 1 },
    { type: "textDelta", index: 2, text: " is prime." },
    { type: "partEnd", index: 2 },
    { type: "finish", stopReason: "stop" },
  ]);
});

Deno.test("gemini stream decoder reports a blocked prompt, an error chunk, and a stream without a finish", () => {
  assert.deepEqual(decodeStream([{ promptFeedback: { blockReason: "OTHER" }, responseId: "b" }]), [
    { type: "start", id: "b", model: "" },
    { type: "finish", stopReason: "contentFilter" },
  ]);
  const failed = decodeStream(
    [{ error: { code: 429, message: "Quota exceeded", status: "RESOURCE_EXHAUSTED" } }],
    false,
  );
  assert.deepEqual(failed, [{
    type: "error",
    error: { kind: "rateLimit", message: "Quota exceeded", providerType: "RESOURCE_EXHAUSTED" },
  }]);
  const unfinished = decodeStream([{ candidates: [{ content: { parts: [{ text: "a" }] } }] }]);
  assert.equal(unfinished.at(-1)?.type, "error");
  assert.equal(unfinished.at(-2)?.type, "partEnd");
  const decoder = gemini.createStreamDecoder();
  assert.throws(() => decoder.push({ kind: "sse", event: { data: "{not json" } }), LlmError);
  assert.throws(
    () => decoder.push({ kind: "eventstream", eventType: "x", messageType: "event", payload: {} }),
    LlmError,
  );
  assert.deepEqual(decoder.push({ kind: "sse", event: { data: "" } }), []);
});

Deno.test("gemini decodeError reads Google error bodies, a list of them, and plain text", () => {
  assert.deepEqual(
    gemini.decodeError(400, {
      error: {
        code: 400,
        message: "API key not valid. Please pass a valid API key.",
        status: "INVALID_ARGUMENT",
        details: [{
          "@type": "type.googleapis.com/google.rpc.ErrorInfo",
          reason: "API_KEY_INVALID",
        }],
      },
    }),
    {
      kind: "authentication",
      message: "API key not valid. Please pass a valid API key.",
      providerType: "INVALID_ARGUMENT",
    },
  );
  assert.deepEqual(
    gemini.decodeError(404, [{ error: { code: 404, message: "no model", status: "NOT_FOUND" } }]),
    { kind: "notFound", message: "no model", providerType: "NOT_FOUND" },
  );
  const kinds: [string, string][] = [
    ["INVALID_ARGUMENT", "invalidRequest"],
    ["PERMISSION_DENIED", "permission"],
    ["UNAUTHENTICATED", "authentication"],
    ["RESOURCE_EXHAUSTED", "rateLimit"],
    ["UNAVAILABLE", "overloaded"],
    ["DEADLINE_EXCEEDED", "timeout"],
    ["INTERNAL", "api"],
  ];
  for (const [status, kind] of kinds) {
    assert.equal(gemini.decodeError(500, { error: { message: "m", status } }).kind, kind, status);
  }
  assert.deepEqual(gemini.decodeError(503, "  Service Unavailable "), {
    kind: "overloaded",
    message: "Service Unavailable",
  });
  assert.deepEqual(gemini.decodeError(429, ""), {
    kind: "rateLimit",
    message: "upstream answered HTTP 429",
  });
});
