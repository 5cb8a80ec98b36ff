/**
 * Config loading: text → env expansion → YAML/JSON parse → zod validation → typed Config.
 * Every problem is reported with its YAML path and position; nothing here touches the network.
 * @module
 */
export { configErrorAt, loadConfig } from "./load.ts";
export type { LoadedConfig, LoadOptions } from "./load.ts";
export { ConfigError, formatIssues, formatPath } from "./errors.ts";
export type { ConfigIssue } from "./errors.ts";
export type * from "./schema/mod.ts";
