/**
 * The backend-kind contract (STYLE.md §8.10). A route backend is `host` (forward the request),
 * `ai` (parse, translate, meter: src/llm) or `mcp` (serve MCP, fanning out to targets: src/mcp).
 * Each kind compiles its config once at load into a `BackendHandler`; the proxy flow calls
 * `handle` once per attempt, after the backend's request policies ran, and knows nothing else
 * of the kind. Kinds import downward only: context/, http/, upstream/, policies/, cel/,
 * telemetry/.
 * @module
 */
import type { RequestContext } from "../context/mod.ts";
import type { Metrics } from "../telemetry/mod.ts";
import type { CompiledChain } from "../policies/mod.ts";
import type {
  OutgoingRequest,
  TlsSettings,
  UpstreamClient,
  UpstreamResponse,
  UpstreamSettings,
  UpstreamTarget,
} from "../upstream/mod.ts";

/** The kinds of backend a route may have. */
export type BackendKindName = "host" | "ai" | "mcp";

/** One attempt at a backend, as the flow hands it to the kind. */
export interface BackendCall {
  readonly ctx: RequestContext;
  /**
   * The request as route and backend policies left it: method, path, the Host to send, headers
   * (hop-by-hop fields and Host left out) and the body (a stream, or bytes when buffered).
   */
  readonly request: OutgoingRequest;
  /**
   * Sends a request through a pooled client under this attempt's deadline and the client's
   * abort signal. Transport failures throw ProxyError (503, 504), as for a `host` backend.
   */
  send(client: UpstreamClient, request: OutgoingRequest): Promise<UpstreamResponse>;
  /** The process's metrics, for what a kind records itself (GenAI tokens, MCP requests). */
  readonly metrics: Metrics;
}

/** A compiled backend of one kind, ready for the hot path. */
export interface BackendHandler {
  readonly kind: BackendKindName;
  /**
   * The client for a `host` backend, whose address other features (urlRewrite `authority:
   * auto`, mirrors, logs) read. Undefined for kinds that choose their upstream per request.
   */
  readonly client?: UpstreamClient;
  /**
   * Handles one attempt. An UpstreamResponse goes through the backend's and route's response
   * policies like a forwarded answer; a Response is one the kind built itself (an MCP answer, a
   * translated LLM answer, an error in the client's API format) and goes through the route's.
   */
  handle(call: BackendCall): Promise<UpstreamResponse | Response>;
  /** Releases what the kind holds beyond pooled clients (MCP sessions, stdio children). */
  close?(): void;
}

/** A backend of a route, ready for calls: its kind's handler plus the backend's own policies. */
export interface CompiledBackend {
  /** `endpoint` in logs: the backend's name, or its address. */
  readonly name: string;
  readonly handler: BackendHandler;
  /** Backend-level policies (backendAuth, header edits), run before `handler.handle`. */
  readonly chain: CompiledChain;
  readonly settings: UpstreamSettings;
  readonly weight: number;
}

/** What a kind may use while compiling its config (given by gateway/snapshot.ts). */
export interface BackendCompileEnv {
  /**
   * The upstream settings the route and this backend's own policies give it (timeouts, retry,
   * and `tls` from backendTLS): a kind's clients use them unless a more specific policy of its
   * own (a provider's or an MCP target's backendTLS) says otherwise.
   */
  readonly settings: UpstreamSettings;
  /** The snapshot's pooled client for an upstream identity (address + TLS settings). */
  clientFor(target: UpstreamTarget, tls: TlsSettings | undefined): UpstreamClient;
  /** Parses `h:p` or an http(s) URL (no path) into a target, or returns an error message. */
  parseHost(host: string, hasTls: boolean): UpstreamTarget | string;
  /**
   * Compiles a `policies` block in the backend phase (backendAuth, backendTLS, header edits…)
   * at `path`; problems are reported as config issues and an empty chain is returned.
   */
  compilePolicies(
    policies: Record<string, unknown> | undefined,
    path: PropertyKey[],
  ): CompiledChain;
  /** Upstream settings (timeouts, TLS) that a compiled chain sets, merged over the route's. */
  settingsOf(chain: CompiledChain): UpstreamSettings;
  /** Reads a file named in config. */
  readFile(path: string): string;
  /** Reports a config problem at `path` (absolute YAML path); compiling goes on. */
  issue(path: PropertyKey[], message: string): void;
}
