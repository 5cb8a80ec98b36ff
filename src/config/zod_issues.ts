import type { z } from "zod";
import { AGENTGATEWAY_FIELDS } from "./agentgateway_fields.ts";

/** A zod issue reduced to what a user needs: where, and what is wrong. */
export interface PathIssue {
  path: PropertyKey[];
  message: string;
}

type Issue = z.core.$ZodIssue;

/**
 * Turns zod's issues into one line per problem. An unknown key gets its own issue (at the key's
 * path), and a union failure is reported from the branch that matches the value's type, so a
 * user sees `cors.maxAge: expected a duration` rather than every branch's complaint. Zod's
 * default wording is rewritten to name what was expected and what was found; parse with
 * `reportInput: true` so the found value can be shown.
 */
export function explainIssues(
  issues: readonly Issue[],
  basePath: PropertyKey[] = [],
): PathIssue[] {
  const out: PathIssue[] = [];
  const pathKey = (path: readonly PropertyKey[]) => path.map(String).join("\u0000");
  const unknownKeys = issues.filter((issue) => issue.code === "unrecognized_keys");
  // A custom check on an object with an unknown key only repeats the problem: report the key alone.
  const withUnknownKeys = new Set(unknownKeys.map((issue) => pathKey(issue.path)));
  // An object holding a field agentgateway knows is most likely another variant of that object
  // (`tls: {spiffe}`, `backends: [{name, mcp}]`): its missing fields would only be noise.
  const withUnsupportedKeys = new Set(
    unknownKeys.filter((issue) => issue.keys.some((key) => AGENTGATEWAY_FIELDS.has(key)))
      .map((issue) => pathKey(issue.path)),
  );
  for (const issue of issues) {
    if (issue.code === "custom" && withUnknownKeys.has(pathKey(issue.path))) continue;
    if (isMissing(issue) && withUnsupportedKeys.has(pathKey(issue.path.slice(0, -1)))) continue;
    const path = [...basePath, ...issue.path];
    switch (issue.code) {
      case "unrecognized_keys":
        for (const key of issue.keys) {
          out.push({
            path: [...path, key],
            message: AGENTGATEWAY_FIELDS.has(key)
              ? `"${key}" is not supported by agw yet`
              : `unknown field "${key}"`,
          });
        }
        break;
      case "invalid_union": {
        const branch = pickUnionBranch(issue.errors);
        if (branch) out.push(...explainIssues(branch, path));
        else out.push({ path, message: unionMessage(issue) });
        break;
      }
      default:
        out.push({ path, message: issueMessage(issue) });
    }
  }
  return out;
}

/** The branch whose failure is not a type mismatch at the root, if exactly one is. */
function pickUnionBranch(branches: Issue[][]): Issue[] | undefined {
  const plausible = branches.filter((issues) =>
    !issues.some((issue) => issue.path.length === 0 && issue.code === "invalid_type")
  );
  if (plausible.length === 1) return plausible[0];
  if (plausible.length > 1) {
    // Prefer the branch that got furthest: its issues sit deepest in the value.
    return plausible.toSorted((a, b) => depth(b) - depth(a))[0];
  }
  return undefined;
}

function depth(issues: Issue[]): number {
  return Math.max(0, ...issues.map((issue) => issue.path.length));
}

/** Every branch rejected the value's type: list what the branches expect. */
function unionMessage(issue: Issue & { code: "invalid_union" }): string {
  const expected = new Set<string>();
  for (const branch of issue.errors) {
    for (const inner of branch) {
      if (inner.path.length === 0 && inner.code === "invalid_type") {
        expected.add(typeName(inner.expected));
      }
    }
  }
  if ("input" in issue && issue.input === undefined) return "missing required field";
  const names = [...expected];
  const list = names.length <= 1
    ? names.join("")
    : `${names.slice(0, -1).join(", ")} or ${names.at(-1)}`;
  return withFound(list === "" ? "invalid value" : `expected ${list}`, issue);
}

function isMissing(issue: Issue): boolean {
  return (issue.code === "invalid_type" || issue.code === "invalid_union") && "input" in issue &&
    issue.input === undefined;
}

/** zod's own messages start like this; messages set in our schemas never do. */
function isZodDefault(message: string): boolean {
  return /^(Invalid|Too (small|big)|Unrecognized)\b/.test(message);
}

function issueMessage(issue: Issue): string {
  const custom = isZodDefault(issue.message) ? undefined : issue.message;
  switch (issue.code) {
    case "invalid_type":
      if (isMissing(issue)) return custom ?? "missing required field";
      return withFound(custom ?? `expected ${typeName(issue.expected)}`, issue);
    case "invalid_value":
      return withFound(custom ?? `expected ${oneOf(issue.values)}`, issue);
    case "invalid_format":
      return withFound(
        custom ?? `expected a value matching ${issue.pattern ?? issue.format}`,
        issue,
      );
    case "too_small":
    case "too_big":
      return withFound(custom ?? boundMessage(issue), issue);
    default:
      return custom ?? issue.message;
  }
}

function boundMessage(issue: Issue & { code: "too_small" | "too_big" }): string {
  const small = issue.code === "too_small";
  const bound = small ? issue.minimum : issue.maximum;
  const inclusive = issue.inclusive !== false;
  if (issue.origin === "array" || issue.origin === "set") {
    return `expected ${small ? "at least" : "at most"} ${bound} item${bound === 1 ? "" : "s"}`;
  }
  if (issue.origin === "string") {
    return `expected ${small ? "at least" : "at most"} ${bound} character${bound === 1 ? "" : "s"}`;
  }
  const op = small ? (inclusive ? ">=" : ">") : (inclusive ? "<=" : "<");
  return `expected a number ${op} ${bound}`;
}

function oneOf(values: readonly unknown[]): string {
  const shown = values.map((value) => JSON.stringify(value));
  return shown.length === 1 ? shown[0]! : `one of ${shown.join(", ")}`;
}

function withFound(message: string, issue: Issue): string {
  if (!("input" in issue) || /,\s*got\b|is not supported by agw yet/.test(message)) return message;
  return `${message}, ${found(issue)}`;
}

function found(issue: { input?: unknown }): string {
  return `got ${describe(issue.input)}`;
}

/** How a YAML value reads back to its author. */
function describe(value: unknown): string {
  if (value === null || value === undefined) return "an empty value";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "a mapping";
  if (typeof value === "string") {
    return JSON.stringify(value.length > 60 ? `${value.slice(0, 57)}...` : value);
  }
  return String(value);
}

function typeName(expected: string): string {
  switch (expected) {
    case "array":
      return "a list";
    case "object":
    case "record":
    case "map":
      return "a mapping";
    case "boolean":
      return "true or false";
    case "int":
      return "an integer";
    default:
      return /^[aeiou]/.test(expected) ? `an ${expected}` : `a ${expected}`;
  }
}
