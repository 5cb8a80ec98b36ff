/**
 * Errors in the OpenAI shape, `{error: {message, type, param, code}}`
 * (https://platform.openai.com/docs/guides/error-codes), which the Responses API shares with
 * Chat Completions; the openai SDK reads `type`, `param` and `code` from it.
 * @module
 */
import type { LlmErrorBody, LlmErrorKind } from "../ir.ts";

/** The OpenAI error object. */
export interface OpenAiError {
  message: string;
  type: string;
  param: string | null;
  code: string | null;
}

/** OpenAI's `type` for each neutral error kind. */
const TYPES: Record<LlmErrorKind, string> = {
  invalidRequest: "invalid_request_error",
  authentication: "authentication_error",
  permission: "permission_error",
  notFound: "not_found_error",
  requestTooLarge: "invalid_request_error",
  rateLimit: "rate_limit_error",
  api: "server_error",
  overloaded: "service_unavailable_error",
  timeout: "timeout_error",
};

/** The OpenAI error object for a neutral error; the provider's own type or code is the `code`. */
export function openAiErrorOf(error: LlmErrorBody): OpenAiError {
  return {
    message: error.message,
    type: TYPES[error.kind],
    param: error.param ?? null,
    code: error.providerType ?? null,
  };
}
