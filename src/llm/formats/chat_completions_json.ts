/**
 * Reading Chat Completions JSON with errors that name the place: a client body fails with a 400
 * naming the field path (`messages[1].content`), a provider answer with a 502.
 * @module
 */
import { invalidRequest, LlmError } from "../ir.ts";

/** A JSON object as parsed. */
export type JsonObject = Record<string, unknown>;

/** Whether `value` is a plain JSON object (not null, not an array). */
export function isObject(value: unknown): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** `parent.key`, or `key` at the top level. */
export function fieldPath(parent: string, key: string): string {
  return parent === "" ? key : `${parent}.${key}`;
}

/** A 400 for a client value of the wrong shape. */
export function wrongType(path: string, expected: string): LlmError {
  return invalidRequest(path, `Invalid type for '${path}': expected ${expected}`);
}

/** A 400 for a required client field that is absent. */
export function missing(path: string): LlmError {
  return invalidRequest(path, `Missing required parameter: '${path}'`);
}

/** A 400 for a client field whose meaning agw cannot carry to another format (DESIGN.md §5b). */
export function untranslatable(path: string, what: string): LlmError {
  return invalidRequest(path, `${path}: ${what} cannot be translated to the backend's API format`);
}

/** A 502 for a provider answer that is not what the Chat Completions format says. */
export function badAnswer(message: string): LlmError {
  return new LlmError(502, { kind: "api", message: `Chat Completions answer: ${message}` });
}

/** The object at `path`, or a 400. */
export function readObject(value: unknown, path: string): JsonObject {
  if (!isObject(value)) throw wrongType(path, "an object");
  return value;
}

/** The array at `path`, or a 400. */
export function readArray(value: unknown, path: string): unknown[] {
  if (!Array.isArray(value)) throw wrongType(path, "an array");
  return value;
}

/** The string at `path`, or a 400. */
export function readString(value: unknown, path: string): string {
  if (typeof value !== "string") throw wrongType(path, "a string");
  return value;
}

/** `obj[key]` as a string; absent or null is undefined; anything else a 400. */
export function optionalString(obj: JsonObject, key: string, parent: string): string | undefined {
  const value = obj[key];
  return value == null ? undefined : readString(value, fieldPath(parent, key));
}

/** `obj[key]` as a finite number; absent or null is undefined; anything else a 400. */
export function optionalNumber(obj: JsonObject, key: string, parent: string): number | undefined {
  const value = obj[key];
  if (value == null) return undefined;
  if (typeof value !== "number" || !Number.isFinite(value)) {
    throw wrongType(fieldPath(parent, key), "a number");
  }
  return value;
}

/** `obj[key]` as an integer; absent or null is undefined; anything else a 400. */
export function optionalInteger(obj: JsonObject, key: string, parent: string): number | undefined {
  const value = optionalNumber(obj, key, parent);
  if (value !== undefined && !Number.isInteger(value)) {
    throw wrongType(fieldPath(parent, key), "an integer");
  }
  return value;
}

/** `obj[key]` as a boolean; absent or null is undefined; anything else a 400. */
export function optionalBoolean(obj: JsonObject, key: string, parent: string): boolean | undefined {
  const value = obj[key];
  if (value == null) return undefined;
  if (typeof value !== "boolean") throw wrongType(fieldPath(parent, key), "a boolean");
  return value;
}

/**
 * 400 for the first key of `obj` outside `known`: agw cannot tell what an unknown field means,
 * so it cannot promise to carry it (issue #7: never a silent drop).
 */
export function rejectUnknownKeys(obj: JsonObject, known: ReadonlySet<string>, parent: string) {
  for (const key of Object.keys(obj)) {
    if (!known.has(key)) {
      const path = fieldPath(parent, key);
      throw invalidRequest(
        path,
        `Unrecognized request argument supplied: '${path}' (agw cannot translate a field it does not know)`,
      );
    }
  }
}

/** A `data:<media type>;base64,<data>` URL split into its parts, or undefined for another URL. */
export function parseDataUrl(url: string): { mediaType: string; data: string } | undefined {
  const match = /^data:([^;,]*)(?:;[^;,]*)*;base64,/i.exec(url);
  if (!match) return undefined;
  return { mediaType: match[1] || "application/octet-stream", data: url.slice(match[0].length) };
}

/** The `data:` URL for inline base64 content. */
export function toDataUrl(mediaType: string, data: string): string {
  return `data:${mediaType};base64,${data}`;
}
