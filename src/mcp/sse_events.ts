/**
 * Server-sent events for MCP: reading an upstream's stream (parsed by `eventsource-parser`)
 * and writing agw's own to the client (Streamable HTTP and the legacy HTTP+SSE transport both
 * carry one JSON-RPC message per `data`, event type `message`).
 * @module
 */
import { EventSourceParserStream } from "eventsource-parser/stream";
import type { JsonRpcMessage } from "./jsonrpc.ts";

/** One event as read: its type (`message` when unnamed), data and id. */
export interface SseEvent {
  readonly event: string;
  readonly data: string;
  readonly id: string | undefined;
}

/** Longest event agw buffers from a target before calling the stream broken. */
const MAX_EVENT_CHARS = 16 * 1024 * 1024;

/**
 * The events of an SSE body, in order; the reader errors when the body does. `onRetry` hears
 * the stream's `retry:` field (how long to wait before reconnecting).
 */
export function readSse(
  body: ReadableStream<Uint8Array>,
  onRetry?: (ms: number) => void,
): ReadableStreamDefaultReader<SseEvent> {
  return body
    .pipeThrough(new TextDecoderStream())
    .pipeThrough(
      new EventSourceParserStream({
        onError: "terminate",
        maxBufferSize: MAX_EVENT_CHARS,
        onRetry,
      }),
    )
    .pipeThrough(
      new TransformStream({
        transform(message, controller) {
          controller.enqueue({
            event: message.event ?? "message",
            data: message.data,
            id: message.id,
          });
        },
      }),
    ).getReader();
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
