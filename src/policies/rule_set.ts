/**
 * agentgateway's CEL rule set (`RuleSet`: allow, deny and require rules), shared by
 * `authorization` (one decision per request) and `mcpAuthorization` (one per tool, prompt or
 * resource). A leaf beside the policies that use it, so neither imports the other.
 * @module
 */
import { z } from "zod";
import type { CelExpression } from "../cel/mod.ts";
import type { RequestContext } from "../context/mod.ts";
import { compilePolicyExpression, evaluatePolicyExpression } from "./cel_support.ts";

const ruleSchema = z.union([
  z.string(),
  z.strictObject({ allow: z.string() }),
  z.strictObject({ deny: z.string() }),
  z.strictObject({ require: z.string() }),
]);

/** `{rules: [...]}`: a bare string is an allow rule. */
export const ruleSetSchema = z.strictObject({ rules: z.array(ruleSchema) });
export type RuleSetConfig = z.infer<typeof ruleSetSchema>;

/** A rule set compiled at load. */
export interface CompiledRuleSet {
  /** Every expression, for what the route must provide (headers, body). */
  readonly expressions: readonly CelExpression[];
  /**
   * Whether the rules let `ctx` through. agentgateway's semantics: any matching deny denies;
   * every require must hold; when there are allow rules, at least one must match. It fails
   * closed: a deny or require rule that cannot be evaluated denies, and an allow rule that
   * cannot be evaluated does not match. `policy` names the policy in logs.
   */
  allows(ctx: RequestContext, policy: string): boolean;
}

/** Compiles a rule set; a bad expression is a PolicyConfigError at its rule. */
export function compileRuleSet(config: RuleSetConfig): CompiledRuleSet {
  const allow: CelExpression[] = [];
  const deny: CelExpression[] = [];
  const require: CelExpression[] = [];
  config.rules.forEach((rule, i) => {
    if (typeof rule === "string") allow.push(compilePolicyExpression(rule, ["rules", i]));
    else if ("allow" in rule) {
      allow.push(compilePolicyExpression(rule.allow, ["rules", i, "allow"]));
    } else if ("deny" in rule) deny.push(compilePolicyExpression(rule.deny, ["rules", i, "deny"]));
    else require.push(compilePolicyExpression(rule.require, ["rules", i, "require"]));
  });
  const holds = (ctx: RequestContext, expression: CelExpression, policy: string) => {
    const result = evaluatePolicyExpression(ctx, expression, policy);
    return result.ok ? result.value === true : undefined;
  };
  return {
    expressions: [...allow, ...deny, ...require],
    allows(ctx, policy) {
      for (const rule of deny) if (holds(ctx, rule, policy) !== false) return false;
      for (const rule of require) if (holds(ctx, rule, policy) !== true) return false;
      return allow.length === 0 || allow.some((rule) => holds(ctx, rule, policy) === true);
    },
  };
}
