/**
 * Server-sent events for MCP: reading an upstream's stream (parsed by `eventsource-parser`)
 * and writing agw's own to the client (Streamable HTTP and the legacy HTTP+SSE transport both
 * carry one JSON-RPC message per `data`, event type `message`).
 * @module
 */
import { createParser } from "eventsource-parser";
import type { JsonRpcMessage } from "./jsonrpc.ts";

/** One event as read: its type (`message` when unnamed), data and id. */
export interface SseEvent {
  readonly event: string;
  readonly data: string;
  readonly id: string | undefined;
}

/** Longest event agw buffers from a target before calling the stream broken. */
const MAX_EVENT_CHARS = 16 * 1024 * 1024;

/** Reads one SSE body event by event (the subset of a stream reader agw uses). */
export interface SseReader {
  read(): Promise<{ done: true; value?: undefined } | { done: false; value: SseEvent }>;
  cancel(): Promise<void>;
}

/**
 * The events of an SSE body, in order; `read` rejects when the body breaks. `onRetry` hears the
 * stream's `retry:` field (how long to wait before reconnecting). The parser is fed directly
 * rather than through a chain of TransformStreams: this runs once per upstream answer, and a
 * buffered body (the whole answer came with the headers) is parsed in one go.
 */
export function readSse(
  body: ReadableStream<Uint8Array> | Uint8Array,
  onRetry?: (ms: number) => void,
): SseReader {
  const queue: SseEvent[] = [];
  const parser = createParser({
    onEvent: (message) =>
      queue.push({ event: message.event ?? "message", data: message.data, id: message.id }),
    onRetry,
    maxBufferSize: MAX_EVENT_CHARS,
  });
  const decoder = new TextDecoder();
  let source: ReadableStreamDefaultReader<Uint8Array> | undefined;
  let ended = false;
  if (body instanceof Uint8Array) {
    parser.feed(decoder.decode(body));
    parser.feed("\n\n");
    ended = true;
  } else source = body.getReader();
  return {
    async read() {
      while (queue.length === 0 && !ended) {
        const chunk = await source!.read();
        if (chunk.done) {
          ended = true;
          parser.feed(decoder.decode());
        } else parser.feed(decoder.decode(chunk.value, { stream: true }));
      }
      const value = queue.shift();
      return value === undefined ? { done: true } : { done: false, value };
    },
    async cancel() {
      ended = true;
      queue.length = 0;
      await source?.cancel().catch(() => {});
    },
  };
}

const encoder = new TextEncoder();

/** The wire bytes of one event carrying a JSON-RPC message. */
export function messageEvent(message: JsonRpcMessage, event = "message"): Uint8Array {
  return encoder.encode(`event: ${event}\ndata: ${JSON.stringify(message)}\n\n`);
}

/** The wire bytes of one event with plain text data (the legacy transport's `endpoint`). */
export function textEvent(event: string, data: string): Uint8Array {
  return encoder.encode(`event: ${event}\ndata: ${data}\n\n`);
}

/**
 * A body agw writes events to as they happen. `write` after `close` (or after the client left)
 * is ignored; `closed` settles when the client goes away or agw ends the stream.
 */
export class SseWriter {
  readonly body: ReadableStream<Uint8Array>;
  readonly closed: Promise<void>;
  #controller!: ReadableStreamDefaultController<Uint8Array>;
  #open = true;
  #onClosed!: () => void;

  constructor(onCancel?: () => void) {
    this.closed = new Promise((resolve) => (this.#onClosed = resolve));
    this.body = new ReadableStream<Uint8Array>({
      start: (controller) => {
        this.#controller = controller;
      },
      cancel: () => {
        this.#open = false;
        this.#onClosed();
        onCancel?.();
      },
    });
  }

  /** Whether events still reach the client. */
  get isOpen(): boolean {
    return this.#open;
  }

  /** Sends raw event bytes. */
  write(bytes: Uint8Array): void {
    if (!this.#open) return;
    try {
      this.#controller.enqueue(bytes);
    } catch {
      this.#open = false;
      this.#onClosed();
    }
  }

  /** Ends the stream. */
  close(): void {
    if (!this.#open) return;
    this.#open = false;
    try {
      this.#controller.close();
    } catch {
      // Already cancelled by the client.
    }
    this.#onClosed();
  }
}

/** The response headers of an event stream (no-cache: nothing in between may hold events). */
export const SSE_HEADERS: Readonly<Record<string, string>> = {
  "content-type": "text/event-stream",
  "cache-control": "no-cache",
};
