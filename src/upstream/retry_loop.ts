import { ProxyError } from "../context/mod.ts";
import type { UpstreamResponse } from "./http_client_pool.ts";
import type { RetrySettings } from "./settings.ts";

/** A request body larger than this is streamed, never buffered, and so never retried. */
export const RETRY_BODY_LIMIT_BYTES = 1024 * 1024;

/** An attempt's outcome: an upstream's answer, or a response the backend kind built itself. */
export type AttemptOutcome = UpstreamResponse | Response;

/** True when a response or error should be tried again. */
export function shouldRetry(retry: RetrySettings, outcome: AttemptOutcome | ProxyError): boolean {
  if (outcome instanceof ProxyError) return outcome.retryable;
  return retry.codes.has(outcome.status);
}

/** The deadline and cancel signal of one attempt. */
export interface AttemptLimits {
  timeoutMs: number | undefined;
  clientSignal: AbortSignal | undefined;
}

/** How the retry loop prepares and runs attempts; `P` is whatever one prepared attempt is. */
export interface AttemptOptions<P> {
  timeoutMs: () => number | undefined;
  clientSignal: AbortSignal | undefined;
  /** Runs one prepared attempt under its limits. */
  run: (prepared: P, limits: AttemptLimits) => Promise<AttemptOutcome>;
}

/**
 * Runs attempts until one succeeds or retries run out. `prepare` is called per attempt so a
 * retry may pick another backend; a Response from it (a policy's rejection) ends the loop. The
 * last outcome is returned (or thrown) as it was.
 */
export async function retryLoop<P>(
  retry: RetrySettings,
  prepare: () => P | Response | Promise<P | Response>,
  options: AttemptOptions<P>,
): Promise<AttemptOutcome> {
  for (let attempt = 1;; attempt++) {
    const prepared = await prepare();
    if (prepared instanceof Response) return prepared;
    let outcome: AttemptOutcome | ProxyError;
    try {
      outcome = await options.run(prepared, {
        timeoutMs: options.timeoutMs(),
        clientSignal: options.clientSignal,
      });
    } catch (error) {
      if (!(error instanceof ProxyError)) throw error;
      outcome = error;
    }
    if (attempt >= retry.attempts || !shouldRetry(retry, outcome)) {
      if (outcome instanceof ProxyError) throw outcome;
      return outcome;
    }
    if (!(outcome instanceof ProxyError) && outcome.body instanceof ReadableStream) {
      await outcome.body.cancel();
    }
    if (retry.backoffMs > 0) await new Promise((resolve) => setTimeout(resolve, retry.backoffMs));
  }
}
