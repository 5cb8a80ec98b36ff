/**
 * The `ai` backend's config (agentgateway's `LocalAIBackend`): one named provider, or `groups`
 * of providers.
 * @module
 */
import { z } from "zod";
import { exactlyOne } from "../config/primitives.ts";
import { backendPoliciesSchema } from "../policies/mod.ts";

const model = z.string().nullish().describe("Model to send, replacing the client's");

/** `provider`: exactly one provider kind with its own fields. */
export const aiProviderSchema = exactlyOne({
  openAI: z.strictObject({ model }),
  anthropic: z.strictObject({ model }),
  gemini: z.strictObject({ model }),
  vertex: z.strictObject({
    model,
    region: z.string().nullish().describe("`global` (default), `us`, `eu` or a region"),
    projectId: z.string(),
  }),
  bedrock: z.strictObject({
    model,
    region: z.string(),
    guardrailIdentifier: z.string().nullish(),
    guardrailVersion: z.string().nullish(),
  }),
  azure: z.strictObject({
    model,
    resourceName: z.string(),
    resourceType: z.enum(["openAI", "foundry", "aiServices"]),
    apiVersion: z.string().nullish().describe("`v1` (default) or a dated API version"),
    projectName: z.string().nullish(),
  }),
});
export type AiProviderConfig = z.infer<typeof aiProviderSchema>;

/** One provider: what it is, where it lives, and its own backend policies. */
export const namedAiProviderSchema = z.strictObject({
  name: z.string(),
  provider: aiProviderSchema,
  hostOverride: z.string().nullish().describe("Dial this `host:port` instead of the default host"),
  pathOverride: z.string().nullish().describe("Send every request to this path"),
  pathPrefix: z.string().nullish().describe("Replace the provider's default base path"),
  tokenize: z.boolean().default(false),
  policies: backendPoliciesSchema.optional(),
});
export type NamedAiProviderConfig = z.infer<typeof namedAiProviderSchema>;

/** `ai:` on a route backend or a named backend. */
export const aiBackendSchema = z.union([
  namedAiProviderSchema,
  z.strictObject({
    groups: z.array(z.strictObject({ providers: z.array(namedAiProviderSchema).min(1) })).min(1),
  }),
]);
export type AiBackendConfig = z.infer<typeof aiBackendSchema>;
