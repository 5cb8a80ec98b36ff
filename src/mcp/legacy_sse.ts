/**
 * The legacy HTTP+SSE transport towards clients (MCP spec 2024-11-05, "Transports / HTTP with
 * SSE"): `GET …/sse` opens the stream and sends the `endpoint` event naming
 * `…/sse?sessionId=<id>`; each message the client POSTs there is accepted with 202 and answered
 * on the stream as `event: message`. The stream is this instance's, so these sessions do not
 * move between instances; the session ends when the client closes the stream.
 * @module
 */
import { readBody } from "../http/mod.ts";
import type { OutgoingRequest } from "../upstream/mod.ts";
import { jsonResponse, plainResponse } from "./answer.ts";
import {
  checkMessage,
  ErrorCode,
  errorResponse,
  isNotification,
  isRequest,
  type JsonRpcMessage,
  type JsonRpcResponse,
} from "./jsonrpc.ts";
import { recordMcpRequest, type RelayBackend, RelayFailure, RelaySession } from "./relay.ts";
import { initializeSession } from "./initialize.ts";
import { messageEvent, SSE_HEADERS, SseWriter, textEvent } from "./sse_events.ts";
import type { CallScope } from "./upstream/types.ts";

/** The largest JSON-RPC body agw reads from a client. */
const REQUEST_LIMIT_BYTES = 4 * 1024 * 1024;

interface Channel {
  readonly writer: SseWriter;
  session: RelaySession | undefined;
  listening: boolean;
  /** The scope of the latest POST, to end upstream sessions when the stream closes. */
  scope: CallScope | undefined;
}

/** The legacy SSE sessions of one backend on this instance. */
export class LegacySseSessions {
  readonly #backend: RelayBackend;
  readonly #channels = new Map<string, Channel>();

  constructor(backend: RelayBackend) {
    this.#backend = backend;
  }

  /** GET: opens a stream and tells the client where to post. */
  open(scope: CallScope): Response {
    const id = crypto.randomUUID();
    const writer = new SseWriter();
    // A client that leaves ends the stream and so the session (see below).
    const signal = scope.ctx.request.signal;
    signal.addEventListener("abort", () => writer.close(), { once: true });
    const channel: Channel = { writer, session: undefined, listening: false, scope: undefined };
    this.#channels.set(id, channel);
    writer.closed.then(() => {
      this.#channels.delete(id);
      void channel.session?.close(channel.scope);
    });
    writer.write(textEvent("endpoint", `${scope.ctx.url.pathname}?sessionId=${id}`));
    recordMcpRequest(scope, "GET");
    return new Response(writer.body, { status: 200, headers: SSE_HEADERS });
  }

  /** POST …?sessionId=: one message, answered on the stream. */
  async post(scope: CallScope, id: string, body: OutgoingRequest["body"]): Promise<Response> {
    const channel = this.#channels.get(id);
    if (!channel) return plainResponse(404, "Session not found");
    channel.scope = scope;
    const { text } = await readBody(body as Parameters<typeof readBody>[0], REQUEST_LIMIT_BYTES);
    if (text === undefined) return plainResponse(413, "Payload Too Large");
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      return jsonResponse(400, errorResponse(null, ErrorCode.ParseError, "Parse error"));
    }
    const checked = checkMessage(value);
    if (!checked.ok) {
      return jsonResponse(
        400,
        errorResponse(null, ErrorCode.InvalidRequest, `Invalid Request: ${checked.why}`),
      );
    }
    const message = checked.message;
    const send = (out: JsonRpcMessage) => channel.writer.write(messageEvent(out));
    try {
      // The 202 goes out once the answer is on the stream: the upstream calls made for it keep
      // this request's sender and deadline (the client awaits the POST either way).
      if (isRequest(message) && message.method === "initialize") {
        const { response, session } = await initializeSession(
          this.#backend,
          message,
          scope,
          send,
        );
        recordMcpRequest(scope, message.method);
        await channel.session?.close(scope);
        channel.session = session;
        send(response);
      } else if (!channel.session) {
        return plainResponse(400, "Bad Request: the session is not initialized");
      } else if (isRequest(message)) {
        send(await channel.session.request(message, scope, send));
      } else if (isNotification(message)) {
        await channel.session.notify(message, scope);
        if (message.method === "notifications/initialized") this.#listen(channel, scope);
      } else {
        await channel.session.reply(message as JsonRpcResponse, scope);
      }
    } catch (error) {
      if (!(error instanceof RelayFailure)) throw error;
      // A target lost the session: so has the client; closing the stream tells it.
      channel.writer.close();
      return plainResponse(404, "Session not found");
    }
    return new Response("Accepted", { status: 202 });
  }

  /** Once initialized, what targets send outside requests goes to the stream too. */
  #listen(channel: Channel, scope: CallScope): void {
    if (channel.listening || !channel.session) return;
    channel.listening = true;
    channel.session.listen(
      scope,
      (message) => channel.writer.write(messageEvent(message)),
      channel.writer.closed,
      () => channel.writer.close(),
    ).catch(() => {});
  }

  /** Ends every stream and its session (snapshot closed). */
  closeAll(): void {
    for (const channel of this.#channels.values()) channel.writer.close();
    this.#channels.clear();
  }
}
