import { z } from "zod";
import type { RequestContext } from "../context/mod.ts";
import {
  authorityRewriteSchema,
  pathRewriteSchema,
  rewriteAuthority,
  rewritePath,
} from "./rewrite_parts.ts";
import type { PolicyModule } from "./types.ts";

const urlRewriteSchema = z.strictObject({
  authority: authorityRewriteSchema.optional(),
  path: pathRewriteSchema.optional(),
}).describe("Rewrites the authority (Host) and path sent upstream");
type UrlRewriteConfig = z.infer<typeof urlRewriteSchema>;

/** Rewrites what is sent upstream; the client never sees it (unlike requestRedirect). */
export const urlRewrite = {
  name: "urlRewrite",
  phases: ["route"],
  schema: urlRewriteSchema,
  compile(config: UrlRewriteConfig) {
    const { authority, path } = config;
    return {
      name: "urlRewrite",
      onRequest(ctx: RequestContext) {
        if (authority === "auto") ctx.useBackendAuthority = true;
        else if (authority !== undefined) {
          ctx.authority = rewriteAuthority(ctx.authority, authority);
        }
        if (path !== undefined) {
          const newPath = rewritePath(ctx.url.pathname, path, ctx.matchedPrefix);
          ctx.pathAndQuery = newPath + ctx.url.search;
        }
        return undefined;
      },
    };
  },
} satisfies PolicyModule<UrlRewriteConfig>;
