import { z } from "zod";

/** `host:port`, `:port`, or `off`. */
const address = z.string().regex(/^(off|.*:\d+)$/, { error: 'expected "host:port" or "off"' });

export const loggingSchema = z.strictObject({
  level: z.union([z.string(), z.array(z.string())]).optional(),
  format: z.enum(["text", "json"]).optional(),
});

/** The `config:` block: process settings applied at start. */
export const staticConfigSchema = z.strictObject({
  adminAddr: address.default("localhost:15000"),
  statsAddr: address.default("0.0.0.0:15020"),
  readinessAddr: address.default("0.0.0.0:15021"),
  logging: loggingSchema.default({}),
});
export type StaticConfig = z.infer<typeof staticConfigSchema>;
