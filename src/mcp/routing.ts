/**
 * Which target owns a request: by the name or URI it carries (tools/call, prompts/get,
 * resources/*, completion/complete), renamed back to the target's own spelling; and the answer
 * for a name nobody owns, worded as the SDK's servers word it.
 * @module
 */
import type { McpSubject } from "./authorization.ts";
import { ErrorCode, errorResponse, type JsonRpcRequest, type JsonRpcResponse } from "./jsonrpc.ts";
import type { ListKey } from "./merge.ts";
import type { TargetNames } from "./tool_names.ts";

/** A request's owner, and what to send it. */
export interface Routed {
  readonly target: string;
  readonly name: string;
  readonly params: Record<string, unknown>;
  readonly subject?: McpSubject;
}

/**
 * Where a request goes: its owner with the params as the owner spells them, undefined when the
 * name is unknown, or "unroutable" for a method agw cannot multiplex. `lookups` are the last
 * lists' exposed names (for `prefixMode: never`); `members` the session's targets.
 */
export function routeOf(
  message: JsonRpcRequest,
  names: TargetNames,
  lookups: ReadonlyMap<ListKey, ReadonlyMap<string, string>>,
  members: readonly string[],
): Routed | undefined | "unroutable" {
  const params = message.params ?? {};
  switch (message.method) {
    case "tools/call":
    case "prompts/get": {
      if (typeof params.name !== "string") return undefined;
      const key = message.method === "tools/call" ? "tools" : "prompts";
      const owned = names.resolveName(params.name, lookups.get(key));
      if (!owned) return undefined;
      return {
        ...owned,
        params: { ...params, name: owned.name },
        subject: message.method === "tools/call"
          ? { kind: "tool", target: owned.target, name: owned.name, arguments: params.arguments }
          : { kind: "prompt", target: owned.target, name: owned.name },
      };
    }
    case "resources/read":
    case "resources/subscribe":
    case "resources/unsubscribe": {
      if (typeof params.uri !== "string") return undefined;
      const owned = names.resolveUri(params.uri, lookups.get("resources"));
      if (!owned) return undefined;
      return {
        ...owned,
        params: { ...params, uri: owned.name },
        subject: { kind: "resource", target: owned.target, uri: owned.name },
      };
    }
    case "completion/complete": {
      const ref = params.ref as Record<string, unknown> | undefined;
      if (ref?.type === "ref/prompt" && typeof ref.name === "string") {
        const owned = names.resolveName(ref.name, lookups.get("prompts"));
        if (!owned) return undefined;
        return {
          ...owned,
          params: { ...params, ref: { ...ref, name: owned.name } },
          subject: { kind: "prompt", target: owned.target, name: owned.name },
        };
      }
      if (ref?.type === "ref/resource" && typeof ref.uri === "string") {
        const owned = names.resolveUri(ref.uri, lookups.get("resourceTemplates"));
        if (!owned) return undefined;
        return {
          ...owned,
          params: { ...params, ref: { ...ref, uri: owned.name } },
          subject: { kind: "resource", target: owned.target, uri: owned.name },
        };
      }
      return undefined;
    }
    default: {
      // Methods agw does not multiplex still work with one target: it owns everything.
      const sole = members.length === 1 ? members[0] : undefined;
      return sole === undefined ? "unroutable" : { target: sole, name: "", params };
    }
  }
}

/** What a list item is, for mcpAuthorization. */
export function subjectOf(key: ListKey, target: string, identifier: string): McpSubject {
  if (key === "tools") return { kind: "tool", target, name: identifier };
  if (key === "prompts") return { kind: "prompt", target, name: identifier };
  return { kind: "resource", target, uri: identifier };
}

/** The answer for a tool, prompt or resource that does not exist (or is denied), as the SDK words it. */
export function notFound(message: JsonRpcRequest): JsonRpcResponse {
  const params = message.params ?? {};
  switch (message.method) {
    case "tools/call":
      return errorResponse(message.id, ErrorCode.InvalidParams, `Tool ${params.name} not found`);
    case "prompts/get":
      return errorResponse(message.id, ErrorCode.InvalidParams, `Prompt ${params.name} not found`);
    case "completion/complete": {
      const ref = (params.ref ?? {}) as Record<string, unknown>;
      const what = ref.type === "ref/prompt" ? `Prompt ${ref.name}` : `Resource ${ref.uri}`;
      return errorResponse(message.id, ErrorCode.InvalidParams, `${what} not found`);
    }
    default:
      return errorResponse(
        message.id,
        ErrorCode.ResourceNotFound,
        `Resource ${params.uri} not found`,
      );
  }
}
