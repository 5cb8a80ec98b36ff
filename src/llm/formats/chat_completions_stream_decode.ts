/**
 * A provider's `chat.completion.chunk` stream → IR stream events.
 * Reference: https://platform.openai.com/docs/api-reference/chat-streaming
 *
 * Text, reasoning and each tool call become IR parts numbered in order of arrival; a new kind
 * of delta ends the open part. `finish_reason` ends every part, but the IR `finish` waits for
 * `[DONE]` (or the end of the stream), because with `include_usage` the usage chunk comes after
 * the finish chunk and encoders want the counts before the finish.
 * @module
 */
import type { StopReason, StreamEvent } from "../ir.ts";
import type { StreamDecoder, StreamFrame } from "./types.ts";
import { badAnswer, isObject, type JsonObject } from "./chat_completions_json.ts";
import { errorBodyFromObject } from "./chat_completions_error.ts";
import {
  decodeFinishReason,
  decodeUsage,
  fallbackToolCallId,
  rejectUnrequested,
} from "./chat_completions_response.ts";

/** A stream decoder for one Chat Completions answer. */
export function createChatStreamDecoder(): StreamDecoder {
  return new ChatStreamDecoder();
}

interface ToolCallState {
  id?: string;
  name?: string;
  /** IR part index, once the call has a name and its toolCallStart went out. */
  index?: number;
  /** Argument text that came before the name did. */
  pending: string;
  ended: boolean;
}

class ChatStreamDecoder implements StreamDecoder {
  #id = "";
  #model = "";
  #created: number | undefined;
  #started = false;
  #nextIndex = 0;
  #open: { kind: "text" | "reasoning"; index: number } | undefined;
  readonly #tools = new Map<number, ToolCallState>();
  #currentTool: ToolCallState | undefined;
  #stopReason: StopReason | undefined;
  #refused = false;
  #done = false;
  #over = false;

  push(frame: StreamFrame): StreamEvent[] {
    if (frame.kind !== "sse") throw badAnswer(`a '${frame.kind}' frame in an SSE stream`);
    if (this.#over || this.#done) return [];
    const data = frame.event.data.trim();
    if (data === "[DONE]") {
      this.#done = true;
      return this.#finish(this.#stopReason ?? "stop");
    }
    if (data === "") return [];
    let chunk: unknown;
    try {
      chunk = JSON.parse(data);
    } catch {
      throw badAnswer(`a stream chunk is not JSON: ${data.slice(0, 100)}`);
    }
    if (!isObject(chunk)) throw badAnswer("a stream chunk is not a JSON object");
    if (isObject(chunk.error)) {
      this.#over = true;
      return [{ type: "error", error: errorBodyFromObject(chunk.error) }];
    }
    // Azure OpenAI opens with a `prompt_filter_results` chunk whose id and model are empty.
    if (typeof chunk.id === "string" && chunk.id) this.#id = chunk.id;
    if (typeof chunk.model === "string" && chunk.model) this.#model = chunk.model;
    if (typeof chunk.created === "number" && chunk.created) this.#created = chunk.created;
    const events: StreamEvent[] = [];
    const choices = Array.isArray(chunk.choices) ? chunk.choices : [];
    const choice = choices.find((item) => isObject(item) && (item.index ?? 0) === 0);
    if (isObject(choice)) this.#readChoice(choice, events);
    if (isObject(chunk.usage)) {
      this.#start(events);
      events.push({ type: "usage", usage: decodeUsage(chunk.usage) });
    }
    return events;
  }

  end(): StreamEvent[] {
    if (this.#over || this.#done) return [];
    if (this.#stopReason !== undefined) return this.#finish(this.#stopReason);
    this.#over = true;
    return [{
      type: "error",
      error: { kind: "api", message: "provider stream ended without a finish_reason" },
    }];
  }

  #start(events: StreamEvent[]): void {
    if (this.#started) return;
    this.#started = true;
    const start: StreamEvent = { type: "start", id: this.#id, model: this.#model };
    if (this.#created !== undefined) start.created = this.#created;
    events.push(start);
  }

  #readChoice(choice: JsonObject, events: StreamEvent[]): void {
    const delta = isObject(choice.delta) ? choice.delta : {};
    rejectUnrequested(delta, "choices[0].delta");
    // vLLM sent `reasoning` beside `reasoning_content` for a while: read one, not both.
    const reasoning = typeof delta.reasoning_content === "string"
      ? delta.reasoning_content
      : typeof delta.reasoning === "string"
      ? delta.reasoning
      : "";
    if (reasoning) this.#textDelta("reasoning", reasoning, events);
    if (Array.isArray(delta.thinking_blocks)) {
      this.#readThinkingBlocks(delta.thinking_blocks, events);
    }
    if (typeof delta.content === "string" && delta.content) {
      this.#textDelta("text", delta.content, events);
    }
    if (typeof delta.refusal === "string" && delta.refusal) {
      this.#refused = true;
      this.#textDelta("text", delta.refusal, events);
    }
    if (Array.isArray(delta.tool_calls)) {
      for (const call of delta.tool_calls) {
        if (!isObject(call)) throw badAnswer("a tool_calls delta is not an object");
        this.#toolCallDelta(call, events);
      }
    }
    if (choice.finish_reason != null) {
      this.#start(events);
      this.#endParts(events);
      this.#stopReason = this.#refused ? "refusal" : decodeFinishReason(choice.finish_reason);
    }
  }

  /** LiteLLM streams Anthropic's signature (or redacted thinking) in `thinking_blocks`. */
  #readThinkingBlocks(blocks: unknown[], events: StreamEvent[]): void {
    for (const block of blocks) {
      if (!isObject(block)) continue;
      if (block.type === "redacted_thinking" && typeof block.data === "string") {
        this.#openPart("reasoning", events);
        events.push({ type: "reasoningDelta", index: this.#open!.index, encrypted: block.data });
      } else if (typeof block.signature === "string" && block.signature) {
        this.#openPart("reasoning", events);
        events.push({
          type: "reasoningDelta",
          index: this.#open!.index,
          signature: block.signature,
        });
      }
    }
  }

  #textDelta(kind: "text" | "reasoning", text: string, events: StreamEvent[]): void {
    const index = this.#openPart(kind, events);
    events.push(
      kind === "text"
        ? { type: "textDelta", index, text }
        : { type: "reasoningDelta", index, text },
    );
  }

  /** The open text or reasoning part of `kind`, ending whatever else was open. */
  #openPart(kind: "text" | "reasoning", events: StreamEvent[]): number {
    this.#start(events);
    if (this.#open?.kind === kind) return this.#open.index;
    this.#endOpen(events);
    this.#open = { kind, index: this.#nextIndex++ };
    return this.#open.index;
  }

  #toolCallDelta(call: JsonObject, events: StreamEvent[]): void {
    this.#start(events);
    if (call.type != null && call.type !== "function") {
      throw badAnswer(`a '${String(call.type)}' tool call, which agw cannot translate`);
    }
    // Some servers leave out `index` when each call arrives whole: key those by order.
    const key = typeof call.index === "number" ? call.index : this.#keyWithoutIndex(call);
    let state = this.#tools.get(key);
    if (!state) {
      this.#endOpen(events);
      state = { pending: "", ended: false };
      this.#tools.set(key, state);
      this.#currentTool = state;
    }
    if (state.id === undefined && typeof call.id === "string" && call.id) state.id = call.id;
    const fn = isObject(call.function) ? call.function : {};
    if (state.name === undefined && typeof fn.name === "string" && fn.name) state.name = fn.name;
    const args = typeof fn.arguments === "string"
      ? fn.arguments
      : fn.arguments == null
      ? ""
      : JSON.stringify(fn.arguments);
    if (state.index === undefined) {
      state.pending += args;
      if (state.name === undefined) return;
      state.index = this.#nextIndex++;
      const id = state.id ?? fallbackToolCallId(this.#id, key);
      events.push({ type: "toolCallStart", index: state.index, id, name: state.name });
      if (state.pending) {
        events.push({ type: "toolCallDelta", index: state.index, arguments: state.pending });
      }
      state.pending = "";
    } else if (args) {
      // A delta for a call that another call already followed: it keeps its own index.
      events.push({ type: "toolCallDelta", index: state.index, arguments: args });
    }
  }

  #keyWithoutIndex(call: JsonObject): number {
    if (typeof call.id === "string") {
      for (const [key, state] of this.#tools) if (state.id === call.id) return key;
      return this.#tools.size;
    }
    return Math.max(0, this.#tools.size - 1);
  }

  /** Ends the open text/reasoning part and the current tool call. */
  #endOpen(events: StreamEvent[]): void {
    if (this.#open) {
      events.push({ type: "partEnd", index: this.#open.index });
      this.#open = undefined;
    }
    const tool = this.#currentTool;
    if (tool && !tool.ended) {
      if (tool.index === undefined) throw badAnswer("a streamed tool call has no function name");
      tool.ended = true;
      events.push({ type: "partEnd", index: tool.index });
    }
    this.#currentTool = undefined;
  }

  #endParts(events: StreamEvent[]): void {
    this.#endOpen(events);
    for (const tool of this.#tools.values()) {
      if (tool.ended) continue;
      if (tool.index === undefined) throw badAnswer("a streamed tool call has no function name");
      tool.ended = true;
      events.push({ type: "partEnd", index: tool.index });
    }
  }

  #finish(stopReason: StopReason): StreamEvent[] {
    const events: StreamEvent[] = [];
    this.#start(events);
    this.#endParts(events);
    this.#over = true;
    events.push({ type: "finish", stopReason });
    return events;
  }
}
