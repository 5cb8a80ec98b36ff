/** The whole standalone config document, as agw implements it. @module */
import { z } from "zod";
import { bindSchema, namedBackendSchema } from "./binds.ts";
import { staticConfigSchema } from "./static.ts";

export * from "./binds.ts";
export * from "./static.ts";

/**
 * `frontendPolicies`: policies for all traffic. agw implements `accessLog` (the same CEL `filter`,
 * `add` and `remove` as `config.logging`); its other keys are reported as not supported yet.
 */
export const frontendPoliciesSchema = z.strictObject({
  accessLog: z.strictObject({
    filter: z.string().optional().describe("CEL: only requests for which it is true are logged"),
    add: z.record(z.string(), z.string()).default({}).describe("Field name → CEL expression"),
    remove: z.array(z.string()).default([]).describe("Default fields to leave out"),
  }).optional(),
});
export type FrontendPoliciesConfig = z.infer<typeof frontendPoliciesSchema>;

export const configSchema = z.strictObject({
  config: staticConfigSchema.default(staticConfigSchema.parse({})),
  frontendPolicies: frontendPoliciesSchema.optional(),
  binds: z.array(bindSchema).default([]),
  backends: z.array(namedBackendSchema).default([]),
});
export type Config = z.infer<typeof configSchema>;
