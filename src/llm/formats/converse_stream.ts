/**
 * Provider side: ConverseStream events → IR events
 * (https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_ConverseStream.html).
 * The AWS event-stream framing is decoded before this (../stream.ts): each frame is one event,
 * `messageStart`, `contentBlockStart` (tool calls only), `contentBlockDelta`,
 * `contentBlockStop`, `messageStop`, `metadata`, or an exception. Converse numbers the blocks of
 * the answer in order, which is the IR's part index as it is.
 * @module
 */
import type { StopReason, StreamEvent } from "../ir.ts";
import { decodeStreamException } from "./converse_errors.ts";
import { decodeStopReason, decodeStopSequence, decodeUsage } from "./converse_response.ts";
import { badAnswer, isObject, type JsonObject } from "./provider_wire.ts";
import type { StreamDecoder, StreamFrame } from "./types.ts";

/** A new ConverseStream decoder. */
export function createConverseStreamDecoder(): StreamDecoder {
  return new ConverseStreamDecoder();
}

type BlockKind = "text" | "toolCall" | "reasoning";

class ConverseStreamDecoder implements StreamDecoder {
  #started = false;
  /** Open blocks by index, and what each holds. */
  #open = new Map<number, BlockKind>();
  #stop: { reason: StopReason; sequence?: string } | undefined;

  push(frame: StreamFrame): StreamEvent[] {
    if (frame.kind !== "eventstream") {
      throw badAnswer("Converse stream: expected AWS event-stream messages");
    }
    if (frame.messageType === "exception" || frame.messageType === "error") {
      return [{ type: "error", error: decodeStreamException(frame.eventType, frame.payload) }];
    }
    const payload = unwrap(frame.eventType, frame.payload);
    switch (frame.eventType) {
      case "messageStart":
        return this.#start();
      case "contentBlockStart":
        return [...this.#start(), ...this.#blockStart(payload)];
      case "contentBlockDelta":
        return [...this.#start(), ...this.#blockDelta(payload)];
      case "contentBlockStop": {
        const index = blockIndex(payload);
        if (!this.#open.delete(index)) return [];
        return [{ type: "partEnd", index }];
      }
      case "messageStop": {
        this.#stop = { reason: decodeStopReason(payload.stopReason) };
        const sequence = decodeStopSequence(payload.additionalModelResponseFields);
        if (sequence !== undefined) this.#stop.sequence = sequence;
        return [];
      }
      case "metadata":
        return payload.usage === undefined
          ? []
          : [{ type: "usage", usage: decodeUsage(payload.usage) }];
      default:
        throw badAnswer(`Converse stream: unknown event "${frame.eventType}"`);
    }
  }

  end(): StreamEvent[] {
    const events: StreamEvent[] = [];
    for (const index of this.#open.keys()) events.push({ type: "partEnd", index });
    this.#open.clear();
    if (this.#stop === undefined) {
      events.push({
        type: "error",
        error: { kind: "api", message: "Converse stream ended without a messageStop event" },
      });
      return events;
    }
    const finish: StreamEvent = { type: "finish", stopReason: this.#stop.reason };
    if (this.#stop.sequence !== undefined) finish.stopSequence = this.#stop.sequence;
    events.push(finish);
    return events;
  }

  /**
   * `start` once. ConverseStream says neither an id nor the model (the id is the
   * `x-amzn-requestid` header): both are left empty for the flow to fill.
   */
  #start(): StreamEvent[] {
    if (this.#started) return [];
    this.#started = true;
    return [{ type: "start", id: "", model: "" }];
  }

  #blockStart(payload: JsonObject): StreamEvent[] {
    const index = blockIndex(payload);
    const start = isObject(payload.start) ? payload.start : {};
    if (isObject(start.toolUse)) {
      const use = start.toolUse;
      if (typeof use.toolUseId !== "string" || typeof use.name !== "string") {
        throw badAnswer("Converse stream: contentBlockStart.toolUse lacks toolUseId or name");
      }
      this.#open.set(index, "toolCall");
      return [{ type: "toolCallStart", index, id: use.toolUseId, name: use.name }];
    }
    const kind = Object.keys(start)[0] ?? "empty";
    throw badAnswer(`Converse stream: a "${kind}" block start, which agw cannot translate`);
  }

  #blockDelta(payload: JsonObject): StreamEvent[] {
    const index = blockIndex(payload);
    const delta = isObject(payload.delta) ? payload.delta : {};
    if (typeof delta.text === "string") {
      this.#open.set(index, "text");
      return delta.text === "" ? [] : [{ type: "textDelta", index, text: delta.text }];
    }
    if (isObject(delta.toolUse)) {
      if (this.#open.get(index) !== "toolCall") {
        throw badAnswer(`Converse stream: tool input for block ${index} before its start`);
      }
      const input = delta.toolUse.input;
      return typeof input === "string" && input !== ""
        ? [{ type: "toolCallDelta", index, arguments: input }]
        : [];
    }
    if (isObject(delta.reasoningContent)) {
      this.#open.set(index, "reasoning");
      const reasoning = delta.reasoningContent;
      const event: StreamEvent = { type: "reasoningDelta", index };
      if (typeof reasoning.text === "string" && reasoning.text !== "") event.text = reasoning.text;
      if (typeof reasoning.signature === "string" && reasoning.signature !== "") {
        event.signature = reasoning.signature;
      }
      if (typeof reasoning.redactedContent === "string") {
        event.encrypted = reasoning.redactedContent;
      }
      return event.text === undefined && event.signature === undefined &&
          event.encrypted === undefined
        ? []
        : [event];
    }
    const kind = Object.keys(delta)[0] ?? "empty";
    throw badAnswer(`Converse stream: a "${kind}" delta, which agw cannot translate`);
  }
}

/** The event's members; tolerates a payload wrapped in its event name (`{messageStop: {…}}`). */
function unwrap(eventType: string, payload: unknown): JsonObject {
  if (!isObject(payload)) return {};
  const inner = payload[eventType];
  return isObject(inner) && Object.keys(payload).length === 1 ? inner : payload;
}

function blockIndex(payload: JsonObject): number {
  const index = payload.contentBlockIndex;
  if (typeof index !== "number" || !Number.isInteger(index) || index < 0) {
    throw badAnswer("Converse stream: contentBlockIndex is not a block index");
  }
  return index;
}
