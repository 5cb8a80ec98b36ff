import { z } from "zod";
import { durationMs } from "../config/primitives.ts";
import type { PolicyModule } from "./types.ts";

const retrySchema = z.strictObject({
  attempts: z.number().int().min(1).max(255).default(1),
  backoff: durationMs.optional(),
  codes: z.array(z.number().int().min(100).max(599)),
}).describe("Retries failed upstream calls: connection errors and the listed status codes");
type RetryConfig = z.infer<typeof retrySchema>;

/**
 * Retries happen only when the request body can be replayed (agw buffers small bodies for that);
 * `attempts` counts retries after the first try, as agentgateway does.
 */
export const retry = {
  name: "retry",
  phases: ["route"],
  schema: retrySchema,
  compile(config: RetryConfig) {
    return {
      name: "retry",
      upstream: {
        retry: {
          attempts: config.attempts + 1,
          backoffMs: config.backoff ?? 0,
          codes: new Set(config.codes),
        },
      },
    };
  },
} satisfies PolicyModule<RetryConfig>;
