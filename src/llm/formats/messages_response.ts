/**
 * Buffered answers in both directions: a Messages `message` object ↔ IrResponse, and the usage
 * and stop-reason tables the stream codecs share
 * (https://platform.claude.com/docs/en/api/messages, response "Message").
 * @module
 */
import type {
  IrResponse,
  ReasoningPart,
  StopReason,
  TextPart,
  ToolCallPart,
  Usage,
} from "../ir.ts";
import type { EncodeOptions } from "./types.ts";
import { badAnswer, isObject, type JsonObject } from "./messages_json.ts";

const STOP_REASONS: Readonly<Record<string, StopReason>> = {
  end_turn: "stop",
  max_tokens: "length",
  stop_sequence: "stopSequence",
  tool_use: "toolUse",
  pause_turn: "pauseTurn",
  refusal: "refusal",
  // The IR has no context-window reason: the answer was cut for length all the same.
  model_context_window_exceeded: "length",
};

/**
 * Anthropic's stop reason in the IR. A reason this table does not know yet (the API adds them)
 * reads as a plain stop: the answer itself is complete and usable.
 */
export function decodeStopReason(value: unknown): StopReason {
  return (typeof value === "string" ? STOP_REASONS[value] : undefined) ?? "stop";
}

const ANTHROPIC_STOP_REASONS: Readonly<Record<StopReason, string>> = {
  stop: "end_turn",
  length: "max_tokens",
  stopSequence: "stop_sequence",
  toolUse: "tool_use",
  pauseTurn: "pause_turn",
  refusal: "refusal",
  contentFilter: "refusal",
  // A failed answer arrives as an error; a stop reason of "error" ended the turn all the same.
  error: "end_turn",
};

/** The IR stop reason as Anthropic writes it. */
export function encodeStopReason(reason: StopReason): string {
  return ANTHROPIC_STOP_REASONS[reason];
}

/** Anthropic's usage counters, as they accumulate across a stream. */
export interface AnthropicCounts {
  input?: number;
  output?: number;
  cacheRead?: number;
  cacheWrite?: number;
  thinking?: number;
}

/** Folds one `usage` object into `counts` (stream `message_delta` usage is cumulative). */
export function addAnthropicUsage(counts: AnthropicCounts, usage: unknown): void {
  if (!isObject(usage)) return;
  const take = (key: keyof AnthropicCounts, value: unknown) => {
    if (typeof value === "number") counts[key] = value;
  };
  take("input", usage.input_tokens);
  take("output", usage.output_tokens);
  take("cacheRead", usage.cache_read_input_tokens);
  take("cacheWrite", usage.cache_creation_input_tokens);
  const details = usage.output_tokens_details;
  if (isObject(details)) take("thinking", details.thinking_tokens);
}

/** IR usage: `inputTokens` includes cache reads and writes, which Anthropic counts apart. */
export function countsToUsage(counts: AnthropicCounts): Usage {
  const usage: Usage = {
    inputTokens: (counts.input ?? 0) + (counts.cacheRead ?? 0) + (counts.cacheWrite ?? 0),
    outputTokens: counts.output ?? 0,
  };
  if (counts.cacheRead !== undefined) usage.cacheReadTokens = counts.cacheRead;
  if (counts.cacheWrite !== undefined) usage.cacheWriteTokens = counts.cacheWrite;
  if (counts.thinking !== undefined) usage.reasoningTokens = counts.thinking;
  return usage;
}

/** IR usage as Anthropic writes it, cache tokens taken back out of `input_tokens`. */
export function encodeUsage(usage: Usage | undefined): JsonObject {
  const cacheRead = usage?.cacheReadTokens ?? 0;
  const cacheWrite = usage?.cacheWriteTokens ?? 0;
  const out: JsonObject = {
    input_tokens: Math.max(0, (usage?.inputTokens ?? 0) - cacheRead - cacheWrite),
    output_tokens: usage?.outputTokens ?? 0,
    cache_creation_input_tokens: cacheWrite,
    cache_read_input_tokens: cacheRead,
  };
  if (usage?.reasoningTokens !== undefined) {
    out.output_tokens_details = { thinking_tokens: usage.reasoningTokens };
  }
  return out;
}

/** Reads a buffered Messages answer; unknown content blocks are a 502 naming the type. */
export function decodeMessagesResponse(body: unknown): IrResponse {
  if (!isObject(body)) throw badAnswer("Anthropic answer: the body is not a JSON object");
  if (body.type !== undefined && body.type !== "message") {
    throw badAnswer(`Anthropic answer: expected type "message", got ${JSON.stringify(body.type)}`);
  }
  if (typeof body.id !== "string") throw badAnswer("Anthropic answer: id is not a string");
  if (!Array.isArray(body.content)) throw badAnswer("Anthropic answer: content is not an array");
  const counts: AnthropicCounts = {};
  addAnthropicUsage(counts, body.usage);
  const response: IrResponse = {
    id: body.id,
    model: typeof body.model === "string" ? body.model : "",
    content: body.content.map(decodeAnswerBlock),
    stopReason: decodeStopReason(body.stop_reason),
    usage: countsToUsage(counts),
  };
  if (typeof body.stop_sequence === "string") response.stopSequence = body.stop_sequence;
  return response;
}

function decodeAnswerBlock(block: unknown, i: number): TextPart | ToolCallPart | ReasoningPart {
  if (!isObject(block)) throw badAnswer(`Anthropic answer: content[${i}] is not an object`);
  const string = (value: unknown, field: string) => {
    if (typeof value !== "string") {
      throw badAnswer(`Anthropic answer: content[${i}].${field} is not a string`);
    }
    return value;
  };
  switch (block.type) {
    case "text":
      return { type: "text", text: string(block.text, "text") };
    case "tool_use":
      return {
        type: "toolCall",
        id: string(block.id, "id"),
        name: string(block.name, "name"),
        arguments: JSON.stringify(block.input ?? {}),
      };
    case "thinking":
      return {
        type: "reasoning",
        text: string(block.thinking, "thinking"),
        signature: string(block.signature, "signature"),
      };
    case "redacted_thinking":
      return { type: "reasoning", text: "", encrypted: string(block.data, "data") };
    default:
      throw badAnswer(
        `Anthropic answer: a ${
          JSON.stringify(block.type)
        } content block (content[${i}]) cannot be translated to the client's API format`,
      );
  }
}

/** The client's Messages answer for an IR response. */
export function encodeMessagesResponse(response: IrResponse, options: EncodeOptions): JsonObject {
  return {
    id: response.id,
    type: "message",
    role: "assistant",
    model: options.model,
    content: response.content.flatMap((part, i) => {
      const block = encodeAnswerBlock(part, i);
      return block === undefined ? [] : [block];
    }),
    stop_reason: encodeStopReason(response.stopReason),
    stop_sequence: response.stopSequence ?? null,
    usage: encodeUsage(response.usage),
  };
}

function encodeAnswerBlock(
  part: TextPart | ToolCallPart | ReasoningPart,
  i: number,
): JsonObject | undefined {
  switch (part.type) {
    case "text":
      return { type: "text", text: part.text };
    case "toolCall":
      return { type: "tool_use", id: part.id, name: part.name, input: parseToolInput(part, i) };
    case "reasoning":
      return encodeReasoningBlock(part);
  }
}

/**
 * Reasoning for a Messages client: Anthropic's own signed or redacted thinking round-trips; other
 * providers' reasoning text shows as thinking with an empty signature; opaque reasoning of
 * another provider (OpenAI `encrypted_content`, which has an id) has no Messages form.
 */
export function encodeReasoningBlock(part: ReasoningPart): JsonObject | undefined {
  if (
    part.encrypted !== undefined && part.id === undefined && part.text === "" && !part.signature
  ) {
    return { type: "redacted_thinking", data: part.encrypted };
  }
  if (part.text === "" && !part.signature) return undefined;
  return { type: "thinking", thinking: part.text, signature: part.signature ?? "" };
}

function parseToolInput(part: ToolCallPart, i: number): JsonObject {
  if (part.arguments.trim() === "") return {};
  let input: unknown;
  try {
    input = JSON.parse(part.arguments);
  } catch {
    input = undefined;
  }
  if (!isObject(input)) {
    throw badAnswer(
      `content[${i}]: the arguments of tool call "${part.name}" are not a JSON object, which a Messages tool_use block needs`,
    );
  }
  return input;
}
