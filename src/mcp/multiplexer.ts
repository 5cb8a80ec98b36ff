/**
 * One client session's view of many targets: `initialize` fan-out and capability merge, list
 * fan-out with every target's pagination followed and names prefixed, and calls routed to the
 * owning target (MCP spec 2025-06-18, "Server Features").
 * @module
 */
import {
  ErrorCode,
  errorResponse,
  type JsonRpcNotification,
  type JsonRpcRequest,
  type JsonRpcResponse,
} from "./jsonrpc.ts";
import { exposeItem, itemsOf, LIST_METHODS, type ListMethod, mergeInitialize } from "./merge.ts";
import type { SessionState, TargetSessionState } from "./session_codec.ts";
import type { McpBackendRuntime } from "./handler.ts";
import { StreamableHttpConnection } from "./upstream/streamable_http.ts";
import { type CallScope, TargetError, type UpstreamConnection } from "./upstream/types.ts";

/** Pages agw reads from one target for one list, at most (a target that never stops paging). */
const MAX_PAGES = 100;

/** Calls routed by a name in `params` to the target that owns it. */
const ROUTED: Readonly<Record<string, { key: "name" | "uri"; kind: string }>> = {
  "tools/call": { key: "name", kind: "tool" },
  "prompts/get": { key: "name", kind: "prompt" },
  "resources/read": { key: "uri", kind: "resource" },
  "resources/subscribe": { key: "uri", kind: "resource" },
  "resources/unsubscribe": { key: "uri", kind: "resource" },
};

/** The targets of one session. */
export class Multiplexer {
  readonly #runtime: McpBackendRuntime;
  readonly #connections: UpstreamConnection[];
  readonly #state: Omit<SessionState, "t">;

  constructor(runtime: McpBackendRuntime, session: SessionState) {
    this.#runtime = runtime;
    this.#state = { v: 1, pv: session.pv, c: session.c, r: session.r };
    this.#connections = session.t.flatMap((state) => {
      const connection = connect(runtime, state);
      return connection ? [connection] : [];
    });
  }

  /** The session as its id carries it. */
  get session(): SessionState {
    return { ...this.#state, t: this.#connections.map((c) => c.state()) };
  }

  /** Initializes every target; failOpen leaves out the ones that fail (all failing fails). */
  static async start(
    runtime: McpBackendRuntime,
    scope: CallScope,
    params: Record<string, unknown>,
    version: string,
  ): Promise<{ mux: Multiplexer; result: Record<string, unknown> } | { error: JsonRpcResponse }> {
    const random = crypto.getRandomValues(new Uint8Array(12));
    const mux = new Multiplexer(runtime, {
      v: 1,
      pv: version,
      c: params,
      r: btoa(String.fromCharCode(...random)),
      t: runtime.targets.map((target) => ({ n: target.name })),
    });
    const request: JsonRpcRequest = {
      jsonrpc: "2.0",
      id: 0,
      method: "initialize",
      params: { ...params, protocolVersion: version },
    };
    const answers = await mux.#fanOut(request, scope);
    if ("error" in answers) return answers;
    mux.#connections.splice(
      0,
      mux.#connections.length,
      ...answers.ok.map(({ connection }) => connection),
    );
    const initialized: JsonRpcNotification = {
      jsonrpc: "2.0",
      method: "notifications/initialized",
    };
    await Promise.all(mux.#connections.map((c) => c.notify(initialized, scope).catch(() => {})));
    const result = mergeInitialize(
      answers.ok.map(({ connection, result }) => ({ target: connection.target, result })),
      version,
    );
    return { mux, result };
  }

  /** A session for one stateless request: initialized, used once, closed. */
  static async fresh(
    runtime: McpBackendRuntime,
    scope: CallScope,
    params: Record<string, unknown>,
    version: string,
  ): Promise<Multiplexer> {
    const started = await Multiplexer.start(runtime, scope, {
      protocolVersion: version,
      capabilities: {},
      clientInfo: { name: "agw", version: "stateless" },
      ...params,
    }, version);
    if ("error" in started) throw new TargetError("*", started.error.error?.message ?? "failed");
    return started.mux;
  }

  /** Answers one client request. */
  async request(message: JsonRpcRequest, scope: CallScope): Promise<JsonRpcResponse> {
    if (message.method === "ping") return { jsonrpc: "2.0", id: message.id, result: {} };
    if (message.method in LIST_METHODS) {
      return await this.#list(message, message.method as ListMethod, scope);
    }
    const routed = ROUTED[message.method];
    if (!routed) {
      return errorResponse(
        message.id,
        ErrorCode.MethodNotFound,
        `Method not found: ${message.method}`,
      );
    }
    const exposed = message.params?.[routed.key];
    const owned = typeof exposed === "string"
      ? (routed.key === "name"
        ? this.#runtime.names.resolveName(exposed)
        : this.#runtime.names.resolveUri(exposed))
      : undefined;
    const connection = owned && this.#connections.find((c) => c.target === owned.target);
    if (!owned || !connection) {
      return errorResponse(
        message.id,
        routed.kind === "resource" ? ErrorCode.ResourceNotFound : ErrorCode.InvalidParams,
        `Unknown ${routed.kind}: ${String(exposed)}`,
      );
    }
    const forwarded = { ...message, params: { ...message.params, [routed.key]: owned.name } };
    try {
      const answer = await connection.request(forwarded, scope, () => {});
      return { ...answer, id: message.id };
    } catch (error) {
      return targetFailure(message, error);
    }
  }

  /** Sends a client notification to every target. */
  async notify(message: JsonRpcNotification, scope: CallScope): Promise<void> {
    await Promise.all(this.#connections.map((c) => c.notify(message, scope).catch(() => {})));
  }

  /** Ends every upstream session. */
  async close(scope: CallScope | undefined): Promise<void> {
    await Promise.all(this.#connections.map((c) => c.close(scope)));
  }

  async #list(message: JsonRpcRequest, method: ListMethod, scope: CallScope) {
    const key = LIST_METHODS[method];
    const answers = await this.#fanOut(message, scope, true);
    if ("error" in answers) return { ...answers.error, id: message.id };
    const items = answers.ok.flatMap(({ connection, result }) =>
      itemsOf(result, key).map((item) =>
        exposeItem(key, connection.target, item, this.#runtime.names)
      )
    );
    return { jsonrpc: "2.0" as const, id: message.id, result: { [key]: items } };
  }

  /** Sends `message` to every target (following `nextCursor` when `paged`). */
  async #fanOut(
    message: JsonRpcRequest,
    scope: CallScope,
    paged = false,
  ): Promise<
    | { ok: { connection: UpstreamConnection; result: Record<string, unknown> }[] }
    | { error: JsonRpcResponse }
  > {
    const settled = await Promise.allSettled(this.#connections.map(async (connection) => {
      if (!paged) {
        return {
          connection,
          result: resultOf(connection, await connection.request(message, scope, () => {})),
        };
      }
      const key = LIST_METHODS[message.method as ListMethod];
      const all: Record<string, unknown>[] = [];
      let cursor: unknown;
      for (let page = 0; page < MAX_PAGES; page++) {
        const params: Record<string, unknown> = cursor === undefined ? {} : { cursor };
        const answer = await connection.request({ ...message, params }, scope, () => {});
        const result = resultOf(connection, answer);
        all.push(...itemsOf(result, key));
        cursor = result.nextCursor;
        if (typeof cursor !== "string") break;
      }
      return { connection, result: { [key]: all } };
    }));
    const ok = settled.flatMap((s) => s.status === "fulfilled" ? [s.value] : []);
    const failed = settled.flatMap((s) => s.status === "rejected" ? [s.reason as unknown] : []);
    if (failed.length > 0 && (!this.#runtime.failOpen || ok.length === 0)) {
      return { error: targetFailure(message, failed[0]) };
    }
    return { ok };
  }
}

function connect(runtime: McpBackendRuntime, state: TargetSessionState) {
  const target = runtime.targets.find((t) => t.name === state.n);
  if (!target || target.kind !== "mcp") return undefined;
  return new StreamableHttpConnection(target.name, target.http, state);
}

function resultOf(connection: UpstreamConnection, answer: JsonRpcResponse) {
  if (answer.error) {
    throw new TargetError(connection.target, `${answer.error.message} (${answer.error.code})`);
  }
  return answer.result ?? {};
}

function targetFailure(message: JsonRpcRequest, error: unknown): JsonRpcResponse {
  const text = error instanceof Error ? error.message : String(error);
  return errorResponse(message.id, ErrorCode.InternalError, text);
}
