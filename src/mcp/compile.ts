/**
 * Compiles an `mcp` backend at load: targets into transports with their clients and policies,
 * the session codec, and the handler the proxy flow calls per request.
 * @module
 */
import type { BackendCompileEnv, BackendHandler } from "../backends/mod.ts";
import { handleMcpRequest, type McpBackendRuntime } from "./handler.ts";
import type { McpBackendConfig, McpHttpTargetConfig } from "./schema.ts";
import { SessionCodec } from "./session_codec.ts";
import { TargetNames } from "./tool_names.ts";
import type { CompiledTarget, HttpAddress } from "./upstream/types.ts";

/** Process-wide settings an MCP backend reads: `config.session.key`, `config.mcp.sessionTtl`. */
export interface McpProcessSettings {
  /** `config.session.key`: hex AES-256 key; session ids are then encrypted. */
  readonly sessionKey?: string | undefined;
  /** `config.mcp.sessionTtl`: idle time after which a session closes (default 30 minutes). */
  readonly sessionTtlMs?: number | undefined;
}

/** Compiles one `mcp` backend (route or named) into its handler. */
export function compileMcpBackend(
  config: McpBackendConfig,
  env: BackendCompileEnv,
  path: PropertyKey[],
  settings: McpProcessSettings = {},
): BackendHandler {
  const targets = config.targets.flatMap((target, i): CompiledTarget[] => {
    const at = [...path, "targets", i];
    if (target.mcp === undefined) {
      const kind = target.sse ? "sse" : target.stdio ? "stdio" : "openapi";
      // TODO(#8): the sse and stdio transports exist (upstream/) but are not wired and tested.
      env.issue([...at, kind], `"${kind}" is not supported by agw yet`);
      return [];
    }
    const http = compileHttpTarget(target.mcp, target.policies, env, [...at, "mcp"]);
    return http ? [{ name: target.name, kind: "mcp", http }] : [];
  });
  const runtime: McpBackendRuntime = {
    targets,
    names: new TargetNames(targets.map((t) => t.name), config.prefixMode ?? "conditional"),
    codec: new SessionCodec(settings.sessionKey),
    stateful: config.statefulMode === "stateful",
    failOpen: config.failureMode === "failOpen",
    dnsRebindingProtection: config.dnsRebindingProtection,
  };
  return { kind: "mcp", handle: (call) => handleMcpRequest(call, runtime) };
}

/** A Streamable HTTP target's client, Host, path and policies. */
function compileHttpTarget(
  config: McpHttpTargetConfig,
  policies: Record<string, unknown> | undefined,
  env: BackendCompileEnv,
  path: PropertyKey[],
): HttpAddress | undefined {
  if ("backend" in config) {
    env.issue([...path, "backend"], `"backend" is not supported by agw yet`);
    return undefined;
  }
  let hostPart: string;
  let targetPath: string;
  if ("port" in config) {
    hostPart = `${config.host}:${config.port}`;
    targetPath = config.path;
  } else {
    // `http://127.0.0.1:8123/api/mcp`: the client gets scheme/host/port, agw keeps the path.
    const match = /^((?:https?:\/\/)?[^/]+)(\/.*)?$/.exec(config.host);
    hostPart = match?.[1] ?? config.host;
    targetPath = match?.[2] ?? "/";
  }
  const chain = env.compilePolicies(policies, [...path.slice(0, -1), "policies"]);
  const tls = env.settingsOf(chain).tls ?? env.settings.tls;
  const target = env.parseHost(hostPart, tls !== undefined);
  if (typeof target === "string") {
    env.issue([...path, "host"], target);
    return undefined;
  }
  const verify = tls ?? { insecure: false, insecureHost: false };
  const client = env.clientFor(target, target.scheme === "https" ? verify : tls);
  return { client, authority: target.authority, path: targetPath, chain };
}
