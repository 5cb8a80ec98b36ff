/**
 * `mcpAuthorization` as the mcp backend applies it, and the CEL `mcp` variable. The rules are
 * judged once per tool, prompt or resource with `mcp` describing that item (agentgateway's
 * rbac over `ResourceType::{Tool, Prompt, Resource}`): a denied item is left out of lists, and
 * calling it answers exactly as if it did not exist.
 * @module
 */
import type { RequestContext } from "../context/mod.ts";
import type { CompiledMcpAuthorization } from "../policies/mod.ts";

/** What an item is, for the CEL `mcp` variable. */
export type McpSubject =
  | { readonly kind: "tool"; readonly target: string; readonly name: string; arguments?: unknown }
  | { readonly kind: "prompt"; readonly target: string; readonly name: string }
  | { readonly kind: "resource"; readonly target: string; readonly uri: string };

/**
 * The CEL `mcp` value (agentgateway's schema/cel.md): `methodName`, `sessionId`, and `tool`,
 * `prompt` or `resource` with the target and the name as the target spells it.
 */
export function mcpCelValue(
  methodName: string,
  sessionId: string | undefined,
  subject: McpSubject | undefined,
): Record<string, unknown> {
  const value: Record<string, unknown> = { methodName };
  if (sessionId !== undefined) value.sessionId = sessionId;
  if (!subject) return value;
  switch (subject.kind) {
    case "tool":
      value.tool = {
        target: subject.target,
        name: subject.name,
        arguments: subject.arguments ?? {},
      };
      break;
    case "prompt":
      value.prompt = { target: subject.target, name: subject.name };
      break;
    case "resource":
      // agentgateway calls the URI `name`; the issue's `uri` is kept beside it.
      value.resource = { target: subject.target, name: subject.uri, uri: subject.uri };
      break;
  }
  return value;
}

/** The rules in force for this request: a backend's own, else the route's, else none. */
export function rulesOf(ctx: RequestContext): CompiledMcpAuthorization | undefined {
  return ctx.kindPolicies.mcpAuthorization as CompiledMcpAuthorization | undefined;
}

/**
 * Whether the rules let the client see or use `subject`. `mcp` is set to the item's value while
 * they are judged and put back after, so a list judges each item on its own.
 */
export function isAllowed(
  ctx: RequestContext,
  rules: CompiledMcpAuthorization | undefined,
  methodName: string,
  sessionId: string | undefined,
  subject: McpSubject,
): boolean {
  if (!rules) return true;
  const before = ctx.extensions.mcp;
  ctx.extensions.mcp = mcpCelValue(methodName, sessionId, subject);
  try {
    return rules.allows(ctx, "mcpAuthorization");
  } finally {
    ctx.extensions.mcp = before;
  }
}
