/**
 * A fake Azure OpenAI resource, in both URL forms
 * (https://learn.microsoft.com/azure/ai-foundry/openai/reference): the `v1` API
 * (`/openai/v1/chat/completions`, `/openai/v1/responses`; the model is the deployment, in the
 * body; the key as `api-key` or `Authorization: Bearer`) and the dated API
 * (`/openai/deployments/{deployment}/chat/completions?api-version=…`; the deployment in the
 * path, the key only as `api-key`). Once the Azure parts are checked, the call goes to a
 * private fake OpenAI, which checks the body as OpenAI does and answers; errors keep Azure's
 * `{"error": {"code", "message"}}` shape.
 * @module
 */
import { type FakeProvider, startFakeProvider } from "./fake_llm.ts";
import { startFakeOpenAi } from "./fake_openai.ts";

/** A running fake Azure; `calls` records the URL form, deployment and API version of each. */
export interface FakeAzure extends FakeProvider {
  readonly calls: { form: "v1" | "deployments"; deployment: string; apiVersion: string | null }[];
}

const DEPLOYMENT_PATH = /^\/openai\/deployments\/([^/]+)(\/chat\/completions|\/responses)$/;
const V1_PATH = /^\/openai\/v1(\/chat\/completions|\/responses)$/;

function azureError(status: number, message: string): Response {
  return Response.json({ error: { code: String(status), message } }, { status });
}

/** Starts the fake; `key` is the only API key it accepts. */
export async function startFakeAzure(options: { key: string }): Promise<FakeAzure> {
  const openAi = await startFakeOpenAi({ requireKey: "azure-internal" });
  openAi.script((_body, request) => JSON.parse(request.headers["x-fake-answer"] ?? "{}"));
  const calls: FakeAzure["calls"] = [];
  const provider = await startFakeProvider(async (request, answer, url) => {
    const deployment = DEPLOYMENT_PATH.exec(url.pathname);
    const v1 = V1_PATH.exec(url.pathname);
    const apiVersion = url.searchParams.get("api-version");
    // A dated deployment URL without api-version is not a route at all.
    if ((!deployment || apiVersion === null) && !v1) {
      return azureError(404, "Resource not found");
    }
    const apiKey = request.headers["api-key"];
    const bearer = /^Bearer (.+)$/.exec(request.headers.authorization ?? "")?.[1];
    const keyOk = apiKey === options.key || (v1 !== null && bearer === options.key);
    if (!keyOk) {
      return azureError(
        401,
        bearer !== undefined && !v1
          ? "Unauthorized. Access token is missing, invalid, audience is incorrect " +
            "(https://cognitiveservices.azure.com), or have expired."
          : "Access denied due to invalid subscription key or wrong API endpoint. Make sure to " +
            "provide a valid key for an active subscription and use a correct regional API " +
            "endpoint for your resource.",
      );
    }
    const body = { ...(request.body ?? {}) };
    if (deployment) body.model = decodeURIComponent(deployment[1]!);
    calls.push({
      form: deployment ? "deployments" : "v1",
      deployment: String(body.model),
      apiVersion,
    });
    const suffix = deployment ? deployment[2]! : v1![1]!;
    const answered = await fetch(`http://${openAi.address}/v1${suffix}`, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        authorization: "Bearer azure-internal",
        "x-fake-answer": JSON.stringify(answer),
      },
      body: JSON.stringify(body),
    });
    return new Response(answered.body, {
      status: answered.status,
      headers: { "content-type": answered.headers.get("content-type") ?? "application/json" },
    });
  });
  return {
    ...provider,
    calls,
    close: async () => {
      await provider.close();
      await openAi.close();
    },
  };
}
