/**
 * Provider side: `streamGenerateContent?alt=sse` → IR events. Each SSE `data:` is a whole
 * `GenerateContentResponse` holding the next parts (text comes in pieces, a function call whole),
 * so the decoder keeps one part open and starts a new IR part when the kind changes.
 * @module
 */
import type { LlmErrorBody, StopReason, StreamEvent, Usage } from "../ir.ts";
import { decodeGeminiError } from "./gemini_errors.ts";
import {
  callIdBase,
  candidateParts,
  decodeFinishReason,
  decodeUsage,
  type GeminiPiece,
  readPart,
  synthesizedCallId,
} from "./gemini_response.ts";
import { badAnswer, isObject, type JsonObject, stableHash } from "./provider_wire.ts";
import type { StreamDecoder, StreamFrame } from "./types.ts";

/** A new Gemini stream decoder. */
export function createGeminiStreamDecoder(): StreamDecoder {
  return new GeminiStreamDecoder();
}

class GeminiStreamDecoder implements StreamDecoder {
  #started = false;
  #idBase = "";
  #nextIndex = 0;
  #open: { index: number; kind: "text" | "thought" } | undefined;
  #calls = 0;
  #finishReason: unknown;
  #blocked = false;
  #lastUsage = "";

  push(frame: StreamFrame): StreamEvent[] {
    if (frame.kind !== "sse") throw badAnswer("Gemini stream: expected server-sent events");
    const data = frame.event.data.trim();
    if (data === "") return [];
    let chunk: unknown;
    try {
      chunk = JSON.parse(data);
    } catch {
      throw badAnswer("Gemini stream: an event is not JSON");
    }
    const root = Array.isArray(chunk) ? chunk[0] : chunk;
    if (!isObject(root)) throw badAnswer("Gemini stream: an event is not a JSON object");
    // A failure after the stream began arrives as an error object in a data event.
    if (isObject(root.error)) return [{ type: "error", error: decodeGeminiError(500, root) }];
    const events: StreamEvent[] = [];
    if (!this.#started) this.#start(root, data, events);
    const candidate = Array.isArray(root.candidates) ? root.candidates[0] : undefined;
    if (isObject(candidate)) {
      candidateParts(candidate).forEach((part, i) => {
        const piece = readPart(part, `candidates[0].content.parts[${i}]`);
        if (piece !== undefined) this.#piece(piece, events);
      });
      if (candidate.finishReason !== undefined) this.#finishReason = candidate.finishReason;
    }
    if (isObject(root.promptFeedback) && typeof root.promptFeedback.blockReason === "string") {
      this.#blocked = true;
    }
    if (root.usageMetadata !== undefined) this.#usage(decodeUsage(root.usageMetadata), events);
    return events;
  }

  end(): StreamEvent[] {
    const events: StreamEvent[] = [];
    this.#close(events);
    let stopReason: StopReason;
    if (this.#finishReason !== undefined) {
      stopReason = decodeFinishReason(this.#finishReason, this.#calls > 0);
    } else if (this.#blocked) {
      stopReason = "contentFilter";
    } else {
      const error: LlmErrorBody = {
        kind: "api",
        message: "Gemini stream ended without a finishReason",
      };
      events.push({ type: "error", error });
      return events;
    }
    events.push({ type: "finish", stopReason });
    return events;
  }

  #start(chunk: JsonObject, data: string, events: StreamEvent[]): void {
    this.#started = true;
    const responseId = typeof chunk.responseId === "string" ? chunk.responseId : undefined;
    this.#idBase = callIdBase(responseId, data);
    events.push({
      type: "start",
      id: responseId ?? `gemini-${stableHash(data)}`,
      model: typeof chunk.modelVersion === "string" ? chunk.modelVersion : "",
    });
  }

  /** One part of a chunk; see gemini_response.ts `assembleParts` for the signature rule. */
  #piece(piece: GeminiPiece, events: StreamEvent[]): void {
    if (piece.kind === "thought") {
      if (this.#open?.kind !== "thought") this.#openPart("thought", events);
      const event: StreamEvent = { type: "reasoningDelta", index: this.#open!.index };
      if (piece.text !== "") event.text = piece.text;
      if (piece.signature !== undefined) event.signature = piece.signature;
      if (event.text !== undefined || event.signature !== undefined) events.push(event);
      return;
    }
    if (piece.signature !== undefined) {
      this.#openPart("thought", events);
      events.push({ type: "reasoningDelta", index: this.#open!.index, signature: piece.signature });
      this.#close(events);
    }
    if (piece.kind === "text") {
      if (piece.text === "") return;
      if (this.#open?.kind !== "text") this.#openPart("text", events);
      events.push({ type: "textDelta", index: this.#open!.index, text: piece.text });
      return;
    }
    this.#close(events);
    const index = this.#nextIndex++;
    const id = piece.id ?? synthesizedCallId(this.#idBase, this.#calls);
    this.#calls++;
    events.push(
      { type: "toolCallStart", index, id, name: piece.name },
      { type: "toolCallDelta", index, arguments: piece.arguments },
      { type: "partEnd", index },
    );
  }

  #openPart(kind: "text" | "thought", events: StreamEvent[]): void {
    this.#close(events);
    this.#open = { index: this.#nextIndex++, kind };
  }

  #close(events: StreamEvent[]): void {
    if (this.#open === undefined) return;
    events.push({ type: "partEnd", index: this.#open.index });
    this.#open = undefined;
  }

  /** Every chunk may repeat the counts so far; only a change is news. */
  #usage(usage: Usage, events: StreamEvent[]): void {
    const key = JSON.stringify(usage);
    if (key === this.#lastUsage) return;
    this.#lastUsage = key;
    events.push({ type: "usage", usage });
  }
}
