import { z } from "zod";
import { exactlyOne, port } from "../config/primitives.ts";

/** agentgateway's HostRedirect: a whole authority, only the host, only the port, or `auto`/`none`. */
export const authorityRewriteSchema = z.union([
  z.enum(["auto", "none"]),
  exactlyOne({ full: z.string(), host: z.string(), port: port.min(1) }),
]);
export type AuthorityRewrite = z.infer<typeof authorityRewriteSchema>;

/** agentgateway's PathRedirect: replace the whole path, or only the prefix the route matched. */
export const pathRewriteSchema = exactlyOne({ full: z.string(), prefix: z.string() });
export type PathRewrite = z.infer<typeof pathRewriteSchema>;

/** Returns `authority` with its host or port replaced as asked. */
export function rewriteAuthority(authority: string, rewrite: AuthorityRewrite): string {
  if (typeof rewrite === "string") return authority;
  if (rewrite.full !== undefined) return rewrite.full;
  const { host, port } = splitAuthority(authority);
  if (rewrite.host !== undefined) {
    return port === undefined ? rewrite.host : `${rewrite.host}:${port}`;
  }
  return `${host}:${rewrite.port}`;
}

/** Splits `host[:port]`, keeping IPv6 brackets on the host. */
export function splitAuthority(authority: string): { host: string; port: string | undefined } {
  const match = /^(\[[^\]]*\]|[^:]*)(?::(\d*))?$/.exec(authority);
  if (!match) return { host: authority, port: undefined };
  return { host: match[1] ?? "", port: match[2] };
}

/**
 * Rewrites a path. A prefix rewrite replaces the prefix the route matched (Gateway API
 * ReplacePrefixMatch); on a route that matched without a prefix it replaces the whole path.
 */
export function rewritePath(
  path: string,
  rewrite: PathRewrite,
  matchedPrefix: string | undefined,
): string {
  if (rewrite.full !== undefined) return rewrite.full;
  const prefix = rewrite.prefix ?? "/";
  if (matchedPrefix === undefined) return prefix;
  const rest = path.slice(matchedPrefix.replace(/\/$/, "").length);
  const base = prefix.replace(/\/$/, "");
  const joined = rest === ""
    ? (base === "" ? "/" : base)
    : base + (rest.startsWith("/") ? rest : `/${rest}`);
  return joined === "" ? "/" : joined;
}
