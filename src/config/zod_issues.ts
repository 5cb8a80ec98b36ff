import type { z } from "zod";
import { AGENTGATEWAY_FIELDS } from "./agentgateway_fields.ts";

/** A zod issue reduced to what a user needs: where, and what is wrong. */
export interface PathIssue {
  path: PropertyKey[];
  message: string;
}

/**
 * Turns zod's issues into one line per problem. An unknown key gets its own issue (at the key's
 * path), and a union failure is reported from the branch that matches the value's type, so a
 * user sees `cors.maxAge: expected a duration` rather than every branch's complaint.
 */
export function explainIssues(
  issues: readonly z.core.$ZodIssue[],
  basePath: PropertyKey[] = [],
): PathIssue[] {
  const out: PathIssue[] = [];
  // A custom check on an object with an unknown key only repeats the problem: report the key alone.
  const withUnknownKeys = new Set(
    issues.filter((issue) => issue.code === "unrecognized_keys").map((issue) =>
      issue.path.join("\u0000")
    ),
  );
  for (const issue of issues) {
    if (issue.code === "custom" && withUnknownKeys.has(issue.path.join("\u0000"))) continue;
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
        else {out.push({
            path,
            message: issue.message === "Invalid input" ? "invalid value" : issue.message,
          });}
        break;
      }
      case "invalid_type":
        out.push({ path, message: invalidTypeMessage(issue) });
        break;
      default:
        out.push({ path, message: issue.message });
    }
  }
  return out;
}

/** The branch whose failure is not a type mismatch at the root, if exactly one is. */
function pickUnionBranch(branches: z.core.$ZodIssue[][]): z.core.$ZodIssue[] | undefined {
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

function depth(issues: z.core.$ZodIssue[]): number {
  return Math.max(0, ...issues.map((issue) => issue.path.length));
}

function invalidTypeMessage(issue: z.core.$ZodIssue & { code: "invalid_type" }): string {
  if (issue.message && !issue.message.startsWith("Invalid input")) return issue.message;
  if ((issue as { input?: unknown }).input === undefined) {
    return `missing required field (expected ${issue.expected})`;
  }
  return `expected ${issue.expected}`;
}
