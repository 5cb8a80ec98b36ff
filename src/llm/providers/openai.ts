/**
 * OpenAI, and any OpenAI-compatible endpoint through `hostOverride`: Chat Completions and
 * Responses natively, `Authorization: Bearer` as backendAuth sets it.
 * @module
 */
import type { FormatName } from "../formats/mod.ts";
import type { Provider, ProviderCall } from "./types.ts";

const PATHS: Partial<Record<ProviderCall, string>> = {
  completions: "/chat/completions",
  responses: "/responses",
  models: "/models",
  embeddings: "/embeddings",
};

/** Compiles an `openAI` provider. */
export function openAiProvider(config: { model?: string | null | undefined }): Provider {
  return {
    name: "openai",
    defaultHost: "api.openai.com:443",
    model: config.model ?? undefined,
    nativeFormat: (client: FormatName) => client === "responses" ? "responses" : "completions",
    supports: (call) => PATHS[call] !== undefined,
    path: (call, _model, _stream, prefix) => (prefix ?? "/v1") + (PATHS[call] ?? ""),
    prepareHeaders: () => {},
    streamFraming: () => "sse",
  };
}
