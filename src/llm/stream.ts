/**
 * Streamed answers, event by event and never buffered: provider frames → IR events → the
 * client's SSE (translation), or provider SSE → the same SSE with usage read on the way
 * (passthrough). Both pull from the provider only as fast as the client reads (backpressure),
 * and a client that leaves cancels the provider's stream.
 * @module
 */
import { EventStreamCodec, getChunkedStream } from "@smithy/core/event-streams";
import { fromUtf8, toUtf8 } from "@smithy/util-utf8";
import type { SseEvent, StreamDecoder, StreamEncoder, StreamFrame } from "./formats/mod.ts";
import { LlmError, type LlmErrorBody } from "./ir.ts";
import type { LlmObservation } from "./observation.ts";
import { formatSse, SseReader } from "./sse.ts";

/**
 * A provider's stream as batches of frames, one batch per read of its body (undefined at the
 * end). Read directly rather than through stream stages, which cost promise hops per chunk.
 */
export interface FrameSource {
  read(): Promise<StreamFrame[] | undefined>;
  cancel(reason?: unknown): Promise<void>;
}

/** The text of an SSE frame stream, or AWS event-stream messages, as frames. */
export function providerFrames(
  body: ReadableStream<Uint8Array>,
  framing: "sse" | "eventstream",
): FrameSource {
  if (framing === "sse") {
    const reader = body.getReader();
    const sse = new SseReader();
    return {
      async read() {
        const next = await reader.read();
        if (next.done) return undefined;
        return sse.push(next.value).map((event) => ({ kind: "sse", event }));
      },
      cancel: (reason) => reader.cancel(reason),
    };
  }
  const messages = eventStreamFrames(body).getReader();
  return {
    async read() {
      const next = await messages.read();
      return next.done ? undefined : [next.value];
    },
    cancel: (reason) => messages.cancel(reason),
  };
}

/** AWS event-stream (Bedrock ConverseStream): binary messages split and decoded by @smithy. */
function eventStreamFrames(body: ReadableStream<Uint8Array>): ReadableStream<StreamFrame> {
  const codec = new EventStreamCodec(toUtf8, fromUtf8);
  const messages = getChunkedStream(iterate(body))[Symbol.asyncIterator]();
  return new ReadableStream<StreamFrame>({
    async pull(controller) {
      const next = await messages.next();
      if (next.done) {
        controller.close();
        return;
      }
      const message = codec.decode(next.value);
      const header = (name: string) => {
        const value = message.headers[name]?.value;
        return typeof value === "string" ? value : "";
      };
      let payload: unknown;
      try {
        payload = JSON.parse(toUtf8(message.body) || "{}");
      } catch {
        throw new LlmError(502, {
          kind: "api",
          message: `provider sent an event-stream message that is not JSON (${
            header(":event-type") || header(":exception-type")
          })`,
        });
      }
      controller.enqueue({
        kind: "eventstream",
        eventType: header(":event-type") || header(":exception-type"),
        messageType: header(":message-type"),
        payload,
      });
    },
    cancel(reason) {
      return messages.return?.(reason).then(() => {});
    },
  });
}

async function* iterate(body: ReadableStream<Uint8Array>): AsyncGenerator<Uint8Array> {
  const reader = body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      yield value;
    }
  } finally {
    reader.releaseLock();
    body.cancel().catch(() => {});
  }
}

const encoder = new TextEncoder();

/** What a stream pipeline reports when it is over, however it ended. */
export type StreamEnd = (outcome: "complete" | "failed" | "clientLeft") => void;

/**
 * Translates a provider stream for the client. A provider error event, an unreadable frame or a
 * stream that breaks off ends the client's stream with an error event in its own format.
 */
export function translateStream(
  frames: FrameSource,
  decoder: StreamDecoder,
  sseEncoder: StreamEncoder,
  observation: LlmObservation,
  onEnd: StreamEnd,
  /** What a `start` event lacks (Converse names neither an id nor the model). */
  defaults: { id: string; model: string },
): ReadableStream<Uint8Array> {
  let over = false;
  const finish = (
    controller: ReadableStreamDefaultController<Uint8Array>,
    out: SseEvent[],
    error: LlmErrorBody | undefined,
  ) => {
    over = true;
    try {
      out.push(...sseEncoder.end(error));
    } catch (encodeError) {
      // A codec bug must still end the stream and publish telemetry, never leave it hanging.
      error ??= cutError(encodeError);
    }
    if (out.length > 0) controller.enqueue(encoder.encode(formatSse(out)));
    controller.close();
    if (error) {
      observation.error ??= error.message;
      frames.cancel().catch(() => {});
    }
    onEnd(error ? "failed" : "complete");
  };
  const pullEvents = async (controller: ReadableStreamDefaultController<Uint8Array>) => {
    // Read until there is something to send: many provider frames map to no client event.
    while (!over) {
      const out: SseEvent[] = [];
      let batch: StreamFrame[] | undefined;
      try {
        batch = await frames.read();
      } catch (error) {
        finish(controller, out, cutError(error));
        return;
      }
      if (batch === undefined) {
        let events;
        try {
          events = decoder.end();
        } catch (error) {
          finish(controller, out, cutError(error));
          return;
        }
        for (const event of events) {
          observation.observeEvent(event);
          out.push(...sseEncoder.encode(event));
        }
        finish(controller, out, undefined);
        return;
      }
      for (const frame of batch) {
        let events;
        try {
          events = decoder.push(frame);
        } catch (error) {
          finish(controller, out, cutError(error));
          return;
        }
        for (const event of events) {
          if (event.type === "start") {
            if (!event.id) event.id = defaults.id;
            if (!event.model) event.model = defaults.model;
          }
          observation.observeEvent(event);
          if (event.type === "error") {
            finish(controller, out, event.error);
            return;
          }
          out.push(...sseEncoder.encode(event));
        }
      }
      // One write per provider read, however many events it carried.
      if (out.length > 0) {
        controller.enqueue(encoder.encode(formatSse(out)));
        return;
      }
    }
  };
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      try {
        await pullEvents(controller);
      } catch (error) {
        // An encoder that threw: end in the client's format, cancel the provider, publish.
        if (!over) finish(controller, [], cutError(error));
      }
    },
    cancel(reason) {
      over = true;
      onEnd("clientLeft");
      return frames.cancel(reason);
    },
  }, { highWaterMark: 0 });
}

/**
 * Passes a provider's SSE through in its own format while `decoder` reads usage from it.
 * `skip` drops events the client must not see (the usage-only chunk agw asked for itself).
 * A provider stream that breaks off ends the client's stream with `cutEvent` when one is given.
 */
export function inspectStream(
  body: ReadableStream<Uint8Array>,
  decoder: StreamDecoder,
  observation: LlmObservation,
  options: {
    skip?: ((event: SseEvent) => boolean) | undefined;
    cutEvents: (error: LlmErrorBody) => SseEvent[];
    onEnd: StreamEnd;
  },
): ReadableStream<Uint8Array> {
  const reader = body.getReader();
  const sse = new SseReader();
  let over = false;
  const observe = (event: SseEvent) => {
    try {
      for (const ir of decoder.push({ kind: "sse", event })) observation.observeEvent(ir);
    } catch {
      // Telemetry only: a frame agw cannot read still reaches the client untouched.
    }
  };
  const cut = (controller: ReadableStreamDefaultController<Uint8Array>, error: unknown) => {
    over = true;
    const body = cutError(error);
    observation.error ??= body.message;
    const out = options.cutEvents(body);
    if (out.length > 0) controller.enqueue(encoder.encode(formatSse(out)));
    controller.close();
    reader.cancel().catch(() => {});
    options.onEnd("failed");
  };
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      while (!over) {
        let events: SseEvent[];
        try {
          const next = await reader.read();
          if (next.done) {
            over = true;
            try {
              for (const ir of decoder.end()) observation.observeEvent(ir);
            } catch {
              // as above
            }
            controller.close();
            options.onEnd("complete");
            return;
          }
          events = sse.push(next.value);
        } catch (error) {
          cut(controller, error);
          return;
        }
        const out: SseEvent[] = [];
        for (const event of events) {
          observe(event);
          if (!options.skip?.(event)) out.push(event);
        }
        // One write per provider read, however many events it carried.
        if (out.length > 0) {
          controller.enqueue(encoder.encode(formatSse(out)));
          return;
        }
      }
    },
    cancel(reason) {
      over = true;
      options.onEnd("clientLeft");
      return reader.cancel(reason);
    },
  }, { highWaterMark: 0 });
}

/** The error the client sees when the provider's stream broke or could not be read. */
function cutError(error: unknown): LlmErrorBody {
  if (error instanceof LlmError) return error.body;
  return {
    kind: "api",
    message: `upstream stream ended before the answer was complete: ${
      (error as Error)?.message ?? String(error)
    }`,
  };
}
