/**
 * Client side: IR stream events → Anthropic's SSE sequence
 * (https://platform.claude.com/docs/en/build-with-claude/streaming): `message_start`, then per
 * block `content_block_start` / `_delta` / `_stop`, then `message_delta` (stop reason, final
 * usage) and `message_stop`. Blocks are sent one after another, as Anthropic does: a part that
 * starts closes the open one.
 *
 * `message_start` waits for the first content (so usage sent right after the provider's start
 * still lands in it) and `message_delta` waits for the end of the stream, because OpenAI sends
 * usage in a chunk after the finish reason. `message_delta.usage` is cumulative and carries the
 * input counts too, so a client whose `message_start` said 0 input tokens ends with the truth.
 * @module
 */
import type { LlmErrorBody, StreamEvent, Usage } from "../ir.ts";
import type { EncodeOptions, SseEvent, StreamEncoder } from "./types.ts";
import { badAnswer, type JsonObject } from "./messages_json.ts";
import { encodeErrorBody } from "./messages_errors.ts";
import { encodeStopReason, encodeUsage } from "./messages_response.ts";

type BlockKind = "text" | "thinking" | "redacted_thinking" | "tool_use";

interface Block {
  kind: BlockKind;
  /** The block's index in the client's stream. */
  index: number;
  open: boolean;
}

/** An encoder for one client stream. */
export function createMessagesStreamEncoder(options: EncodeOptions): StreamEncoder {
  const blocks = new Map<number, Block>();
  let id: string | undefined;
  let usage: Usage | undefined;
  let finish: Extract<StreamEvent, { type: "finish" }> | undefined;
  let current: Block | undefined;
  let nextIndex = 0;
  let started = false;
  let done = false;

  function sse(payload: JsonObject): SseEvent {
    return { event: String(payload.type), data: JSON.stringify(payload) };
  }

  function ensureStarted(out: SseEvent[]): void {
    if (started) return;
    started = true;
    out.push(sse({
      type: "message_start",
      message: {
        // Ids are derived, never random (codecs are pure): the clock is the only input left.
        id: id ?? `msg_${options.nowSeconds}`,
        type: "message",
        role: "assistant",
        model: options.model,
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage: encodeUsage(usage),
      },
    }));
  }

  function closeCurrent(out: SseEvent[]): void {
    if (current === undefined) return;
    current.open = false;
    out.push(sse({ type: "content_block_stop", index: current.index }));
    current = undefined;
  }

  /** The open block for IR part `index`, opening it (and closing another) when needed. */
  function blockFor(index: number, kind: BlockKind, start: JsonObject, out: SseEvent[]): Block {
    ensureStarted(out);
    const known = blocks.get(index);
    if (known?.open) {
      if (current !== known) {
        closeCurrent(out);
        current = known;
      }
      return known;
    }
    // A tool call's arguments cannot be split over two tool_use blocks.
    if (known !== undefined && kind === "tool_use") {
      throw badAnswer("tool call arguments arrived after the call's block was closed");
    }
    closeCurrent(out);
    const block: Block = { kind, index: nextIndex++, open: true };
    blocks.set(index, block);
    current = block;
    out.push(sse({ type: "content_block_start", index: block.index, content_block: start }));
    return block;
  }

  function delta(block: Block, body: JsonObject, out: SseEvent[]): void {
    out.push(sse({ type: "content_block_delta", index: block.index, delta: body }));
  }

  function encodeReasoning(
    event: Extract<StreamEvent, { type: "reasoningDelta" }>,
    out: SseEvent[],
  ) {
    const known = blocks.get(event.index);
    const opaqueOnly = event.text === undefined && event.signature === undefined;
    if (known === undefined && opaqueOnly && event.encrypted !== undefined) {
      // Anthropic's redacted thinking arrives whole in its block start.
      blockFor(event.index, "redacted_thinking", {
        type: "redacted_thinking",
        data: event.encrypted,
      }, out);
      return;
    }
    // Another provider's opaque reasoning (OpenAI encrypted_content) has no Messages form.
    if (known?.kind === "redacted_thinking" || opaqueOnly) return;
    const block = blockFor(event.index, "thinking", {
      type: "thinking",
      thinking: "",
      signature: "",
    }, out);
    if (event.text !== undefined && event.text !== "") {
      delta(block, { type: "thinking_delta", thinking: event.text }, out);
    }
    if (event.signature !== undefined && event.signature !== "") {
      delta(block, { type: "signature_delta", signature: event.signature }, out);
    }
  }

  function encodeEvent(event: StreamEvent, out: SseEvent[]): void {
    switch (event.type) {
      case "start":
        id = event.id;
        return;
      case "usage":
        usage = event.usage;
        return;
      case "textDelta": {
        const block = blockFor(event.index, "text", { type: "text", text: "" }, out);
        if (event.text !== "") delta(block, { type: "text_delta", text: event.text }, out);
        return;
      }
      case "reasoningDelta":
        return encodeReasoning(event, out);
      case "toolCallStart":
        blockFor(event.index, "tool_use", {
          type: "tool_use",
          id: event.id,
          name: event.name,
          input: {},
        }, out);
        return;
      case "toolCallDelta": {
        const block = blocks.get(event.index);
        if (block === undefined) {
          throw badAnswer("tool call arguments arrived before the call started");
        }
        blockFor(event.index, "tool_use", {}, out);
        if (event.arguments !== "") {
          delta(block, { type: "input_json_delta", partial_json: event.arguments }, out);
        }
        return;
      }
      case "partEnd":
        if (current !== undefined && blocks.get(event.index) === current) closeCurrent(out);
        return;
      case "finish":
        finish = event;
        return;
      case "error":
        done = true;
        out.push(sse(encodeErrorBody(event.error)));
        return;
    }
  }

  return {
    encode(event: StreamEvent): SseEvent[] {
      const out: SseEvent[] = [];
      if (!done) encodeEvent(event, out);
      return out;
    },
    end(error?: LlmErrorBody): SseEvent[] {
      if (done) return [];
      done = true;
      // A cut stream ends with an error event and no message_stop, so the client sees a failure.
      if (error !== undefined) return [sse(encodeErrorBody(error))];
      const out: SseEvent[] = [];
      ensureStarted(out);
      closeCurrent(out);
      out.push(sse({
        type: "message_delta",
        delta: {
          stop_reason: encodeStopReason(finish?.stopReason ?? "stop"),
          stop_sequence: finish?.stopSequence ?? null,
        },
        usage: encodeUsage(usage),
      }));
      out.push(sse({ type: "message_stop" }));
      return out;
    },
  };
}
