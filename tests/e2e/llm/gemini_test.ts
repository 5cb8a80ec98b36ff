/**
 * The Gemini provider through agw: OpenAI and Anthropic clients against a fake Gemini API
 * (`generateContent`, `streamGenerateContent?alt=sse`, key in `x-goog-api-key`).
 */
import assert from "node:assert/strict";
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
