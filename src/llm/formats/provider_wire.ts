/**
 * Small readers the Gemini and Bedrock Converse codecs share: JSON shape checks with 502s for
 * answers, inline `data:` URLs, media types guessed from a file name, tool-call argument parsing,
 * and a deterministic hash for ids a provider does not give (codecs have no randomness).
 * @module
 */
import { invalidRequest, LlmError } from "../ir.ts";

/** A JSON object as parsed. */
export type JsonObject = Record<string, unknown>;

/** Whether `value` is a plain JSON object (not null, not an array). */
export function isObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** A 502 for a provider answer agw cannot read or cannot carry to the client. */
export function badAnswer(message: string): LlmError {
  return new LlmError(502, { kind: "api", message });
}

/** A 400 naming `path`: the request has `what`, which `target` cannot express. */
export function untranslatable(path: string, what: string, target: string): LlmError {
  return invalidRequest(path, `${path}: ${what} cannot be translated to ${target}`);
}

/** A non-negative integer count, or undefined when absent or not a number. */
export function count(value: unknown): number | undefined {
  return typeof value === "number" && Number.isFinite(value) && value >= 0 ? value : undefined;
}

/** `data:<type>;base64,<data>` split in two (OpenAI clients send inline images so). */
export function parseDataUrl(url: string): { mediaType: string; data: string } | undefined {
  const match = /^data:([^;,]+);base64,(.*)$/s.exec(url);
  return match ? { mediaType: match[1]!, data: match[2]! } : undefined;
}

const MEDIA_TYPES_BY_EXTENSION: Readonly<Record<string, string>> = {
  png: "image/png",
  jpg: "image/jpeg",
  jpeg: "image/jpeg",
  gif: "image/gif",
  webp: "image/webp",
  heic: "image/heic",
  heif: "image/heif",
  pdf: "application/pdf",
  txt: "text/plain",
  md: "text/markdown",
  csv: "text/csv",
  html: "text/html",
  doc: "application/msword",
  docx: "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
  xls: "application/vnd.ms-excel",
  xlsx: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
};

/** The media type a URL's file extension names, when it is one agw knows. */
export function mediaTypeFromUrl(url: string): string | undefined {
  const path = url.split(/[?#]/, 1)[0] ?? "";
  const extension = /\.([a-z0-9]+)$/i.exec(path)?.[1]?.toLowerCase();
  return extension === undefined ? undefined : MEDIA_TYPES_BY_EXTENSION[extension];
}

/**
 * Tool-call arguments as the object Gemini (`args`) and Converse (`input`) want. Empty text is
 * `{}` (OpenAI sends it for a function without parameters); anything but a JSON object is a 400.
 */
export function parseToolArguments(text: string, path: string): JsonObject {
  if (text.trim() === "") return {};
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  if (!isObject(parsed)) {
    throw invalidRequest(
      `${path}.arguments`,
      `${path}.arguments: tool call arguments are not a JSON object`,
    );
  }
  return parsed;
}

/** A short stable hex digest (FNV-1a, 32 bits) for ids derived from what an answer holds. */
export function stableHash(text: string): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash.toString(16).padStart(8, "0");
}
