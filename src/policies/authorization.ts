import { z } from "zod";
import type { CelExpression } from "../cel/mod.ts";
import type { RequestContext } from "../context/mod.ts";
import { compilePolicyExpression, evaluatePolicyExpression } from "./cel_support.ts";
import type { PolicyModule, Verdict } from "./types.ts";

const ruleSchema = z.union([
  z.string(),
  z.strictObject({ allow: z.string() }),
  z.strictObject({ deny: z.string() }),
  z.strictObject({ require: z.string() }),
]);

const authorizationSchema = z.strictObject({
  rules: z.array(ruleSchema),
}).describe("CEL rules that allow or deny the request (403 when denied)");
type AuthorizationConfig = z.infer<typeof authorizationSchema>;

interface CompiledRules {
  allow: CelExpression[];
  deny: CelExpression[];
  require: CelExpression[];
}

/**
 * agentgateway's semantics: any matching deny denies; every require must hold; when there are
 * allow rules, at least one must match. It fails closed: a deny or require rule that cannot be
 * evaluated denies, and an allow rule that cannot be evaluated does not match.
 */
export const authorization = {
  name: "authorization",
  phases: ["route", "backend"],
  schema: authorizationSchema,
  compile(config: AuthorizationConfig) {
    const rules: CompiledRules = { allow: [], deny: [], require: [] };
    config.rules.forEach((rule, i) => {
      if (typeof rule === "string") rules.allow.push(compilePolicyExpression(rule, ["rules", i]));
      else if ("allow" in rule) {
        rules.allow.push(compilePolicyExpression(rule.allow, ["rules", i, "allow"]));
      } else if ("deny" in rule) {
        rules.deny.push(compilePolicyExpression(rule.deny, ["rules", i, "deny"]));
      } else rules.require.push(compilePolicyExpression(rule.require, ["rules", i, "require"]));
    });
    const holds = (ctx: RequestContext, expression: CelExpression) => {
      const result = evaluatePolicyExpression(ctx, expression, "authorization");
      return result.ok ? result.value === true : undefined;
    };
    return {
      name: "authorization",
      expressions: [...rules.allow, ...rules.deny, ...rules.require],
      onRequest(ctx: RequestContext): Verdict {
        for (const rule of rules.deny) if (holds(ctx, rule) !== false) return denied();
        for (const rule of rules.require) if (holds(ctx, rule) !== true) return denied();
        if (rules.allow.length > 0 && !rules.allow.some((rule) => holds(ctx, rule) === true)) {
          return denied();
        }
        return undefined;
      },
    };
  },
} satisfies PolicyModule<AuthorizationConfig>;

function denied(): Response {
  return new Response("authorization failed", {
    status: 403,
    headers: { "content-type": "text/plain" },
  });
}
