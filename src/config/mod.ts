/**
 * Config loading: text → env expansion → YAML/JSON parse → zod validation → typed Config.
 * Every problem is reported with its YAML path and position; nothing here touches the network.
 * @module
 */
import { expandEnv, processEnv } from "./env_expand.ts";
import { ConfigError, type ConfigIssue, formatPath } from "./errors.ts";
import { parseText } from "./parse.ts";
import { type Config, configSchema } from "./schema/mod.ts";
import { explainIssues } from "./zod_issues.ts";

export { ConfigError, formatIssues, formatPath } from "./errors.ts";
export type { ConfigIssue } from "./errors.ts";
export type * from "./schema/mod.ts";

/** Options for loadConfig. */
export interface LoadOptions {
  /** Where the text came from, for messages (a file path or `--config`). */
  source: string;
  /** Environment lookup; defaults to the process environment. */
  env?: (name: string) => string | undefined;
}

/** A loaded config plus the means to point at its source for later (compile-time) errors. */
export interface LoadedConfig {
  config: Config;
  source: string;
  locate(path: readonly PropertyKey[]): { line: number; column: number } | undefined;
}

/**
 * Loads and validates config text. Throws ConfigError listing every problem.
 * @example
 * const { config } = loadConfig("binds: []", { source: "inline" });
 */
export function loadConfig(text: string, options: LoadOptions): LoadedConfig {
  const expanded = expandEnv(text, options.env ?? processEnv);
  const parsed = parseText(expanded, options.source);
  const data = parsed.data ?? {};
  const result = configSchema.safeParse(data);
  if (!result.success) {
    const issues: ConfigIssue[] = explainIssues(result.error.issues).map((issue) => ({
      path: formatPath(issue.path),
      message: issue.message,
      ...parsed.locate(issue.path),
    }));
    throw new ConfigError(options.source, dedupe(issues));
  }
  return { config: result.data, source: options.source, locate: parsed.locate };
}

/** Builds a ConfigError for a problem found after validation (compile time), with its position. */
export function configErrorAt(
  loaded: LoadedConfig,
  path: readonly PropertyKey[],
  message: string,
): ConfigIssue {
  return { path: formatPath(path), message, ...loaded.locate(path) };
}

function dedupe(issues: ConfigIssue[]): ConfigIssue[] {
  const seen = new Set<string>();
  return issues.filter((issue) => {
    const key = `${issue.path}\u0000${issue.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
