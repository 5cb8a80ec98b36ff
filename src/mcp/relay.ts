/**
 * One client session of a multiplexed MCP server: its link to each target, and how each client
 * message reaches them. Requests fan out (initialize, lists, setLevel) or go to the one target
 * that owns the name they carry; the targets' own requests come back to the client under ids
 * that say where their answers go; notifications flow both ways.
 * @module
 */
import {
  ErrorCode,
  errorResponse,
  idKey,
  type JsonRpcId,
  type JsonRpcNotification,
  type JsonRpcRequest,
  type JsonRpcResponse,
  resultResponse,
} from "./jsonrpc.ts";
import { isAllowed, mcpCelValue, rulesOf } from "./authorization.ts";
import { fromTarget, parseRelayId, recordMcpRequest } from "./relay_messages.ts";
import { notFound, type Routed, routeOf, subjectOf } from "./routing.ts";
import { failureOf, type Outcome, RelayFailure } from "./failure.ts";
import {
  exposeItem,
  itemIdentifier,
  itemsOf,
  LIST_METHODS,
  type ListKey,
  type ListMethod,
} from "./merge.ts";
import type { SessionState, TargetSessionState } from "./session_codec.ts";
import type { TargetNames } from "./tool_names.ts";
import { relayExposure } from "./exposure.ts";

export { recordMcpRequest } from "./relay_messages.ts";
export { RelayFailure } from "./failure.ts";
import {
  type CallScope,
  type CompiledTarget,
  type Listening,
  type MessageSink,
  TargetError,
  type UpstreamConnection,
} from "./upstream/types.ts";

/** What a session needs of its backend: the targets, their names, and how failures count. */
export interface RelayBackend {
  readonly targets: readonly CompiledTarget[];
  readonly names: TargetNames;
  readonly failOpen: boolean;
  /** A connection to `target`; `resumed` is what a session id remembered of it. */
  connect(target: CompiledTarget, resumed: TargetSessionState | undefined): UpstreamConnection;
}

/** Longest chain of pages agw follows for one target's list. */
const MAX_PAGES = 1000;

/** One client session's relay. */
export class RelaySession {
  readonly backend: RelayBackend;
  /** The session id the client holds (undefined in stateless mode). */
  id: string | undefined = undefined;
  #state: SessionState;
  /** Links that are initialized and ready, by target. */
  readonly #ready = new Map<string, Promise<UpstreamConnection>>();
  /** The targets this session may use (failOpen drops the ones that failed to initialize). */
  #members: readonly string[];
  /** `prefixMode: never` with several targets: exposed names → owner, from the last lists. */
  readonly #lookups = new Map<ListKey, Map<string, string>>();
  /** Client request id → what ends agw's own wait for it. */
  readonly #cancels = new Map<string, AbortController>();
  /** Client request id → the upstream requests made for it, for cancellation. */
  readonly #inFlight = new Map<string, { target: string; id: JsonRpcId }[]>();
  /** The client's open GET streams, for what targets send outside any request. */
  readonly #listeners = new Set<MessageSink>();
  readonly #listenings = new Set<Listening>();
  /** Ends the client's GET streams when the session ends. */
  readonly #streamEnds = new Set<() => void>();
  #pageCounter = 0;
  lastUsedMs = performance.now();

  /** A session from a decoded state (just initialized, resumed, or stateless). */
  constructor(backend: RelayBackend, state: SessionState, links?: Map<string, UpstreamConnection>) {
    this.backend = backend;
    this.#state = state;
    this.#members = state.t.map((t) => t.n);
    if (links) { for (const [name, link] of links) this.#ready.set(name, Promise.resolve(link)); }
  }

  /** The state a session id carries. */
  get state(): SessionState {
    return this.#state;
  }

  /** Updates the state with what the links know now (upstream session ids, versions). */
  async snapshotState(): Promise<SessionState> {
    const targets: TargetSessionState[] = [];
    for (const name of this.#members) {
      const link = this.#ready.get(name);
      const fromState = this.#state.t.find((t) => t.n === name);
      targets.push(link ? (await link).state() : fromState ?? { n: name });
    }
    this.#state = { ...this.#state, t: targets };
    return this.#state;
  }

  /** The link to `target`, initialized first if this session has not used it here yet. */
  #link(name: string, scope: CallScope): Promise<UpstreamConnection> {
    let ready = this.#ready.get(name);
    if (!ready) {
      const target = this.backend.targets.find((t) => t.name === name);
      if (!target) return Promise.reject(new TargetError(name, "no such target"));
      const remembered = this.#state.t.find((t) => t.n === name);
      ready = this.#open(target, remembered, scope);
      this.#ready.set(name, ready);
      ready.catch(() => this.#ready.delete(name));
    }
    return ready;
  }

  /**
   * A link this instance has not opened: an HTTP target with a remembered upstream session is
   * used as it is; any other (stdio, SSE, a stateless call) is initialized again with the
   * client's original params, then told it is initialized.
   */
  async #open(
    target: CompiledTarget,
    remembered: TargetSessionState | undefined,
    scope: CallScope,
  ): Promise<UpstreamConnection> {
    const link = this.backend.connect(target, remembered);
    if (target.kind === "mcp" && remembered?.s !== undefined) return link;
    const client = this.#state.c;
    const answer = await link.request(
      {
        jsonrpc: "2.0",
        id: `agw-init-${crypto.randomUUID()}`,
        method: "initialize",
        params: {
          protocolVersion: remembered?.pv ?? client.protocolVersion ?? this.#state.pv,
          capabilities: client.capabilities ?? {},
          clientInfo: client.clientInfo ?? { name: "agw", version: "0" },
        },
      },
      scope,
      this.#sinkFor(target.name, undefined).sink,
    );
    if (answer.error) {
      await link.close(scope);
      throw new TargetError(target.name, `initialize failed: ${answer.error.message}`);
    }
    await link.notify({ jsonrpc: "2.0", method: "notifications/initialized" }, scope);
    return link;
  }

  /**
   * Handles one client request; the response is for the client, under its id. A target's
   * failure is a JSON-RPC error naming it; a target that lost the session throws RelayFailure
   * (404), so the client starts a new one.
   */
  async request(
    message: JsonRpcRequest,
    scope: CallScope,
    sink: MessageSink,
  ): Promise<JsonRpcResponse> {
    // notifications/cancelled for this id ends agw's wait too (the target is told as well).
    const key = idKey(message.id);
    const cancel = new AbortController();
    this.#cancels.set(key, cancel);
    try {
      return await this.#request(message, { ...scope, cancelled: cancel.signal }, sink);
    } catch (error) {
      if (!(error instanceof TargetError)) throw error;
      if (error.sessionGone) throw new RelayFailure(error.message, 404);
      const code = error.timedOut ? ErrorCode.RequestTimeout : ErrorCode.InternalError;
      return errorResponse(message.id, code, error.message);
    } finally {
      if (this.#cancels.get(key) === cancel) this.#cancels.delete(key);
      recordMcpRequest(scope, message.method);
    }
  }

  async #request(
    message: JsonRpcRequest,
    scope: CallScope,
    sink: MessageSink,
  ): Promise<JsonRpcResponse> {
    this.lastUsedMs = performance.now();
    const method = message.method;
    const ctx = scope.ctx;
    ctx.extensions.mcp = mcpCelValue(method, this.id, undefined);
    ctx.logFields = [["mcp.method", method]];
    if (method === "ping") return resultResponse(message.id, {});
    if (method in LIST_METHODS) return await this.#list(message, method as ListMethod, scope, sink);
    if (method === "logging/setLevel") return await this.#broadcast(message, scope, sink);
    const route = routeOf(message, this.backend.names, this.#lookups, this.#members);
    if (route === "unroutable") {
      return errorResponse(message.id, ErrorCode.MethodNotFound, `Method not found: ${method}`);
    }
    if (route === undefined) {
      // Not found yet: with `prefixMode: never` a fresh list may know the name.
      if (this.#needsLookup()) await this.#refreshLookups(message, scope);
    }
    const owned = route ?? routeOf(message, this.backend.names, this.#lookups, this.#members);
    if (owned === undefined || owned === "unroutable" || !this.#members.includes(owned.target)) {
      return notFound(message);
    }
    return await this.#forward(message, owned, scope, sink);
  }

  #needsLookup(): boolean {
    return !this.backend.names.prefixes && this.#members.length > 1;
  }

  /** Lists what the request's kind needs, to learn which target serves which name. */
  async #refreshLookups(message: JsonRpcRequest, scope: CallScope): Promise<void> {
    const method: ListMethod | undefined = message.method === "tools/call"
      ? "tools/list"
      : message.method === "prompts/get" || message.method === "completion/complete"
      ? "prompts/list"
      : message.method.startsWith("resources/")
      ? "resources/list"
      : undefined;
    if (!method) return;
    const probe: JsonRpcRequest = { jsonrpc: "2.0", id: this.#pageId(), method };
    await this.#list(probe, method, scope, () => {}).catch(() => undefined);
    if (message.method === "completion/complete") {
      const templates: JsonRpcRequest = {
        jsonrpc: "2.0",
        id: this.#pageId(),
        method: "resources/templates/list",
      };
      await this.#list(templates, "resources/templates/list", scope, () => {}).catch(() => {});
    }
  }

  async #forward(
    message: JsonRpcRequest,
    routed: Routed,
    scope: CallScope,
    sink: MessageSink,
  ): Promise<JsonRpcResponse> {
    const ctx = scope.ctx;
    const subject = routed.subject;
    if (subject) {
      ctx.extensions.mcp = mcpCelValue(message.method, this.id, subject);
      ctx.logFields = [
        ["mcp.method", message.method],
        ["mcp.target", routed.target],
        ["mcp.resource", subject.kind],
        ["mcp.resource.name", subject.kind === "resource" ? subject.uri : subject.name],
      ];
      if (!isAllowed(ctx, rulesOf(ctx), message.method, this.id, subject)) return notFound(message);
    } else {
      ctx.logFields = [["mcp.method", message.method], ["mcp.target", routed.target]];
    }
    const link = await this.#link(routed.target, scope);
    const upstream: JsonRpcRequest = { ...message, params: routed.params };
    const key = idKey(message.id);
    this.#inFlight.set(key, [{ target: routed.target, id: message.id }]);
    try {
      const answer = await this.#ask(link, upstream, scope, sink);
      return relayExposure(this.backend.names, routed.target, message.method, answer);
    } finally {
      this.#inFlight.delete(key);
    }
  }

  /** A request every target gets (logging/setLevel): success when they all (or, failOpen, some) agree. */
  async #broadcast(
    message: JsonRpcRequest,
    scope: CallScope,
    sink: MessageSink,
  ): Promise<JsonRpcResponse> {
    const outcomes = await this.#fanOut(message, scope, (link) => {
      this.#track(message.id, link.target, message.id);
      return this.#ask(link, message, scope, sink);
    });
    const failure = failureOf(message, outcomes, this.backend.failOpen);
    return failure ?? resultResponse(message.id, {});
  }

  async #fanOut<T>(
    message: JsonRpcRequest,
    scope: CallScope,
    work: (link: UpstreamConnection) => Promise<T>,
  ): Promise<Outcome<T>[]> {
    return await Promise.all(this.#members.map(async (target): Promise<Outcome<T>> => {
      try {
        const link = await this.#link(target, scope);
        return { target, value: await work(link) };
      } catch (error) {
        return { target, error: error as Error };
      }
    })).finally(() => this.#inFlight.delete(idKey(message.id)));
  }

  /** A list from every target: all pages followed, names exposed, denied items left out. */
  async #list(
    message: JsonRpcRequest,
    method: ListMethod,
    scope: CallScope,
    sink: MessageSink,
  ): Promise<JsonRpcResponse> {
    const key = LIST_METHODS[method];
    const outcomes = await this.#fanOut(message, scope, async (link) => {
      const items: Record<string, unknown>[] = [];
      let cursor: unknown = undefined;
      for (let page = 0; page < MAX_PAGES; page++) {
        const params: Record<string, unknown> = { ...(message.params ?? {}) };
        delete params.cursor;
        if (cursor !== undefined) params.cursor = cursor;
        const request: JsonRpcRequest = {
          jsonrpc: "2.0",
          id: page === 0 ? message.id : this.#pageId(),
          method,
          params,
        };
        this.#track(message.id, link.target, request.id);
        const answer = await this.#ask(link, request, scope, sink);
        if (answer.error) return answer;
        const result = answer.result ?? {};
        items.push(...itemsOf(result, key));
        cursor = result.nextCursor;
        if (typeof cursor !== "string" || cursor === "") break;
      }
      return { jsonrpc: "2.0", id: message.id, result: { [key]: items } } as JsonRpcResponse;
    });
    const failure = failureOf(message, outcomes, this.backend.failOpen);
    if (failure) return failure;
    const ctx = scope.ctx;
    const rules = rulesOf(ctx);
    const lookup = new Map<string, string>();
    const merged: Record<string, unknown>[] = [];
    for (const outcome of outcomes) {
      if (!("value" in outcome) || outcome.value.error) continue;
      for (const item of itemsOf(outcome.value.result ?? {}, key)) {
        const identifier = itemIdentifier(key, item);
        if (identifier === undefined) continue;
        const subject = subjectOf(key, outcome.target, identifier);
        if (!isAllowed(ctx, rules, method, this.id, subject)) continue;
        const exposed = exposeItem(key, outcome.target, item, this.backend.names);
        const exposedId = itemIdentifier(key, exposed)!;
        if (!lookup.has(exposedId)) lookup.set(exposedId, outcome.target);
        merged.push(exposed);
      }
    }
    this.#lookups.set(key, lookup);
    return resultResponse(message.id, { [key]: merged });
  }

  #pageId(): string {
    return `agw-${this.#state.r.slice(0, 8)}-${++this.#pageCounter}`;
  }

  #track(clientId: JsonRpcId, target: string, id: JsonRpcId): void {
    const key = idKey(clientId);
    const list = this.#inFlight.get(key) ?? [];
    list.push({ target, id });
    this.#inFlight.set(key, list);
  }

  /**
   * Where a target's messages go: to the request's stream while it is open, then (a late
   * message) to the client's GET streams. Its requests get relay ids (see relayId).
   */
  #sinkFor(target: string, requestSink: MessageSink | undefined): Scoped {
    let open = requestSink !== undefined;
    return {
      sink: (message) => {
        const relayed = fromTarget(this.backend.names, target, message);
        if (open && requestSink) requestSink(relayed);
        else for (const listener of this.#listeners) listener(relayed);
      },
      done: () => (open = false),
    };
  }

  /** Sends a request to a link, its messages to `sink` until the response is in. */
  async #ask(
    link: UpstreamConnection,
    request: JsonRpcRequest,
    scope: CallScope,
    sink: MessageSink | undefined,
  ): Promise<JsonRpcResponse> {
    const scoped = this.#sinkFor(link.target, sink);
    try {
      return await link.request(request, scope, scoped.sink);
    } finally {
      scoped.done();
    }
  }

  /** A client notification: cancellations go where the request went, the rest to every target. */
  async notify(message: JsonRpcNotification, scope: CallScope): Promise<void> {
    this.lastUsedMs = performance.now();
    scope.ctx.logFields = [["mcp.method", message.method]];
    if (message.method === "notifications/cancelled") {
      const requestId = message.params?.requestId;
      if (typeof requestId !== "string" && typeof requestId !== "number") return;
      const sent = this.#inFlight.get(idKey(requestId)) ?? [];
      this.#cancels.get(idKey(requestId))?.abort();
      await Promise.all(sent.map(async ({ target, id }) => {
        const link = await this.#ready.get(target);
        await link?.notify({ ...message, params: { ...message.params, requestId: id } }, scope)
          .catch(() => {});
      }));
      return;
    }
    await Promise.all(this.#members.map(async (target) => {
      try {
        const link = await this.#link(target, scope);
        await link.notify(message, scope);
      } catch {
        // A notification has no answer to carry a failure; the target's next request will.
      }
    }));
  }

  /** The client's answer to a target's request, sent back to that target under its own id. */
  async reply(message: JsonRpcResponse, scope: CallScope): Promise<boolean> {
    this.lastUsedMs = performance.now();
    const origin = message.id === null ? undefined : parseRelayId(message.id);
    if (!origin) return false;
    const link = await this.#link(origin.target, scope);
    await link.reply({ ...message, id: origin.id }, scope);
    return true;
  }

  /**
   * Opens every target's server-to-client stream into `sink` (the client's GET stream) until
   * `until` settles; `end` closes the client's stream when the session ends first. Returns
   * false when no target has one.
   */
  async listen(
    scope: CallScope,
    sink: MessageSink,
    until: Promise<void>,
    end: () => void,
  ): Promise<boolean> {
    this.lastUsedMs = performance.now();
    const opened = await Promise.all(this.#members.map(async (target) => {
      try {
        const link = await this.#link(target, scope);
        return await link.listen(
          scope,
          (message) => sink(fromTarget(this.backend.names, target, message)),
        );
      } catch (error) {
        if (error instanceof TargetError && error.sessionGone) {
          throw new RelayFailure(error.message, 404);
        }
        return undefined;
      }
    }));
    const listenings = opened.filter((l): l is Listening => l !== undefined);
    if (listenings.length === 0) return false;
    this.#listeners.add(sink);
    this.#streamEnds.add(end);
    for (const l of listenings) this.#listenings.add(l);
    until.then(() => {
      this.#listeners.delete(sink);
      this.#streamEnds.delete(end);
      for (const l of listenings) {
        l.stop();
        this.#listenings.delete(l);
      }
    });
    return true;
  }

  /** Ends the session: every upstream session is closed (DELETE, children stopped). */
  async close(scope: CallScope | undefined): Promise<void> {
    for (const l of this.#listenings) l.stop();
    this.#listenings.clear();
    this.#listeners.clear();
    for (const end of this.#streamEnds) end();
    this.#streamEnds.clear();
    const links = [...this.#ready.values()];
    this.#ready.clear();
    await Promise.all(links.map(async (ready) => {
      const link = await ready.catch(() => undefined);
      await link?.close(scope);
    }));
  }
}

interface Scoped {
  readonly sink: MessageSink;
  readonly done: () => void;
}
