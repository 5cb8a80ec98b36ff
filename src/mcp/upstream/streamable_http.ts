/**
 * The Streamable HTTP transport towards a target (MCP spec, "Transports / Streamable HTTP"):
 * every message is a POST; a request's answer is JSON or an event stream that carries the
 * response after any notifications and requests of the target's own; GET opens the target's
 * stream for messages unrelated to a request; DELETE ends its session.
 * @module
 */
import {
  idKey,
  isResponse,
  type JsonRpcMessage,
  type JsonRpcNotification,
  type JsonRpcRequest,
  type JsonRpcResponse,
} from "../jsonrpc.ts";
import type { TargetSessionState } from "../session_codec.ts";
import { readSse, type SseReader } from "../sse_events.ts";
import type { UpstreamResponse } from "../../upstream/mod.ts";
import { discard, exchange, headerOf, readAll, withDeadline } from "./http_exchange.ts";
import {
  type CallScope,
  type HttpAddress,
  type Listening,
  type MessageSink,
  TargetError,
  type UpstreamConnection,
} from "./types.ts";

const ACCEPT_BOTH = "application/json, text/event-stream";
/** SEP-1699: how long to wait before resuming a closed stream when it names no `retry`. */
const DEFAULT_RETRY_MS = 1000;
/** Longest `retry` agw honours, and how many times it resumes one request's stream. */
const MAX_RETRY_MS = 5_000;
const MAX_RESUMES = 5;
const decoder = new TextDecoder();
const encoder = new TextEncoder();

/** One client session's Streamable HTTP session with one target. */
export class StreamableHttpConnection implements UpstreamConnection {
  readonly target: string;
  readonly #address: HttpAddress;
  #sessionId: string | undefined;
  #version: string | undefined;

  /** `resumed`: what a session id remembered of this target (another instance's session). */
  constructor(target: string, address: HttpAddress, resumed?: TargetSessionState) {
    this.target = target;
    this.#address = address;
    this.#sessionId = resumed?.s;
    this.#version = resumed?.pv;
  }

  state(): TargetSessionState {
    const state: { n: string; s?: string; pv?: string } = { n: this.target };
    if (this.#sessionId !== undefined) state.s = this.#sessionId;
    if (this.#version !== undefined) state.pv = this.#version;
    return state;
  }

  #headers(accept: string, json: boolean): Record<string, string | undefined> {
    return {
      accept,
      "content-type": json ? "application/json" : undefined,
      "mcp-session-id": this.#sessionId,
      "mcp-protocol-version": this.#version,
    };
  }

  async request(
    message: JsonRpcRequest,
    scope: CallScope,
    sink: MessageSink,
  ): Promise<JsonRpcResponse> {
    const isInitialize = message.method === "initialize";
    if (isInitialize) {
      // A new upstream session: nothing of an earlier one may ride along.
      this.#sessionId = undefined;
      this.#version = undefined;
    }
    let cancelBody: (() => void) | undefined;
    const work = (async () => {
      const response = await exchange(this.target, this.#address, scope, {
        method: "POST",
        headers: this.#headers(ACCEPT_BOTH, true),
        body: encoder.encode(JSON.stringify(message)),
      });
      if (response.status === 404 && this.#sessionId !== undefined) {
        discard(response.body);
        throw new TargetError(this.target, "session not found", { sessionGone: true });
      }
      const type = headerOf(response, "content-type") ?? "";
      if (response.status < 200 || response.status >= 300) {
        // An error status may still carry a JSON-RPC error for this request: pass it on.
        const answer = type.includes("application/json")
          ? await readJsonAnswer(response.body, message, sink).catch(() => undefined)
          : (discard(response.body), undefined);
        if (answer) return answer;
        throw new TargetError(this.target, `HTTP ${response.status}`);
      }
      if (isInitialize) {
        this.#sessionId = headerOf(response, "mcp-session-id");
      }
      if (type.includes("text/event-stream")) {
        return await this.#readStream(response.body, message, scope, sink, (cancel) => {
          cancelBody = cancel;
        });
      }
      const answer = await readJsonAnswer(response.body, message, sink);
      if (!answer) throw new TargetError(this.target, "the answer holds no response");
      return answer;
    })();
    const answer = await withDeadline(this.target, scope, work, () => cancelBody?.());
    if (isInitialize) {
      const version = answer.result?.protocolVersion;
      if (typeof version === "string") this.#version = version;
    }
    return answer;
  }

  /**
   * Reads a request's event stream to its response. A target may close the stream early once
   * it has sent an event id (SEP-1699, 2025-11-25 "Resumability"): agw then waits the stream's
   * `retry` and reconnects with GET and `Last-Event-ID`, as a client would, a few times at most.
   */
  async #readStream(
    body: UpstreamResponse["body"],
    request: JsonRpcRequest,
    scope: CallScope,
    sink: MessageSink,
    onReader: (cancel: () => void) => void,
  ): Promise<JsonRpcResponse> {
    let retryMs = DEFAULT_RETRY_MS;
    let lastEventId: string | undefined;
    for (let attempt = 0;; attempt++) {
      const reader = readSse(body ?? new Uint8Array(), (ms) => (retryMs = ms));
      onReader(() => void reader.cancel().catch(() => {}));
      const read = await readStreamAnswer(this.target, reader, request, sink);
      if ("answer" in read) return read.answer;
      lastEventId = read.lastEventId ?? lastEventId;
      if (lastEventId === undefined || attempt >= MAX_RESUMES) {
        throw new TargetError(this.target, "the stream ended without a response");
      }
      await new Promise((resolve) => setTimeout(resolve, Math.min(retryMs, MAX_RETRY_MS)));
      const resumed = await exchange(this.target, this.#address, scope, {
        method: "GET",
        headers: { ...this.#headers("text/event-stream", false), "last-event-id": lastEventId },
      });
      if (resumed.status !== 200) {
        discard(resumed.body);
        throw new TargetError(this.target, `resuming the stream failed (HTTP ${resumed.status})`);
      }
      body = resumed.body;
    }
  }

  notify(message: JsonRpcNotification, scope: CallScope): Promise<void> {
    return this.#post(message, scope);
  }

  reply(message: JsonRpcResponse, scope: CallScope): Promise<void> {
    return this.#post(message, scope);
  }

  /** Notifications and responses: the target answers 202 Accepted, with no body. */
  async #post(message: JsonRpcMessage, scope: CallScope): Promise<void> {
    const response = await exchange(this.target, this.#address, scope, {
      method: "POST",
      headers: this.#headers(ACCEPT_BOTH, true),
      body: encoder.encode(JSON.stringify(message)),
    });
    discard(response.body);
    if (response.status === 404 && this.#sessionId !== undefined) {
      throw new TargetError(this.target, "session not found", { sessionGone: true });
    }
    if (response.status < 200 || response.status >= 300) {
      throw new TargetError(this.target, `HTTP ${response.status}`);
    }
  }

  async listen(scope: CallScope, sink: MessageSink): Promise<Listening | undefined> {
    const response = await exchange(this.target, this.#address, scope, {
      method: "GET",
      headers: this.#headers("text/event-stream", false),
    });
    const type = headerOf(response, "content-type") ?? "";
    // 405: the target offers no such stream, which the spec allows.
    if (response.status !== 200 || !type.includes("text/event-stream")) {
      discard(response.body);
      if (response.status === 404 && this.#sessionId !== undefined) {
        throw new TargetError(this.target, "session not found", { sessionGone: true });
      }
      return undefined;
    }
    const reader = readSse(response.body ?? new Uint8Array());
    const ended = (async () => {
      try {
        while (true) {
          const { done, value } = await reader.read();
          if (done) return;
          const message = parseEventMessage(value.data);
          if (message) sink(message);
        }
      } catch {
        // The stream broke or was stopped: either way it has ended.
      }
    })();
    return { stop: () => void reader.cancel().catch(() => {}), ended };
  }

  async close(scope: CallScope | undefined): Promise<void> {
    if (this.#sessionId === undefined || !scope) return;
    try {
      const response = await exchange(this.target, this.#address, scope, {
        method: "DELETE",
        headers: this.#headers(ACCEPT_BOTH, false),
      });
      discard(response.body);
    } catch {
      // The target may be gone already; the session ends for agw either way.
    }
  }
}

/** One message from an event's data; anything else (a keep-alive, garbage) is skipped. */
function parseEventMessage(data: string): JsonRpcMessage | undefined {
  if (data.trim() === "") return undefined;
  try {
    const value = JSON.parse(data);
    return typeof value === "object" && value !== null ? value as JsonRpcMessage : undefined;
  } catch {
    return undefined;
  }
}

/** The response to `request` in a JSON answer (one message or, in 2025-03-26, a batch). */
async function readJsonAnswer(
  body: Parameters<typeof readAll>[0],
  request: JsonRpcRequest,
  sink: MessageSink,
): Promise<JsonRpcResponse | undefined> {
  const value = JSON.parse(decoder.decode(await readAll(body)));
  const messages: JsonRpcMessage[] = Array.isArray(value) ? value : [value];
  let answer: JsonRpcResponse | undefined;
  for (const message of messages) {
    if (isAnswerTo(message, request)) answer = message;
    else if (typeof message === "object" && message !== null) sink(message);
  }
  return answer;
}

/**
 * Reads events until the response to `request` (earlier messages go to `sink`), or until the
 * stream ends without one, with the last event id seen (to resume from).
 */
async function readStreamAnswer(
  target: string,
  reader: SseReader,
  request: JsonRpcRequest,
  sink: MessageSink,
): Promise<{ answer: JsonRpcResponse } | { lastEventId: string | undefined }> {
  let lastEventId: string | undefined;
  try {
    while (true) {
      const { done, value } = await reader.read();
      if (done) break;
      if (value.id) lastEventId = value.id;
      if (value.event !== "message") continue;
      const message = parseEventMessage(value.data);
      if (!message) continue;
      if (isAnswerTo(message, request)) return { answer: message };
      sink(message);
    }
  } catch (error) {
    if (lastEventId === undefined) {
      throw new TargetError(target, `stream broke: ${(error as Error).message}`);
    }
  } finally {
    reader.cancel().catch(() => {});
  }
  return { lastEventId };
}

function isAnswerTo(message: JsonRpcMessage, request: JsonRpcRequest): message is JsonRpcResponse {
  return isResponse(message) && message.id !== null && idKey(message.id) === idKey(request.id);
}
