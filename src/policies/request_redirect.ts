import { z } from "zod";
import type { RequestContext } from "../context/mod.ts";
import {
  authorityRewriteSchema,
  pathRewriteSchema,
  rewriteAuthority,
  rewritePath,
  splitAuthority,
} from "./rewrite_parts.ts";
import type { PolicyModule } from "./types.ts";

const requestRedirectSchema = z.strictObject({
  scheme: z.string().optional(),
  authority: authorityRewriteSchema.optional(),
  path: pathRewriteSchema.optional(),
  status: z.number().int().min(300).max(399).optional(),
}).describe("Answers with a redirect to a rewritten URL instead of calling a backend");
type RequestRedirectConfig = z.infer<typeof requestRedirectSchema>;

/** Gateway API HTTPRequestRedirectFilter: 302 unless configured; unset parts keep the request's. */
export const requestRedirect = {
  name: "requestRedirect",
  phases: ["route", "backend"],
  schema: requestRedirectSchema,
  compile(config: RequestRedirectConfig) {
    const status = config.status ?? 302;
    return {
      name: "requestRedirect",
      onRequest(ctx: RequestContext) {
        const scheme = config.scheme ?? ctx.url.protocol.slice(0, -1);
        const host = ctx.request.headers.get("host") ?? ctx.url.host;
        let authority = config.authority === undefined
          ? host
          : rewriteAuthority(host, config.authority);
        // Gateway API: a redirect that sets the scheme uses that scheme's well-known port,
        // unless the port itself is configured (`authority: {port}` or `{full: "h:p"}`).
        const portConfigured = typeof config.authority === "object" &&
          (config.authority.port !== undefined || config.authority.full !== undefined);
        if (config.scheme !== undefined && !portConfigured) {
          authority = splitAuthority(authority).host;
        }
        const path = config.path === undefined
          ? ctx.url.pathname
          : rewritePath(ctx.url.pathname, config.path, ctx.matchedPrefix);
        const location = `${scheme}://${authority}${path}${ctx.url.search}`;
        return new Response(null, { status, headers: { location } });
      },
    };
  },
} satisfies PolicyModule<RequestRedirectConfig>;
