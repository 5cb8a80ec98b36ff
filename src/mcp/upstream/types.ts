/**
 * The contract every upstream transport implements (Streamable HTTP, legacy HTTP+SSE, stdio):
 * one connection per target per client session. The relay above it sees only JSON-RPC
 * messages; how they travel is the transport's business.
 * @module
 */
import type { BackendCall } from "../../backends/mod.ts";
import type { RequestContext } from "../../context/mod.ts";
import type { HeaderMap } from "../../http/mod.ts";
import type { CompiledChain } from "../../policies/mod.ts";
import type { Metrics } from "../../telemetry/mod.ts";
import type { UpstreamClient } from "../../upstream/mod.ts";
import type {
  JsonRpcMessage,
  JsonRpcNotification,
  JsonRpcRequest,
  JsonRpcResponse,
} from "../jsonrpc.ts";
import type { TargetSessionState } from "../session_codec.ts";

/** The downstream request an upstream call is made for: its headers, sender and limits. */
export interface CallScope {
  readonly ctx: RequestContext;
  /**
   * The client's headers as the route's and backend's policies left them: the base of every
   * request agw sends a target, its own (initialize fan-out, GET streams) included.
   */
  readonly headers: HeaderMap;
  /** Sends through a pooled client under the attempt's deadline and the client's signal. */
  readonly send: BackendCall["send"];
  /** When the answer is due (performance.now() ms): the route's timeout, if it has one. */
  readonly deadlineMs: number | undefined;
  /** Fires when the client cancels the request this call is for (notifications/cancelled). */
  readonly cancelled?: AbortSignal | undefined;
  /** The process's metrics (agentgateway_mcp_requests_total). */
  readonly metrics?: Metrics | undefined;
}

/** Hears what a target sends besides the awaited response: notifications, its own requests. */
export type MessageSink = (message: JsonRpcMessage) => void;

/** An open server-to-client stream (a GET stream, or a local channel); `stop` ends it. */
export interface Listening {
  stop(): void;
  /** Settles when the stream ends on its own (the target closed it, or died). */
  readonly ended: Promise<void>;
}

/** One client session's link to one target. */
export interface UpstreamConnection {
  readonly target: string;
  /** What a session id must carry to reach this target's session again (from anywhere). */
  state(): TargetSessionState;
  /**
   * Sends a request and resolves with its response. Anything else the target sends about it
   * before the response goes to `sink`. Failures throw TargetError.
   */
  request(message: JsonRpcRequest, scope: CallScope, sink: MessageSink): Promise<JsonRpcResponse>;
  /** Sends a notification. */
  notify(message: JsonRpcNotification, scope: CallScope): Promise<void>;
  /** Delivers the client's answer to one of the target's requests. */
  reply(message: JsonRpcResponse, scope: CallScope): Promise<void>;
  /** Opens the target's server-to-client stream; undefined when it has none. */
  listen(scope: CallScope, sink: MessageSink): Promise<Listening | undefined>;
  /** Ends the upstream session (DELETE, or the child is stopped). Never throws. */
  close(scope: CallScope | undefined): Promise<void>;
}

/** A failure reaching a target, named after it: becomes a JSON-RPC error (or an HTTP status). */
export class TargetError extends Error {
  readonly target: string;
  /** The upstream no longer knows the session (HTTP 404): the client must start again. */
  readonly sessionGone: boolean;
  /** The request's deadline passed. */
  readonly timedOut: boolean;

  constructor(
    target: string,
    detail: string,
    options: { sessionGone?: boolean; timedOut?: boolean } = {},
  ) {
    super(`target ${JSON.stringify(target)}: ${detail}`);
    this.name = "TargetError";
    this.target = target;
    this.sessionGone = options.sessionGone ?? false;
    this.timedOut = options.timedOut ?? false;
  }
}

/** Where an HTTP target lives: its pooled client, the Host to send and the path to post to. */
export interface HttpAddress {
  readonly client: UpstreamClient;
  readonly authority: string;
  readonly path: string;
  /** The target's own policies (backendAuth, requestHeaderModifier), run per request. */
  readonly chain: CompiledChain;
}

/** A target, compiled at load. */
export type CompiledTarget =
  | { readonly name: string; readonly kind: "mcp" | "sse"; readonly http: HttpAddress }
  | {
    readonly name: string;
    readonly kind: "stdio";
    readonly cmd: string;
    readonly args: readonly string[];
    readonly env: Readonly<Record<string, string>>;
    readonly clearEnv: boolean;
  };
