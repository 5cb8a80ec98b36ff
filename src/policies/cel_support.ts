import {
  buildActivation,
  CelCompileError,
  type CelExpression,
  compileExpression,
  isAbsentValueError,
} from "../cel/mod.ts";
import type { RequestContext } from "../gateway/request_context.ts";
import { logger } from "../telemetry/mod.ts";
import { PolicyConfigError } from "./types.ts";

/** Compiles an expression from policy config; a bad one is a config error at `path`. */
export function compilePolicyExpression(
  source: string,
  path: readonly PropertyKey[],
): CelExpression {
  try {
    return compileExpression(source);
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
