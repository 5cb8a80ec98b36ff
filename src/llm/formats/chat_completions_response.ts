/**
 * Buffered Chat Completions answers both ways: IrResponse → a `chat.completion` object for a
 * client, and a provider's `chat.completion` → IrResponse; plus the usage, finish-reason and
 * reasoning mappings the stream codecs share.
 * Reference: https://platform.openai.com/docs/api-reference/chat/object
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
import { LlmError } from "../ir.ts";
import type { EncodeOptions } from "./types.ts";
import { badAnswer, isObject, type JsonObject } from "./chat_completions_json.ts";
import { errorBodyFromObject } from "./chat_completions_error.ts";

/** Chat Completions' `finish_reason` values. */
export type FinishReason = "stop" | "length" | "tool_calls" | "content_filter";

/** The `chat.completion` object a client gets for `response`. */
export function encodeChatResponse(response: IrResponse, options: EncodeOptions): JsonObject {
  const texts: string[] = [];
  const reasoning: ReasoningPart[] = [];
  const toolCalls: JsonObject[] = [];
  for (const part of response.content) {
    if (part.type === "text") texts.push(part.text);
    else if (part.type === "reasoning") reasoning.push(part);
    else {
      toolCalls.push({
        id: part.id,
        type: "function",
        function: { name: part.name, arguments: part.arguments },
      });
    }
  }
  // Chat Completions has one content string: text blocks are joined as they were streamed.
  const message: JsonObject = {
    role: "assistant",
    content: texts.length > 0 ? texts.join("") : toolCalls.length > 0 ? null : "",
    refusal: null,
    ...encodeReasoning(reasoning),
  };
  if (toolCalls.length > 0) message.tool_calls = toolCalls;
  return {
    id: response.id,
    object: "chat.completion",
    created: response.created ?? options.nowSeconds,
    model: options.model,
    choices: [{
      index: 0,
      message,
      logprobs: null,
      finish_reason: encodeFinishReason(response.stopReason),
    }],
    usage: encodeUsage(response.usage),
  };
}

/**
 * Reasoning for a Chat client: `reasoning_content`, the field DeepSeek introduced and vLLM,
 * SGLang, llama.cpp and LiteLLM return, which LangChain and the AI SDK's OpenAI-compatible
 * provider read; plus LiteLLM's `thinking_blocks` when a part carries a signature or redacted
 * data, so a client that echoes the message back gives Anthropic its signed thinking again.
 */
export function encodeReasoning(parts: ReasoningPart[]): JsonObject {
  if (parts.length === 0) return {};
  const fields: JsonObject = { reasoning_content: parts.map((part) => part.text).join("") };
  if (parts.some((part) => part.signature !== undefined || part.encrypted !== undefined)) {
    fields.thinking_blocks = parts.map(thinkingBlock);
  }
  return fields;
}

/** One LiteLLM thinking block for a reasoning part. */
export function thinkingBlock(part: Omit<ReasoningPart, "type">): JsonObject {
  if (part.encrypted !== undefined) return { type: "redacted_thinking", data: part.encrypted };
  const block: JsonObject = { type: "thinking", thinking: part.text };
  if (part.signature !== undefined) block.signature = part.signature;
  return block;
}

/** IR stop reason → `finish_reason`. A stop sequence is `stop` (the format does not say which). */
export function encodeFinishReason(reason: StopReason): FinishReason {
  switch (reason) {
    case "toolUse":
      return "tool_calls";
    case "length":
      return "length";
    case "contentFilter":
    case "refusal":
      return "content_filter";
    default:
      return "stop";
  }
}

/**
 * `finish_reason` → IR. Besides OpenAI's values: Mistral's `model_length` and `error`, DeepSeek's
 * `insufficient_system_resource`. An unknown or absent reason is `stop`: the answer itself is
 * complete and carried, and refusing it would throw away a finished answer over a label.
 */
export function decodeFinishReason(reason: unknown): StopReason {
  switch (reason) {
    case "length":
    case "model_length":
      return "length";
    case "tool_calls":
    case "function_call":
      return "toolUse";
    case "content_filter":
      return "contentFilter";
    case "error":
    case "insufficient_system_resource":
      return "error";
    default:
      return "stop";
  }
}

/** IR usage → `usage` (prompt_tokens includes cached tokens, as in the IR). */
export function encodeUsage(usage: Usage): JsonObject {
  const promptDetails: JsonObject = { cached_tokens: usage.cacheReadTokens ?? 0 };
  if (usage.cacheWriteTokens !== undefined) {
    promptDetails.cache_write_tokens = usage.cacheWriteTokens;
  }
  return {
    prompt_tokens: usage.inputTokens,
    completion_tokens: usage.outputTokens,
    total_tokens: usage.inputTokens + usage.outputTokens,
    prompt_tokens_details: promptDetails,
    completion_tokens_details: { reasoning_tokens: usage.reasoningTokens ?? 0 },
  };
}

/** `usage` → IR. DeepSeek reports cache hits as `prompt_cache_hit_tokens`. */
export function decodeUsage(raw: unknown): Usage {
  if (!isObject(raw)) return { inputTokens: 0, outputTokens: 0 };
  const usage: Usage = {
    inputTokens: count(raw.prompt_tokens) ?? 0,
    outputTokens: count(raw.completion_tokens) ?? 0,
  };
  const prompt = isObject(raw.prompt_tokens_details) ? raw.prompt_tokens_details : {};
  const completion = isObject(raw.completion_tokens_details) ? raw.completion_tokens_details : {};
  const cacheRead = count(prompt.cached_tokens) ?? count(raw.prompt_cache_hit_tokens);
  if (cacheRead !== undefined) usage.cacheReadTokens = cacheRead;
  const cacheWrite = count(prompt.cache_write_tokens);
  if (cacheWrite !== undefined) usage.cacheWriteTokens = cacheWrite;
  const reasoning = count(completion.reasoning_tokens);
  if (reasoning !== undefined) usage.reasoningTokens = reasoning;
  return usage;
}

function count(value: unknown): number | undefined {
  return typeof value === "number" && Number.isFinite(value) ? value : undefined;
}

/** A provider's `chat.completion` → IrResponse; the first choice (agw never asks for more). */
export function decodeChatResponse(body: unknown): IrResponse {
  if (!isObject(body)) throw badAnswer("the body is not a JSON object");
  if (isObject(body.error)) throw new LlmError(502, errorBodyFromObject(body.error));
  if (!Array.isArray(body.choices)) throw badAnswer("'choices' is missing");
  const choice = body.choices.find((item) => isObject(item) && item.index === 0) ??
    body.choices[0];
  if (!isObject(choice) || !isObject(choice.message)) throw badAnswer("there is no message");
  const id = typeof body.id === "string" ? body.id : "";
  const message = choice.message;
  rejectUnrequested(message, "choices[0].message");
  const content: (TextPart | ToolCallPart | ReasoningPart)[] = decodeReasoning(message);
  content.push(...decodeContent(message.content));
  let stopReason = decodeFinishReason(choice.finish_reason);
  if (typeof message.refusal === "string") {
    content.push({ type: "text", text: message.refusal });
    stopReason = "refusal";
  }
  if (message.tool_calls != null) {
    if (!Array.isArray(message.tool_calls)) throw badAnswer("'tool_calls' is not an array");
    message.tool_calls.forEach((raw, k) => content.push(decodeToolCall(raw, k, id)));
  }
  const response: IrResponse = {
    id,
    model: typeof body.model === "string" ? body.model : "",
    content,
    stopReason,
    usage: decodeUsage(body.usage),
  };
  if (typeof body.created === "number") response.created = body.created;
  return response;
}

/** Fields agw never asks for (audio, legacy functions): present means they would be lost. */
export function rejectUnrequested(message: JsonObject, path: string): void {
  for (const field of ["audio", "function_call"]) {
    if (message[field] != null) {
      throw badAnswer(`${path}.${field} has no place in agw's translation`);
    }
  }
}

/** `content` is a string; Mistral's reasoning models send parts (`text`, `thinking`). */
function decodeContent(content: unknown): (TextPart | ReasoningPart)[] {
  if (content == null || content === "") return [];
  if (typeof content === "string") return [{ type: "text", text: content }];
  if (!Array.isArray(content)) throw badAnswer("'content' is neither a string nor parts");
  return content.map((part, j): TextPart | ReasoningPart => {
    if (isObject(part) && part.type === "text" && typeof part.text === "string") {
      return { type: "text", text: part.text };
    }
    if (isObject(part) && part.type === "thinking") {
      return { type: "reasoning", text: partsText(part.thinking) };
    }
    const type = isObject(part) ? String(part.type) : typeof part;
    throw badAnswer(`content[${j}] is a '${type}' part, which agw cannot translate`);
  });
}

function partsText(value: unknown): string {
  if (typeof value === "string") return value;
  if (!Array.isArray(value)) return "";
  return value.map((item) => isObject(item) && typeof item.text === "string" ? item.text : "")
    .join("");
}

/** `thinking_blocks` (LiteLLM) when present, else `reasoning_content` or vLLM's `reasoning`. */
function decodeReasoning(message: JsonObject): ReasoningPart[] {
  if (Array.isArray(message.thinking_blocks)) {
    return message.thinking_blocks.filter(isObject).map((block): ReasoningPart => {
      if (block.type === "redacted_thinking" && typeof block.data === "string") {
        return { type: "reasoning", text: "", encrypted: block.data };
      }
      const part: ReasoningPart = {
        type: "reasoning",
        text: typeof block.thinking === "string" ? block.thinking : "",
      };
      if (typeof block.signature === "string" && block.signature) part.signature = block.signature;
      return part;
    });
  }
  const text = typeof message.reasoning_content === "string"
    ? message.reasoning_content
    : typeof message.reasoning === "string"
    ? message.reasoning
    : "";
  return text ? [{ type: "reasoning", text }] : [];
}

function decodeToolCall(raw: unknown, k: number, responseId: string): ToolCallPart {
  if (!isObject(raw)) throw badAnswer(`tool_calls[${k}] is not an object`);
  if (raw.type != null && raw.type !== "function") {
    throw badAnswer(`tool_calls[${k}] is a '${String(raw.type)}' call, which agw cannot translate`);
  }
  const fn = isObject(raw.function) ? raw.function : {};
  if (typeof fn.name !== "string") throw badAnswer(`tool_calls[${k}] has no function name`);
  return {
    type: "toolCall",
    id: typeof raw.id === "string" && raw.id ? raw.id : fallbackToolCallId(responseId, k),
    name: fn.name,
    arguments: typeof fn.arguments === "string" ? fn.arguments : JSON.stringify(fn.arguments ?? {}),
  };
}

/** An id for a tool call a server sent without one, stable for a given answer. */
export function fallbackToolCallId(responseId: string, index: number): string {
  return `call_${responseId}_${index}`;
}
