/**
 * A fake Vertex AI endpoint: Gemini publisher models at
 * `/v1/projects/{p}/locations/{r}/publishers/google/models/{m}:generateContent` (and
 * `:streamGenerateContent?alt=sse`), and Anthropic publisher models at
 * `…/publishers/anthropic/models/{m}:rawPredict` / `:streamRawPredict` taking the Messages
 * body with `anthropic_version: vertex-2023-10-16` in it and no `model`
 * (https://cloud.google.com/vertex-ai/generative-ai/docs/partner-models/claude/use-claude).
 * Every call needs `Authorization: Bearer <access token>`. Gemini bodies are checked and
 * answered as the Gemini fake does; Messages bodies, once their Vertex differences are
 * checked, go to a private fake Anthropic, which checks the rest and answers.
 * @module
 */
import { startFakeAnthropic } from "./fake_anthropic.ts";
import { answerGenerateContent, googleError } from "./fake_gemini.ts";
import { FakeApiError, type FakeProvider, startFakeProvider } from "./fake_llm.ts";

/** The version Vertex wants in a Claude request body. */
const VERTEX_ANTHROPIC_VERSION = "vertex-2023-10-16";

const PATH =
  /^\/v1\/projects\/([^/]+)\/locations\/([^/]+)\/publishers\/(google|anthropic)\/models\/([^/:]+):(\w+)$/;

/** A running fake Vertex; `calls` records the project, location, publisher and model of each call. */
export interface FakeVertex extends FakeProvider {
  readonly calls: { project: string; location: string; publisher: string; model: string }[];
}

/** Starts the fake; `token` is the only bearer token it accepts. */
export async function startFakeVertex(
  options: { token: string; tls?: { cert: string; key: string } },
): Promise<FakeVertex> {
  // The Anthropic fake answers what this fake was scripted to: the answer rides in a header.
  const anthropic = await startFakeAnthropic({
    requireKey: "vertex-internal",
  });
  anthropic.script((_body, request) => JSON.parse(request.headers["x-fake-answer"] ?? "{}"));
  const calls: FakeVertex["calls"] = [];
  const provider = await startFakeProvider(async (request, answer, url) => {
    try {
      if (request.headers.authorization !== `Bearer ${options.token}`) {
        throw new FakeApiError(
          401,
          "Request had invalid authentication credentials. Expected OAuth 2 access token, " +
            "login cookie or other valid authentication credential.",
        );
      }
      const match = PATH.exec(url.pathname);
      if (!match || request.method !== "POST") {
        throw new FakeApiError(404, `The requested URL ${url.pathname} was not found.`);
      }
      const [, project, location, publisher, model, method] = match;
      calls.push({
        project: decodeURIComponent(project!),
        location: decodeURIComponent(location!),
        publisher: publisher!,
        model: decodeURIComponent(model!),
      });
      if (publisher === "google") {
        if (method !== "generateContent" && method !== "streamGenerateContent") {
          throw new FakeApiError(400, `Unknown method ${method} for a Gemini model`);
        }
        return answerGenerateContent(request, answer, {
          model: decodeURIComponent(model!),
          stream: method === "streamGenerateContent",
          sse: url.searchParams.get("alt") === "sse",
          vertex: true,
        });
      }
      if (method !== "rawPredict" && method !== "streamRawPredict") {
        throw new FakeApiError(400, `Unknown method ${method} for an Anthropic model`);
      }
      const body = request.body ?? {};
      // Claude on Vertex: the model is in the URL, the version in the body (not a header).
      const invalid = body.anthropic_version !== VERTEX_ANTHROPIC_VERSION
        ? `anthropic_version: Input should be '${VERTEX_ANTHROPIC_VERSION}'`
        : "model" in body
        ? "model: Extra inputs are not permitted"
        : (body.stream === true) !== (method === "streamRawPredict")
        ? `stream: must be ${method === "streamRawPredict"} for ${method}`
        : undefined;
      if (invalid) {
        return Response.json({
          type: "error",
          error: { type: "invalid_request_error", message: invalid },
        }, { status: 400 });
      }
      const { anthropic_version: _, ...messages } = body;
      const answered = await fetch(`http://${anthropic.address}/v1/messages`, {
        method: "POST",
        headers: {
          "content-type": "application/json",
          "x-api-key": "vertex-internal",
          "anthropic-version": "2023-06-01",
          "x-fake-answer": JSON.stringify(answer),
        },
        body: JSON.stringify({ ...messages, model: decodeURIComponent(model!) }),
      });
      return new Response(answered.body, {
        status: answered.status,
        headers: { "content-type": answered.headers.get("content-type") ?? "application/json" },
      });
    } catch (error) {
      if (!(error instanceof FakeApiError)) throw error;
      return googleError(error.status, error.message);
    }
  }, options.tls ? { tls: options.tls } : {});
  return {
    ...provider,
    calls,
    close: async () => {
      await provider.close();
      await anthropic.close();
    },
  };
}
