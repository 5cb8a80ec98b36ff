/**
 * A typed reader over the untrusted JSON of a Responses request. Every failure is a 400 naming
 * the field path (`input[2].content[0].image_url`), so a client sees exactly which field is wrong.
 * `null` counts as absent for optional fields, as the Responses API treats it.
 * @module
 */
import { invalidRequest, type LlmError } from "../ir.ts";

/** Whether `value` is a plain JSON object (not null, not an array). */
export function isJsonObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** `value` as an array, or a 400 naming `path`. */
export function readArray(value: unknown, path: string): unknown[] {
  if (!Array.isArray(value)) throw invalidRequest(path, `${path} must be an array`);
  return value;
}

/** The fields of one JSON object at `path`; construction fails with a 400 unless it is one. */
export class JsonFields {
  readonly path: string;
  readonly #object: Record<string, unknown>;

  constructor(value: unknown, path: string) {
    if (!isJsonObject(value)) {
      throw invalidRequest(path || "body", `${path || "the request body"} must be an object`);
    }
    this.#object = value;
    this.path = path;
  }

  /** The path of a field of this object. */
  pathOf(key: string): string {
    return this.path ? `${this.path}.${key}` : key;
  }

  /** A 400 about one field of this object. */
  fail(key: string, problem: string): LlmError {
    const path = this.pathOf(key);
    return invalidRequest(path, `${path} ${problem}`);
  }

  /** The raw value of a field. */
  raw(key: string): unknown {
    return this.#object[key];
  }

  /** Whether the field is present and not null. */
  has(key: string): boolean {
    const value = this.#object[key];
    return value !== undefined && value !== null;
  }

  /** The field names present. */
  keys(): string[] {
    return Object.keys(this.#object);
  }

  /** A required string. */
  string(key: string): string {
    const value = this.#object[key];
    if (typeof value !== "string") throw this.fail(key, "must be a string");
    return value;
  }

  /** An optional string. */
  optionalString(key: string): string | undefined {
    if (!this.has(key)) return undefined;
    return this.string(key);
  }

  /** An optional finite number. */
  optionalNumber(key: string): number | undefined {
    if (!this.has(key)) return undefined;
    const value = this.#object[key];
    if (typeof value !== "number" || !Number.isFinite(value)) {
      throw this.fail(key, "must be a number");
    }
    return value;
  }

  /** An optional integer of at least 1. */
  optionalPositiveInteger(key: string): number | undefined {
    const value = this.optionalNumber(key);
    if (value !== undefined && (!Number.isInteger(value) || value < 1)) {
      throw this.fail(key, "must be a positive integer");
    }
    return value;
  }

  /** An optional boolean. */
  optionalBoolean(key: string): boolean | undefined {
    if (!this.has(key)) return undefined;
    const value = this.#object[key];
    if (typeof value !== "boolean") throw this.fail(key, "must be a boolean");
    return value;
  }

  /** An optional string restricted to `allowed`. */
  optionalEnum<T extends string>(key: string, allowed: readonly T[]): T | undefined {
    const value = this.optionalString(key);
    if (value === undefined) return undefined;
    if (!(allowed as readonly string[]).includes(value)) {
      const names = allowed.map((name) => `"${name}"`).join(", ");
      throw this.fail(key, `must be one of ${names}, got "${value}"`);
    }
    return value as T;
  }

  /** An optional array. */
  optionalArray(key: string): unknown[] | undefined {
    if (!this.has(key)) return undefined;
    return readArray(this.#object[key], this.pathOf(key));
  }

  /** A required nested object. */
  object(key: string): JsonFields {
    return new JsonFields(this.#object[key], this.pathOf(key));
  }

  /** An optional nested object. */
  optionalObject(key: string): JsonFields | undefined {
    if (!this.has(key)) return undefined;
    return this.object(key);
  }

  /** An optional object whose values are all strings (`metadata`). */
  optionalStringRecord(key: string): Record<string, string> | undefined {
    const nested = this.optionalObject(key);
    if (nested === undefined) return undefined;
    const record: Record<string, string> = {};
    for (const name of nested.keys()) record[name] = nested.string(name);
    return record;
  }

  /** Throws a 400 for the first field outside `known`: the format has no such field. */
  rejectUnknown(known: ReadonlySet<string>): void {
    for (const key of this.keys()) {
      if (!known.has(key)) {
        throw this.fail(key, "is not a Responses API field agw knows, so it cannot be translated");
      }
    }
  }
}
