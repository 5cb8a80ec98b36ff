/**
 * TODO(#8): the MCP backend kind is being written; until then an `mcp` backend fails at load.
 * @module
 */
import { z } from "zod";
import type { BackendCompileEnv, BackendHandler } from "../backends/mod.ts";

/** The `mcp:` backend config. */
export const mcpBackendSchema = z.strictObject({ targets: z.array(z.unknown()) }).passthrough();
export type McpBackendConfig = z.infer<typeof mcpBackendSchema>;

/** Compiles an `mcp` backend. */
export function compileMcpBackend(
  _config: McpBackendConfig,
  env: BackendCompileEnv,
  path: PropertyKey[],
): BackendHandler {
  env.issue(path, `"mcp" is not supported by agw yet`);
  return { kind: "mcp", handle: () => Promise.resolve(new Response(null, { status: 500 })) };
}
