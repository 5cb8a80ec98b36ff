/**
 * The Gemini API: native `generateContent` / `streamGenerateContent?alt=sse`, the model in the
 * path, the key in `x-goog-api-key` (https://ai.google.dev/api/generate-content).
 * @module
 */
import type { HeaderMap } from "../../http/mod.ts";
import { moveBearerTo, type Provider } from "./types.ts";

/** `models/{model}:generateContent`, or its streaming form with SSE framing. */
export function geminiMethodPath(model: string, stream: boolean): string {
  const name = model.startsWith("models/") ? model.slice("models/".length) : model;
  return `/models/${encodeURIComponent(name)}:${
    stream ? "streamGenerateContent?alt=sse" : "generateContent"
  }`;
}

/** Compiles a `gemini` provider. */
export function geminiProvider(config: { model?: string | null | undefined }): Provider {
  return {
    name: "gcp.gemini",
    defaultHost: "generativelanguage.googleapis.com:443",
    model: config.model ?? undefined,
    pathNamesModel: true,
    nativeFormat: () => "gemini",
    supports: (call) => call === "gemini" || call === "models",
    path: (call, model, stream, prefix) =>
      (prefix ?? "/v1beta") + (call === "models" ? "/models" : geminiMethodPath(model, stream)),
    prepareHeaders(headers: HeaderMap) {
      moveBearerTo(headers, "x-goog-api-key");
    },
    streamFraming: () => "sse",
  };
}
