/**
 * The Vertex AI provider through agw: Gemini publisher models (`generateContent`) and Anthropic
 * publisher models (`rawPredict` with the Messages body), a Google access token as Bearer, the
 * project and region in the path.
 */
import assert from "node:assert/strict";
import { googleErrorBody } from "../../support/fake_gemini.ts";
import type { ReceivedLlmRequest } from "../../support/fake_llm.ts";
import { startFakeVertex } from "../../support/fake_vertex.ts";
import { gatewayFor, runProviderCases } from "../../support/llm_provider_cases.ts";

const TOKEN = "ya29.test-access-token";

async function vertex(options: { model: string; region?: string; configModel?: boolean }) {
  const fake = await startFakeVertex({ token: TOKEN });
  const publisher = options.model.startsWith("claude") ? "anthropic" : "google";
  return {
    fake,
    route: `      policies:
        backendAuth:
          key: ${TOKEN}
      backends:
      - ai:
          name: vertex
          hostOverride: ${fake.address}
          provider:
            vertex:
              projectId: proj-1
${options.region ? `              region: ${options.region}\n` : ""}${
      options.configModel ? `              model: "${options.model}"\n` : ""
    }`,
    clientModel: options.configModel ? "client-model" : options.model,
    providerName: "gcp.vertex_ai",
    checkRequest(received: ReceivedLlmRequest, call: { stream: boolean }) {
      const root = `/v1/projects/proj-1/locations/${options.region ?? "global"}/publishers`;
      const model = encodeURIComponent(options.model);
      assert.equal(
        received.path,
        publisher === "anthropic"
          ? `${root}/anthropic/models/${model}:${call.stream ? "streamRawPredict" : "rawPredict"}`
          : `${root}/google/models/${model}:${
            call.stream ? "streamGenerateContent?alt=sse" : "generateContent"
          }`,
      );
      assert.equal(received.headers.authorization, `Bearer ${TOKEN}`);
      if (publisher === "anthropic") {
        assert.equal(received.body?.anthropic_version, "vertex-2023-10-16");
        assert.equal("model" in (received.body ?? {}), false, "the model is in the path only");
        assert.equal(received.headers["x-api-key"], undefined);
      }
    },
    // Vertex answers quota and argument errors in Google's shape, for Claude models too.
    error: (status: number, message: string) => ({
      status,
      body: googleErrorBody(status, message),
    }),
  };
}

runProviderCases(
  "the vertex provider with a Gemini model",
  () => vertex({ model: "gemini-2.5-flash", region: "us-central1" }),
);

runProviderCases(
  "the vertex provider with a Claude model",
  () => vertex({ model: "claude-sonnet-4@20250514", region: "europe-west1" }),
);

Deno.test("the vertex provider defaults to the global location and takes the model from config", async (t) => {
  for (const model of ["gemini-2.5-pro", "claude-haiku-4-5@20251001"]) {
    await t.step(model, async () => {
      const provider = await vertex({ model, configModel: true });
      await using env = await gatewayFor(provider);
      const completion = await env.openAi().chat.completions.create({
        model: "client-model",
        messages: [{ role: "user", content: "Hi" }],
      });
      assert.equal(completion.choices[0]?.message.content, "Hello! How can I help you today?");
      provider.checkRequest(provider.fake.received[0]!, { stream: false });
      assert.deepEqual(provider.fake.calls[0]?.location, "global");
      const message = await env.anthropic().messages.create({
        model: "client-model",
        max_tokens: 20,
        messages: [{ role: "user", content: "Hi" }],
      });
      assert.equal(message.content[0]?.type, "text");
      provider.checkRequest(provider.fake.received[1]!, { stream: false });
    });
  }
});

Deno.test("the vertex provider passes an Anthropic client's Claude body through with Vertex's changes only", async () => {
  const provider = await vertex({ model: "claude-sonnet-4@20250514", region: "us-east5" });
  await using env = await gatewayFor(provider);
  await env.anthropic().messages.create({
    model: "claude-sonnet-4@20250514",
    max_tokens: 64,
    system: [{ type: "text", text: "Be brief.", cache_control: { type: "ephemeral" } }],
    messages: [{ role: "user", content: "Hi" }],
    metadata: { user_id: "u-1" },
  });
  const { anthropic_version, ...rest } = provider.fake.received[0]!.body!;
  assert.equal(anthropic_version, "vertex-2023-10-16");
  assert.deepEqual(rest, {
    max_tokens: 64,
    system: [{ type: "text", text: "Be brief.", cache_control: { type: "ephemeral" } }],
    messages: [{ role: "user", content: "Hi" }],
    metadata: { user_id: "u-1" },
  });
});
