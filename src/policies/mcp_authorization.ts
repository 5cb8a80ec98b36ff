import type { RequestContext } from "../context/mod.ts";
import { compileRuleSet, type RuleSetConfig, ruleSetSchema } from "./rule_set.ts";
import type { PolicyModule } from "./types.ts";

const mcpAuthorizationSchema = ruleSetSchema.describe(
  "CEL rules over `mcp.tool`, `mcp.prompt` and `mcp.resource`: what they deny vanishes from " +
    "list results, and calling it is an error as if it did not exist",
);

/** The compiled rules the `mcp` backend kind reads from `ctx.kindPolicies.mcpAuthorization`. */
export type CompiledMcpAuthorization = ReturnType<typeof compileRuleSet>;

/**
 * `mcpAuthorization`: the same allow/deny/require rules as `authorization`, judged by the mcp
 * backend once per tool, prompt or resource rather than once per request. The request step only
 * hands the rules on (a backend's own, running later, wins).
 */
export const mcpAuthorization = {
  name: "mcpAuthorization",
  phases: ["route", "backend"],
  schema: mcpAuthorizationSchema,
  compile(config: RuleSetConfig) {
    const rules: CompiledMcpAuthorization = compileRuleSet(config);
    return {
      name: "mcpAuthorization",
      expressions: rules.expressions,
      onRequest(ctx: RequestContext) {
        ctx.kindPolicies.mcpAuthorization = rules;
        return undefined;
      },
    };
  },
} satisfies PolicyModule<RuleSetConfig>;
