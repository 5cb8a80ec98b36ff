import {
  buildActivation,
  CelCompileError,
  type CelExpression,
  compileExpression,
  isAbsentValueError,
} from "../cel/mod.ts";
import type { RequestContext } from "../context/mod.ts";
import { isFieldName, isFieldValue } from "../http/mod.ts";
import { logger } from "../telemetry/mod.ts";
import { PolicyConfigError } from "./types.ts";

/** Compiles an expression from policy config; a bad one is a config error at `path`. */
export function compilePolicyExpression(
  source: string,
  path: readonly PropertyKey[],
): CelExpression {
  try {
    return compileExpression(source, { onlyKnownRoots: true });
  } catch (error) {
    if (error instanceof CelCompileError) throw new PolicyConfigError(path, error.message);
    throw error;
  }
}

/** The outcome of one evaluation: a value, or a failure the caller maps to its failure path. */
export type Evaluated = { ok: true; value: unknown } | { ok: false };

const reported = new WeakSet<CelExpression>();

/**
 * Evaluates on the hot path. A runtime error (missing field, wrong type) is logged once per
 * expression with its source, never thrown: the policy takes its documented failure path.
 */
export function evaluatePolicyExpression(
  ctx: RequestContext,
  expression: CelExpression,
  policy: string,
): Evaluated {
  try {
    return { ok: true, value: expression.evaluate(buildActivation(ctx, expression)) };
  } catch (error) {
    if (!reported.has(expression) && !isAbsentValueError(ctx, expression)) {
      reported.add(expression);
      logger.warn("CEL expression failed", {
        policy,
        route: ctx.route?.name,
        expression: expression.source,
        error: (error as Error).message.split("\n")[0],
      });
    }
    return { ok: false };
  }
}

/** Checks a header name from config; a bad one is a config error at `path`. */
export function checkHeaderName(name: string, path: readonly PropertyKey[]): string {
  if (!isFieldName(name)) {
    throw new PolicyConfigError(path, `Invalid header name ${JSON.stringify(name)}`);
  }
  return name;
}

/**
 * Evaluates an expression whose result becomes a header value. A result that cannot be a header
 * value (a line break, a character above U+00FF) counts as a failed evaluation, so it never
 * reaches the Headers or the upstream connection as a thrown error.
 */
export function evaluateHeaderValue(
  ctx: RequestContext,
  expression: CelExpression,
  policy: string,
  toText: (value: unknown) => string,
): string | undefined {
  const result = evaluatePolicyExpression(ctx, expression, policy);
  if (!result.ok || result.value === null || result.value === undefined) return undefined;
  const text = toText(result.value);
  if (isFieldValue(text)) return text;
  if (!reported.has(expression)) {
    reported.add(expression);
    logger.warn("CEL expression failed", {
      policy,
      route: ctx.route?.name,
      expression: expression.source,
      error: "the result is not a valid header value",
    });
  }
  return undefined;
}

/** Fetch spec "null body status": a Response with one of these cannot carry a body (it throws). */
export const NULL_BODY_STATUSES: ReadonlySet<number> = new Set([101, 103, 204, 205, 304]);
