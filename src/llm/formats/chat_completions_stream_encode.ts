/**
 * IR stream events → `chat.completion.chunk` SSE events for a Chat client.
 * Reference: https://platform.openai.com/docs/api-reference/chat-streaming
 *
 * The chunk sequence: a first chunk with `delta.role: "assistant"`; content, `reasoning_content`
 * and `tool_calls` deltas (each call numbered by its own `index` among the tool calls, with
 * id/type/name on its first delta and argument fragments after); one chunk with
 * `finish_reason`; when the client asked `stream_options.include_usage`, a chunk with empty
 * `choices` and the usage; then `data: [DONE]`.
 * @module
 */
import type { LlmErrorBody, StreamEvent, Usage } from "../ir.ts";
import type { EncodeOptions, SseEvent, StreamEncoder } from "./types.ts";
import type { JsonObject } from "./chat_completions_json.ts";
import { encodeChatError } from "./chat_completions_error.ts";
import {
  encodeFinishReason,
  encodeUsage,
  type FinishReason,
  thinkingBlock,
} from "./chat_completions_response.ts";

/** A stream encoder for one answer to a Chat Completions client. */
export function createChatStreamEncoder(options: EncodeOptions): StreamEncoder {
  return new ChatStreamEncoder(options);
}

class ChatStreamEncoder implements StreamEncoder {
  #id = "";
  #created: number;
  readonly #model: string;
  readonly #includeUsage: boolean;
  #started = false;
  #finished = false;
  #closed = false;
  #usage: Usage = { inputTokens: 0, outputTokens: 0 };
  /** IR part index → the call's index among tool calls, which is what Chat clients key on. */
  readonly #toolIndexes = new Map<number, number>();

  constructor(options: EncodeOptions) {
    this.#created = options.nowSeconds;
    this.#model = options.model;
    this.#includeUsage = options.request.includeUsage === true;
  }

  encode(event: StreamEvent): SseEvent[] {
    if (this.#closed) return [];
    switch (event.type) {
      case "start":
        if (!this.#started) {
          this.#id = event.id;
          if (event.created !== undefined) this.#created = event.created;
        }
        return this.#begin();
      case "textDelta":
        return this.#delta({ content: event.text });
      case "reasoningDelta": {
        const delta: JsonObject = {};
        if (event.text) delta.reasoning_content = event.text;
        if (event.signature !== undefined || event.encrypted !== undefined) {
          const part = event.encrypted === undefined
            ? { text: "", signature: event.signature ?? "" }
            : { text: "", encrypted: event.encrypted };
          delta.thinking_blocks = [thinkingBlock(part)];
        }
        return Object.keys(delta).length > 0 ? this.#delta(delta) : [];
      }
      case "toolCallStart": {
        const index = this.#toolIndexes.size;
        this.#toolIndexes.set(event.index, index);
        return this.#delta({
          tool_calls: [{
            index,
            id: event.id,
            type: "function",
            function: { name: event.name, arguments: "" },
          }],
        });
      }
      case "toolCallDelta": {
        const index = this.#toolIndexes.get(event.index);
        if (index === undefined || event.arguments === "") return [];
        return this.#delta({ tool_calls: [{ index, function: { arguments: event.arguments } }] });
      }
      case "partEnd":
        return [];
      case "usage":
        this.#usage = event.usage;
        return [];
      case "finish":
        return this.#finish(encodeFinishReason(event.stopReason));
      case "error":
        this.#closed = true;
        return [errorEvent(event.error)];
    }
  }

  end(error?: LlmErrorBody): SseEvent[] {
    if (this.#closed) return [];
    this.#closed = true;
    // The OpenAI SDK throws an APIError for a chunk with an `error` key; with no `[DONE]` after
    // it, no client mistakes a cut stream for a finished answer.
    if (error) return [errorEvent(error)];
    const out = this.#finish("stop");
    if (this.#includeUsage) {
      out.push(this.#event({ choices: [], usage: encodeUsage(this.#usage) }));
    }
    out.push({ data: "[DONE]" });
    return out;
  }

  #begin(): SseEvent[] {
    if (this.#started) return [];
    this.#started = true;
    return [this.#choice({ role: "assistant", content: "", refusal: null }, null)];
  }

  #delta(delta: JsonObject): SseEvent[] {
    return [...this.#begin(), this.#choice(delta, null)];
  }

  #finish(reason: FinishReason): SseEvent[] {
    if (this.#finished) return [];
    this.#finished = true;
    return [...this.#begin(), this.#choice({}, reason)];
  }

  #choice(delta: JsonObject, finishReason: FinishReason | null): SseEvent {
    const chunk: JsonObject = {
      choices: [{ index: 0, delta, logprobs: null, finish_reason: finishReason }],
    };
    // "All other chunks will also include a usage field, but with a null value."
    if (this.#includeUsage) chunk.usage = null;
    return this.#event(chunk);
  }

  #event(fields: JsonObject): SseEvent {
    const chunk = {
      id: this.#id,
      object: "chat.completion.chunk",
      created: this.#created,
      model: this.#model,
      ...fields,
    };
    return { data: JSON.stringify(chunk) };
  }
}

function errorEvent(error: LlmErrorBody): SseEvent {
  return { data: JSON.stringify(encodeChatError(error, 500)) };
}
