/**
 * loadConfig and the position-aware issues it and the snapshot compiler report.
 * @module
 */
import { expandEnv, processEnv } from "./env_expand.ts";
import { ConfigError, type ConfigIssue, formatPath } from "./errors.ts";
import { normalizeMcp } from "./normalize_mcp.ts";
import { parseText } from "./parse.ts";
import { type Config, configSchema } from "./schema/mod.ts";
import { explainIssues } from "./zod_issues.ts";

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
  /** Env variables that expanded to nothing, by the 1-based line they sit on. */
  unsetEnv?: ReadonlyMap<number, readonly string[]>;
}

/**
 * Loads and validates config text. Throws ConfigError listing every problem.
 * @example
 * const { config } = loadConfig("binds: []", { source: "inline" });
 */
export function loadConfig(text: string, options: LoadOptions): LoadedConfig {
  const unset: { name: string; offset: number }[] = [];
  const expanded = expandEnv(
    text,
    options.env ?? processEnv,
    (name, offset) => unset.push({ name, offset }),
  );
  const parsed = parseText(expanded, options.source);
  const unsetEnv = unsetByLine(expanded, unset);
  // The simplified `mcp:` form becomes a bind before validation (normalize_mcp.ts).
  const simplified = normalizeMcp(parsed.data ?? {});
  const data = simplified.data;
  // reportInput: messages show the value found, not only what was expected.
  const result = configSchema.safeParse(data, { reportInput: true });
  if (!result.success || simplified.issues.length > 0) {
    const found = [
      ...simplified.issues,
      ...(result.success ? [] : explainIssues(result.error.issues)),
    ];
    const issues = found.map((issue) =>
      located({ locate: parsed.locate, unsetEnv }, issue.path, issue.message)
    );
    throw new ConfigError(options.source, dedupe(issues).toSorted(byPosition));
  }
  return { config: result.data, source: options.source, locate: parsed.locate, unsetEnv };
}

/** An issue found after validation (compile time), with its position and any unset-env hint. */
export function configErrorAt(
  loaded: LoadedConfig,
  path: readonly PropertyKey[],
  message: string,
): ConfigIssue {
  return located(loaded, path, message);
}

/** An issue at `path`, naming any env variable that left its line empty. */
function located(
  where: Pick<LoadedConfig, "locate" | "unsetEnv">,
  path: readonly PropertyKey[],
  message: string,
): ConfigIssue {
  const position = where.locate(path);
  const names = position && where.unsetEnv?.get(position.line);
  const hint = !names
    ? ""
    : names.length === 1
    ? ` (environment variable ${names[0]} is not set)`
    : ` (environment variables ${names.join(", ")} are not set)`;
  return { path: formatPath(path), message: message + hint, ...position };
}

function unsetByLine(
  text: string,
  unset: readonly { name: string; offset: number }[],
): Map<number, string[]> {
  const byLine = new Map<number, string[]>();
  for (const { name, offset } of unset) {
    const line = text.slice(0, offset).split("\n").length;
    const names = byLine.get(line) ?? [];
    if (!names.includes(name)) names.push(name);
    byLine.set(line, names);
  }
  return byLine;
}

/** Source order reads best; zod reports unknown keys after the object's other problems. */
function byPosition(a: ConfigIssue, b: ConfigIssue): number {
  return (a.line ?? 0) - (b.line ?? 0) || (a.column ?? 0) - (b.column ?? 0);
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
