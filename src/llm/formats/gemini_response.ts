/**
 * Provider side: a `GenerateContentResponse` → IR (https://ai.google.dev/api/generate-content),
 * and the pieces its stream decoder shares: reading one part, usage, finish reasons and the ids
 * agw makes for function calls Gemini returns without one.
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

/** One Gemini part, read: what the IR needs from it. */
export type GeminiPiece =
  | { kind: "text"; text: string; signature?: string }
  | { kind: "thought"; text: string; signature?: string }
  | { kind: "call"; id?: string; name: string; arguments: string; signature?: string };

const SYNTHESIZED_PREFIX = "call_gemini_";

/**
 * The id of the `ordinal`-th function call of an answer that gave none: Gemini before 3 matches
 * results by name and order, but clients match them by id. Derived from the response id, so the
 * buffered and the streamed reading of an answer agree.
 */
export function synthesizedCallId(base: string, ordinal: number): string {
  return `${SYNTHESIZED_PREFIX}${base}_${ordinal}`;
}

/** Whether agw made `id` up: such ids are not sent back to Gemini. */
export function isSynthesizedCallId(id: string): boolean {
  return id.startsWith(SYNTHESIZED_PREFIX);
}

/** The base for synthesized ids: the response id (tool ids allow `[A-Za-z0-9_-]`), or a hash. */
export function callIdBase(responseId: string | undefined, fallback: string): string {
  if (responseId !== undefined && responseId !== "") {
    return responseId.replace(/[^A-Za-z0-9_-]/g, "_");
  }
  return stableHash(fallback);
}

/**
 * Reads one part. Parts the IR cannot carry (`inlineData` images, `executableCode`, …) are a
 * 502 naming the kind; an empty part (no text, no signature) reads as nothing.
 */
export function readPart(part: unknown, path: string): GeminiPiece | undefined {
  if (!isObject(part)) throw badAnswer(`Gemini answer: ${path} is not an object`);
  const signature = typeof part.thoughtSignature === "string" && part.thoughtSignature !== ""
    ? part.thoughtSignature
    : undefined;
  const withSignature = <T extends GeminiPiece>(piece: T): T => {
    if (signature !== undefined) piece.signature = signature;
    return piece;
  };
  if (isObject(part.functionCall)) {
    const call = part.functionCall;
    if (typeof call.name !== "string") {
      throw badAnswer(`Gemini answer: ${path}.functionCall.name is not a string`);
    }
    const piece: GeminiPiece = {
      kind: "call",
      name: call.name,
      arguments: JSON.stringify(call.args ?? {}),
    };
    if (typeof call.id === "string" && call.id !== "") piece.id = call.id;
    return withSignature(piece);
  }
  if (typeof part.text === "string") {
    if (part.text === "" && signature === undefined) return undefined;
    return withSignature({ kind: part.thought === true ? "thought" : "text", text: part.text });
  }
  const kind = Object.keys(part).find((key) => key !== "thoughtSignature" && key !== "thought");
  if (kind === undefined) {
    return signature === undefined ? undefined : { kind: "text", text: "", signature };
  }
  throw badAnswer(`Gemini answer: ${path} is a "${kind}" part, which agw cannot translate`);
}

const STOP_REASONS: Readonly<Record<string, StopReason>> = {
  STOP: "stop",
  MAX_TOKENS: "length",
  SAFETY: "contentFilter",
  RECITATION: "contentFilter",
  BLOCKLIST: "contentFilter",
  PROHIBITED_CONTENT: "contentFilter",
  SPII: "contentFilter",
  IMAGE_SAFETY: "contentFilter",
  IMAGE_PROHIBITED_CONTENT: "contentFilter",
  IMAGE_RECITATION: "contentFilter",
  MODEL_ARMOR: "contentFilter",
  // The model declined: the language is one it does not support.
  LANGUAGE: "refusal",
  MALFORMED_FUNCTION_CALL: "error",
  UNEXPECTED_TOOL_CALL: "error",
  TOO_MANY_TOOL_CALLS: "error",
  MALFORMED_RESPONSE: "error",
  MISSING_THOUGHT_SIGNATURE: "error",
};

/**
 * `finishReason` in the IR. Gemini says STOP after function calls too: with calls it is toolUse.
 * OTHER, an unspecified reason or one this table does not know yet reads as a plain stop: the
 * answer is complete and usable.
 */
export function decodeFinishReason(reason: unknown, hasToolCalls: boolean): StopReason {
  const mapped = typeof reason === "string" ? STOP_REASONS[reason] : undefined;
  if (mapped !== undefined && mapped !== "stop") return mapped;
  return hasToolCalls ? "toolUse" : "stop";
}

/**
 * `usageMetadata` in the IR. `candidatesTokenCount` leaves thoughts out (`totalTokenCount` is
 * prompt + tool-use prompt + candidates + thoughts), so output is candidates + thoughts, as
 * OpenAI counts reasoning inside completion tokens. `promptTokenCount` already includes cached
 * content; tool-use prompt tokens are input too.
 */
export function decodeUsage(raw: unknown): Usage {
  const usage = isObject(raw) ? raw : {};
  const thoughts = count(usage.thoughtsTokenCount);
  const out: Usage = {
    inputTokens: (count(usage.promptTokenCount) ?? 0) + (count(usage.toolUsePromptTokenCount) ?? 0),
    outputTokens: (count(usage.candidatesTokenCount) ?? 0) + (thoughts ?? 0),
  };
  const cached = count(usage.cachedContentTokenCount);
  if (cached !== undefined) out.cacheReadTokens = cached;
  if (thoughts !== undefined) out.reasoningTokens = thoughts;
  return out;
}

/** The first candidate's parts (agw never asks for more than one candidate). */
export function candidateParts(candidate: JsonObject): unknown[] {
  const content = candidate.content;
  return isObject(content) && Array.isArray(content.parts) ? content.parts : [];
}

/** Reads a buffered answer. No candidate and a `promptFeedback.blockReason`: contentFilter. */
export function decodeGeminiResponse(body: unknown): IrResponse {
  if (!isObject(body)) throw badAnswer("Gemini answer is not a JSON object");
  const responseId = typeof body.responseId === "string" ? body.responseId : undefined;
  const model = typeof body.modelVersion === "string" ? body.modelVersion : "";
  const usage = decodeUsage(body.usageMetadata);
  const candidate = Array.isArray(body.candidates) ? body.candidates[0] : undefined;
  const id = responseId ?? `gemini-${stableHash(JSON.stringify(body.candidates ?? null))}`;
  if (!isObject(candidate)) {
    const feedback = isObject(body.promptFeedback) ? body.promptFeedback : {};
    if (typeof feedback.blockReason !== "string") {
      throw badAnswer("Gemini answer has no candidates and no promptFeedback.blockReason");
    }
    return { id, model, content: [], stopReason: "contentFilter", usage };
  }
  const parts = candidateParts(candidate);
  const content = assembleParts(
    parts.map((part, i) => readPart(part, `candidates[0].content.parts[${i}]`)),
    callIdBase(responseId, JSON.stringify(parts)),
  );
  const hasCalls = content.some((part) => part.type === "toolCall");
  return {
    id,
    model,
    content,
    stopReason: decodeFinishReason(candidate.finishReason, hasCalls),
    usage,
  };
}

/**
 * Pieces as IR content. A signature on a text or call part becomes an empty signed reasoning
 * part just before it (the IR keeps signatures on reasoning); an empty signed thought after
 * unsigned thought text closes that thought (Gemini may stream the signature separately).
 */
function assembleParts(
  pieces: (GeminiPiece | undefined)[],
  idBase: string,
): (TextPart | ToolCallPart | ReasoningPart)[] {
  const content: (TextPart | ToolCallPart | ReasoningPart)[] = [];
  let calls = 0;
  for (const piece of pieces) {
    if (piece === undefined) continue;
    if (piece.kind === "thought") {
      const last = content.at(-1);
      if (
        piece.text === "" && piece.signature !== undefined && last?.type === "reasoning" &&
        last.signature === undefined
      ) {
        last.signature = piece.signature;
        continue;
      }
      const reasoning: ReasoningPart = { type: "reasoning", text: piece.text };
      if (piece.signature !== undefined) reasoning.signature = piece.signature;
      content.push(reasoning);
      continue;
    }
    if (piece.signature !== undefined) {
      content.push({ type: "reasoning", text: "", signature: piece.signature });
    }
    if (piece.kind === "text") {
      if (piece.text !== "") content.push({ type: "text", text: piece.text });
    } else {
      content.push({
        type: "toolCall",
        id: piece.id ?? synthesizedCallId(idBase, calls),
        name: piece.name,
        arguments: piece.arguments,
      });
      calls++;
    }
  }
  return content;
}
