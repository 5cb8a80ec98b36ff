/** The whole standalone config document, as agw implements it. @module */
import { z } from "zod";
import { bindSchema, namedBackendSchema } from "./binds.ts";
import { staticConfigSchema } from "./static.ts";

export * from "./binds.ts";
export * from "./static.ts";

export const configSchema = z.strictObject({
  config: staticConfigSchema.default(staticConfigSchema.parse({})),
  binds: z.array(bindSchema).default([]),
  backends: z.array(namedBackendSchema).default([]),
});
export type Config = z.infer<typeof configSchema>;
