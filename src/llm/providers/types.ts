/**
 * What a provider module says about one LLM provider: where it lives, which wire format it
 * speaks for each client format, the path of each call, and where its credential goes. A
 * provider module is small and has no I/O; the flow in ../chat.ts does the calling.
 * @module
 */
import type { HeaderMap } from "../../http/mod.ts";
import type { FormatName } from "../formats/mod.ts";

/** A call agw makes to a provider. */
export type ProviderCall = FormatName | "models" | "embeddings" | "countTokens" | "passthrough";

/** One configured provider, compiled. */
export interface Provider {
  /** `gen_ai.provider.name` (OpenTelemetry GenAI well-known values). */
  readonly name: string;
  /** `host:port` agw dials when no hostOverride is set (always TLS). */
  readonly defaultHost: string;
  /** The model from config, replacing the client's; undefined keeps the client's. */
  readonly model: string | undefined;
  /** AWS providers: the region requests are signed for (SigV4 needs one). */
  readonly region?: string;
  /**
   * Whether the provider's path names the model (Vertex, Gemini, Bedrock, Azure deployments).
   * A passthrough to a `hostOverride` then takes the provider's path, not the client's, which
   * names no model (`/v1/messages`) and which that API does not serve.
   */
  readonly pathNamesModel?: boolean;
  /** The provider's format for a client's chat format: the same one means passthrough. */
  nativeFormat(client: FormatName, model: string): FormatName;
  /** Whether the provider serves `call` at all (embeddings, count tokens, a models list). */
  supports(call: ProviderCall): boolean;
  /**
   * The upstream path (with query) for a call. `prefix` replaces the provider's default base
   * path (agentgateway's `pathPrefix`).
   */
  path(call: ProviderCall, model: string, stream: boolean, prefix: string | undefined): string;
  /** Moves the credential where the provider wants it and adds version headers. */
  prepareHeaders(headers: HeaderMap): void;
  /** Final touches to an encoded body (Vertex's `anthropic_version`, Bedrock's guardrail). */
  finishBody?(body: Record<string, unknown>, format: FormatName): void;
  /** How streamed answers are framed. */
  streamFraming(format: FormatName): "sse" | "eventstream";
}

/**
 * Turns `Authorization: Bearer <key>` (what backendAuth sets) into the provider's own header.
 * The Bearer replaces a key the client sent in that header itself: backendAuth replaced the
 * client's Authorization, and the client's own `api-key` must not outrank the configured one
 * (the openai package's AzureOpenAI client sends one).
 */
export function moveBearerTo(headers: HeaderMap, header: string): void {
  const authorization = headers.get("authorization");
  if (authorization === null) return;
  const match = /^Bearer\s+(.+)$/i.exec(authorization);
  if (!match) return;
  headers.delete("authorization");
  headers.set(header, match[1]!);
}
