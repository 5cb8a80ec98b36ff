/**
 * One table between OpenAI's reasoning effort and a thinking-token budget (Anthropic
 * `thinking.budget_tokens`, Gemini `thinkingConfig.thinkingBudget`), so every codec maps the
 * same way and a round trip keeps the effort.
 * @module
 */
import type { ReasoningConfig } from "./ir.ts";

type Effort = NonNullable<ReasoningConfig["effort"]>;

// Anthropic's minimum budget is 1024 tokens.
const BUDGETS: readonly [Effort, number][] = [
  ["minimal", 1024],
  ["low", 2048],
  ["medium", 8192],
  ["high", 24576],
  ["xhigh", 32768],
];

/** The thinking budget for an effort; `none` is no thinking at all (undefined). */
export function effortToBudget(effort: Effort): number | undefined {
  return BUDGETS.find(([name]) => name === effort)?.[1];
}

/** The smallest effort whose budget covers `budgetTokens`. */
export function budgetToEffort(budgetTokens: number): Effort {
  if (budgetTokens <= 0) return "none";
  for (const [name, budget] of BUDGETS) if (budgetTokens <= budget) return name;
  return "xhigh";
}
