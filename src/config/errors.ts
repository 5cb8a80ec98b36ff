/** One problem found in a config file, addressed by its YAML path. */
export interface ConfigIssue {
  /** Dotted path into the document, e.g. `binds[0].listeners[0].routes[2].policies.cors.maxAge`. */
  path: string;
  message: string;
  /** 1-based position in the source text, when known. */
  line?: number;
  column?: number;
}

/** A config that cannot be loaded; carries every problem found, not just the first. */
export class ConfigError extends Error {
  readonly issues: readonly ConfigIssue[];
  readonly source: string;

  constructor(source: string, issues: readonly ConfigIssue[]) {
    super(formatIssues(source, issues));
    this.name = "ConfigError";
    this.source = source;
    this.issues = issues;
  }
}

/** Formats issues one per line as `source:line:col: path: message`. */
export function formatIssues(source: string, issues: readonly ConfigIssue[]): string {
  return issues.map((issue) => formatIssue(source, issue)).join("\n");
}

function formatIssue(source: string, issue: ConfigIssue): string {
  const where = issue.line === undefined ? source : `${source}:${issue.line}:${issue.column ?? 1}`;
  const path = issue.path === "" ? "" : `${issue.path}: `;
  return `${where}: ${path}${issue.message}`;
}

/** Joins path segments the way users read YAML paths: `a.b[0].c`. */
export function formatPath(segments: readonly PropertyKey[]): string {
  let out = "";
  for (const segment of segments) {
    if (typeof segment === "number") out += `[${segment}]`;
    else if (typeof segment === "string" && /^[A-Za-z_][\w-]*$/.test(segment)) {
      out += out === "" ? segment : `.${segment}`;
    } else out += `[${JSON.stringify(String(segment))}]`;
  }
  return out;
}
