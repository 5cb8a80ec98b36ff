/**
 * The `mcp` backend's config, in agentgateway's shapes (`LocalMcpBackend`, `LocalMcpTarget`):
 * targets to multiplex, and how sessions, names and failures behave.
 * @module
 */
import { z } from "zod";
import { exactlyOne, port } from "../config/primitives.ts";
import { backendPoliciesSchema } from "../policies/mod.ts";

/** `{host}`, `{host, port, path}` or `{backend, path}`: where an HTTP target lives. */
const httpTargetSchema = z.union([
  z.strictObject({
    host: z.string().describe("Host name or address of the MCP server"),
    port: port.describe("Port on the MCP server"),
    path: z.string().describe("Request path on the MCP server"),
  }),
  z.strictObject({
    host: z.string().describe(
      'URL or "host:port" of the MCP server, such as "http://127.0.0.1:8123/api/mcp"',
    ),
  }),
  z.strictObject({
    backend: z.string().describe("A named top-level `host` backend"),
    path: z.string().nullish().describe("Request path on that backend"),
  }),
]);
export type McpHttpTargetConfig = z.infer<typeof httpTargetSchema>;

const stdioTargetSchema = z.strictObject({
  cmd: z.string().describe("The program to start, one child per session"),
  args: z.array(z.string()).default([]),
  env: z.record(z.string(), z.string()).default({}).describe("Variables added to the child's"),
  clear_env: z.boolean().default(false).describe("Start the child with only `env`"),
});
export type McpStdioTargetConfig = z.infer<typeof stdioTargetSchema>;

/** Transport policies of one target: credentials, TLS and header edits towards it. */
const targetPoliciesSchema = backendPoliciesSchema.pick({
  backendAuth: true,
  backendTLS: true,
  requestHeaderModifier: true,
});

/** One MCP server behind the backend. */
export const mcpTargetSchema = exactlyOne({
  mcp: httpTargetSchema.describe("Streamable HTTP"),
  sse: httpTargetSchema.describe("The legacy HTTP+SSE transport"),
  stdio: stdioTargetSchema,
  openapi: z.unknown(),
}, {
  name: z.string().min(1).describe(
    "Prefixes tool and prompt names (`<name>_<tool>`) and resource URIs (`<name>+<uri>`)",
  ),
  policies: targetPoliciesSchema.optional(),
});
export type McpTargetConfig = z.infer<typeof mcpTargetSchema>;

/** `mcp:` on a route backend or a named backend. */
export const mcpBackendSchema = z.strictObject({
  targets: z.array(mcpTargetSchema).describe("MCP servers served as one"),
  statefulMode: z.enum(["stateful", "stateless"]).default("stateful").describe(
    "stateful: sessions (Mcp-Session-Id) span requests; stateless: each request is wrapped in " +
      "its own upstream sessions",
  ),
  prefixMode: z.enum(["conditional", "always", "never"]).nullish().describe(
    "Prefix names with the target: only with several targets (conditional, the default), " +
      "always, or never (names are then looked up and must be unique)",
  ),
  failureMode: z.enum(["failClosed", "failOpen"]).nullish().describe(
    "failClosed (default): a failing target fails the request; failOpen: serve from the rest",
  ),
  dnsRebindingProtection: z.boolean().default(false).describe(
    "Refuse (403) a Host or Origin that is not localhost, as the MCP spec asks local servers to",
  ),
});
export type McpBackendConfig = z.infer<typeof mcpBackendSchema>;
