import { z } from "zod";
import type { RequestContext } from "../context/mod.ts";
import type { PolicyModule } from "./types.ts";

/** The endpoint classes agentgateway knows (its `RouteType`). */
export const AI_ROUTE_TYPES = [
  "completions",
  "messages",
  "responses",
  "models",
  "embeddings",
  "anthropicTokenCount",
  "passthrough",
  "detect",
  "realtime",
  "generateContent",
  "geminiCountTokens",
  "rerank",
] as const;
/** One of AI_ROUTE_TYPES. */
export type AiRouteType = typeof AI_ROUTE_TYPES[number];

const message = z.strictObject({ role: z.string(), content: z.string() });

const aiSchema = z.strictObject({
  routes: z.record(z.string(), z.enum(AI_ROUTE_TYPES)).optional()
    .describe('Path suffix → route type; longest suffix first, "*" the fallback'),
  modelAliases: z.record(z.string(), z.string()).optional()
    .describe("Requested model name → the model to use instead"),
  defaults: z.record(z.string(), z.unknown()).optional()
    .describe("Request body fields set only when the client did not send them"),
  overrides: z.record(z.string(), z.unknown()).optional()
    .describe("Request body fields that replace what the client sent"),
  prompts: z.strictObject({
    prepend: z.array(message).default([]),
    append: z.array(message).default([]),
  }).optional().describe("Messages added before and after the client's"),
}).describe("Marks the traffic as LLM traffic and sets how agw treats it");
type AiConfig = z.infer<typeof aiSchema>;

/** The `ai` policy, compiled: what the `ai` backend kind reads from `ctx.kindPolicies.ai`. */
export interface CompiledAiPolicy {
  /** Path suffixes, longest first; `"*"` is kept apart as the fallback. */
  readonly routes: readonly (readonly [suffix: string, type: AiRouteType])[];
  readonly fallbackRoute: AiRouteType | undefined;
  readonly modelAliases: ReadonlyMap<string, string>;
  readonly defaults: Readonly<Record<string, unknown>> | undefined;
  readonly overrides: Readonly<Record<string, unknown>> | undefined;
  readonly prepend: readonly { role: string; content: string }[];
  readonly append: readonly { role: string; content: string }[];
}

/**
 * `ai`: LLM route types, model aliases, body defaults/overrides and prompt enrichment. Set on a
 * route or an ai backend; the request step only hands the compiled policy to the backend kind
 * (a backend's own `ai` policy runs later and so wins).
 */
export const ai = {
  name: "ai",
  phases: ["route", "backend"],
  schema: aiSchema,
  compile(config: AiConfig) {
    const entries = Object.entries(config.routes ?? {});
    const policy: CompiledAiPolicy = {
      routes: entries.filter(([suffix]) => suffix !== "*")
        .sort(([a], [b]) => b.length - a.length),
      fallbackRoute: config.routes?.["*"],
      modelAliases: new Map(Object.entries(config.modelAliases ?? {})),
      defaults: config.defaults,
      overrides: config.overrides,
      prepend: config.prompts?.prepend ?? [],
      append: config.prompts?.append ?? [],
    };
    return {
      name: "ai",
      onRequest(ctx: RequestContext) {
        ctx.kindPolicies.ai = policy;
        return undefined;
      },
    };
  },
} satisfies PolicyModule<AiConfig>;
