/**
 * Provider side: Anthropic's SSE events → IR stream events
 * (https://platform.claude.com/docs/en/build-with-claude/streaming). The IR part index is
 * Anthropic's block index, which already numbers text, thinking and tool_use blocks in one row.
 * @module
 */
import type { StreamEvent } from "../ir.ts";
import type { StreamDecoder, StreamFrame } from "./types.ts";
import { badAnswer, isObject, type JsonObject } from "./messages_json.ts";
import { decodeStreamError } from "./messages_errors.ts";
import {
  addAnthropicUsage,
  type AnthropicCounts,
  countsToUsage,
  decodeStopReason,
} from "./messages_response.ts";

/** A decoder for one Anthropic stream. */
export function createMessagesStreamDecoder(): StreamDecoder {
  const counts: AnthropicCounts = {};
  let finished = false;
  let stopped = false;
  let failed = false;

  function usageEvent(usage: unknown): StreamEvent[] {
    if (!isObject(usage)) return [];
    addAnthropicUsage(counts, usage);
    return [{ type: "usage", usage: countsToUsage(counts) }];
  }

  function decodeEvent(data: JsonObject): StreamEvent[] {
    switch (data.type) {
      case "message_start": {
        const message = isObject(data.message) ? data.message : {};
        const start: StreamEvent = {
          type: "start",
          id: typeof message.id === "string" ? message.id : "",
          model: typeof message.model === "string" ? message.model : "",
        };
        return [start, ...usageEvent(message.usage)];
      }
      case "content_block_start":
        return decodeBlockStart(readIndex(data), data.content_block);
      case "content_block_delta":
        return decodeBlockDelta(readIndex(data), data.delta);
      case "content_block_stop":
        return [{ type: "partEnd", index: readIndex(data) }];
      case "message_delta": {
        const events = usageEvent(data.usage);
        const delta = isObject(data.delta) ? data.delta : {};
        if (delta.stop_reason !== undefined && delta.stop_reason !== null && !finished) {
          finished = true;
          const finish: StreamEvent = {
            type: "finish",
            stopReason: decodeStopReason(delta.stop_reason),
          };
          if (typeof delta.stop_sequence === "string") finish.stopSequence = delta.stop_sequence;
          events.push(finish);
        }
        return events;
      }
      case "message_stop":
        stopped = true;
        if (finished) return [];
        finished = true;
        return [{ type: "finish", stopReason: "stop" }];
      case "error":
        failed = true;
        return [{ type: "error", error: decodeStreamError(data) }];
      default:
        // "ping", and event types added later: the API's versioning policy says to skip them.
        return [];
    }
  }

  return {
    push(frame: StreamFrame): StreamEvent[] {
      if (frame.kind !== "sse") throw badAnswer("Anthropic stream: expected server-sent events");
      if (frame.event.data.trim() === "") return [];
      let data: unknown;
      try {
        data = JSON.parse(frame.event.data);
      } catch {
        throw badAnswer(
          `Anthropic stream: the ${frame.event.event ?? "message"} event is not JSON`,
        );
      }
      if (!isObject(data)) throw badAnswer("Anthropic stream: an event is not a JSON object");
      if (data.type === undefined && frame.event.event !== undefined) data.type = frame.event.event;
      return decodeEvent(data);
    },
    end(): StreamEvent[] {
      if (stopped || finished || failed) return [];
      return [{
        type: "error",
        error: { kind: "api", message: "the Anthropic stream ended before message_stop" },
      }];
    },
  };
}

function readIndex(data: JsonObject): number {
  if (!Number.isInteger(data.index)) throw badAnswer(`Anthropic stream: ${data.type} has no index`);
  return data.index as number;
}

function decodeBlockStart(index: number, block: unknown): StreamEvent[] {
  if (!isObject(block)) {
    throw badAnswer("Anthropic stream: content_block_start has no content_block");
  }
  switch (block.type) {
    case "text":
      return typeof block.text === "string" && block.text !== ""
        ? [{ type: "textDelta", index, text: block.text }]
        : [];
    case "tool_use": {
      if (typeof block.id !== "string" || typeof block.name !== "string") {
        throw badAnswer("Anthropic stream: a tool_use block has no id or name");
      }
      const events: StreamEvent[] = [{
        type: "toolCallStart",
        index,
        id: block.id,
        name: block.name,
      }];
      // The input normally starts as {} and arrives as input_json_delta; keep it if not.
      if (isObject(block.input) && Object.keys(block.input).length > 0) {
        events.push({ type: "toolCallDelta", index, arguments: JSON.stringify(block.input) });
      }
      return events;
    }
    case "thinking": {
      const events: StreamEvent[] = [];
      if (typeof block.thinking === "string" && block.thinking !== "") {
        events.push({ type: "reasoningDelta", index, text: block.thinking });
      }
      if (typeof block.signature === "string" && block.signature !== "") {
        events.push({ type: "reasoningDelta", index, signature: block.signature });
      }
      return events;
    }
    case "redacted_thinking":
      if (typeof block.data !== "string") {
        throw badAnswer("Anthropic stream: redacted_thinking has no data");
      }
      return [{ type: "reasoningDelta", index, encrypted: block.data }];
    default:
      throw badAnswer(
        `Anthropic stream: a ${
          JSON.stringify(block.type)
        } content block cannot be translated to the client's API format`,
      );
  }
}

function decodeBlockDelta(index: number, delta: unknown): StreamEvent[] {
  if (!isObject(delta)) throw badAnswer("Anthropic stream: content_block_delta has no delta");
  const text = (value: unknown) => {
    if (typeof value !== "string") throw badAnswer(`Anthropic stream: a ${delta.type} has no text`);
    return value;
  };
  switch (delta.type) {
    case "text_delta":
      return [{ type: "textDelta", index, text: text(delta.text) }];
    case "input_json_delta": {
      const json = text(delta.partial_json);
      return json === "" ? [] : [{ type: "toolCallDelta", index, arguments: json }];
    }
    case "thinking_delta":
      return [{ type: "reasoningDelta", index, text: text(delta.thinking) }];
    case "signature_delta":
      return [{ type: "reasoningDelta", index, signature: text(delta.signature) }];
    case "citations_delta":
      // Citations only come from documents or searches agw refuses to forward; nothing to carry.
      return [];
    default:
      throw badAnswer(`Anthropic stream: unknown delta type ${JSON.stringify(delta.type)}`);
  }
}
