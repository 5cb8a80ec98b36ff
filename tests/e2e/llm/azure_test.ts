/**
 * The Azure OpenAI provider through agw, in both URL forms: the `v1` API (the key as Bearer,
 * the deployment as `model` in the body) and the dated API (`/openai/deployments/{model}/…`
 * with `api-version`, the key in `api-key`).
 */
import assert from "node:assert/strict";
import { AzureOpenAI } from "openai";
import { startFakeAzure } from "../../support/fake_azure.ts";
import type { ReceivedLlmRequest } from "../../support/fake_llm.ts";
import { gatewayFor, runProviderCases } from "../../support/llm_provider_cases.ts";

const KEY = "azure-key";

async function azure(options: { apiVersion?: string; model?: string } = {}) {
  const fake = await startFakeAzure({ key: KEY });
  const dated = options.apiVersion !== undefined;
  return {
    fake,
    route: `      policies:
        backendAuth:
          key: ${KEY}
      backends:
      - ai:
          name: azure
          hostOverride: ${fake.address}
          provider:
            azure:
              resourceName: my-resource
              resourceType: openAI
${dated ? `              apiVersion: "${options.apiVersion}"\n` : ""}${
      options.model ? `              model: ${options.model}\n` : ""
    }`,
    clientModel: options.model ? "client-model" : "gpt-4o-mini",
    providerName: "azure.ai.openai",
    // The v1 API is OpenAI's own shape under `/openai/v1`: the SDK is pointed there.
    openAiBase: dated ? "/v1" : "/openai/v1",
    checkRequest(received: ReceivedLlmRequest) {
      const deployment = options.model ?? "gpt-4o-mini";
      if (dated) {
        assert.equal(
          received.path,
          `/openai/deployments/${deployment}/chat/completions?api-version=${options.apiVersion}`,
        );
        assert.equal(received.headers["api-key"], KEY);
        assert.equal(received.headers.authorization, undefined);
      } else {
        assert.equal(received.path, "/openai/v1/chat/completions");
        assert.equal(received.headers.authorization, `Bearer ${KEY}`);
        assert.equal(received.body?.model, deployment);
      }
    },
    error: (status: number, message: string) => ({
      status,
      body: { error: { code: String(status), message } },
    }),
    checkToolResult(received: ReceivedLlmRequest, callId: string) {
      const messages = received.body?.messages as { role: string; tool_call_id?: string }[];
      assert.equal(messages.at(-1)?.role, "tool");
      assert.equal(messages.at(-1)?.tool_call_id, callId);
    },
  };
}

runProviderCases("the azure provider (v1 API)", () => azure());

runProviderCases(
  "the azure provider (deployment URLs)",
  () => azure({ apiVersion: "2024-10-21", model: "gpt-4o-deploy" }),
);

Deno.test("the azure provider serves the openai package's AzureOpenAI client, key from backendAuth", async () => {
  const provider = await azure({ apiVersion: "2024-10-21", model: "gpt-4o-deploy" });
  await using env = await gatewayFor(provider);
  const client = new AzureOpenAI({
    endpoint: env.harness.url(),
    apiKey: "the-client-own-key",
    apiVersion: "2024-10-21",
    deployment: "gpt-4o-deploy",
    maxRetries: 0,
  });
  const completion = await client.chat.completions.create({
    model: "gpt-4o-deploy",
    messages: [{ role: "user", content: "Hi" }],
  });
  assert.equal(completion.choices[0]?.message.content, "Hello! How can I help you today?");
  const [received] = provider.fake.received;
  provider.checkRequest(received!);
  assert.deepEqual(provider.fake.calls, [{
    form: "deployments",
    deployment: "gpt-4o-deploy",
    apiVersion: "2024-10-21",
  }]);
});
