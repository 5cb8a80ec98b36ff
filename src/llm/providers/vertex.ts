/**
 * Vertex AI: Gemini publisher models through `generateContent`, Anthropic publisher models
 * (`claude-*`) through `rawPredict` / `streamRawPredict` with the Messages body, whose version
 * goes in the body (`anthropic_version: vertex-2023-10-16`) and whose model is in the path
 * (https://cloud.google.com/vertex-ai/generative-ai/docs/partner-models/claude).
 * Credentials are a Google access token as `Authorization: Bearer` (backendAuth).
 * @module
 */
import type { FormatName } from "../formats/mod.ts";
import type { Provider } from "./types.ts";

const VERTEX_ANTHROPIC_VERSION = "vertex-2023-10-16";

function isAnthropicModel(model: string): boolean {
  return /^claude/i.test(model);
}

/** Compiles a `vertex` provider. */
export function vertexProvider(config: {
  model?: string | null | undefined;
  region?: string | null | undefined;
  projectId: string;
}): Provider {
  const region = config.region ?? "global";
  // `global` has no region prefix; `us`/`eu` multi-regions and regions do.
  const host = region === "global"
    ? "aiplatform.googleapis.com:443"
    : `${region}-aiplatform.googleapis.com:443`;
  const base = `/v1/projects/${encodeURIComponent(config.projectId)}/locations/${
    encodeURIComponent(region)
  }/publishers`;
  return {
    name: "gcp.vertex_ai",
    defaultHost: host,
    model: config.model ?? undefined,
    pathNamesModel: true,
    nativeFormat: (_client, model) => isAnthropicModel(model) ? "messages" : "gemini",
    supports: (call) => call === "gemini" || call === "messages",
    path(call, model, stream, prefix) {
      const root = prefix ?? base;
      const id = encodeURIComponent(model);
      if (call === "messages" || isAnthropicModel(model)) {
        return `${root}/anthropic/models/${id}:${stream ? "streamRawPredict" : "rawPredict"}`;
      }
      return `${root}/google/models/${id}:${
        stream ? "streamGenerateContent?alt=sse" : "generateContent"
      }`;
    },
    prepareHeaders: () => {},
    finishBody(body: Record<string, unknown>, format: FormatName) {
      if (format !== "messages") return;
      delete body.model;
      body.anthropic_version ??= VERTEX_ANTHROPIC_VERSION;
    },
    streamFraming: () => "sse",
  };
}
