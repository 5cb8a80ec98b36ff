/**
 * OpenAI's error shape, `{"error": {"message", "type", "param", "code"}}`, both ways: agw's
 * neutral error → the body a Chat client gets, and a provider's error body (JSON, or the plain
 * text a proxy in front of it answered) → the neutral form.
 * Reference: https://platform.openai.com/docs/guides/error-codes
 * @module
 */
import type { LlmErrorBody, LlmErrorKind } from "../ir.ts";
import { isObject, type JsonObject } from "./chat_completions_json.ts";

// The `type` strings of OpenAI's error objects; SDKs pick the error class by status, so the
// type is for people and logs reading the body.
const TYPE_BY_KIND: Record<LlmErrorKind, string> = {
  invalidRequest: "invalid_request_error",
  authentication: "authentication_error",
  permission: "permission_error",
  notFound: "not_found_error",
  requestTooLarge: "invalid_request_error",
  rateLimit: "rate_limit_error",
  api: "server_error",
  overloaded: "server_error",
  timeout: "server_error",
};

/** The error body a Chat Completions client gets; `code` is the provider's own, when known. */
export function encodeChatError(error: LlmErrorBody, _status: number): JsonObject {
  return {
    error: {
      message: error.message,
      type: TYPE_BY_KIND[error.kind],
      param: error.param ?? null,
      code: error.providerType ?? null,
    },
  };
}

/** A provider's error answer → the neutral form; the status decides the kind. */
export function decodeChatError(status: number, body: unknown): LlmErrorBody {
  const kind = kindFromStatus(status);
  if (isObject(body)) {
    if (isObject(body.error)) return { ...errorBodyFromObject(body.error), kind };
    // vLLM and FastAPI servers: `{"object": "error", "message", …}` or `{"detail": …}`.
    const message = textOf(body.error) ?? textOf(body.message) ?? textOf(body.detail);
    if (message !== undefined) {
      const decoded: LlmErrorBody = { kind, message };
      const type = textOf(body.type);
      if (type !== undefined) decoded.providerType = type;
      return decoded;
    }
  }
  const text = typeof body === "string" ? body.trim() : "";
  return { kind, message: text || `provider answered HTTP ${status}` };
}

/** An OpenAI error object (also what a stream's `{"error": …}` chunk holds) → neutral form. */
export function errorBodyFromObject(error: JsonObject): LlmErrorBody {
  const type = textOf(error.type);
  const code = typeof error.code === "number" ? String(error.code) : textOf(error.code);
  const decoded: LlmErrorBody = {
    kind: kindFromType(code ?? type),
    message: textOf(error.message) ?? "provider reported an error",
  };
  if (typeof error.param === "string") decoded.param = error.param;
  // OpenAI's `code` is the specific one (`context_length_exceeded`); `type` the family.
  const providerType = code ?? type;
  if (providerType !== undefined) decoded.providerType = providerType;
  return decoded;
}

function textOf(value: unknown): string | undefined {
  if (typeof value === "string") return value;
  if (value == null || typeof value === "number" || typeof value === "boolean") return undefined;
  return JSON.stringify(value);
}

function kindFromStatus(status: number): LlmErrorKind {
  switch (status) {
    case 400:
    case 422:
      return "invalidRequest";
    case 401:
      return "authentication";
    case 403:
      return "permission";
    case 404:
      return "notFound";
    case 408:
    case 504:
      return "timeout";
    case 413:
      return "requestTooLarge";
    case 429:
      return "rateLimit";
    case 503:
    case 529:
      return "overloaded";
    default:
      return status >= 400 && status < 500 ? "invalidRequest" : "api";
  }
}

/** An error that arrived without a status (inside a stream): the kind from its type or code. */
function kindFromType(type: string | undefined): LlmErrorKind {
  switch (type) {
    case "invalid_request_error":
    case "context_length_exceeded":
      return "invalidRequest";
    case "authentication_error":
    case "invalid_api_key":
      return "authentication";
    case "permission_error":
      return "permission";
    case "not_found_error":
    case "model_not_found":
      return "notFound";
    case "rate_limit_error":
    case "rate_limit_exceeded":
    case "insufficient_quota":
    case "tokens":
    case "requests":
      return "rateLimit";
    case "overloaded_error":
    case "service_unavailable":
      return "overloaded";
    default:
      return "api";
  }
}
