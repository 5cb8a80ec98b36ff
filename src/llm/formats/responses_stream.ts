/**
 * IR stream events → Responses server-sent events, in the order the API reference lists them
 * (https://platform.openai.com/docs/api-reference/responses-streaming): `response.created`,
 * `response.in_progress`, then per output item `response.output_item.added` … `.done` with the
 * item's own events inside (content parts and text deltas for messages, summary parts and
 * summary deltas for reasoning, argument deltas for function calls), and last
 * `response.completed` / `response.incomplete` / `response.failed` with the whole response and
 * its usage. Every event has `event: <type>`, `data: {"type": <type>, …}` and a
 * `sequence_number` counting from 0; Responses streams have no `[DONE]`.
 *
 * A cut stream ends with one `error` event and nothing after: the openai SDK throws an APIError
 * on it (raw streams and `responses.stream()` alike) and the Vercel AI SDK reports a stream
 * error, whereas `response.failed` only marks the response failed for the openai SDK.
 * @module
 */
import {
  LlmError,
  type LlmErrorBody,
  type StopReason,
  type StreamEvent,
  type Usage,
} from "../ir.ts";
import type { EncodeOptions, SseEvent, StreamEncoder } from "./types.ts";
import { openAiErrorOf } from "./responses_error.ts";
import {
  functionCallItemOf,
  itemIdOf,
  type ItemStatus,
  type MessageItem,
  outcomeOf,
  type OutputItem,
  outputTextOf,
  reasoningItemOf,
  responseIdOf,
  responseObjectOf,
  type ResponseOutcome,
  type ResponsesObject,
  type ResponsesUsage,
  usageOf,
} from "./responses_response.ts";

interface TextState {
  kind: "text";
  message: MessageItem;
  outputIndex: number;
  contentIndex: number;
  text: string;
}

interface ReasoningState {
  kind: "reasoning";
  itemId: string;
  outputIndex: number;
  text: string;
  signature?: string;
  encrypted?: string;
}

interface ToolCallState {
  kind: "toolCall";
  itemId: string;
  outputIndex: number;
  callId: string;
  name: string;
  arguments: string;
}

type PartState = TextState | ReasoningState | ToolCallState;

/** The Responses stream encoder for one answer. */
export function createResponsesStreamEncoder(options: EncodeOptions): StreamEncoder {
  return new ResponsesStreamEncoder(options);
}

class ResponsesStreamEncoder implements StreamEncoder {
  readonly #options: EncodeOptions;
  #sequence = 0;
  #ended = false;
  #responseId: string | undefined;
  #createdAt = 0;
  readonly #output: OutputItem[] = [];
  /** Parts still streaming, by IR index. */
  readonly #open = new Map<number, PartState>();
  /** IR indexes already finished (a late event for one is a decoder bug). */
  readonly #finished = new Set<number>();
  /** The message that further text parts join, until another item starts. */
  #message: { item: MessageItem; outputIndex: number } | undefined;
  #usage: Usage | undefined;
  #stopReason: StopReason | undefined;

  constructor(options: EncodeOptions) {
    this.#options = options;
  }

  encode(event: StreamEvent): SseEvent[] {
    if (this.#ended) return [];
    const out: SseEvent[] = [];
    if (event.type === "start") {
      this.#start(out, event);
      return out;
    }
    this.#start(out);
    switch (event.type) {
      case "textDelta":
        this.#textDelta(out, event.index, event.text);
        break;
      case "reasoningDelta":
        this.#reasoningDelta(out, event);
        break;
      case "toolCallStart":
        this.#toolCallStart(out, event);
        break;
      case "toolCallDelta": {
        const part = this.#partOf(event.index, "toolCall");
        part.arguments += event.arguments;
        this.#emit(out, "response.function_call_arguments.delta", {
          item_id: part.itemId,
          output_index: part.outputIndex,
          delta: event.arguments,
        });
        break;
      }
      case "partEnd":
        this.#partEnd(out, event.index, "completed");
        break;
      case "usage":
        this.#usage = event.usage;
        break;
      case "finish": {
        this.#stopReason = event.stopReason;
        const incomplete = outcomeOf(event.stopReason).status === "incomplete";
        this.#closeAll(out, incomplete ? "incomplete" : "completed");
        break;
      }
      case "error":
        this.#ended = true;
        this.#emitError(out, event.error);
        break;
    }
    return out;
  }

  end(error?: LlmErrorBody): SseEvent[] {
    if (this.#ended) return [];
    this.#ended = true;
    const out: SseEvent[] = [];
    if (error !== undefined) {
      this.#emitError(out, error);
      return out;
    }
    this.#start(out);
    this.#closeAll(out, "completed");
    const outcome = outcomeOf(this.#stopReason ?? "stop");
    const type = outcome.status === "completed"
      ? "response.completed"
      : outcome.status === "incomplete"
      ? "response.incomplete"
      : "response.failed";
    this.#emit(out, type, {
      response: this.#snapshot(outcome, this.#usage === undefined ? null : usageOf(this.#usage)),
    });
    return out;
  }

  #start(out: SseEvent[], event?: { id: string; created?: number }): void {
    if (this.#responseId !== undefined) return;
    // Without a start event there is no provider id: derive one from the clock passed in.
    this.#responseId = responseIdOf(event?.id ?? `agw_${this.#options.nowSeconds}`);
    this.#createdAt = event?.created ?? this.#options.nowSeconds;
    const inProgress = { status: "in_progress", incompleteDetails: null, error: null } as const;
    this.#emit(out, "response.created", { response: this.#snapshot(inProgress, null) });
    this.#emit(out, "response.in_progress", { response: this.#snapshot(inProgress, null) });
  }

  #snapshot(
    outcome: ResponseOutcome,
    usage: ResponsesUsage | null,
  ): ResponsesObject {
    return responseObjectOf({
      id: this.#responseId ?? "",
      createdAt: this.#createdAt,
      outcome,
      output: structuredClone(this.#output),
      usage,
    }, this.#options);
  }

  #itemId(kind: "msg" | "rs" | "fc"): string {
    return itemIdOf(kind, { responseId: this.#responseId ?? "", outputIndex: this.#output.length });
  }

  #textDelta(out: SseEvent[], index: number, text: string): void {
    let part = this.#open.get(index);
    if (part === undefined) part = this.#openText(out, index);
    if (part.kind !== "text") throw mismatch(index, "textDelta");
    part.text += text;
    this.#emit(out, "response.output_text.delta", {
      item_id: part.message.id,
      output_index: part.outputIndex,
      content_index: part.contentIndex,
      delta: text,
      logprobs: [],
    });
  }

  #openText(out: SseEvent[], index: number): TextState {
    this.#assertNew(index, "textDelta");
    if (this.#message === undefined) {
      const item: MessageItem = {
        id: this.#itemId("msg"),
        type: "message",
        status: "in_progress",
        content: [],
        role: "assistant",
      };
      this.#message = { item, outputIndex: this.#output.length };
      this.#output.push(item);
      this.#emit(out, "response.output_item.added", {
        output_index: this.#message.outputIndex,
        item: structuredClone(item),
      });
    }
    const { item, outputIndex } = this.#message;
    const part: TextState = {
      kind: "text",
      message: item,
      outputIndex,
      contentIndex: item.content.length,
      text: "",
    };
    item.content.push(outputTextOf(""));
    this.#open.set(index, part);
    this.#emit(out, "response.content_part.added", {
      item_id: item.id,
      output_index: outputIndex,
      content_index: part.contentIndex,
      part: outputTextOf(""),
    });
    return part;
  }

  #reasoningDelta(
    out: SseEvent[],
    event: Extract<StreamEvent, { type: "reasoningDelta" }>,
  ): void {
    let part = this.#open.get(event.index);
    if (part === undefined) {
      this.#assertNew(event.index, "reasoningDelta");
      this.#closeMessage(out);
      part = {
        kind: "reasoning",
        itemId: this.#itemId("rs"),
        outputIndex: this.#output.length,
        text: "",
      };
      this.#open.set(event.index, part);
      const item = reasoningItemOf({ text: "" }, part.itemId);
      this.#output.push(item);
      this.#emit(out, "response.output_item.added", {
        output_index: part.outputIndex,
        item: structuredClone(item),
      });
    }
    if (part.kind !== "reasoning") throw mismatch(event.index, "reasoningDelta");
    if (event.signature !== undefined) part.signature = (part.signature ?? "") + event.signature;
    if (event.encrypted !== undefined) part.encrypted = (part.encrypted ?? "") + event.encrypted;
    if (event.text === undefined || event.text === "") return;
    const summary = { item_id: part.itemId, output_index: part.outputIndex, summary_index: 0 };
    if (part.text === "") {
      this.#emit(out, "response.reasoning_summary_part.added", {
        ...summary,
        part: { type: "summary_text", text: "" },
      });
    }
    part.text += event.text;
    this.#emit(out, "response.reasoning_summary_text.delta", { ...summary, delta: event.text });
  }

  #toolCallStart(out: SseEvent[], event: Extract<StreamEvent, { type: "toolCallStart" }>): void {
    this.#assertNew(event.index, "toolCallStart");
    if (this.#open.has(event.index)) throw mismatch(event.index, "toolCallStart");
    this.#closeMessage(out);
    const part: ToolCallState = {
      kind: "toolCall",
      itemId: this.#itemId("fc"),
      outputIndex: this.#output.length,
      callId: event.id,
      name: event.name,
      arguments: "",
    };
    this.#open.set(event.index, part);
    const item = functionCallItemOf(
      { id: part.callId, name: part.name, arguments: "" },
      { id: part.itemId, status: "in_progress" },
    );
    this.#output.push(item);
    this.#emit(out, "response.output_item.added", {
      output_index: part.outputIndex,
      item: structuredClone(item),
    });
  }

  /** Finishes one part; a message item stays open for the text parts that may follow. */
  #partEnd(out: SseEvent[], index: number, status: ItemStatus): void {
    const part = this.#open.get(index);
    // An end for a part that never had content (an empty text block) has nothing to close.
    if (part === undefined) return;
    this.#open.delete(index);
    this.#finished.add(index);
    switch (part.kind) {
      case "text": {
        const where = {
          item_id: part.message.id,
          output_index: part.outputIndex,
          content_index: part.contentIndex,
        };
        part.message.content[part.contentIndex] = outputTextOf(part.text);
        this.#emit(out, "response.output_text.done", { ...where, text: part.text, logprobs: [] });
        this.#emit(out, "response.content_part.done", { ...where, part: outputTextOf(part.text) });
        return;
      }
      case "reasoning": {
        if (part.text !== "") {
          const summary = {
            item_id: part.itemId,
            output_index: part.outputIndex,
            summary_index: 0,
          };
          this.#emit(out, "response.reasoning_summary_text.done", { ...summary, text: part.text });
          this.#emit(out, "response.reasoning_summary_part.done", {
            ...summary,
            part: { type: "summary_text", text: part.text },
          });
        }
        const proof: { signature?: string; encrypted?: string } = {};
        if (part.signature !== undefined) proof.signature = part.signature;
        if (part.encrypted !== undefined) proof.encrypted = part.encrypted;
        this.#finishItem(
          out,
          part.outputIndex,
          reasoningItemOf({ text: part.text, ...proof }, part.itemId),
        );
        return;
      }
      case "toolCall":
        this.#emit(out, "response.function_call_arguments.done", {
          item_id: part.itemId,
          output_index: part.outputIndex,
          arguments: part.arguments,
        });
        this.#finishItem(
          out,
          part.outputIndex,
          functionCallItemOf(
            { id: part.callId, name: part.name, arguments: part.arguments },
            { id: part.itemId, status },
          ),
        );
    }
  }

  #finishItem(out: SseEvent[], outputIndex: number, item: OutputItem): void {
    this.#output[outputIndex] = item;
    this.#emit(out, "response.output_item.done", {
      output_index: outputIndex,
      item: structuredClone(item),
    });
  }

  #closeMessage(out: SseEvent[], status: ItemStatus = "completed"): void {
    const message = this.#message;
    if (message === undefined) return;
    for (const [index, part] of this.#open) {
      if (part.kind === "text" && part.message === message.item) this.#partEnd(out, index, status);
    }
    this.#message = undefined;
    message.item.status = status;
    this.#finishItem(out, message.outputIndex, message.item);
  }

  #closeAll(out: SseEvent[], status: ItemStatus): void {
    for (const index of [...this.#open.keys()]) {
      const part = this.#open.get(index);
      if (part !== undefined && part.kind !== "text") this.#partEnd(out, index, status);
    }
    this.#closeMessage(out, status);
  }

  #partOf<K extends PartState["kind"]>(index: number, kind: K): Extract<PartState, { kind: K }> {
    const part = this.#open.get(index);
    if (part?.kind !== kind) throw mismatch(index, kind);
    return part as Extract<PartState, { kind: K }>;
  }

  #assertNew(index: number, what: string): void {
    if (this.#finished.has(index)) throw mismatch(index, what);
  }

  #emitError(out: SseEvent[], error: LlmErrorBody): void {
    const wire = openAiErrorOf(error);
    // ResponseErrorEvent: code, message, param at the top level.
    this.#emit(out, "error", {
      code: wire.code ?? wire.type,
      message: wire.message,
      param: wire.param,
    });
  }

  #emit(out: SseEvent[], type: string, fields: Record<string, unknown>): void {
    const data = JSON.stringify({ type, ...fields, sequence_number: this.#sequence++ });
    out.push({ event: type, data });
  }
}

/** A stream event that does not fit the part it names: the decoder broke its contract. */
function mismatch(index: number, what: string): LlmError {
  return new LlmError(502, {
    kind: "api",
    message: `the provider stream sent ${what} for content part ${index} out of order`,
  });
}
