/**
 * Messages between a target and the client as they pass through agw: a target's requests get
 * relay ids naming the target (so the client's answer can be routed back from any instance),
 * its URIs are exposed; and the request metric.
 * @module
 */
import { isRequest, type JsonRpcId, type JsonRpcMessage } from "./jsonrpc.ts";
import type { TargetNames } from "./tool_names.ts";
import type { CallScope } from "./upstream/types.ts";

/**
 * Counts a request in agentgateway_mcp_requests_total: its method, the target that served it
 * and, for a tool call, the tool (as the target names it), from what the relay logged.
 */
export function recordMcpRequest(scope: CallScope, method: string): void {
  if (!scope.metrics) return;
  const fields = scope.ctx.logFields ?? [];
  const field = (name: string) => fields.find(([key]) => key === name)?.[1];
  const target = field("mcp.target");
  const tool = field("mcp.resource") === "tool" ? field("mcp.resource.name") : undefined;
  scope.metrics.recordMcpRequest(
    method,
    target === undefined ? "" : String(target),
    tool === undefined ? undefined : String(tool),
  );
}

const RELAY_ID_PREFIX = "agw|";

/** The id a target's request gets towards the client: the target and its own id, recoverable anywhere. */
export function relayId(target: string, id: JsonRpcId): string {
  return RELAY_ID_PREFIX + JSON.stringify([target, id]);
}

/** The target and id behind a relay id. */
export function parseRelayId(id: JsonRpcId): { target: string; id: JsonRpcId } | undefined {
  if (typeof id !== "string" || !id.startsWith(RELAY_ID_PREFIX)) return undefined;
  try {
    const [target, original] = JSON.parse(id.slice(RELAY_ID_PREFIX.length));
    if (typeof target !== "string") return undefined;
    if (typeof original !== "string" && typeof original !== "number") return undefined;
    return { target, id: original };
  } catch {
    return undefined;
  }
}

/** A target's message as the client sees it: its requests under relay ids, its URIs exposed. */
export function fromTarget(
  names: TargetNames,
  target: string,
  message: JsonRpcMessage,
): JsonRpcMessage {
  if (isRequest(message)) return { ...message, id: relayId(target, message.id) };
  if (!("method" in message)) return message;
  const params = message.params;
  if (message.method === "notifications/resources/updated" && typeof params?.uri === "string") {
    return { ...message, params: { ...params, uri: names.exposeUri(target, params.uri) } };
  }
  if (message.method === "notifications/cancelled") {
    const id = params?.requestId;
    if (typeof id === "string" || typeof id === "number") {
      return { ...message, params: { ...params, requestId: relayId(target, id) } };
    }
  }
  return message;
}
