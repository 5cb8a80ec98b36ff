/**
 * Reading Anthropic Messages JSON with errors that name the field: client bodies fail with a 400
 * naming the path (`messages[1].content`), provider answers with a 502.
 * @module
 */
import { type CacheControl, invalidRequest, LlmError } from "../ir.ts";

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
  return invalidRequest(path, `${path}: expected ${expected}`);
}

/** A 400 for a client field that has a meaning agw cannot carry to another format. */
export function untranslatable(path: string, what: string): LlmError {
  return invalidRequest(
    path,
    `${path}: ${what} cannot be translated to the backend's API format`,
  );
}

/** A 502 for an answer that cannot be read or cannot be carried to the client's format. */
export function badAnswer(message: string): LlmError {
  return new LlmError(502, { kind: "api", message });
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

/** The finite number at `path`, or a 400. */
export function readNumber(value: unknown, path: string): number {
  if (typeof value !== "number" || !Number.isFinite(value)) throw wrongType(path, "a number");
  return value;
}

/** The non-negative integer at `path`, or a 400. */
export function readCount(value: unknown, path: string): number {
  if (!Number.isInteger(value) || (value as number) < 0) {
    throw wrongType(path, "a non-negative integer");
  }
  return value as number;
}

/** The boolean at `path`, or a 400. */
export function readBoolean(value: unknown, path: string): boolean {
  if (typeof value !== "boolean") throw wrongType(path, "a boolean");
  return value;
}

/** `object[key]`, with JSON `null` read as absent (SDKs send `null` for unset optional fields). */
export function optional(object: JsonObject, key: string): unknown {
  const value = object[key];
  return value === null ? undefined : value;
}

/** Throws a 400 for the first key of `object` outside `known`. */
export function checkKnownKeys(object: JsonObject, known: ReadonlySet<string>, path: string): void {
  for (const key of Object.keys(object)) {
    if (!known.has(key)) {
      const at = fieldPath(path, key);
      throw invalidRequest(at, `${at}: unknown field`);
    }
  }
}

const CACHE_CONTROL_KEYS: ReadonlySet<string> = new Set(["type", "ttl"]);

/** Anthropic `cache_control` (`{type: "ephemeral", ttl?: "5m" | "1h"}`) at `path`. */
export function readCacheControl(value: unknown, path: string): CacheControl {
  const object = readObject(value, path);
  checkKnownKeys(object, CACHE_CONTROL_KEYS, path);
  if (object.type !== "ephemeral") throw wrongType(fieldPath(path, "type"), '"ephemeral"');
  const ttl = optional(object, "ttl");
  return ttl === undefined
    ? { type: "ephemeral" }
    : { type: "ephemeral", ttl: readString(ttl, fieldPath(path, "ttl")) };
}

/** The IR cache marker as Anthropic writes it. */
export function writeCacheControl(cache: CacheControl): JsonObject {
  return cache.ttl === undefined ? { type: "ephemeral" } : { type: "ephemeral", ttl: cache.ttl };
}
