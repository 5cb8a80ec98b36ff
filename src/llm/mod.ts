/**
 * The `ai` backend kind: LLM providers, translation between client and provider formats, usage
 * and GenAI telemetry. See README.md beside this file for the rules that hold throughout.
 * @module
 */
export { compileAiBackend } from "./backend.ts";
export { type AiBackendConfig, aiBackendSchema } from "./schema.ts";
