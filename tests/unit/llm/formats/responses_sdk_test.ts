/**
 * The Responses codec against the two SDKs that speak it: the openai SDK and the Vercel AI SDK
 * (`@ai-sdk/openai`). Each SDK gets a `fetch` that never leaves the process: it decodes what the
 * SDK sent with agw's decoder and answers with agw's encoders, so the SDK's own parsers judge
 * agw's output, and agw's decoder judges the SDK's requests.
 * @module
 */
import assert from "node:assert/strict";
import OpenAI from "openai";
import { createOpenAI } from "@ai-sdk/openai";
import { generateText, jsonSchema, stepCountIs, streamText, tool } from "ai";
import { responses } from "../../../../src/llm/formats/responses.ts";
import type { IrRequest, IrResponse, LlmErrorBody, StreamEvent } from "../../../../src/llm/ir.ts";

const NOW_SECONDS = 1767225600;

/** What the fake upstream answers for one request. */
type Answer =
  | { kind: "buffered"; response: IrResponse }
  | { kind: "stream"; events: StreamEvent[]; cut?: LlmErrorBody };

/** A fetch that plays agw: every request body is decoded, each answer encoded by agw's codec. */
function agwFetch(
  answers: Answer[],
): { fetch: typeof fetch; requests: IrRequest[]; bodies: unknown[] } {
  const requests: IrRequest[] = [];
  const bodies: unknown[] = [];
  const fake = (_input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const body = JSON.parse(String(init?.body));
    bodies.push(body);
    const request = responses.decodeRequest(body);
    requests.push(request);
    const answer = answers.shift();
    assert.ok(answer, "the SDK sent more requests than the test expected");
    const options = { model: request.model, request, nowSeconds: NOW_SECONDS };
    if (answer.kind === "buffered") {
      return Promise.resolve(Response.json(responses.encodeResponse(answer.response, options)));
    }
    const encoder = responses.createStreamEncoder(options);
    const sse = [
      ...answer.events.flatMap((event) => encoder.encode(event)),
      ...encoder.end(answer.cut),
    ]
      .map((event) => `event: ${event.event}\ndata: ${event.data}\n\n`)
      .join("");
    return Promise.resolve(new Response(sse, { headers: { "content-type": "text/event-stream" } }));
  };
  return { fetch: fake as typeof fetch, requests, bodies };
}

const WEATHER_TOOL = {
  type: "function" as const,
  name: "get_weather",
  description: "Weather for a city",
  parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] },
  strict: false,
};

const CALL_ANSWER: IrResponse = {
  id: "msg_01",
  model: "claude-sonnet-4-5",
  content: [
    { type: "reasoning", text: "Need the weather tool.", signature: "sig-abc" },
    { type: "text", text: "Checking." },
    { type: "toolCall", id: "toolu_1", name: "get_weather", arguments: '{"city":"Paris"}' },
  ],
  stopReason: "toolUse",
  usage: { inputTokens: 50, outputTokens: 20, cacheReadTokens: 30, reasoningTokens: 8 },
};

const CALL_EVENTS: StreamEvent[] = [
  { type: "start", id: "msg_02", model: "claude-sonnet-4-5" },
  { type: "reasoningDelta", index: 0, text: "Need the " },
  { type: "reasoningDelta", index: 0, text: "weather tool." },
  { type: "reasoningDelta", index: 0, signature: "sig-abc" },
  { type: "partEnd", index: 0 },
  { type: "textDelta", index: 1, text: "Check" },
  { type: "textDelta", index: 1, text: "ing." },
  { type: "partEnd", index: 1 },
  { type: "toolCallStart", index: 2, id: "toolu_1", name: "get_weather" },
  { type: "toolCallDelta", index: 2, arguments: '{"ci' },
  { type: "toolCallDelta", index: 2, arguments: 'ty":"Paris"}' },
  { type: "partEnd", index: 2 },
  { type: "finish", stopReason: "toolUse" },
  { type: "usage", usage: { inputTokens: 50, outputTokens: 20, reasoningTokens: 8 } },
];

function openAiClient(fake: typeof fetch): OpenAI {
  return new OpenAI({
    apiKey: "test",
    baseURL: "http://127.0.0.1:9/v1",
    fetch: fake,
    maxRetries: 0,
  });
}

Deno.test("the openai SDK reads agw's buffered Responses answer", async () => {
  const upstream = agwFetch([{ kind: "buffered", response: CALL_ANSWER }]);
  const response = await openAiClient(upstream.fetch).responses.create({
    model: "claude-sonnet-4-5",
    instructions: "Be terse.",
    input: "Weather in Paris?",
    tools: [WEATHER_TOOL],
    max_output_tokens: 300,
  });
  assert.equal(response.status, "completed");
  assert.equal(response.output_text, "Checking.");
  const call = response.output.find((item) => item.type === "function_call");
  assert.equal(call?.type === "function_call" ? call.arguments : undefined, '{"city":"Paris"}');
  assert.equal(response.usage?.input_tokens_details.cached_tokens, 30);
  assert.equal(response.usage?.output_tokens_details.reasoning_tokens, 8);
  assert.equal(upstream.requests[0]?.messages[0]?.role, "system");
  assert.equal(upstream.requests[0]?.maxTokens, 300);
});

Deno.test("the openai SDK's responses.stream accumulates agw's stream into the final response", async () => {
  const upstream = agwFetch([{ kind: "stream", events: CALL_EVENTS }]);
  const stream = openAiClient(upstream.fetch).responses.stream({
    model: "claude-sonnet-4-5",
    input: "Weather in Paris?",
    tools: [WEATHER_TOOL],
  });
  const deltas: string[] = [];
  stream.on("response.output_text.delta", (event) => deltas.push(event.delta));
  const final = await stream.finalResponse();
  assert.deepEqual(deltas, ["Check", "ing."]);
  assert.equal(final.output_text, "Checking.");
  assert.deepEqual(final.output.map((item) => item.type), [
    "reasoning",
    "message",
    "function_call",
  ]);
  const call = final.output[2];
  assert.equal(call?.type === "function_call" ? call.arguments : undefined, '{"city":"Paris"}');
  assert.equal(final.usage?.total_tokens, 70);
  assert.equal(upstream.requests[0]?.stream, true);
});

Deno.test("the openai SDK throws an APIError on the error event ending a cut stream", async () => {
  const upstream = agwFetch([{
    kind: "stream",
    events: CALL_EVENTS.slice(0, 6),
    cut: { kind: "api", message: "upstream stream ended before the answer was complete" },
  }]);
  const stream = await openAiClient(upstream.fetch).responses.create({
    model: "m",
    input: "Hi",
    stream: true,
  });
  const seen: string[] = [];
  await assert.rejects(
    async () => {
      for await (const event of stream) seen.push(event.type);
    },
    (error: unknown) =>
      error instanceof OpenAI.APIError &&
      /ended before the answer was complete/.test(error.message),
  );
  assert.ok(seen.includes("response.output_text.delta"));
});

Deno.test("the Vercel AI SDK runs a tool loop through agw and its second turn carries the reasoning signature", async () => {
  const upstream = agwFetch([
    { kind: "buffered", response: CALL_ANSWER },
    {
      kind: "buffered",
      response: {
        id: "msg_03",
        model: "claude-sonnet-4-5",
        content: [{ type: "text", text: "It is sunny in Paris." }],
        stopReason: "stop",
        usage: { inputTokens: 80, outputTokens: 9 },
      },
    },
  ]);
  const provider = createOpenAI({
    apiKey: "test",
    baseURL: "http://127.0.0.1:9/v1",
    fetch: upstream.fetch,
  });
  const result = await generateText({
    model: provider("gpt-5"),
    prompt: "Weather in Paris?",
    tools: {
      get_weather: tool({
        inputSchema: jsonSchema<{ city: string }>(WEATHER_TOOL.parameters),
        execute: ({ city }) => Promise.resolve({ city, sky: "sunny" }),
      }),
    },
    stopWhen: stepCountIs(2),
    // agw stores nothing, so the SDK must send items rather than item_reference.
    providerOptions: { openai: { store: false } },
  });
  assert.equal(result.text, "It is sunny in Paris.");
  assert.equal(result.steps[0]?.finishReason, "tool-calls");
  assert.equal(result.steps[0]?.usage.inputTokenDetails.cacheReadTokens, 30);
  assert.equal(result.steps[0]?.usage.outputTokenDetails.reasoningTokens, 8);

  const second = upstream.requests[1];
  assert.ok(second);
  const assistant = second.messages.find((message) => message.role === "assistant");
  assert.deepEqual(assistant?.content.find((part) => part.type === "reasoning"), {
    type: "reasoning",
    text: "Need the weather tool.",
    id: "rs_msg_01_0",
    signature: "sig-abc",
  });
  assert.ok(assistant?.content.some((part) => part.type === "toolCall" && part.id === "toolu_1"));
  const results = second.messages.find((message) => message.role === "tool");
  assert.deepEqual(results?.content[0], {
    type: "toolResult",
    toolCallId: "toolu_1",
    name: "get_weather",
    content: [{ type: "text", text: '{"city":"Paris","sky":"sunny"}' }],
  });
});

Deno.test("the Vercel AI SDK's default store: true makes its second turn an item_reference agw refuses", async () => {
  const upstream = agwFetch([{ kind: "buffered", response: CALL_ANSWER }]);
  const provider = createOpenAI({
    apiKey: "test",
    baseURL: "http://127.0.0.1:9/v1",
    fetch: upstream.fetch,
  });
  await assert.rejects(
    generateText({
      model: provider("gpt-5"),
      prompt: "Weather in Paris?",
      tools: {
        get_weather: tool({
          inputSchema: jsonSchema<{ city: string }>(WEATHER_TOOL.parameters),
          execute: () => Promise.resolve("sunny"),
        }),
      },
      stopWhen: stepCountIs(2),
    }),
    /item_reference/,
  );
});

Deno.test("the Vercel AI SDK streams agw's reasoning, text, tool call and usage", async () => {
  const upstream = agwFetch([{ kind: "stream", events: CALL_EVENTS }]);
  const provider = createOpenAI({
    apiKey: "test",
    baseURL: "http://127.0.0.1:9/v1",
    fetch: upstream.fetch,
  });
  const result = streamText({
    model: provider("gpt-5"),
    prompt: "Weather in Paris?",
    tools: { get_weather: tool({ inputSchema: jsonSchema(WEATHER_TOOL.parameters) }) },
  });
  const types: string[] = [];
  for await (const part of result.fullStream) types.push(part.type);
  assert.equal(await result.text, "Checking.");
  assert.equal(await result.reasoningText, "Need the weather tool.");
  assert.deepEqual((await result.toolCalls).map((call) => [call.toolName, call.input]), [[
    "get_weather",
    { city: "Paris" },
  ]]);
  assert.equal(await result.finishReason, "tool-calls");
  assert.equal((await result.usage).outputTokens, 20);
  assert.ok(!types.includes("error"), types.join(","));
});

Deno.test("the Vercel AI SDK reports agw's cut stream as an error", async () => {
  const upstream = agwFetch([{
    kind: "stream",
    events: CALL_EVENTS.slice(0, 6),
    cut: { kind: "api", message: "upstream stream ended before the answer was complete" },
  }]);
  const provider = createOpenAI({
    apiKey: "test",
    baseURL: "http://127.0.0.1:9/v1",
    fetch: upstream.fetch,
  });
  const errors: unknown[] = [];
  const result = streamText({
    model: provider("gpt-5"),
    prompt: "Hi",
    onError: ({ error }) => {
      errors.push(error);
    },
  });
  const types: string[] = [];
  for await (const part of result.fullStream) types.push(part.type);
  assert.ok(types.includes("error"), types.join(","));
  assert.equal(errors.length, 1);
});
