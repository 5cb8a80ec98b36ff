import { z } from "zod";
import { durationMs } from "../config/primitives.ts";
import type { RequestContext } from "../context/mod.ts";
import type { PolicyModule, Verdict } from "./types.ts";

const corsSchema = z.strictObject({
  allowCredentials: z.boolean().default(false),
  allowHeaders: z.array(z.string()).default([]),
  allowMethods: z.array(z.string()).default([]),
  allowOrigins: z.array(z.string()).default([]),
  exposeHeaders: z.array(z.string()).default([]),
  maxAge: durationMs.optional(),
}).describe("Cross-origin resource sharing: answers preflights and adds CORS headers to responses");
type CorsConfig = z.infer<typeof corsSchema>;

/** Builds an origin test from the configured list: `*`, exact origins, and `*.`-wildcard hosts. */
function compileOriginMatcher(origins: readonly string[]): (origin: string) => boolean {
  if (origins.includes("*")) return () => true;
  const exact = new Set<string>();
  const patterns: RegExp[] = [];
  for (const origin of origins) {
    if (origin.includes("*")) {
      const escaped = origin.replace(/[.+?^${}()|[\]\\]/g, "\\$&").replace(/\*/g, "[^/]+");
      patterns.push(new RegExp(`^${escaped}$`, "i"));
    } else exact.add(origin.toLowerCase());
  }
  return (origin) => exact.has(origin.toLowerCase()) || patterns.some((p) => p.test(origin));
}

/** agentgateway runs CORS first so preflights short-circuit before auth and rejections carry CORS headers. */
export const cors = {
  name: "cors",
  phases: ["route"],
  schema: corsSchema,
  compile(config: CorsConfig) {
    const isAllowed = compileOriginMatcher(config.allowOrigins);
    const wildcard = config.allowOrigins.includes("*") && !config.allowCredentials;
    const allowMethods = config.allowMethods.join(",");
    const allowHeaders = config.allowHeaders.join(",");
    const exposeHeaders = config.exposeHeaders.join(",");
    const maxAge = config.maxAge === undefined ? "" : String(Math.floor(config.maxAge / 1000));

    function allowOriginValue(origin: string): string {
      return wildcard ? "*" : origin;
    }

    return {
      name: "cors",
      onRequest(ctx: RequestContext): Verdict {
        const origin = ctx.request.headers.get("origin");
        if (origin === null || !isAllowed(origin)) return undefined;
        const isPreflight = ctx.request.method === "OPTIONS" &&
          ctx.request.headers.has("access-control-request-method");
        if (isPreflight) {
          // Fetch standard §3.2.2: a preflight is answered by the gateway, never forwarded.
          const headers = new Headers({ "access-control-allow-origin": allowOriginValue(origin) });
          if (!wildcard) headers.set("vary", "origin");
          if (config.allowCredentials) headers.set("access-control-allow-credentials", "true");
          if (allowMethods) headers.set("access-control-allow-methods", allowMethods);
          if (allowHeaders) headers.set("access-control-allow-headers", allowHeaders);
          if (maxAge) headers.set("access-control-max-age", maxAge);
          return new Response(null, { status: 200, headers });
        }
        ctx.queueResponseHeader("access-control-allow-origin", allowOriginValue(origin));
        if (!wildcard) ctx.queueResponseHeader("vary", "origin");
        if (config.allowCredentials) {
          ctx.queueResponseHeader("access-control-allow-credentials", "true");
        }
        if (exposeHeaders) ctx.queueResponseHeader("access-control-expose-headers", exposeHeaders);
        return undefined;
      },
    };
  },
} satisfies PolicyModule<CorsConfig>;
