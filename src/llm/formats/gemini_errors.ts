/**
 * Gemini error bodies: Google's `{error: {code, message, status, details}}`
 * (https://ai.google.dev/gemini-api/docs/troubleshooting), which Vertex AI sometimes wraps in
 * an array; the same object can arrive as a stream chunk.
 * @module
 */
import type { LlmErrorBody, LlmErrorKind } from "../ir.ts";
import { isObject } from "./provider_wire.ts";

/** google.rpc.Code names (https://cloud.google.com/apis/design/errors) as neutral kinds. */
const KIND_BY_STATUS: Readonly<Record<string, LlmErrorKind>> = {
  INVALID_ARGUMENT: "invalidRequest",
  FAILED_PRECONDITION: "invalidRequest",
  OUT_OF_RANGE: "invalidRequest",
  UNAUTHENTICATED: "authentication",
  PERMISSION_DENIED: "permission",
  NOT_FOUND: "notFound",
  RESOURCE_EXHAUSTED: "rateLimit",
  UNAVAILABLE: "overloaded",
  DEADLINE_EXCEEDED: "timeout",
  INTERNAL: "api",
  UNKNOWN: "api",
  ABORTED: "api",
  CANCELLED: "api",
};

/** The neutral kind for an HTTP status, when the body names no known status. */
function kindFromHttpStatus(status: number): LlmErrorKind {
  if (status === 401) return "authentication";
  if (status === 403) return "permission";
  if (status === 404) return "notFound";
  if (status === 413) return "requestTooLarge";
  if (status === 429) return "rateLimit";
  if (status === 503) return "overloaded";
  if (status === 504) return "timeout";
  if (status >= 400 && status < 500) return "invalidRequest";
  return "api";
}

/** Reads an error body (JSON if it parsed, else its text) into the neutral form. */
export function decodeGeminiError(status: number, body: unknown): LlmErrorBody {
  const root = Array.isArray(body) ? body[0] : body;
  if (isObject(root) && isObject(root.error)) {
    const error = root.error;
    const code = typeof error.status === "string" ? error.status : undefined;
    const httpStatus = typeof error.code === "number" ? error.code : status;
    const out: LlmErrorBody = {
      kind: hasReason(error.details, "API_KEY_INVALID")
        ? "authentication"
        : (code === undefined ? undefined : KIND_BY_STATUS[code]) ?? kindFromHttpStatus(httpStatus),
      message: typeof error.message === "string" && error.message !== ""
        ? error.message
        : `upstream answered HTTP ${status}`,
    };
    if (code !== undefined) out.providerType = code;
    return out;
  }
  const text = typeof body === "string" ? body.trim() : "";
  return {
    kind: kindFromHttpStatus(status),
    message: text === "" ? `upstream answered HTTP ${status}` : text,
  };
}

/**
 * Whether `details` holds a google.rpc.ErrorInfo with `reason`: a bad API key is a 400
 * INVALID_ARGUMENT whose detail says API_KEY_INVALID, and the client should see an auth error.
 */
function hasReason(details: unknown, reason: string): boolean {
  return Array.isArray(details) &&
    details.some((detail) => isObject(detail) && detail.reason === reason);
}
