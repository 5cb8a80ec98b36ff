/**
 * Config → Snapshot: route tables, compiled policy chains and pooled upstream clients, built
 * once per load. A snapshot is immutable; reload builds a new one and swaps the reference.
 * @module
 */
import {
  type Config,
  ConfigError,
  configErrorAt,
  type ConfigIssue,
  type LoadedConfig,
} from "../config/mod.ts";
import type {
  BindConfig,
  NamedBackendConfig,
  RouteBackendConfig,
  RouteConfig,
} from "../config/mod.ts";
import type { BackendHandler } from "../backends/mod.ts";

/** The kind-bearing part of a route backend or a named backend. */
type BackendKindConfig = Pick<RouteBackendConfig, "host" | "ai" | "mcp">;
import {
  backendDefaultsOf,
  compileChain,
  type CompiledChain,
  type CompileEnv,
  EMPTY_CHAIN,
  isBackendDefaultKey,
} from "../policies/mod.ts";
import { type BackendCompileEnv, type CompiledBackend, hostBackend } from "../backends/mod.ts";
import { compileAiBackend } from "../llm/mod.ts";
import { compileMcpBackend } from "../mcp/mod.ts";
import {
  HttpClientPool,
  mergeUpstreamSettings,
  NO_UPSTREAM_SETTINGS,
  parseHostTarget,
  type UpstreamSettings,
} from "../upstream/mod.ts";
import { celReads } from "../cel/mod.ts";
import { compileTelemetryPlan, type TelemetryPlan } from "./telemetry_plan.ts";
import {
  type BindTable,
  compileBindTable,
  type CompiledRoute,
  compileListener,
  type RouteSpec,
} from "./route_table.ts";

/** A server certificate chain and its private key, PEM text. */
export interface ServerTls {
  readonly cert: string;
  readonly key: string;
}

/** Everything one bind (port) serves. */
export interface CompiledBind {
  readonly name: string;
  readonly port: number;
  readonly table: BindTable;
  /** Set when the bind's listeners are HTTPS: one certificate serves the whole port. */
  readonly tls?: ServerTls | undefined;
  /** CEL log fields and metric labels, shared by every bind of the snapshot. */
  readonly telemetry: TelemetryPlan;
}

/** A loaded, compiled config, ready to serve. */
export interface Snapshot {
  readonly config: Config;
  readonly binds: ReadonlyMap<number, CompiledBind>;
  /** Closes the snapshot's upstream clients; call once no request uses it. */
  close(): void;
  /** After a reload: idle upstream connections close now, busy ones when their response ends. */
  retire(): void;
}

const defaultEnv: CompileEnv = { readFile: readConfigFile };

/** Reads a file named in config; a failure says why in words (`not found`), not as OS error text. */
function readConfigFile(path: string): string {
  try {
    return Deno.readTextFileSync(path);
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) throw new Error("not found");
    if (error instanceof Deno.errors.PermissionDenied) throw new Error("permission denied");
    if (error instanceof Deno.errors.IsADirectory) throw new Error("is a directory");
    throw error;
  }
}

/** Compiles a loaded config. Throws ConfigError listing every compile-time problem. */
export function buildSnapshot(
  loaded: LoadedConfig,
  options: {
    env?: CompileEnv;
    onUpstreamConnect?: (endpoint: string) => void;
    onUpstreamPoolFull?: (endpoint: string) => void;
  } = {},
): Snapshot {
  const env = options.env ?? defaultEnv;
  const issues: ConfigIssue[] = [];
  const pool = new HttpClientPool(options.onUpstreamConnect, {
    poolMaxSize: loaded.config.config.backend?.poolMaxSize ?? undefined,
    onPoolFull: options.onUpstreamPoolFull,
  });
  const telemetry = compileTelemetryPlan(
    loaded.config,
    (path, message) => issues.push(configErrorAt(loaded, path, message)),
  );
  const compiler = new Compiler(loaded, env, pool, issues, telemetry);
  const binds = new Map<number, CompiledBind>();
  loaded.config.binds.forEach((bind, bindIndex) => {
    const path = ["binds", bindIndex];
    if (binds.has(bind.port) && bind.port !== 0) {
      issues.push(
        configErrorAt(
          loaded,
          [...path, "port"],
          `port ${bind.port} is already used by another bind`,
        ),
      );
      return;
    }
    const name = `bind/${bind.port}`;
    const listeners = bind.listeners.map((listener, listenerIndex) => {
      const listenerPath = [...path, "listeners", listenerIndex];
      if (listener.protocol === "HTTPS" && !listener.tls) {
        issues.push(
          configErrorAt(
            loaded,
            [...listenerPath, "tls"],
            "an HTTPS listener needs tls.cert and tls.key",
          ),
        );
      }
      const listenerName = listener.name ?? `listener${listenerIndex}`;
      const specs: RouteSpec[] = (listener.routes ?? []).map((route, routeIndex) => ({
        route: compiler.route(
          route,
          [...listenerPath, "routes", routeIndex],
          `${listenerName}/route${routeIndex}`,
        ),
        hostnames: route.hostnames ?? [],
        matches: route.matches ?? [],
      }));
      return compileListener(
        listenerName,
        listener.hostname,
        specs,
        (routeIndex, matchIndex, field, error) => {
          const fieldPath = field.split(/[.[\]]+/).filter(Boolean).map((s) =>
            /^\d+$/.test(s) ? Number(s) : s
          );
          issues.push(
            configErrorAt(loaded, [
              ...listenerPath,
              "routes",
              routeIndex,
              "matches",
              matchIndex,
              ...fieldPath,
            ], error.message),
          );
        },
      );
    });
    const tls = compileBindTls(
      bind,
      path,
      env,
      (issuePath, message) => issues.push(configErrorAt(loaded, issuePath, message)),
    );
    // Unique key per bind even for several port-0 binds (tests).
    binds.set(bind.port === 0 ? -bindIndex - 1 : bind.port, {
      name,
      port: bind.port,
      table: compileBindTable(listeners),
      tls,
      telemetry,
    });
  });
  if (issues.length > 0) {
    for (const handler of compiler.handlers) handler.close!();
    pool.closeAll();
    const seen = new Set<string>();
    throw new ConfigError(
      loaded.source,
      issues.filter((issue) =>
        !seen.has(issue.path + issue.message) && seen.add(issue.path + issue.message)
      ),
    );
  }
  return {
    config: loaded.config,
    binds,
    close: () => {
      for (const handler of compiler.handlers) handler.close!();
      pool.closeAll();
    },
    retire: () => pool.retireAll(),
  };
}

/**
 * The certificate a bind serves, read at load so a missing file is a config error. Deno.serve
 * takes one certificate per port and cannot pick one by SNI, so every HTTPS listener on a port
 * must share it, and a port serves either HTTP or HTTPS. `tls` on an HTTP listener is ignored,
 * as agentgateway does.
 */
function compileBindTls(
  bind: BindConfig,
  path: PropertyKey[],
  env: CompileEnv,
  report: (path: PropertyKey[], message: string) => void,
): ServerTls | undefined {
  let first: { tls: ServerTls; index: number } | undefined;
  let firstHttps: number | undefined;
  let firstHttp: number | undefined;
  bind.listeners.forEach((listener, index) => {
    if (listener.protocol !== "HTTPS") {
      firstHttp ??= index;
      return;
    }
    firstHttps ??= index;
    if (!listener.tls) return; // reported with the listener
    const tlsPath = [...path, "listeners", index, "tls"];
    const cert = readServerPem(env, listener.tls.cert, "CERTIFICATE", [...tlsPath, "cert"], report);
    const key = readServerPem(env, listener.tls.key, "PRIVATE KEY", [...tlsPath, "key"], report);
    if (cert === undefined || key === undefined) return;
    if (!first) {
      first = { tls: { cert, key }, index };
    } else if (first.tls.cert !== cert || first.tls.key !== key) {
      report(
        tlsPath,
        `per-listener certificates on one port are not supported yet: ` +
          `use the same tls.cert and tls.key as listeners[${first.index}]`,
      );
    }
  });
  if (firstHttps !== undefined && firstHttp !== undefined) {
    report(
      [...path, "listeners", firstHttp, "protocol"],
      `HTTP and HTTPS listeners on one port are not supported: ` +
        `listeners[${firstHttps}] serves HTTPS on port ${bind.port}`,
    );
  }
  return first?.tls;
}

/** Reads a PEM file and checks it holds the expected block (`CERTIFICATE`, `PRIVATE KEY`). */
function readServerPem(
  env: CompileEnv,
  file: string,
  label: string,
  path: PropertyKey[],
  report: (path: PropertyKey[], message: string) => void,
): string | undefined {
  let text: string;
  try {
    text = env.readFile(file);
  } catch (error) {
    report(path, `Cannot read file ${JSON.stringify(file)}: ${(error as Error).message}`);
    return undefined;
  }
  // Matches "PRIVATE KEY", "EC PRIVATE KEY" and "RSA PRIVATE KEY" blocks.
  if (!new RegExp(`-----BEGIN [A-Z ]*${label}-----`).test(text)) {
    report(path, `Cannot use file ${JSON.stringify(file)}: expected a PEM ${label.toLowerCase()}`);
    return undefined;
  }
  return text;
}

/** Compiles routes and backends, recording problems instead of stopping at the first. */
class Compiler {
  readonly #loaded: LoadedConfig;
  readonly #env: CompileEnv;
  readonly #pool: HttpClientPool;
  readonly #issues: ConfigIssue[];
  readonly #telemetry: TelemetryPlan;
  readonly #namedBackends: Map<string, { index: number; config: NamedBackendConfig }>;
  /** Kind handlers that hold more than pooled clients (MCP sessions), closed with the snapshot. */
  readonly handlers: BackendHandler[] = [];

  constructor(
    loaded: LoadedConfig,
    env: CompileEnv,
    pool: HttpClientPool,
    issues: ConfigIssue[],
    telemetry: TelemetryPlan,
  ) {
    this.#telemetry = telemetry;
    this.#loaded = loaded;
    this.#env = env;
    this.#pool = pool;
    this.#issues = issues;
    this.#namedBackends = new Map();
    loaded.config.backends.forEach((backend, index) => {
      if (this.#namedBackends.has(backend.name)) {
        this.#issue(
          ["backends", index, "name"],
          `backend name ${JSON.stringify(backend.name)} is used twice`,
        );
      }
      this.#namedBackends.set(backend.name, { index, config: backend });
    });
  }

  route(route: RouteConfig, path: PropertyKey[], fallbackName: string): CompiledRoute {
    const chain = this.#chain(route.policies, [...path, "policies"], "route");
    const settings = settingsOf(chain);
    const defaults = { policies: backendDefaultsOf(route.policies), path: [...path, "policies"] };
    const backends = (route.backends ?? []).flatMap((backend, i) => {
      const compiled = this.#backend(backend, [...path, "backends", i], settings, defaults);
      return compiled ? [compiled] : [];
    });
    let mirror: CompiledBackend | undefined;
    if (settings.mirror) {
      const ref = settings.mirror.backend;
      mirror = this.#backend(
        "host" in ref ? { host: ref.host, weight: 1 } : { backend: ref.backend, weight: 1 },
        [...path, "policies", "requestMirror", "backend"],
        { ...settings, retry: undefined, mirror: undefined },
        defaults,
      );
      if (mirror && !mirror.handler.client) {
        this.#issue(
          [...path, "policies", "requestMirror", "backend"],
          "a mirror must be a host backend",
        );
      }
    }
    const allSteps = [...chain.steps, ...backends.flatMap((b) => b.chain.steps)];
    const reads = celReads(allSteps.flatMap((step) => step.expressions ?? []));
    return {
      name: route.name ?? fallbackName,
      chain,
      backends,
      settings,
      mirror,
      needsRequestBody: this.#telemetry.reads.requestBody || reads.requestBody,
      needsResponseBody: reads.responseBody,
      readsRequestHeaders: this.#telemetry.reads.requestHeaders || reads.requestHeaders,
    };
  }

  #backend(
    backend: RouteBackendConfig,
    path: PropertyKey[],
    routeSettings: UpstreamSettings,
    defaults: { policies: Record<string, unknown>; path: PropertyKey[] },
  ) {
    let kind: BackendKindConfig = backend;
    let kindPath = path;
    let name = backend.host ?? (backend.ai && "name" in backend.ai ? backend.ai.name : "");
    let namedPolicies: Record<string, unknown> | undefined;
    let namedIndex = 0;
    if (backend.backend !== undefined) {
      const named = this.#namedBackends.get(backend.backend);
      if (!named) {
        this.#issue(
          [...path, "backend"],
          `no backend named ${JSON.stringify(backend.backend)} in backends`,
        );
        return undefined;
      }
      kind = named.config;
      kindPath = ["backends", named.index];
      name = backend.backend;
      namedPolicies = named.config.policies;
      namedIndex = named.index;
    }
    // More specific wins per policy: route defaults < named backend < the route backend's own.
    // Each layer compiles only the keys no more specific layer sets, so errors keep their paths.
    const own = backend.policies ?? {};
    const named = omitKeys(namedPolicies ?? {}, own);
    const routeDefaults = omitKeys(omitKeys(defaults.policies, own), named);
    const chain = concatChains(
      concatChains(
        this.#chain(routeDefaults, defaults.path, "backend"),
        this.#chain(named, ["backends", namedIndex, "policies"], "backend"),
      ),
      this.#chain(own, [...path, "policies"], "backend"),
    );
    const settings = mergeUpstreamSettings(routeSettings, settingsOf(chain));
    const hostPath = [...path, backend.backend !== undefined ? "backend" : "host"];
    const handler = this.#handler(kind, kindPath, hostPath, settings);
    if (!handler) return undefined;
    return { name, handler, chain, settings, weight: backend.weight } satisfies CompiledBackend;
  }

  /** Compiles the backend's kind (DESIGN.md §3: host, ai, mcp) into its handler. */
  #handler(
    kind: BackendKindConfig,
    path: PropertyKey[],
    hostPath: PropertyKey[],
    settings: UpstreamSettings,
  ): BackendHandler | undefined {
    if (kind.host !== undefined) {
      const target = parseHostTarget(kind.host, settings.tls !== undefined);
      if (typeof target === "string") {
        this.#issue(hostPath, target);
        return undefined;
      }
      return hostBackend(this.#pool.clientFor(target, settings.tls));
    }
    const env = this.#kindEnv(settings);
    let handler: BackendHandler;
    if (kind.ai !== undefined) handler = compileAiBackend(kind.ai, env, [...path, "ai"]);
    else if (kind.mcp !== undefined) {
      const { session, mcp } = this.#loaded.config.config;
      handler = compileMcpBackend(kind.mcp, env, [...path, "mcp"], {
        sessionKey: session?.key,
        sessionTtlMs: mcp?.sessionTtl ?? undefined,
      });
    } else return undefined;
    if (handler.close) this.handlers.push(handler);
    return handler;
  }

  #kindEnv(settings: UpstreamSettings): BackendCompileEnv {
    return {
      settings,
      clientFor: (target, tls) => this.#pool.clientFor(target, tls),
      parseHost: parseHostTarget,
      compilePolicies: (policies, path) => this.#chain(policies, path, "backend"),
      settingsOf,
      readFile: (file) => this.#env.readFile(file),
      issue: (path, message) => this.#issue(path, message),
    };
  }

  #chain(
    policies: Record<string, unknown> | undefined,
    path: PropertyKey[],
    phase: "route" | "backend",
  ) {
    let failed = false;
    const chain = compileChain(policies, {
      phase,
      env: this.#env,
      onError: (error) => {
        failed = true;
        this.#issue([...path, ...error.path], error.message);
      },
    });
    return failed ? EMPTY_CHAIN : chain;
  }

  #issue(path: PropertyKey[], message: string): void {
    this.#issues.push(configErrorAt(this.#loaded, path, message));
  }
}

/** `policies` without the backend-default keys that `over` sets (header edits still stack). */
function omitKeys(
  policies: Record<string, unknown>,
  over: Record<string, unknown>,
): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const key in policies) {
    if (!(over[key] !== undefined && isBackendDefaultKey(key))) out[key] = policies[key];
  }
  return out;
}

function settingsOf(chain: CompiledChain): UpstreamSettings {
  let settings = NO_UPSTREAM_SETTINGS;
  for (const step of chain.steps) settings = mergeUpstreamSettings(settings, step.upstream);
  return settings;
}

function concatChains(a: CompiledChain, b: CompiledChain): CompiledChain {
  if (a.steps.length === 0) return b;
  if (b.steps.length === 0) return a;
  return {
    request: [...a.request, ...b.request],
    response: [...b.response, ...a.response],
    steps: [...a.steps, ...b.steps],
  };
}
