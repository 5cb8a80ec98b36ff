/**
 * Server-sent events in and out: parsing with `eventsource-parser` (a maintained parser of the
 * WHATWG framing, so agw writes no SSE parser of its own), serialising agw's own events.
 * @module
 */
import { EventSourceParserStream } from "eventsource-parser/stream";
import type { SseEvent } from "./formats/mod.ts";

/** Longest single event agw buffers from a provider before calling the stream broken. */
const MAX_EVENT_CHARS = 16 * 1024 * 1024;

/** The events of an SSE body, in order. The stream errors when the body does. */
export function parseSse(body: ReadableStream<Uint8Array>): ReadableStream<SseEvent> {
  return body
    .pipeThrough(new TextDecoderStream())
    .pipeThrough(
      new EventSourceParserStream({ onError: "terminate", maxBufferSize: MAX_EVENT_CHARS }),
    )
    .pipeThrough(
      new TransformStream({
        transform(message, controller) {
          // The WHATWG default event type is "message": keep `event` only when one was sent.
          controller.enqueue(
            message.event === undefined || message.event === "message"
              ? { data: message.data }
              : { event: message.event, data: message.data },
          );
        },
      }),
    );
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
