/**
 * The `mcp` backend kind: agw serves MCP itself and fans out to the backend's targets (Streamable
 * HTTP, legacy SSE, stdio), merging what they offer into one server. README.md explains
 * multiplexing, sessions and version negotiation; the invariant: everything a later request
 * needs about its session travels in the session id, so any agw instance can serve it.
 * @module
 */
export { type McpBackendConfig, mcpBackendSchema } from "./schema.ts";
export { compileMcpBackend, type McpProcessSettings } from "./compile.ts";
