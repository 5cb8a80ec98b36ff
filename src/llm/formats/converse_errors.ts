/**
 * Bedrock Runtime errors (https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_Converse.html#API_runtime_Converse_Errors):
 * a `{message}` body whose kind is in the `x-amzn-errortype` header. The codec sees only the
 * status and the body, so the kind comes from the status (each error type has its own) and, for
 * 403, from the message; stream exceptions name their type in the event.
 * @module
 */
import type { LlmErrorBody, LlmErrorKind } from "../ir.ts";
import { isObject } from "./provider_wire.ts";

/**
 * 400 ValidationException, 403 AccessDeniedException, 404 ResourceNotFoundException, 408
 * ModelTimeoutException, 424 ModelErrorException, 429 ThrottlingException (also
 * ModelNotReadyException), 500 InternalServerException, 503 ServiceUnavailableException.
 */
function kindFromStatus(status: number, message: string): LlmErrorKind {
  if (status === 401) return "authentication";
  // A bad key or signature is a 403 too (UnrecognizedClientException, InvalidSignatureException).
  if (status === 403) {
    return /security token|signature|credential|api key|bearer/i.test(message)
      ? "authentication"
      : "permission";
  }
  if (status === 404) return "notFound";
  if (status === 408 || status === 504) return "timeout";
  if (status === 413) return "requestTooLarge";
  if (status === 429) return "rateLimit";
  if (status === 503) return "overloaded";
  if (status >= 400 && status < 500 && status !== 424) return "invalidRequest";
  return "api";
}

/** Reads an error body (JSON if it parsed, else its text) into the neutral form. */
export function decodeConverseError(status: number, body: unknown): LlmErrorBody {
  let message = typeof body === "string" ? body.trim() : "";
  let providerType: string | undefined;
  if (isObject(body)) {
    const text = body.message ?? body.Message;
    if (typeof text === "string") message = text;
    // Some AWS front ends put the error type in the body as `__type` ("…#ThrottlingException").
    const type = body.__type ?? body.type;
    if (typeof type === "string" && type !== "") providerType = type.split("#").at(-1);
  }
  if (message === "") message = `upstream answered HTTP ${status}`;
  const error: LlmErrorBody = { kind: kindFromStatus(status, message), message };
  if (providerType !== undefined) error.providerType = providerType;
  return error;
}

const KIND_BY_EXCEPTION: Readonly<Record<string, LlmErrorKind>> = {
  validationException: "invalidRequest",
  throttlingException: "rateLimit",
  serviceUnavailableException: "overloaded",
  internalServerException: "api",
  modelStreamErrorException: "api",
  modelTimeoutException: "timeout",
};

/** A ConverseStream exception event (`:message-type: exception`, `:exception-type` its name). */
export function decodeStreamException(eventType: string, payload: unknown): LlmErrorBody {
  const text = isObject(payload) ? payload.message ?? payload.Message : undefined;
  const error: LlmErrorBody = {
    kind: KIND_BY_EXCEPTION[eventType] ?? "api",
    message: typeof text === "string" && text !== ""
      ? text
      : `Bedrock stream failed${eventType === "" ? "" : ` (${eventType})`}`,
  };
  if (eventType !== "") error.providerType = eventType;
  return error;
}
