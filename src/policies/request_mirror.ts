import { z } from "zod";
import { exactlyOne } from "../config/primitives.ts";
import { PolicyConfigError, type PolicyModule } from "./types.ts";

const requestMirrorSchema = z.strictObject({
  backend: exactlyOne({ host: z.string(), backend: z.string() }),
  percentage: z.number(),
}).describe("Copies a share of requests to a second backend; its responses are discarded");
type RequestMirrorConfig = z.infer<typeof requestMirrorSchema>;

/** `percentage` is a fraction (0.5 mirrors half) as in agentgateway's examples. */
export const requestMirror = {
  name: "requestMirror",
  phases: ["route"],
  schema: requestMirrorSchema,
  compile(config: RequestMirrorConfig) {
    if (config.percentage < 0 || config.percentage > 1) {
      throw new PolicyConfigError(["percentage"], "expected a fraction between 0 and 1");
    }
    return {
      name: "requestMirror",
      upstream: {
        mirror: {
          backend: config.backend.host !== undefined
            ? { host: config.backend.host }
            : { backend: config.backend.backend ?? "" },
          fraction: config.percentage,
        },
      },
    };
  },
} satisfies PolicyModule<RequestMirrorConfig>;
