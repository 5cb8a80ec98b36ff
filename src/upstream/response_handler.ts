/**
 * One request's undici dispatch handler: turns the callbacks into an `UpstreamResponse` whose
 * body is a web stream with backpressure, or one buffer when it came with the headers.
 * @module
 */
import type { Dispatcher } from "undici";
import { hopByHopNames } from "../http/mod.ts";
import { TransportError, type UpstreamResponse } from "./http_client_pool.ts";

type Controller = Dispatcher.DispatchController;
type HeaderRecord = Record<string, string | string[] | undefined>;

// RFC 9110 §6.4.1: these statuses never carry content.
const NO_BODY_STATUS = new Set([101, 103, 204, 205, 304]);

/**
 * Receives one exchange. The owner settles the call itself (`abort`), so a deadline never waits
 * for the transport; `onDone` runs exactly once, when undici is finished with the exchange.
 */
export class ResponseHandler implements Dispatcher.DispatchHandler {
  readonly #resolve: (response: UpstreamResponse) => void;
  readonly #reject: (error: unknown) => void;
  readonly #onDone: () => void;
  #controller: Controller | undefined;
  /** Why agw abandoned the exchange before undici started it; applied in onRequestStart. */
  #abandoned: Error | undefined;
  #settled = false;
  #done = false;
  /** Between the headers and the hand-off: body chunks that arrived with them. */
  #early: Uint8Array[] | undefined;
  #ended = false;
  #status = 0;
  #headers: [string, string][] = [];
  #stream: ReadableStreamDefaultController<Uint8Array> | undefined;
  /** The stream was cancelled or errored: later callbacks are ignored. */
  #streamClosed = false;

  constructor(
    resolve: (response: UpstreamResponse) => void,
    reject: (error: unknown) => void,
    onDone: () => void,
  ) {
    this.#resolve = resolve;
    this.#reject = reject;
    this.#onDone = onDone;
  }

  /** Whether the call has resolved or rejected. */
  get settled(): boolean {
    return this.#settled;
  }

  /**
   * Settles the call now with `error` and tells undici to drop the exchange: a request on the
   * wire loses its connection (undici destroys the socket, so it never returns to the pool); a
   * queued one is never sent.
   */
  abort(error: unknown): void {
    this.#settle(undefined, error);
    const reason = error instanceof Error ? error : new Error(String(error));
    if (this.#controller) this.#controller.abort(reason);
    else this.#abandoned = reason;
  }

  onRequestStart(controller: Controller): void {
    this.#controller = controller;
    if (this.#abandoned) controller.abort(this.#abandoned);
  }

  onResponseStart(_controller: Controller, status: number, headers: HeaderRecord): void {
    this.#status = status;
    this.#headers = responseHeaderPairs(headers);
    if (NO_BODY_STATUS.has(status)) {
      this.#settle({ status, headers: this.#headers, body: null });
      return;
    }
    // undici is still parsing the packet that carried the headers. If it also held the whole
    // body, hand that over as one buffer (no stream to wrap); otherwise stream. Nothing waits
    // for the network here: a body still in flight is always streamed.
    this.#early = [];
    queueMicrotask(() => this.#handOff());
  }

  onResponseData(controller: Controller, chunk: Uint8Array): void {
    if (this.#early) {
      this.#early.push(chunk);
    } else if (this.#stream && !this.#streamClosed) {
      this.#stream.enqueue(chunk);
      if ((this.#stream.desiredSize ?? 0) <= 0) controller.pause();
    }
  }

  onResponseEnd(): void {
    this.#ended = true;
    if (this.#stream && !this.#streamClosed) {
      this.#streamClosed = true;
      this.#stream.close();
    }
    this.#finish();
  }

  onResponseError(_controller: Controller, error: Error): void {
    if (this.#stream && !this.#streamClosed) {
      // The upstream connection dropped mid-body.
      this.#streamClosed = true;
      this.#stream.error(
        new TransportError("upstream closed the connection mid-body", "ECONNRESET"),
      );
    } else if (this.#early) {
      this.#early = undefined;
      this.#settle(undefined, new TransportError(error.message, "ECONNRESET"));
    } else {
      this.#settle(undefined, toTransportError(error));
    }
    this.#finish();
  }

  #handOff(): void {
    const chunks = this.#early;
    if (!chunks) return;
    this.#early = undefined;
    const status = this.#status;
    const headers = this.#headers;
    if (this.#ended) {
      this.#settle({ status, headers, body: concat(chunks) });
      return;
    }
    const body = new ReadableStream<Uint8Array>({
      start: (controller) => {
        this.#stream = controller;
        for (const chunk of chunks) controller.enqueue(chunk);
        if ((controller.desiredSize ?? 0) <= 0) this.#controller?.pause();
      },
      pull: () => {
        this.#controller?.resume();
      },
      cancel: () => {
        // The client went away: drop the upstream connection rather than drain it.
        this.#streamClosed = true;
        this.#controller?.abort(new Error("response body cancelled"));
      },
    }, { highWaterMark: 65536, size: (chunk) => chunk.byteLength });
    this.#settle({ status, headers, body });
  }

  #settle(response: UpstreamResponse | undefined, error?: unknown): void {
    if (this.#settled) return;
    this.#settled = true;
    if (response) this.#resolve(response);
    else this.#reject(error);
  }

  #finish(): void {
    if (this.#done) return;
    this.#done = true;
    this.#onDone();
  }
}

/** undici and socket errors, as the codes attemptUpstream knows. */
export function toTransportError(error: Error & { code?: string }): TransportError {
  if (error instanceof TransportError) return error;
  switch (error.code) {
    // undici: "other side closed", a socket error mid-exchange.
    case "UND_ERR_SOCKET":
      return new TransportError(error.message, "ECONNRESET");
    case "UND_ERR_CONNECT_TIMEOUT":
      return new TransportError(error.message, "ETIMEDOUT");
    default:
      return new TransportError(error.message, error.code ?? "EUNKNOWN");
  }
}

function concat(chunks: Uint8Array[]): Uint8Array<ArrayBuffer> {
  if (chunks.length === 1) return chunks[0] as Uint8Array<ArrayBuffer>;
  let length = 0;
  for (const chunk of chunks) length += chunk.byteLength;
  const out = new Uint8Array(length);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return out;
}

/** Header pairs from undici's parsed headers, without hop-by-hop fields. */
function responseHeaderPairs(headers: HeaderRecord): [string, string][] {
  const connection = headers.connection;
  const skip = hopByHopNames(typeof connection === "string" ? connection : null);
  const pairs: [string, string][] = [];
  for (const name in headers) {
    if (skip.has(name)) continue;
    const value = headers[name];
    if (typeof value === "string") pairs.push([name, value]);
    else if (value) { for (const item of value) pairs.push([name, item]); }
  }
  return pairs;
}
