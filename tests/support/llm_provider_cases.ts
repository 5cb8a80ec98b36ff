/**
 * The conformance cases every LLM provider runs through agw (STYLE.md §8.8): the official
 * `openai` client (chat buffered and streamed, a tool call round trip) and `@anthropic-ai/sdk`
 * (messages buffered and streamed, a streamed tool call) get correct answers; usage reaches the
 * access log; a provider error reaches each client in its own shape with the status kept; a
 * stream cut mid-way ends each client's stream with an error. The provider's test file says
 * how to start its fake, the route YAML, and what the fake must have received.
 * @module
 */
import assert from "node:assert/strict";
import Anthropic from "@anthropic-ai/sdk";
import OpenAI from "openai";
import type { FakeProvider, ReceivedLlmRequest, ScriptedAnswer } from "./fake_llm.ts";
import { type GatewayHarness, startGateway } from "./gateway_harness.ts";
import { type LogEvents, logEvents } from "./log_events.ts";

/** One provider set up for the cases. */
export interface ProviderUnderTest {
  readonly fake: FakeProvider;
  /** The route item's YAML below `- `, indented by 6 spaces (`policies:`, `backends:`). */
  readonly route: string;
  /** The model the clients ask for. */
  readonly clientModel: string;
  /** `gen_ai.provider.name` in the access log. */
  readonly providerName: string;
  /** Where the client SDKs point (`/v1` for openai, none for the Anthropic SDK, by default). */
  readonly openAiBase?: string;
  /** Checks a request the fake received: path (model in it), auth header, body. */
  checkRequest(received: ReceivedLlmRequest, call: { stream: boolean }): void;
  /** The provider's own error answer. */
  error(status: number, message: string): NonNullable<ScriptedAnswer["error"]>;
  /** Extra checks on the request that carried a tool result back (optional). */
  checkToolResult?(received: ReceivedLlmRequest, callId: string): void;
}

/** A gateway in front of a provider, with its log lines as events. */
export interface ProviderGateway extends AsyncDisposable {
  readonly harness: GatewayHarness;
  readonly logs: LogEvents;
  openAi(): OpenAI;
  anthropic(): Anthropic;
}

/** Starts agw with the provider's route. */
export async function gatewayFor(provider: ProviderUnderTest): Promise<ProviderGateway> {
  const harness = await startGateway(`binds:
- port: 0
  listeners:
  - routes:
    - ${provider.route.trimStart()}`);
  const logs = logEvents(harness);
  return {
    harness,
    logs,
    openAi: () =>
      new OpenAI({
        apiKey: "client-key",
        baseURL: `${harness.url()}${provider.openAiBase ?? "/v1"}`,
        maxRetries: 0,
      }),
    anthropic: () => new Anthropic({ apiKey: "client-key", baseURL: harness.url(), maxRetries: 0 }),
    async [Symbol.asyncDispose]() {
      await harness.close();
      await provider.fake.close();
    },
  };
}

const HELLO = "Hello! How can I help you today?";

/** A tool both clients offer. */
export const WEATHER_TOOL = {
  type: "function" as const,
  function: {
    name: "get_weather",
    description: "Weather for a city",
    parameters: {
      type: "object" as const,
      properties: { city: { type: "string" } },
      required: ["city"],
    },
  },
};

const PARIS_CALL: ScriptedAnswer = {
  toolCalls: [{ id: "call_paris", name: "get_weather", arguments: '{"city":"Paris"}' }],
};

/** Registers the shared cases for one provider; `start` makes a fresh fake for each. */
export function runProviderCases(name: string, start: () => Promise<ProviderUnderTest>): void {
  Deno.test(`${name} answers the openai client's chat, buffered and streamed, usage logged`, async () => {
    const provider = await start();
    await using env = await gatewayFor(provider);
    const client = env.openAi();
    const completion = await client.chat.completions.create({
      model: provider.clientModel,
      messages: [{ role: "system", content: "Be brief." }, { role: "user", content: "Hi" }],
      max_tokens: 100,
      temperature: 0.5,
    });
    assert.equal(completion.choices[0]?.message.content, HELLO);
    assert.equal(completion.choices[0]?.finish_reason, "stop");
    assert.equal(completion.usage?.prompt_tokens, 12);
    assert.equal(completion.usage?.completion_tokens, 9);
    provider.checkRequest(provider.fake.received[0]!, { stream: false });
    const line = await env.logs.line(/gen_ai\.usage\.input_tokens/);
    assert.match(
      line,
      new RegExp(`gen_ai\\.provider\\.name=${provider.providerName.replaceAll(".", "\\.")}`),
    );
    assert.match(line, /gen_ai\.usage\.input_tokens=12/);
    assert.match(line, /gen_ai\.usage\.output_tokens=9/);

    const from = env.harness.logs.length;
    const stream = await client.chat.completions.create({
      model: provider.clientModel,
      messages: [{ role: "user", content: "Hi" }],
      stream: true,
    });
    let text = "";
    let finish: string | null = null;
    for await (const chunk of stream) {
      assert.equal(chunk.usage ?? undefined, undefined, "no usage chunk unless asked for");
      text += chunk.choices[0]?.delta.content ?? "";
      finish = chunk.choices[0]?.finish_reason ?? finish;
    }
    assert.equal(text, HELLO);
    assert.equal(finish, "stop");
    provider.checkRequest(provider.fake.received[1]!, { stream: true });
    const streamed = await env.logs.line(/gen_ai\.usage\.output_tokens/, { from });
    assert.match(streamed, /gen_ai\.usage\.input_tokens=12/);
    assert.match(streamed, /gen_ai\.usage\.output_tokens=9/);
  });

  Deno.test(`${name} carries the openai client's tool call round trip`, async () => {
    const provider = await start();
    provider.fake.script(() => PARIS_CALL);
    await using env = await gatewayFor(provider);
    const client = env.openAi();
    const question = { role: "user" as const, content: "Weather in Paris?" };
    const first = await client.chat.completions.create({
      model: provider.clientModel,
      messages: [question],
      tools: [WEATHER_TOOL],
      tool_choice: "auto",
    });
    assert.equal(first.choices[0]?.finish_reason, "tool_calls");
    const [call] = first.choices[0]?.message.tool_calls ?? [];
    assert.ok(call?.type === "function", JSON.stringify(first));
    assert.equal(call.function.name, "get_weather");
    assert.deepEqual(JSON.parse(call.function.arguments), { city: "Paris" });

    // Streamed, the arguments arrive as deltas under one index.
    const stream = await client.chat.completions.create({
      model: provider.clientModel,
      messages: [question],
      tools: [WEATHER_TOOL],
      stream: true,
      stream_options: { include_usage: true },
    });
    let args = "";
    let streamedName = "";
    let usage: unknown;
    for await (const chunk of stream) {
      if (chunk.usage) usage = chunk.usage;
      for (const delta of chunk.choices[0]?.delta.tool_calls ?? []) {
        assert.equal(delta.index, 0);
        streamedName += delta.function?.name ?? "";
        args += delta.function?.arguments ?? "";
      }
    }
    assert.equal(streamedName, "get_weather");
    assert.deepEqual(JSON.parse(args), { city: "Paris" });
    assert.ok(usage, "the usage chunk the client asked for");

    provider.fake.script(() => ({ text: "Sunny in Paris." }));
    const answer = await client.chat.completions.create({
      model: provider.clientModel,
      tools: [WEATHER_TOOL],
      messages: [
        question,
        { role: "assistant", content: null, tool_calls: [call] },
        { role: "tool", tool_call_id: call.id, content: "Sunny, 21°C" },
      ],
    });
    assert.equal(answer.choices[0]?.message.content, "Sunny in Paris.");
    provider.checkToolResult?.(provider.fake.received[2]!, call.id);
  });

  Deno.test(`${name} answers @anthropic-ai/sdk messages, buffered and streamed with a tool`, async () => {
    const provider = await start();
    await using env = await gatewayFor(provider);
    const client = env.anthropic();
    const message = await client.messages.create({
      model: provider.clientModel,
      max_tokens: 200,
      system: "Be brief.",
      messages: [{ role: "user", content: "Hi" }],
    });
    const [block] = message.content;
    assert.equal(block?.type === "text" ? block.text : JSON.stringify(block), HELLO);
    assert.equal(message.stop_reason, "end_turn");
    assert.equal(message.usage.input_tokens, 12);
    assert.equal(message.usage.output_tokens, 9);
    provider.checkRequest(provider.fake.received[0]!, { stream: false });

    const text: string[] = [];
    const stream = client.messages.stream({
      model: provider.clientModel,
      max_tokens: 200,
      messages: [{ role: "user", content: "Hi" }],
    });
    stream.on("text", (delta) => text.push(delta));
    const final = await stream.finalMessage();
    assert.equal(text.join(""), HELLO);
    assert.equal(final.usage.output_tokens, 9);
    provider.checkRequest(provider.fake.received[1]!, { stream: true });

    provider.fake.script(() => PARIS_CALL);
    const withTool = await client.messages.stream({
      model: provider.clientModel,
      max_tokens: 200,
      tools: [{
        name: "get_weather",
        description: "Weather for a city",
        input_schema: WEATHER_TOOL.function.parameters,
      }],
      messages: [{ role: "user", content: "Weather in Paris?" }],
    }).finalMessage();
    assert.equal(withTool.stop_reason, "tool_use");
    const use = withTool.content.find((part) => part.type === "tool_use");
    assert.ok(use?.type === "tool_use", JSON.stringify(withTool.content));
    assert.equal(use.name, "get_weather");
    assert.deepEqual(use.input, { city: "Paris" });
  });

  Deno.test(`${name} usage counts cached input tokens as input, for each client`, async () => {
    const provider = await start();
    provider.fake.script(() => ({
      text: "Cached.",
      usage: { input: 20, output: 4, cacheRead: 5 },
    }));
    await using env = await gatewayFor(provider);
    const completion = await env.openAi().chat.completions.create({
      model: provider.clientModel,
      messages: [{ role: "user", content: "Hi" }],
    });
    assert.equal(completion.usage?.prompt_tokens, 20);
    assert.equal(completion.usage?.prompt_tokens_details?.cached_tokens, 5);
    assert.equal(completion.usage?.total_tokens, 24);
    const line = await env.logs.line(/gen_ai\.usage\.input_tokens/);
    assert.match(line, /gen_ai\.usage\.input_tokens=20/);
    assert.match(line, /gen_ai\.usage\.output_tokens=4/);
    // Anthropic counts cache reads apart from input_tokens.
    const message = await env.anthropic().messages.create({
      model: provider.clientModel,
      max_tokens: 20,
      messages: [{ role: "user", content: "Hi" }],
    });
    assert.equal(message.usage.input_tokens, 15);
    assert.equal(message.usage.cache_read_input_tokens, 5);
    assert.equal(message.usage.output_tokens, 4);
  });

  Deno.test(`${name} errors reach each client in its own shape with the status kept`, async (t) => {
    for (const status of [400, 429]) {
      await t.step(String(status), async () => {
        const provider = await start();
        const message = `fake ${status} from the provider`;
        provider.fake.script(() => ({ error: provider.error(status, message) }));
        await using env = await gatewayFor(provider);
        await assert.rejects(
          env.openAi().chat.completions.create({
            model: provider.clientModel,
            messages: [{ role: "user", content: "Hi" }],
          }),
          (error: unknown) => {
            assert.ok(error instanceof OpenAI.APIError, String(error));
            assert.equal(error.status, status);
            assert.ok(status === 400 || error instanceof OpenAI.RateLimitError, String(error));
            assert.match(error.message, new RegExp(message));
            // OpenAI's shape: the SDK reads `error` of `{"error": {"message", …}}`.
            assert.equal((error.error as { message?: unknown }).message, message);
            return true;
          },
        );
        await assert.rejects(
          env.anthropic().messages.create({
            model: provider.clientModel,
            max_tokens: 10,
            messages: [{ role: "user", content: "Hi" }],
          }),
          (error: unknown) => {
            assert.ok(error instanceof Anthropic.APIError, String(error));
            assert.equal(error.status, status);
            assert.ok(status === 400 || error instanceof Anthropic.RateLimitError, String(error));
            assert.match(error.message, new RegExp(message));
            // Anthropic's shape: `{"type": "error", "error": {"type", "message"}}`.
            const body = error.error as { type?: string; error?: { type?: string } };
            assert.equal(body.type, "error", JSON.stringify(body));
            assert.equal(typeof body.error?.type, "string");
            return true;
          },
        );
        // A streamed call fails the same way, before any event.
        await assert.rejects(
          env.openAi().chat.completions.create({
            model: provider.clientModel,
            messages: [{ role: "user", content: "Hi" }],
            stream: true,
          }),
          (error: unknown) => error instanceof OpenAI.APIError && error.status === status,
        );
        await assert.rejects(
          env.anthropic().messages.stream({
            model: provider.clientModel,
            max_tokens: 10,
            messages: [{ role: "user", content: "Hi" }],
          }).finalMessage(),
          (error: unknown) => error instanceof Anthropic.APIError && error.status === status,
        );
      });
    }
  });

  Deno.test(`${name} streams cut mid-way end each client's stream with an error`, async () => {
    const provider = await start();
    provider.fake.script(() => ({
      text: "one two three four five six seven eight",
      cutAfterEvents: 5,
    }));
    await using env = await gatewayFor(provider);
    const stream = await env.openAi().chat.completions.create({
      model: provider.clientModel,
      messages: [{ role: "user", content: "Hi" }],
      stream: true,
    });
    let text = "";
    await assert.rejects(async () => {
      for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? "";
    });
    assert.ok(text.length > 0, "what came before the cut arrived");
    const line = await env.logs.line(/gen_ai\.error/);
    assert.match(line, / error=/);

    const anthropicStream = env.anthropic().messages.stream({
      model: provider.clientModel,
      max_tokens: 50,
      messages: [{ role: "user", content: "Hi" }],
    });
    await assert.rejects(anthropicStream.finalMessage());

    // On the wire: the stream ends cleanly, its last event an error in the client's format.
    for (
      const [path, body, lastEvent] of [
        [
          `${provider.openAiBase ?? "/v1"}/chat/completions`,
          { messages: [{ role: "user", content: "Hi" }] },
          /^data: \{"error":/m,
        ],
        [
          "/v1/messages",
          { max_tokens: 50, messages: [{ role: "user", content: "Hi" }] },
          /^event: error\ndata: \{"type":"error","error":\{"type":"\w+"/m,
        ],
      ] as const
    ) {
      const response = await fetch(`${env.harness.url()}${path}`, {
        method: "POST",
        headers: { "content-type": "application/json", "anthropic-version": "2023-06-01" },
        body: JSON.stringify({ model: provider.clientModel, stream: true, ...body }),
      });
      const text = await response.text();
      const events = text.trim().split(/\n\n/);
      assert.match(events.at(-1)!, lastEvent, text);
    }
  });
}
