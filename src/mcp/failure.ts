/**
 * How a fan-out fails: failClosed (agentgateway's default) answers with the first target's
 * error, named; failOpen serves what the healthy targets gave unless none did.
 * @module
 */
import { ErrorCode, errorResponse, type JsonRpcRequest, type JsonRpcResponse } from "./jsonrpc.ts";
import { TargetError } from "./upstream/types.ts";

/** One target's part of a fan-out: its value, or why it has none. */
export type Outcome<T> = { target: string; value: T } | { target: string; error: Error };

/** A request failed before any target answered it: the JSON-RPC error, or an HTTP status. */
export class RelayFailure extends Error {
  /** 404: a target lost the session, so the client must initialize again. */
  readonly status: number | undefined;
  constructor(message: string, status?: number) {
    super(message);
    this.status = status;
  }
}

/**
 * The error to answer a fan-out with, given the failure mode (failOpen: only when every target
 * failed); undefined when the answer can be served. A target that lost the session throws
 * RelayFailure (404).
 */
export function failureOf<T>(
  message: JsonRpcRequest,
  outcomes: readonly Outcome<T>[],
  failOpen: boolean,
): JsonRpcResponse | undefined {
  const failed: { target: string; reason: string; error?: JsonRpcResponse["error"] }[] = [];
  for (const outcome of outcomes) {
    if ("error" in outcome) {
      if (outcome.error instanceof TargetError && outcome.error.sessionGone) {
        throw new RelayFailure(outcome.error.message, 404);
      }
      failed.push({ target: outcome.target, reason: outcome.error.message });
    } else {
      const value = outcome.value as unknown;
      const answer = value as JsonRpcResponse | undefined;
      if (answer && typeof answer === "object" && "error" in answer && answer.error) {
        failed.push({
          target: outcome.target,
          reason: answer.error.message,
          error: answer.error,
        });
      }
    }
  }
  if (failed.length === 0) return undefined;
  if (failOpen && failed.length < outcomes.length) return undefined;
  const first = failed[0]!;
  const reason = first.reason.startsWith("target ")
    ? first.reason
    : `target ${JSON.stringify(first.target)}: ${first.reason}`;
  return errorResponse(
    message.id,
    first.error?.code ?? ErrorCode.InternalError,
    reason,
    first.error?.data,
  );
}
