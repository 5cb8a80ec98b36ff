/**
 * What stdio and legacy SSE targets share: one channel carries every message both ways, so agw
 * matches responses to requests by id and decides where the rest goes. A progress notification
 * goes to the request that asked for progress with its token; any other message the target
 * sends while requests are open goes to the newest one (it is almost always about it: a tool's
 * logging, sampling or elicitation); otherwise to the client's listening stream, held (a few)
 * until one opens.
 * @module
 */
import {
  idKey,
  isResponse,
  type JsonRpcId,
  type JsonRpcMessage,
  type JsonRpcNotification,
  type JsonRpcRequest,
  type JsonRpcResponse,
  progressTokenOf,
} from "../jsonrpc.ts";
import { withDeadline } from "./http_exchange.ts";
import {
  type CallScope,
  type Listening,
  type MessageSink,
  TargetError,
  type UpstreamConnection,
} from "./types.ts";
import type { TargetSessionState } from "../session_codec.ts";

interface Pending {
  readonly resolve: (response: JsonRpcResponse) => void;
  readonly reject: (error: Error) => void;
  readonly sink: MessageSink;
  readonly progressToken: string | undefined;
}

/** Messages held for a listening stream that is not open yet. */
const HELD_MESSAGES_MAX = 100;

/** A connection over one message channel; subclasses move the bytes. */
export abstract class ChannelConnection implements UpstreamConnection {
  readonly target: string;
  readonly #pending = new Map<string, Pending>();
  #listener: MessageSink | undefined;
  #held: JsonRpcMessage[] = [];
  #failure: TargetError | undefined;
  #endListening: (() => void) | undefined;
  #version: string | undefined;

  constructor(target: string) {
    this.target = target;
  }

  /** Sends one message on the channel; rejects when the channel cannot take it. */
  protected abstract write(message: JsonRpcMessage, scope: CallScope | undefined): Promise<void>;
  /** Opens the channel (spawns the child, opens the event stream) before the first message. */
  protected abstract open(scope: CallScope): Promise<void>;
  /** Ends the channel. */
  protected abstract shut(): Promise<void>;

  state(): TargetSessionState {
    return this.#version === undefined ? { n: this.target } : { n: this.target, pv: this.#version };
  }

  /** Whether the channel has failed for good (the child exited, the stream ended). */
  get failed(): boolean {
    return this.#failure !== undefined;
  }

  /** A message the target sent. */
  protected receive(message: JsonRpcMessage): void {
    if (isResponse(message) && message.id !== null) {
      const key = idKey(message.id);
      const pending = this.#pending.get(key);
      if (pending) {
        this.#pending.delete(key);
        pending.resolve(message);
      }
      return;
    }
    this.#route(message)(message);
  }

  #route(message: JsonRpcMessage): MessageSink {
    if ("method" in message && message.method === "notifications/progress") {
      const token = message.params?.progressToken;
      if (token !== undefined) {
        const key = idKey(token as JsonRpcId);
        for (const pending of this.#pending.values()) {
          if (pending.progressToken === key) return pending.sink;
        }
      }
    }
    let newest: Pending | undefined;
    for (const pending of this.#pending.values()) newest = pending;
    if (newest) return newest.sink;
    if (this.#listener) return this.#listener;
    return (held) => {
      if (this.#held.length < HELD_MESSAGES_MAX) this.#held.push(held);
    };
  }

  /** The channel is gone: every waiting request fails with `reason`, naming the target. */
  protected fail(reason: string): void {
    if (this.#failure) return;
    this.#failure = new TargetError(this.target, reason);
    for (const pending of this.#pending.values()) pending.reject(this.#failure);
    this.#pending.clear();
    this.#endListening?.();
  }

  async request(
    message: JsonRpcRequest,
    scope: CallScope,
    sink: MessageSink,
  ): Promise<JsonRpcResponse> {
    if (this.#failure) throw this.#failure;
    await this.open(scope);
    if (this.#failure) throw this.#failure;
    const key = idKey(message.id);
    const token = progressTokenOf(message);
    const answer = new Promise<JsonRpcResponse>((resolve, reject) => {
      this.#pending.set(key, {
        resolve,
        reject,
        sink,
        progressToken: token === undefined ? undefined : idKey(token),
      });
    });
    try {
      await this.write(message, scope);
    } catch (error) {
      this.#pending.delete(key);
      throw error instanceof TargetError
        ? error
        : new TargetError(this.target, (error as Error).message);
    }
    const response = await withDeadline(this.target, scope, answer, () => {
      this.#pending.delete(key);
      // MCP spec, "Cancellation": tell the target agw stopped waiting.
      this.write({
        jsonrpc: "2.0",
        method: "notifications/cancelled",
        params: { requestId: message.id, reason: "request timeout" },
      }, scope).catch(() => {});
    });
    if (message.method === "initialize") {
      const version = response.result?.protocolVersion;
      if (typeof version === "string") this.#version = version;
    }
    return response;
  }

  async notify(message: JsonRpcNotification, scope: CallScope): Promise<void> {
    if (this.#failure) throw this.#failure;
    await this.open(scope);
    if (message.method === "notifications/cancelled") {
      // The answer will not be awaited: stop routing the target's messages to it.
      const id = message.params?.requestId;
      if (typeof id === "string" || typeof id === "number") this.#pending.delete(idKey(id));
    }
    await this.write(message, scope);
  }

  async reply(message: JsonRpcResponse, scope: CallScope): Promise<void> {
    if (this.#failure) throw this.#failure;
    await this.write(message, scope);
  }

  listen(_scope: CallScope, sink: MessageSink): Promise<Listening | undefined> {
    if (this.#failure) return Promise.resolve(undefined);
    this.#endListening?.();
    this.#listener = sink;
    const { promise: ended, resolve } = Promise.withResolvers<void>();
    const stop = () => {
      if (this.#listener === sink) this.#listener = undefined;
      if (this.#endListening === stop) this.#endListening = undefined;
      resolve();
    };
    this.#endListening = stop;
    const held = this.#held;
    this.#held = [];
    for (const message of held) sink(message);
    return Promise.resolve({ stop, ended });
  }

  async close(): Promise<void> {
    this.fail("the session ended");
    await this.shut().catch(() => {});
  }
}
