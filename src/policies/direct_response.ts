import { z } from "zod";
import type { PolicyModule } from "./types.ts";

const directResponseSchema = z.strictObject({
  body: z.string().optional(),
  status: z.number().int().min(100).max(599),
}).describe("Answers the request from the gateway with a fixed status and body");
type DirectResponseConfig = z.infer<typeof directResponseSchema>;

/** A fixed response; the body bytes are encoded once at load. */
export const directResponse = {
  name: "directResponse",
  phases: ["route"],
  schema: directResponseSchema,
  compile(config: DirectResponseConfig) {
    const body = config.body === undefined ? null : new TextEncoder().encode(config.body);
    const status = config.status;
    return {
      name: "directResponse",
      onRequest() {
        return new Response(body, { status });
      },
    };
  },
} satisfies PolicyModule<DirectResponseConfig>;
