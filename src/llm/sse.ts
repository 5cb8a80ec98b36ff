/**
 * Server-sent events in and out: parsing with `eventsource-parser` (a maintained parser of the
 * WHATWG framing, so agw writes no SSE parser of its own), serialising agw's own events.
 * @module
 */
import { createParser, type EventSourceParser } from "eventsource-parser";
import type { SseEvent } from "./formats/mod.ts";

/** Longest single event agw buffers from a provider before calling the stream broken. */
const MAX_EVENT_CHARS = 16 * 1024 * 1024;

/**
 * Splits an SSE body into events, one read at a time and synchronously. The stream paths call
 * it on each provider read rather than piping the body through decoder and parser streams:
 * every stream stage costs promise hops per chunk, which showed as a third of agw's CPU per
 * streamed token (bench/README.md, "LLM").
 */
export class SseReader {
  readonly #decoder = new TextDecoder();
  readonly #parser: EventSourceParser;
  #events: SseEvent[] = [];
  #error: Error | undefined;

  constructor() {
    this.#parser = createParser({
      onEvent: (message) => {
        // The WHATWG default event type is "message": keep `event` only when one was sent.
        this.#events.push(
          message.event === undefined || message.event === "message"
            ? { data: message.data }
            : { event: message.event, data: message.data },
        );
      },
      // WHATWG SSE §9.2.6: a client ignores a bad `retry:` and unknown `name: value` fields.
      // A line that is no field at all (an HTML error page) is not SSE, and ends the stream.
      onError: (error) => {
        if (error.type === "invalid-retry") return;
        if (error.type === "unknown-field" && error.line?.includes(":")) return;
        this.#error ??= error;
      },
      maxBufferSize: MAX_EVENT_CHARS,
    });
  }

  /** The events `bytes` completes, in order. Throws when the body is not valid SSE. */
  push(bytes: Uint8Array): SseEvent[] {
    this.#parser.feed(this.#decoder.decode(bytes, { stream: true }));
    if (this.#error) throw this.#error;
    const events = this.#events;
    this.#events = [];
    return events;
  }
}

/** The wire text of events (`data` with line breaks becomes several `data:` lines). */
export function formatSse(events: readonly SseEvent[]): string {
  let out = "";
  for (const event of events) {
    if (event.event !== undefined) out += `event: ${event.event}\n`;
    out += event.data.includes("\n")
      ? event.data.split("\n").map((line) => `data: ${line}\n`).join("")
      : `data: ${event.data}\n`;
    out += "\n";
  }
  return out;
}
