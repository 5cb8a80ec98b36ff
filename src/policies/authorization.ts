import type { RequestContext } from "../context/mod.ts";
import { compileRuleSet, type RuleSetConfig, ruleSetSchema } from "./rule_set.ts";
import type { PolicyModule, Verdict } from "./types.ts";

const authorizationSchema = ruleSetSchema
  .describe("CEL rules that allow or deny the request (403 when denied)");

/** `authorization`: the request passes the rule set (rule_set.ts has the semantics) or gets 403. */
export const authorization = {
  name: "authorization",
  phases: ["route", "backend"],
  schema: authorizationSchema,
  compile(config: RuleSetConfig) {
    const rules = compileRuleSet(config);
    return {
      name: "authorization",
      expressions: rules.expressions,
      onRequest(ctx: RequestContext): Verdict {
        return rules.allows(ctx, "authorization") ? undefined : denied();
      },
    };
  },
} satisfies PolicyModule<RuleSetConfig>;

function denied(): Response {
  return new Response("authorization failed", {
    status: 403,
    headers: { "content-type": "text/plain" },
  });
}
