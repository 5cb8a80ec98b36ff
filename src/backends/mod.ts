/**
 * Backend kinds: the contract every kind implements (types.ts). The `host` kind lives in
 * upstream/ (it only forwards); `ai` in llm/, `mcp` in mcp/. gateway/snapshot.ts compiles them
 * and gateway/proxy.ts calls `handle` in one place.
 * @module
 */
export type * from "./types.ts";
export { hostBackend } from "./host.ts";
export { runKindSteps } from "./run_steps.ts";
