/**
 * Compiles an `mcp` backend at load: targets into transports with their clients and policies,
 * the session codec, and the handler the proxy flow calls per request.
 * @module
 */
import type { BackendCompileEnv, BackendHandler } from "../backends/mod.ts";
import type { McpBackendConfig } from "./schema.ts";

/** Process-wide settings an MCP backend reads: `config.session.key`, `config.mcp.sessionTtl`. */
export interface McpProcessSettings {
  /** `config.session.key`: hex AES-256 key; session ids are then encrypted. */
  readonly sessionKey?: string | undefined;
  /** `config.mcp.sessionTtl`: idle time after which a session closes (default 30 minutes). */
  readonly sessionTtlMs?: number | undefined;
}

/** Compiles one `mcp` backend (route or named) into its handler. */
export function compileMcpBackend(
  _config: McpBackendConfig,
  env: BackendCompileEnv,
  path: PropertyKey[],
  _settings: McpProcessSettings = {},
): BackendHandler {
  env.issue(path, `"mcp" is not supported by agw yet`);
  return { kind: "mcp", handle: () => Promise.resolve(new Response(null, { status: 500 })) };
}
