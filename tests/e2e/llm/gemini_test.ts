/**
 * The Gemini provider through agw: OpenAI and Anthropic clients against a fake Gemini API
 * (`generateContent`, `streamGenerateContent?alt=sse`, key in `x-goog-api-key`).
 */
import assert from "node:assert/strict";
import OpenAI from "openai";
import { googleErrorBody, startFakeGemini } from "../../support/fake_gemini.ts";
import { gatewayFor, runProviderCases } from "../../support/llm_provider_cases.ts";

async function gemini(model = "") {
  const fake = await startFakeGemini({ requireKey: "test-key" });
  return {
    fake,
    route: `      policies:
        backendAuth:
          key: test-key
      backends:
      - ai:
          name: gemini
          hostOverride: ${fake.address}
          provider:
            gemini: {${model ? `model: ${model}` : ""}}
`,
    clientModel: "gemini-2.5-flash",
    providerName: "gcp.gemini",
    checkRequest(received: { path: string; headers: Record<string, string> }, call: {
      stream: boolean;
    }) {
      assert.equal(
        received.path,
        call.stream
          ? `/v1beta/models/${model || "gemini-2.5-flash"}:streamGenerateContent?alt=sse`
          : `/v1beta/models/${model || "gemini-2.5-flash"}:generateContent`,
      );
      assert.equal(received.headers["x-goog-api-key"], "test-key");
      assert.equal(received.headers.authorization, undefined, "the key is not also a bearer");
    },
    error: (status: number, message: string) => ({
      status,
      body: googleErrorBody(status, message),
    }),
    checkToolResult(received: { body: Record<string, unknown> | undefined }) {
      const contents = received.body?.contents as { role: string; parts: unknown[] }[];
      assert.deepEqual(contents.map((content) => content.role), ["user", "model", "user"]);
      assert.deepEqual(contents[2]!.parts, [{
        functionResponse: { name: "get_weather", response: { output: "Sunny, 21°C" } },
      }]);
    },
  };
}

runProviderCases("the gemini provider", () => gemini());

Deno.test("the gemini provider's model replaces the client's in the path", async () => {
  const provider = await gemini("gemini-2.5-pro");
  await using env = await gatewayFor(provider);
  const completion = await env.openAi().chat.completions.create({
    model: "anything",
    messages: [{ role: "user", content: "Hi" }],
  });
  assert.equal(completion.model, "gemini-2.5-pro");
  provider.checkRequest(provider.fake.received[0]!, { stream: false });
  const line = await env.logs.line(/gen_ai\.request\.model/);
  assert.match(line, /gen_ai\.request\.model=anything/);
  assert.match(line, /gen_ai\.response\.model=gemini-2\.5-pro/);
});

Deno.test("the gemini provider gets the system prompt as systemInstruction and sampling settings", async () => {
  const provider = await gemini();
  await using env = await gatewayFor(provider);
  await env.openAi().chat.completions.create({
    model: "gemini-2.5-flash",
    messages: [{ role: "system", content: "Be brief." }, { role: "user", content: "Hi" }],
    max_tokens: 100,
    temperature: 0.5,
    top_p: 0.9,
    stop: ["END"],
  });
  const body = provider.fake.received[0]!.body!;
  assert.deepEqual(body.systemInstruction, { parts: [{ text: "Be brief." }] });
  assert.deepEqual(body.contents, [{ role: "user", parts: [{ text: "Hi" }] }]);
  assert.deepEqual(body.generationConfig, {
    maxOutputTokens: 100,
    temperature: 0.5,
    topP: 0.9,
    stopSequences: ["END"],
  });
});

Deno.test("the gemini provider answers the openai client's responses.create, buffered and streamed", async () => {
  const provider = await gemini();
  await using env = await gatewayFor(provider);
  const client = env.openAi();
  const response = await client.responses.create({
    model: "gemini-2.5-flash",
    instructions: "Be brief.",
    input: "Hi",
    max_output_tokens: 100,
  });
  assert.equal(response.status, "completed");
  assert.equal(response.output_text, "Hello! How can I help you today?");
  assert.equal(response.usage?.input_tokens, 12);
  assert.equal(response.usage?.output_tokens, 9);
  provider.checkRequest(provider.fake.received[0]!, { stream: false });
  assert.deepEqual(provider.fake.received[0]!.body?.systemInstruction, {
    parts: [{ text: "Be brief." }],
  });

  const from = env.harness.logs.length;
  const stream = await client.responses.create({
    model: "gemini-2.5-flash",
    input: [{ role: "user", content: "Hi" }],
    stream: true,
  });
  let text = "";
  let completed: { output_text?: string; usage?: { output_tokens: number } | null } | undefined;
  for await (const event of stream) {
    if (event.type === "response.output_text.delta") text += event.delta;
    if (event.type === "response.completed") completed = event.response;
  }
  assert.equal(text, "Hello! How can I help you today?");
  assert.equal(completed?.usage?.output_tokens, 9);
  provider.checkRequest(provider.fake.received[1]!, { stream: true });
  const line = await env.logs.line(/gen_ai\.usage\.output_tokens/, { from });
  assert.match(line, /gen_ai\.usage\.input_tokens=12/);
});

Deno.test("the gemini provider carries a responses.create function call round trip", async () => {
  const provider = await gemini();
  provider.fake.script(() => ({
    toolCalls: [{ id: "unused", name: "get_weather", arguments: '{"city":"Paris"}' }],
  }));
  await using env = await gatewayFor(provider);
  const client = env.openAi();
  const tools = [{
    type: "function" as const,
    name: "get_weather",
    description: "Weather for a city",
    strict: false,
    parameters: { type: "object", properties: { city: { type: "string" } } },
  }];
  const first = await client.responses.create({
    model: "gemini-2.5-flash",
    input: "Paris?",
    tools,
  });
  const call = first.output.find((item) => item.type === "function_call");
  assert.ok(call?.type === "function_call", JSON.stringify(first.output));
  assert.equal(call.name, "get_weather");
  assert.deepEqual(JSON.parse(call.arguments), { city: "Paris" });
  provider.fake.script(() => ({ text: "Sunny." }));
  const second = await client.responses.create({
    model: "gemini-2.5-flash",
    tools,
    input: [
      { role: "user", content: "Paris?" },
      { type: "function_call", call_id: call.call_id, name: call.name, arguments: call.arguments },
      { type: "function_call_output", call_id: call.call_id, output: "Sunny, 21°C" },
    ],
  });
  assert.equal(second.output_text, "Sunny.");
  const contents = provider.fake.received[1]!.body?.contents as { parts: unknown[] }[];
  assert.deepEqual(contents[2]!.parts, [{
    functionResponse: { name: "get_weather", response: { output: "Sunny, 21°C" } },
  }]);
});

Deno.test("the gemini provider carries an Anthropic client's thinking and the thought signature both ways", async (t) => {
  for (const stream of [false, true]) {
    await t.step(stream ? "streamed" : "buffered", async () => {
      const provider = await gemini();
      provider.fake.script(() => ({
        reasoning: { text: "The user greets me.", signature: "c2lnLWdlbWluaS0x" },
        text: "Hello!",
      }));
      await using env = await gatewayFor(provider);
      const client = env.anthropic();
      const request = {
        model: "gemini-2.5-flash",
        max_tokens: 2048,
        thinking: { type: "enabled" as const, budget_tokens: 1024 },
        messages: [{ role: "user" as const, content: "Hi" }],
      };
      const message = stream
        ? await client.messages.stream(request).finalMessage()
        : await client.messages.create(request);
      // Gemini signs the part after its thoughts: that signature is a thinking block of its
      // own, just before the text it came with, so it can go back on the same part.
      assert.deepEqual(message.content.map((block) => block.type), [
        "thinking",
        "thinking",
        "text",
      ]);
      const [thought, signature, text] = message.content;
      assert.ok(thought?.type === "thinking" && signature?.type === "thinking");
      assert.equal(thought.thinking, "The user greets me.");
      assert.deepEqual([signature.thinking, signature.signature], ["", "c2lnLWdlbWluaS0x"]);
      assert.equal(text?.type === "text" ? text.text : undefined, "Hello!");
      assert.deepEqual(
        (provider.fake.received[0]!.body?.generationConfig as Record<string, unknown>)
          .thinkingConfig,
        { thinkingBudget: 1024, includeThoughts: true },
      );

      provider.fake.script(() => ({ text: "Fine." }));
      await client.messages.create({
        ...request,
        messages: [
          ...request.messages,
          { role: "assistant", content: message.content },
          { role: "user", content: "How are you?" },
        ],
      });
      const contents = provider.fake.received[1]!.body?.contents as {
        parts: Record<string, unknown>[];
      }[];
      // The signature goes back on the part it came with.
      const signed = contents[1]!.parts.find((part) => part.thoughtSignature !== undefined);
      assert.deepEqual(signed, { text: "Hello!", thoughtSignature: "c2lnLWdlbWluaS0x" });
    });
  }
});

Deno.test("the gemini provider's error event mid-stream ends each client's stream with it", async () => {
  const provider = await gemini();
  provider.fake.script(() => ({
    text: "one two three four",
    streamError: { afterEvents: 2, type: "INTERNAL", message: "An internal error has occurred." },
  }));
  await using env = await gatewayFor(provider);
  const stream = await env.openAi().chat.completions.create({
    model: "gemini-2.5-flash",
    messages: [{ role: "user", content: "Hi" }],
    stream: true,
  });
  let text = "";
  await assert.rejects(async () => {
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? "";
  }, /An internal error has occurred/);
  assert.equal(text, "one two ");
  assert.match(await env.logs.line(/gen_ai\.error/), /An internal error has occurred/);
  const events: string[] = [];
  const anthropicStream = env.anthropic().messages.stream({
    model: "gemini-2.5-flash",
    max_tokens: 50,
    messages: [{ role: "user", content: "Hi" }],
  });
  anthropicStream.on("streamEvent", (event) => events.push(event.type));
  await assert.rejects(anthropicStream.finalMessage(), /An internal error has occurred/);
  assert.ok(events.includes("content_block_delta"), events.join());
});

Deno.test("the gemini provider drops delivery hints and refuses what it cannot carry with a 400", async () => {
  const provider = await gemini();
  await using env = await gatewayFor(provider);
  // The Vercel AI SDK marks streamed tools eager_input_streaming; cache_control and metadata
  // change nothing Gemini answers (it caches implicitly and has no end-user field).
  const response = await fetch(`${env.harness.url()}/v1/messages`, {
    method: "POST",
    headers: { "content-type": "application/json", "anthropic-version": "2023-06-01" },
    body: JSON.stringify({
      model: "gemini-2.5-flash",
      max_tokens: 50,
      metadata: { user_id: "u-1" },
      system: [{ type: "text", text: "Be brief.", cache_control: { type: "ephemeral" } }],
      tools: [{
        name: "get_weather",
        input_schema: { type: "object", properties: {} },
        eager_input_streaming: true,
        cache_control: { type: "ephemeral" },
      }],
      messages: [{ role: "user", content: "Hi" }],
    }),
  });
  assert.equal(response.status, 200, await response.clone().text());
  await response.body?.cancel();
  assert.equal(provider.fake.received.length, 1);

  await assert.rejects(
    env.openAi().chat.completions.create({
      model: "gemini-2.5-flash",
      messages: [{ role: "user", content: "Hi" }],
      tools: [{
        type: "function",
        function: { name: "get_weather", parameters: { type: "object", properties: {} } },
      }],
      parallel_tool_calls: false,
    }),
    (error: unknown) => {
      assert.ok(error instanceof OpenAI.BadRequestError, String(error));
      assert.match(`${error.param} ${error.message}`, /parallel_tool_calls/);
      return true;
    },
  );
  assert.equal(provider.fake.received.length, 1, "a refused request never reaches Gemini");
});
