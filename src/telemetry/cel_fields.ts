/**
 * CEL-computed telemetry fields (log fields, metric labels), compiled once per config load.
 * A field whose expression fails is omitted; the failure is logged once per expression and route.
 * @module
 */
import {
  buildActivation,
  CelCompileError,
  type CelExpression,
  compileExpression,
  FlattenedMap,
  isAbsentValueError,
  toPlain,
} from "../cel/mod.ts";
import type { RequestContext } from "../context/mod.ts";
import { logger } from "./logger.ts";
import { isSensitiveKey, readsSensitiveHeader, REDACTED, redactSensitive } from "./redact.ts";

/** A field name and the expression that computes it. */
export interface CelField {
  readonly name: string;
  readonly expression: CelExpression;
  /** It reads a credential header directly: its value is always `<redacted>`. */
  readonly sensitive: boolean;
}

/** A problem compiling one field, with the key it came from (for a config error path). */
export class CelFieldError extends Error {
  readonly key: string;
  constructor(key: string, message: string) {
    super(message);
    this.key = key;
  }
}

/** Compiles `name → CEL source` pairs; throws CelFieldError naming the bad one. */
export function compileCelFields(add: Record<string, string>): CelField[] {
  return Object.entries(add).map(([name, source]) => {
    try {
      const expression = compileExpression(source, { onlyKnownRoots: true });
      return {
        name,
        expression,
        sensitive: isSensitiveKey(name) || readsSensitiveHeader(expression),
      };
    } catch (error) {
      if (error instanceof CelCompileError) throw new CelFieldError(name, error.message);
      throw error;
    }
  });
}

const reported = new Map<CelExpression, Set<string>>();

/**
 * Evaluates a field; undefined when it fails or is absent on this request (an `llm.*` field on
 * plain HTTP). Credentials in the result (an Authorization header in a header map) are redacted.
 */
export function evaluateCelField(ctx: RequestContext, field: CelField, use: string): unknown {
  try {
    const value = field.expression.evaluate(buildActivation(ctx, field.expression));
    if (value === null || value === undefined) return undefined;
    if (field.sensitive) return REDACTED;
    if (value instanceof FlattenedMap) {
      const out = new FlattenedMap();
      for (const [key, inner] of value) out.set(key, isSensitiveKey(key) ? REDACTED : inner);
      return out;
    }
    if (value !== null && typeof value === "object" && !(value instanceof Uint8Array)) {
      return redactSensitive(toPlain(value));
    }
    return value;
  } catch (error) {
    if (!isAbsentValueError(ctx, field.expression)) reportOnce(ctx, field, use, error as Error);
    return undefined;
  }
}

function reportOnce(ctx: RequestContext, field: CelField, use: string, error: Error): void {
  const route = ctx.route?.name ?? "";
  let routes = reported.get(field.expression);
  if (!routes) reported.set(field.expression, routes = new Set());
  if (routes.has(route)) return;
  routes.add(route);
  logger.warn("CEL expression failed", {
    use,
    field: field.name,
    route,
    expression: field.expression.source,
    error: error.message.split("\n")[0],
  });
}
