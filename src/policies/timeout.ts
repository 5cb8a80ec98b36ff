import { z } from "zod";
import { durationMs } from "../config/primitives.ts";
import type { PolicyModule } from "./types.ts";

const timeoutSchema = z.strictObject({
  requestTimeout: durationMs.optional(),
  backendRequestTimeout: durationMs.optional(),
}).describe("Deadlines: for the whole request, and for each upstream attempt");
type TimeoutConfig = z.infer<typeof timeoutSchema>;

/** Deadlines end in 504 `request timeout`; they are settings for the upstream call, not a request step. */
export const timeout = {
  name: "timeout",
  phases: ["route"],
  schema: timeoutSchema,
  compile(config: TimeoutConfig) {
    return {
      name: "timeout",
      upstream: {
        requestTimeoutMs: config.requestTimeout,
        backendRequestTimeoutMs: config.backendRequestTimeout,
      },
    };
  },
} satisfies PolicyModule<TimeoutConfig>;
