/**
 * The simplified top-level `mcp:` form (agentgateway's `LocalSimpleMcpConfig`): one MCP server
 * made of `targets`, served on `port` (default 3000) at `/mcp`, `/sse` and `/.well-known/*`.
 * It becomes an ordinary bind with one route and one `mcp` backend before validation, so the
 * rest of agw only ever sees binds.
 * @module
 */
import { mcpBackendSchema } from "../mcp/mod.ts";
import { routePoliciesSchema } from "../policies/mod.ts";
import { port } from "./primitives.ts";
import { explainIssues, type PathIssue } from "./zod_issues.ts";

/** agentgateway's default port for the simplified `mcp:` form. */
export const SIMPLE_MCP_PORT = 3000;

/** The top-level `mcp:` value. */
export const simpleMcpSchema = mcpBackendSchema.extend({
  port: port.nullish().describe("Port to serve on (default 3000)"),
  policies: routePoliciesSchema.nullish().describe("Policies for the MCP route"),
});

/** The paths the simplified form serves: Streamable HTTP, legacy SSE, and OAuth metadata. */
const MATCHES = [
  { path: { pathPrefix: "/mcp" } },
  { path: { pathPrefix: "/sse" } },
  { path: { pathPrefix: "/.well-known/" } },
];

/**
 * Moves a top-level `mcp:` into `binds` (raw data, before the schema runs). Problems with the
 * `mcp:` value itself are returned at their `mcp.…` paths (the rest is still validated).
 */
export function normalizeMcp(data: unknown): { data: unknown; issues: PathIssue[] } {
  if (typeof data !== "object" || data === null || !("mcp" in data)) return { data, issues: [] };
  const { mcp, ...rest } = data as Record<string, unknown>;
  if (mcp === null || mcp === undefined) return { data: rest, issues: [] };
  if (typeof mcp === "object" && "gateways" in mcp) {
    return {
      data: rest,
      issues: [{ path: ["mcp", "gateways"], message: `"gateways" is not supported by agw yet` }],
    };
  }
  const checked = simpleMcpSchema.safeParse(mcp, { reportInput: true });
  if (!checked.success) return { data: rest, issues: explainIssues(checked.error.issues, ["mcp"]) };
  const { port: chosen, policies, ...backend } = mcp as Record<string, unknown>;
  const bindPort = typeof chosen === "number" ? chosen : SIMPLE_MCP_PORT;
  const binds = Array.isArray(rest.binds) ? rest.binds : [];
  const taken = binds.findIndex((bind) => (bind as { port?: unknown })?.port === bindPort);
  if (taken >= 0) {
    return {
      data: rest,
      issues: [{
        path: ["mcp", "port"],
        message: `port ${bindPort} is already used by binds[${taken}]: set mcp.port to another`,
      }],
    };
  }
  const route: Record<string, unknown> = {
    name: "mcp",
    matches: MATCHES,
    backends: [{ mcp: backend }],
  };
  if (policies !== undefined && policies !== null) route.policies = policies;
  return {
    data: { ...rest, binds: [...binds, { port: bindPort, listeners: [{ routes: [route] }] }] },
    issues: [],
  };
}
