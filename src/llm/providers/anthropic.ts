/**
 * Anthropic's Messages API: `x-api-key` for the credential and an `anthropic-version` header
 * (https://docs.anthropic.com/en/api/versioning); the client's own version header is kept.
 * @module
 */
import type { HeaderMap } from "../../http/mod.ts";
import { moveBearerTo, type Provider, type ProviderCall } from "./types.ts";

/** The API version agw speaks when the client did not name one. */
export const ANTHROPIC_VERSION = "2023-06-01";

const PATHS: Partial<Record<ProviderCall, string>> = {
  messages: "/messages",
  countTokens: "/messages/count_tokens",
  models: "/models",
};

/** Compiles an `anthropic` provider. */
export function anthropicProvider(config: { model?: string | null | undefined }): Provider {
  return {
    name: "anthropic",
    defaultHost: "api.anthropic.com:443",
    model: config.model ?? undefined,
    nativeFormat: () => "messages",
    supports: (call) => PATHS[call] !== undefined,
    path: (call, _model, _stream, prefix) => (prefix ?? "/v1") + (PATHS[call] ?? ""),
    prepareHeaders(headers: HeaderMap) {
      moveBearerTo(headers, "x-api-key");
      if (!headers.has("anthropic-version")) headers.set("anthropic-version", ANTHROPIC_VERSION);
    },
    streamFraming: () => "sse",
  };
}
