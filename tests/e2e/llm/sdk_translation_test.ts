/**
 * Real SDKs through agw to a provider of another format: the official `openai` client against
 * an Anthropic provider, `@anthropic-ai/sdk` against an OpenAI provider, and the Vercel AI SDK
 * streaming with a tool. The fakes check requests as the real APIs do.
 */
import assert from "node:assert/strict";
import Anthropic from "@anthropic-ai/sdk";
import OpenAI from "openai";
import { createAnthropic } from "@ai-sdk/anthropic";
import { createOpenAI } from "@ai-sdk/openai";
import { jsonSchema, streamText, tool } from "ai";
import { startFakeAnthropic } from "../../support/fake_anthropic.ts";
import { startFakeOpenAi } from "../../support/fake_openai.ts";
import { startLlmGateway } from "../../support/llm_gateway.ts";

/** Every client here authenticates to the provider with the key agw adds. */
const WITH_KEY = `      policies:
        backendAuth:
          key: test-key
`;

function gatewayFor(provider: Parameters<typeof startLlmGateway>[0], kind: "anthropic" | "openAI") {
  return startLlmGateway(provider, kind, WITH_KEY);
}

const weatherTool = {
  type: "function" as const,
  function: {
    name: "get_weather",
    description: "Weather for a city",
    parameters: { type: "object", properties: { city: { type: "string" } }, required: ["city"] },
  },
};

Deno.test("the openai client chats with an Anthropic provider through agw", async () => {
  const provider = await startFakeAnthropic({ requireKey: "test-key" });
  await using env = await gatewayFor(provider, "anthropic");
  const client = new OpenAI({ apiKey: "client-key", baseURL: `${env.gateway.url()}/v1` });
  const completion = await client.chat.completions.create({
    model: "claude-test",
    messages: [{ role: "system", content: "Be brief." }, { role: "user", content: "Hi" }],
    max_tokens: 100,
    temperature: 0.5,
  });
  assert.equal(completion.choices[0]?.message.content, "Hello! How can I help you today?");
  assert.equal(completion.choices[0]?.finish_reason, "stop");
  assert.equal(completion.usage?.prompt_tokens, 12);
  assert.equal(completion.usage?.completion_tokens, 9);
  const sent = provider.received[0]!;
  assert.equal(sent.path, "/v1/messages");
  assert.equal(sent.headers["x-api-key"], "test-key");
  assert.equal(sent.body?.system !== undefined, true);
  assert.equal(sent.body?.max_tokens, 100);
  assert.equal(sent.body?.temperature, 0.5);
});

Deno.test("the openai client streams tool calls from an Anthropic provider through agw", async () => {
  const provider = await startFakeAnthropic();
  provider.script(() => ({
    toolCalls: [
      { id: "toolu_1", name: "get_weather", arguments: '{"city":"Paris"}' },
      { id: "toolu_2", name: "get_weather", arguments: '{"city":"Rome"}' },
    ],
  }));
  await using env = await gatewayFor(provider, "anthropic");
  const client = new OpenAI({ apiKey: "k", baseURL: `${env.gateway.url()}/v1` });
  const stream = await client.chat.completions.create({
    model: "claude-test",
    messages: [{ role: "user", content: "Weather in Paris and Rome?" }],
    tools: [weatherTool],
    stream: true,
    stream_options: { include_usage: true },
  });
  const calls: { id?: string; name?: string; args: string }[] = [];
  let finish: string | null = null;
  let usage: unknown;
  for await (const chunk of stream) {
    if (chunk.usage) usage = chunk.usage;
    const choice = chunk.choices[0];
    if (!choice) continue;
    finish = choice.finish_reason ?? finish;
    for (const delta of choice.delta.tool_calls ?? []) {
      const call = calls[delta.index] ??= { args: "" };
      if (delta.id) call.id = delta.id;
      if (delta.function?.name) call.name = delta.function.name;
      call.args += delta.function?.arguments ?? "";
    }
  }
  assert.deepEqual(calls, [
    { id: "toolu_1", name: "get_weather", args: '{"city":"Paris"}' },
    { id: "toolu_2", name: "get_weather", args: '{"city":"Rome"}' },
  ]);
  assert.equal(finish, "tool_calls");
  assert.ok(usage, "usage chunk when include_usage is set");
  const sent = provider.received[0]!.body!;
  assert.equal((sent.tools as { name: string }[])[0]?.name, "get_weather");
  assert.equal(sent.stream, true);
});

Deno.test("the openai client's tool result turn reaches Anthropic as a tool_result", async () => {
  const provider = await startFakeAnthropic();
  await using env = await gatewayFor(provider, "anthropic");
  const client = new OpenAI({ apiKey: "k", baseURL: `${env.gateway.url()}/v1` });
  const completion = await client.chat.completions.create({
    model: "claude-test",
    tools: [weatherTool],
    messages: [
      { role: "user", content: "Weather in Paris?" },
      {
        role: "assistant",
        content: null,
        tool_calls: [{
          id: "call_1",
          type: "function",
          function: { name: "get_weather", arguments: '{"city":"Paris"}' },
        }],
      },
      { role: "tool", tool_call_id: "call_1", content: "Sunny, 21°C" },
    ],
  });
  assert.equal(completion.choices[0]?.message.content, "Hello! How can I help you today?");
  const messages = provider.received[0]!.body!.messages as Record<string, unknown>[];
  assert.equal(messages.length, 3);
  assert.deepEqual((messages[2]!.content as Record<string, unknown>[])[0]?.type, "tool_result");
});

Deno.test("the anthropic client talks to an OpenAI provider through agw, streaming", async () => {
  const provider = await startFakeOpenAi({ requireKey: "test-key" });
  await using env = await gatewayFor(provider, "openAI");
  const client = new Anthropic({ apiKey: "client-key", baseURL: env.gateway.url() });
  const message = await client.messages.create({
    model: "gpt-test",
    max_tokens: 200,
    system: "Be brief.",
    messages: [{ role: "user", content: "Hi" }],
  });
  assert.equal(message.type, "message");
  const [block] = message.content;
  assert.equal(
    block?.type === "text" ? block.text : block?.type,
    "Hello! How can I help you today?",
  );
  assert.equal(message.stop_reason, "end_turn");
  assert.equal(message.usage.input_tokens, 12);
  const sent = provider.received[0]!;
  assert.equal(sent.path, "/v1/chat/completions");
  assert.equal(sent.headers.authorization, "Bearer test-key");
  assert.equal((sent.body!.messages as { role: string }[])[0]?.role !== "user", true);

  const stream = client.messages.stream({
    model: "gpt-test",
    max_tokens: 200,
    messages: [{ role: "user", content: "Hi" }],
  });
  const text: string[] = [];
  stream.on("text", (delta) => text.push(delta));
  const final = await stream.finalMessage();
  assert.equal(text.join(""), "Hello! How can I help you today?");
  assert.equal(final.usage.output_tokens, 9);
});

Deno.test("the anthropic client gets provider errors in Anthropic's shape, status kept", async () => {
  const provider = await startFakeOpenAi({ requireKey: "another-key" });
  await using env = await gatewayFor(provider, "openAI");
  const client = new Anthropic({ apiKey: "k", baseURL: env.gateway.url(), maxRetries: 0 });
  await assert.rejects(
    client.messages.create({
      model: "gpt-test",
      max_tokens: 10,
      messages: [{ role: "user", content: "Hi" }],
    }),
    (error: unknown) => {
      assert.ok(error instanceof Anthropic.AuthenticationError, String(error));
      assert.equal(error.status, 401);
      return true;
    },
  );
});

Deno.test("the Vercel AI SDK streams a tool call through agw from either provider", async (t) => {
  for (const kind of ["anthropic", "openAI"] as const) {
    await t.step(kind, async () => {
      const provider = kind === "anthropic" ? await startFakeOpenAi() : await startFakeAnthropic();
      provider.script(() => ({
        toolCalls: [{ id: "call_9", name: "get_weather", arguments: '{"city":"Oslo"}' }],
      }));
      // The client speaks the other format: Anthropic SDK → OpenAI provider and vice versa.
      await using env = await gatewayFor(provider, kind === "anthropic" ? "openAI" : "anthropic");
      const model = kind === "anthropic"
        ? createAnthropic({ apiKey: "k", baseURL: `${env.gateway.url()}/v1` })("model-x")
        : createOpenAI({ apiKey: "k", baseURL: `${env.gateway.url()}/v1` }).chat("model-x");
      const result = streamText({
        model,
        prompt: "Weather in Oslo?",
        tools: {
          get_weather: tool({
            description: "Weather for a city",
            inputSchema: jsonSchema<{ city: string }>({
              type: "object",
              properties: { city: { type: "string" } },
              required: ["city"],
            }),
          }),
        },
      });
      const calls = [];
      for await (const part of result.fullStream) {
        if (part.type === "tool-call") calls.push({ name: part.toolName, input: part.input });
        if (part.type === "error") throw part.error;
      }
      assert.deepEqual(calls, [{ name: "get_weather", input: { city: "Oslo" } }]);
    });
  }
});
