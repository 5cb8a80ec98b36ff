/**
 * Messages error bodies both ways: `{type: "error", error: {type, message}}` with Anthropic's
 * error types (https://platform.claude.com/docs/en/api/errors).
 * @module
 */
import type { LlmErrorBody, LlmErrorKind } from "../ir.ts";
import { isObject, type JsonObject } from "./messages_json.ts";

const TYPE_BY_KIND: Readonly<Record<LlmErrorKind, string>> = {
  invalidRequest: "invalid_request_error",
  authentication: "authentication_error",
  permission: "permission_error",
  notFound: "not_found_error",
  requestTooLarge: "request_too_large",
  rateLimit: "rate_limit_error",
  api: "api_error",
  overloaded: "overloaded_error",
  timeout: "timeout_error",
};

const KIND_BY_TYPE: Readonly<Record<string, LlmErrorKind>> = {
  invalid_request_error: "invalidRequest",
  authentication_error: "authentication",
  // 402: the account cannot pay for the call, which is a permission to use the resource.
  billing_error: "permission",
  permission_error: "permission",
  not_found_error: "notFound",
  request_too_large: "requestTooLarge",
  rate_limit_error: "rateLimit",
  api_error: "api",
  overloaded_error: "overloaded",
  timeout_error: "timeout",
};

/** The neutral kind for an HTTP status, when the body names no known type. */
export function kindFromStatus(status: number): LlmErrorKind {
  if (status === 401) return "authentication";
  if (status === 402 || status === 403) return "permission";
  if (status === 404) return "notFound";
  if (status === 413) return "requestTooLarge";
  if (status === 429) return "rateLimit";
  if (status === 504) return "timeout";
  if (status === 503 || status === 529) return "overloaded";
  if (status >= 400 && status < 500) return "invalidRequest";
  return "api";
}

/** Anthropic's error `type` for a neutral kind. */
export function errorTypeOf(kind: LlmErrorKind): string {
  return TYPE_BY_KIND[kind];
}

/** The error object (`error` inside the body, or a stream `error` event's payload). */
export function encodeErrorBody(error: LlmErrorBody): JsonObject {
  return { type: "error", error: { type: errorTypeOf(error.kind), message: error.message } };
}

/**
 * Reads an error body: Anthropic's shape, Vertex's Google shape (`{error: {code, message,
 * status}}`, sometimes wrapped in an array), or plain text.
 */
export function decodeMessagesError(status: number, body: unknown): LlmErrorBody {
  const root = Array.isArray(body) ? body[0] : body;
  if (isObject(root) && isObject(root.error)) {
    const type = typeof root.error.type === "string"
      ? root.error.type
      : typeof root.error.status === "string"
      ? root.error.status
      : undefined;
    const message = typeof root.error.message === "string"
      ? root.error.message
      : `upstream answered HTTP ${status}`;
    const error: LlmErrorBody = {
      kind: (type === undefined ? undefined : KIND_BY_TYPE[type]) ?? kindFromStatus(status),
      message,
    };
    if (type !== undefined) error.providerType = type;
    return error;
  }
  const text = typeof body === "string" ? body.trim() : "";
  return {
    kind: kindFromStatus(status),
    message: text === "" ? `upstream answered HTTP ${status}` : text,
  };
}

/** Reads the payload of a stream `error` event. */
export function decodeStreamError(payload: JsonObject): LlmErrorBody {
  return decodeMessagesError(500, payload);
}
