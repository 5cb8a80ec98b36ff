/**
 * The Bedrock provider through agw: Converse and ConverseStream (AWS event-stream framing),
 * signed with SigV4 from `backendAuth.aws` for the provider's region; the fake re-computes
 * every signature and refuses a wrong one with 403, as AWS does.
 */
import assert from "node:assert/strict";
import Anthropic from "@anthropic-ai/sdk";
import OpenAI from "openai";
import { bedrockErrorAnswer, startFakeBedrock } from "../../support/fake_bedrock.ts";
import type { ReceivedLlmRequest } from "../../support/fake_llm.ts";
import { gatewayFor, runProviderCases } from "../../support/llm_provider_cases.ts";

const CREDENTIALS = {
  accessKeyId: "AKIDFAKEEXAMPLE",
  secretAccessKey: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYFAKEKEY",
};
const MODEL = "anthropic.claude-3-5-haiku-20241022-v1:0";

async function bedrock(
  options: { secretAccessKey?: string; authAt?: "route" | "backend"; configModel?: string } = {},
) {
  const fake = await startFakeBedrock({ region: "us-west-2", credentials: CREDENTIALS });
  const secret = options.secretAccessKey ?? CREDENTIALS.secretAccessKey;
  // backendAuth at `indent` spaces, no region: the provider's is the one signed for.
  const auth = (indent: string) =>
    `${indent}backendAuth:
${indent}  aws:
${indent}    accessKeyId: ${CREDENTIALS.accessKeyId}
${indent}    secretAccessKey: ${secret}
`;
  const model = options.configModel ?? MODEL;
  const onBackend = options.authAt === "backend";
  return {
    fake,
    route: `${onBackend ? "" : `      policies:\n${auth("        ")}`}      backends:
      - ai:
          name: bedrock
          hostOverride: ${fake.address}
          provider:
            bedrock:
              region: us-west-2
${options.configModel ? `              model: "${options.configModel}"\n` : ""}${
      onBackend ? `          policies:\n${auth("            ")}` : ""
    }`,
    clientModel: options.configModel ? "client-model" : MODEL,
    providerName: "aws.bedrock",
    checkRequest(received: ReceivedLlmRequest, call: { stream: boolean }) {
      assert.equal(
        received.path,
        `/model/${encodeURIComponent(model)}/${call.stream ? "converse-stream" : "converse"}`,
      );
      // The fake has checked the signature itself; here, that it is scoped as AWS wants.
      assert.match(
        received.headers.authorization ?? "",
        new RegExp(
          `^AWS4-HMAC-SHA256 Credential=${CREDENTIALS.accessKeyId}/\\d{8}/us-west-2/bedrock/aws4_request, SignedHeaders=[^,]*host`,
        ),
      );
      assert.ok(received.headers["x-amz-date"]);
      assert.equal(received.body?.modelId, undefined, "the model is in the path only");
    },
    error: (status: number, message: string) =>
      bedrockErrorAnswer(
        status,
        status === 429 ? "ThrottlingException" : "ValidationException",
        message,
      ),
    checkToolResult(received: ReceivedLlmRequest, callId: string) {
      const messages = received.body?.messages as { role: string; content: unknown[] }[];
      assert.deepEqual(messages.map((message) => message.role), ["user", "assistant", "user"]);
      assert.deepEqual(messages[2]!.content, [{
        toolResult: { toolUseId: callId, content: [{ text: "Sunny, 21°C" }] },
      }]);
      assert.ok(received.body?.toolConfig, "Converse wants toolConfig with tool blocks");
    },
  };
}

runProviderCases("the bedrock provider", () => bedrock());

Deno.test("the bedrock provider signs with backendAuth aws on the backend, for the provider's region", async () => {
  const provider = await bedrock({ authAt: "backend", configModel: "amazon.nova-lite-v1:0" });
  await using env = await gatewayFor(provider);
  const completion = await env.openAi().chat.completions.create({
    model: "client-model",
    messages: [{ role: "user", content: "Hi" }],
  });
  assert.equal(completion.choices[0]?.message.content, "Hello! How can I help you today?");
  assert.equal(completion.model, "amazon.nova-lite-v1:0");
  provider.checkRequest(provider.fake.received[0]!, { stream: false });
});

Deno.test("the bedrock provider's bad signature reaches the clients as AWS's 403", async () => {
  const provider = await bedrock({ secretAccessKey: "not-the-secret" });
  await using env = await gatewayFor(provider);
  await assert.rejects(
    env.openAi().chat.completions.create({
      model: MODEL,
      messages: [{ role: "user", content: "Hi" }],
    }),
    (error: unknown) => {
      assert.ok(error instanceof OpenAI.PermissionDeniedError, String(error));
      assert.match(error.message, /signature we calculated does not match/);
      return true;
    },
  );
  await assert.rejects(
    env.anthropic().messages.create({
      model: MODEL,
      max_tokens: 10,
      messages: [{ role: "user", content: "Hi" }],
    }),
    (error: unknown) => {
      assert.ok(error instanceof Anthropic.PermissionDeniedError, String(error));
      return true;
    },
  );
});

Deno.test("the bedrock provider's exception mid-stream ends each client's stream with an error", async () => {
  const provider = await bedrock();
  provider.fake.script(() => ({
    text: "one two three four",
    streamError: {
      afterEvents: 3,
      type: "throttlingException",
      message: "Too many tokens, please wait before trying again.",
    },
  }));
  await using env = await gatewayFor(provider);
  const stream = await env.openAi().chat.completions.create({
    model: MODEL,
    messages: [{ role: "user", content: "Hi" }],
    stream: true,
  });
  let text = "";
  await assert.rejects(
    async () => {
      for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? "";
    },
    /Too many tokens/,
  );
  assert.equal(text, "one two ");
  assert.match(await env.logs.line(/gen_ai\.error/), /Too many tokens/);
  await assert.rejects(
    env.anthropic().messages.stream({
      model: MODEL,
      max_tokens: 50,
      messages: [{ role: "user", content: "Hi" }],
    }).finalMessage(),
    /Too many tokens/,
  );
});

Deno.test("the bedrock provider carries an Anthropic client's thinking and its signature both ways", async () => {
  const provider = await bedrock();
  provider.fake.script(() => ({
    reasoning: { text: "The user greets me.", signature: "sig-bedrock-1" },
    text: "Hello!",
  }));
  await using env = await gatewayFor(provider);
  const client = env.anthropic();
  const request = {
    model: MODEL,
    max_tokens: 2048,
    thinking: { type: "enabled" as const, budget_tokens: 1024 },
    messages: [{ role: "user" as const, content: "Hi" }],
  };
  const message = await client.messages.stream(request).finalMessage();
  assert.deepEqual(message.content.map((block) => block.type), ["thinking", "text"]);
  const [thinking] = message.content;
  assert.ok(thinking?.type === "thinking");
  assert.equal(thinking.thinking, "The user greets me.");
  assert.equal(thinking.signature, "sig-bedrock-1");
  assert.deepEqual(provider.fake.received[0]!.body?.additionalModelRequestFields, {
    thinking: { type: "enabled", budget_tokens: 1024 },
  });

  provider.fake.script(() => ({ text: "Fine, thanks." }));
  await client.messages.create({
    ...request,
    messages: [
      ...request.messages,
      { role: "assistant", content: message.content },
      { role: "user", content: "How are you?" },
    ],
  });
  const turns = provider.fake.received[1]!.body?.messages as { content: unknown[] }[];
  assert.deepEqual(turns[1]!.content[0], {
    reasoningContent: {
      reasoningText: { text: "The user greets me.", signature: "sig-bedrock-1" },
    },
  });
});

Deno.test("the bedrock provider marks cache breakpoints and refuses a seed with a 400", async () => {
  const provider = await bedrock();
  await using env = await gatewayFor(provider);
  await env.anthropic().messages.create({
    model: MODEL,
    max_tokens: 50,
    system: [{ type: "text", text: "Be brief.", cache_control: { type: "ephemeral" } }],
    messages: [{ role: "user", content: "Hi" }],
  });
  assert.deepEqual(provider.fake.received[0]!.body?.system, [
    { text: "Be brief." },
    { cachePoint: { type: "default" } },
  ]);
  await assert.rejects(
    env.openAi().chat.completions.create({
      model: MODEL,
      messages: [{ role: "user", content: "Hi" }],
      seed: 7,
    }),
    (error: unknown) => {
      assert.ok(error instanceof OpenAI.BadRequestError, String(error));
      assert.match(`${error.param} ${error.message}`, /seed/);
      return true;
    },
  );
  assert.equal(provider.fake.received.length, 1, "a refused request is never signed and sent");
});
