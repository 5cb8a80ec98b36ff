/**
 * Logs and spans never carry credentials (DESIGN.md §6): values of these header names are
 * replaced, whether a CEL field reads one directly, a whole header map, or a flattened one.
 * @module
 */
import type { CelExpression } from "../cel/mod.ts";

/** The placeholder a credential becomes. */
export const REDACTED = "<redacted>";

const SENSITIVE = new Set([
  "authorization",
  "proxy-authorization",
  "cookie",
  "set-cookie",
  "x-api-key",
  "api-key",
]);

/** Whether a key (or the last segment of a dotted one, as flatten() makes) names a credential. */
export function isSensitiveKey(key: string): boolean {
  const last = key.slice(key.lastIndexOf(".") + 1).toLowerCase();
  return SENSITIVE.has(last);
}

/** Whether the expression reads a credential header directly (`request.headers["authorization"]`). */
export function readsSensitiveHeader(expression: CelExpression): boolean {
  for (const path of expression.paths) {
    if (/^(request|response)\.headers\./.test(path) && isSensitiveKey(path)) return true;
  }
  return false;
}

/** A plain (JSON-able) value with credential entries replaced, at any depth. */
export function redactSensitive(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redactSensitive);
  if (value === null || typeof value !== "object") return value;
  const out: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(value)) {
    out[key] = isSensitiveKey(key) ? REDACTED : redactSensitive(inner);
  }
  return out;
}
