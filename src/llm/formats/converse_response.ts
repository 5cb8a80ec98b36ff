/**
 * Provider side: a Converse answer → IR
 * (https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_Converse.html#API_runtime_Converse_ResponseSyntax),
 * and the stop reasons and usage its stream decoder shares.
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
import { badAnswer, count, isObject, type JsonObject, stableHash } from "./provider_wire.ts";

const STOP_REASONS: Readonly<Record<string, StopReason>> = {
  end_turn: "stop",
  tool_use: "toolUse",
  max_tokens: "length",
  stop_sequence: "stopSequence",
  guardrail_intervened: "contentFilter",
  content_filtered: "contentFilter",
  malformed_model_output: "error",
  malformed_tool_use: "error",
  // The IR has no context-window reason: the answer was cut for length all the same.
  model_context_window_exceeded: "length",
};

/**
 * `stopReason` in the IR. A reason this table does not know yet reads as a plain stop: the
 * answer is complete and usable.
 */
export function decodeStopReason(value: unknown): StopReason {
  return (typeof value === "string" ? STOP_REASONS[value] : undefined) ?? "stop";
}

/**
 * Which stop sequence matched. Claude reports it in `additionalModelResponseFields` when asked
 * (`/stop_sequence` buffered, `/delta/stop_sequence` streamed); read either when present.
 */
export function decodeStopSequence(fields: unknown): string | undefined {
  if (!isObject(fields)) return undefined;
  if (typeof fields.stop_sequence === "string") return fields.stop_sequence;
  const delta = fields.delta;
  return isObject(delta) && typeof delta.stop_sequence === "string"
    ? delta.stop_sequence
    : undefined;
}

/**
 * Converse usage in the IR. With prompt caching on, `inputTokens` counts only the tokens neither
 * read from nor written to the cache (https://docs.aws.amazon.com/bedrock/latest/userguide/prompt-caching.html),
 * so IR input = inputTokens + cache reads + cache writes. Bedrock does not report reasoning
 * tokens apart from output.
 */
export function decodeUsage(raw: unknown): Usage {
  const usage = isObject(raw) ? raw : {};
  const cacheRead = count(usage.cacheReadInputTokens);
  const cacheWrite = count(usage.cacheWriteInputTokens);
  const out: Usage = {
    inputTokens: (count(usage.inputTokens) ?? 0) + (cacheRead ?? 0) + (cacheWrite ?? 0),
    outputTokens: count(usage.outputTokens) ?? 0,
  };
  if (cacheRead !== undefined) out.cacheReadTokens = cacheRead;
  if (cacheWrite !== undefined) out.cacheWriteTokens = cacheWrite;
  return out;
}

/**
 * Reads a buffered answer. Converse says neither an id nor the model: the id is a digest of the
 * answer, the model is left empty (the client sees the model it asked for).
 */
export function decodeConverseResponse(body: unknown): IrResponse {
  if (!isObject(body)) throw badAnswer("Converse answer is not a JSON object");
  const output = isObject(body.output) ? body.output : undefined;
  const message = output !== undefined && isObject(output.message) ? output.message : undefined;
  if (message === undefined || !Array.isArray(message.content)) {
    throw badAnswer("Converse answer: output.message.content is not an array");
  }
  const response: IrResponse = {
    id: `converse-${stableHash(JSON.stringify(output))}`,
    model: "",
    content: message.content.map((block, i) => decodeBlock(block, `output.message.content[${i}]`)),
    stopReason: decodeStopReason(body.stopReason),
    usage: decodeUsage(body.usage),
  };
  const stopSequence = decodeStopSequence(body.additionalModelResponseFields);
  if (stopSequence !== undefined) response.stopSequence = stopSequence;
  return response;
}

/** One answer block; a kind the IR cannot carry (citations, images, …) is a 502 naming it. */
function decodeBlock(block: unknown, path: string): TextPart | ToolCallPart | ReasoningPart {
  if (!isObject(block)) throw badAnswer(`Converse answer: ${path} is not an object`);
  if (typeof block.text === "string") return { type: "text", text: block.text };
  if (isObject(block.toolUse)) {
    const use = block.toolUse;
    if (typeof use.toolUseId !== "string" || typeof use.name !== "string") {
      throw badAnswer(`Converse answer: ${path}.toolUse lacks toolUseId or name`);
    }
    return {
      type: "toolCall",
      id: use.toolUseId,
      name: use.name,
      arguments: JSON.stringify(use.input ?? {}),
    };
  }
  if (isObject(block.reasoningContent)) {
    return decodeReasoning(block.reasoningContent, `${path}.reasoningContent`);
  }
  const kind = Object.keys(block)[0] ?? "empty";
  throw badAnswer(`Converse answer: ${path} is a "${kind}" block, which agw cannot translate`);
}

function decodeReasoning(content: JsonObject, path: string): ReasoningPart {
  if (isObject(content.reasoningText)) {
    const text = content.reasoningText;
    const part: ReasoningPart = {
      type: "reasoning",
      text: typeof text.text === "string" ? text.text : "",
    };
    if (typeof text.signature === "string" && text.signature !== "") {
      part.signature = text.signature;
    }
    return part;
  }
  if (typeof content.redactedContent === "string") {
    return { type: "reasoning", text: "", encrypted: content.redactedContent };
  }
  throw badAnswer(`Converse answer: ${path} holds neither reasoningText nor redactedContent`);
}
