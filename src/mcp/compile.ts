/**
 * Compiles an `mcp` backend at load: targets into transports with their pooled clients and
 * policies, the session codec and registry, and the handler the proxy flow calls per request.
 * @module
 */
import type { BackendCompileEnv, BackendHandler } from "../backends/mod.ts";
import { handleMcpRequest, type McpRuntime } from "./handler.ts";
import { LegacySseSessions } from "./legacy_sse.ts";
import type { RelayBackend } from "./relay.ts";
import type { McpBackendConfig, McpHttpTargetConfig, McpTargetConfig } from "./schema.ts";
import { DEFAULT_SESSION_TTL_MS, SessionRegistry } from "./session.ts";
import { SessionCodec } from "./session_codec.ts";
import { TargetNames } from "./tool_names.ts";
import { SseConnection } from "./upstream/sse.ts";
import { StdioConnection } from "./upstream/stdio.ts";
import { StreamableHttpConnection } from "./upstream/streamable_http.ts";
import type { CompiledTarget, HttpAddress, UpstreamConnection } from "./upstream/types.ts";

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
  const targets = config.targets.flatMap((target, i) => {
    const compiled = compileTarget(target, env, [...path, "targets", i]);
    return compiled ? [compiled] : [];
  });
  const seen = new Set<string>();
  config.targets.forEach((target, i) => {
    if (seen.has(target.name)) {
      env.issue(
        [...path, "targets", i, "name"],
        `target name ${JSON.stringify(target.name)} is used twice`,
      );
    }
    seen.add(target.name);
  });
  const backend: RelayBackend = {
    targets,
    names: new TargetNames(targets.map((t) => t.name), config.prefixMode ?? "conditional"),
    failOpen: config.failureMode === "failOpen",
    connect: connectTarget,
  };
  const sessions = new SessionRegistry(
    backend,
    new SessionCodec(settings.sessionKey),
    settings.sessionTtlMs ?? DEFAULT_SESSION_TTL_MS,
  );
  const runtime: McpRuntime = {
    backend,
    sessions,
    legacy: new LegacySseSessions(backend),
    stateful: config.statefulMode === "stateful",
    dnsRebindingProtection: config.dnsRebindingProtection,
    requestTimeoutMs: env.settings.requestTimeoutMs,
  };
  return {
    kind: "mcp",
    handle: (call) => handleMcpRequest(call, runtime),
    close: () => {
      runtime.legacy.closeAll();
      void sessions.closeAll();
    },
  };
}

/** A connection of the target's transport; `resumed` is what a session id remembered. */
function connectTarget(
  target: CompiledTarget,
  resumed: Parameters<RelayBackend["connect"]>[1],
): UpstreamConnection {
  switch (target.kind) {
    case "mcp":
      return new StreamableHttpConnection(target.name, target.http, resumed);
    case "sse":
      return new SseConnection(target.name, target.http);
    case "stdio":
      return new StdioConnection(target);
  }
}

function compileTarget(
  target: McpTargetConfig,
  env: BackendCompileEnv,
  path: PropertyKey[],
): CompiledTarget | undefined {
  if (target.stdio) {
    if (target.policies !== undefined) {
      // agentgateway: transport policies are "not supported on stdio targets".
      env.issue([...path, "policies"], "policies are not supported on stdio targets");
      return undefined;
    }
    return {
      name: target.name,
      kind: "stdio",
      cmd: target.stdio.cmd,
      args: target.stdio.args,
      env: target.stdio.env,
      clearEnv: target.stdio.clear_env,
    };
  }
  const kind = target.mcp !== undefined ? "mcp" : target.sse !== undefined ? "sse" : undefined;
  if (!kind) {
    env.issue([...path, "openapi"], `"openapi" is not supported by agw yet`);
    return undefined;
  }
  const http = compileHttpTarget(target[kind]!, target.policies, env, [...path, kind]);
  return http ? { name: target.name, kind, http } : undefined;
}

/** An HTTP target's pooled client, Host, path and policies. */
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
    targetPath = config.path.startsWith("/") ? config.path : `/${config.path}`;
  } else {
    // `http://127.0.0.1:8123/api/mcp`: the client gets scheme, host and port; agw keeps the path.
    const match = /^((?:[a-z][a-z0-9+.-]*:\/\/)?[^/?#]+)([/?].*)?$/i.exec(config.host);
    hostPart = match?.[1] ?? config.host;
    targetPath = match?.[2] ?? "/";
    if (targetPath.startsWith("?")) targetPath = `/${targetPath}`;
  }
  const chain = env.compilePolicies(policies, [...path.slice(0, -1), "policies"]);
  // A target's own backendTLS wins over the route's (agentgateway: more specific wins).
  const tls = env.settingsOf(chain).tls ?? env.settings.tls;
  const target = env.parseHost(hostPart, tls !== undefined);
  if (typeof target === "string") {
    env.issue([...path, "host"], target);
    return undefined;
  }
  const client = env.clientFor(target, target.scheme === "https" ? tls : undefined);
  return { client, authority: target.authority, path: targetPath, chain };
}
