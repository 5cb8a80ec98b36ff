/**
 * JSON-RPC 2.0 messages as MCP carries them (MCP spec, "Base protocol / Messages"), and the
 * error codes agw answers with. Messages stay plain JSON: agw reads and rewrites only the fields
 * it must (method, id, names), and passes everything else through.
 * @module
 */

/** A request or notification id (JSON-RPC 2.0 §4: string or number; MCP forbids null). */
export type JsonRpcId = string | number;

/** A request: has a method and an id. */
export interface JsonRpcRequest {
  jsonrpc: "2.0";
  id: JsonRpcId;
  method: string;
  params?: Record<string, unknown>;
}

/** A notification: a method, no id. */
export interface JsonRpcNotification {
  jsonrpc: "2.0";
  method: string;
  params?: Record<string, unknown>;
}

/** A JSON-RPC error object. */
export interface JsonRpcErrorObject {
  code: number;
  message: string;
  data?: unknown;
}

/** A response: a result or an error for an id. */
export interface JsonRpcResponse {
  jsonrpc: "2.0";
  id: JsonRpcId | null;
  result?: Record<string, unknown>;
  error?: JsonRpcErrorObject;
}

/** Any message. */
export type JsonRpcMessage = JsonRpcRequest | JsonRpcNotification | JsonRpcResponse;

/** JSON-RPC 2.0 §5.1 codes, plus MCP's own (SDK `ErrorCode`). */
export const ErrorCode = {
  ParseError: -32700,
  InvalidRequest: -32600,
  MethodNotFound: -32601,
  InvalidParams: -32602,
  InternalError: -32603,
  /** MCP: the SDK's RequestTimeout. */
  RequestTimeout: -32001,
  /** MCP spec, "Resources / Error handling": resource not found. */
  ResourceNotFound: -32002,
} as const;

/** Whether a parsed value is a request (method and id). */
export function isRequest(message: JsonRpcMessage): message is JsonRpcRequest {
  return "method" in message && "id" in message && message.id !== undefined;
}

/** Whether a parsed value is a notification (method, no id). */
export function isNotification(message: JsonRpcMessage): message is JsonRpcNotification {
  return "method" in message && !("id" in message && message.id !== undefined);
}

/** Whether a parsed value is a response (result or error, no method). */
export function isResponse(message: JsonRpcMessage): message is JsonRpcResponse {
  return !("method" in message) && ("result" in message || "error" in message);
}

/** A message checked for JSON-RPC 2.0 shape, or the reason it is not one. */
export type CheckedMessage = { ok: true; message: JsonRpcMessage } | { ok: false; why: string };

/** Checks one decoded value for the JSON-RPC 2.0 message shape (§4, §5). */
export function checkMessage(value: unknown): CheckedMessage {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    return { ok: false, why: "expected a JSON-RPC message object" };
  }
  const record = value as Record<string, unknown>;
  if (record.jsonrpc !== "2.0") return { ok: false, why: 'expected "jsonrpc": "2.0"' };
  const id = record.id;
  const hasId = id !== undefined;
  if (hasId && typeof id !== "string" && typeof id !== "number" && id !== null) {
    return { ok: false, why: "expected a string or number id" };
  }
  if ("method" in record) {
    if (typeof record.method !== "string") return { ok: false, why: "expected a string method" };
    if (id === null) return { ok: false, why: "a request id must not be null" };
    const params = record.params;
    if (params !== undefined && (typeof params !== "object" || params === null)) {
      return { ok: false, why: "expected params to be an object" };
    }
    return { ok: true, message: record as unknown as JsonRpcMessage };
  }
  if (("result" in record) !== ("error" in record) && hasId) {
    return { ok: true, message: record as unknown as JsonRpcResponse };
  }
  return { ok: false, why: "expected a request, a notification or a response" };
}

/** An error response. */
export function errorResponse(
  id: JsonRpcId | null,
  code: number,
  message: string,
  data?: unknown,
): JsonRpcResponse {
  const error: JsonRpcErrorObject = { code, message };
  if (data !== undefined) error.data = data;
  return { jsonrpc: "2.0", id, error };
}

/** A result response. */
export function resultResponse(id: JsonRpcId, result: Record<string, unknown>): JsonRpcResponse {
  return { jsonrpc: "2.0", id, result };
}

/** The `_meta.progressToken` of a request, if any (MCP spec, "Utilities / Progress"). */
export function progressTokenOf(message: JsonRpcRequest): JsonRpcId | undefined {
  const meta = message.params?._meta;
  if (typeof meta !== "object" || meta === null) return undefined;
  const token = (meta as Record<string, unknown>).progressToken;
  return typeof token === "string" || typeof token === "number" ? token : undefined;
}

/** A key for an id that keeps `1` and `"1"` apart (they are different JSON-RPC ids). */
export function idKey(id: JsonRpcId): string {
  return typeof id === "number" ? `n${id}` : `s${id}`;
}
