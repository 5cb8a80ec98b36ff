/**
 * URIs inside answers, as the client must see them to use them through agw: the contents of a
 * `resources/read`, and the resource links and embedded resources of a tool result carry the
 * target's prefix when names are prefixed.
 * @module
 */
import type { JsonRpcResponse } from "./jsonrpc.ts";
import type { TargetNames } from "./tool_names.ts";

/** The answer with its URIs exposed (unchanged when names are not prefixed). */
export function relayExposure(
  names: TargetNames,
  target: string,
  method: string,
  answer: JsonRpcResponse,
): JsonRpcResponse {
  const result = answer.result;
  if (!names.prefixes || !result) return answer;
  if (method === "resources/read" && Array.isArray(result.contents)) {
    return {
      ...answer,
      result: { ...result, contents: result.contents.map((c) => exposeUriField(names, target, c)) },
    };
  }
  if (method === "tools/call" && Array.isArray(result.content)) {
    return {
      ...answer,
      result: { ...result, content: result.content.map((c) => exposeContent(names, target, c)) },
    };
  }
  return answer;
}

function exposeContent(names: TargetNames, target: string, content: unknown): unknown {
  if (typeof content !== "object" || content === null) return content;
  const block = content as Record<string, unknown>;
  // MCP spec, "Tools / Tool result": resource_link has `uri`; embedded `resource` has its own.
  if (block.type === "resource_link") return exposeUriField(names, target, block);
  if (block.type === "resource") {
    return { ...block, resource: exposeUriField(names, target, block.resource) };
  }
  return content;
}

function exposeUriField(names: TargetNames, target: string, value: unknown): unknown {
  if (typeof value !== "object" || value === null) return value;
  const record = value as Record<string, unknown>;
  return typeof record.uri === "string"
    ? { ...record, uri: names.exposeUri(target, record.uri) }
    : value;
}
