import { ProxyError } from "../context/mod.ts";
import { attemptUpstream } from "./attempt_upstream.ts";
import type { OutgoingRequest, UpstreamClient, UpstreamResponse } from "./http_client_pool.ts";
import type { RetrySettings } from "./settings.ts";

/** A request body larger than this is streamed, never buffered, and so never retried. */
export const RETRY_BODY_LIMIT_BYTES = 1024 * 1024;

/** What one attempt needs: a backend's client and the request for it. */
export interface PreparedAttempt {
  client: UpstreamClient;
  request: OutgoingRequest;
  endpoint: string;
}

/** True when a response or error should be tried again. */
export function shouldRetry(retry: RetrySettings, outcome: UpstreamResponse | ProxyError): boolean {
  if (outcome instanceof ProxyError) return outcome.retryable;
  return retry.codes.has(outcome.status);
}

/** Options shared by every attempt. */
export interface AttemptOptions {
  timeoutMs: () => number | undefined;
  clientSignal: AbortSignal | undefined;
  onAttempt: (endpoint: string) => void;
}

/**
 * Runs attempts until one succeeds or retries run out. `prepare` is called per attempt so a
 * retry may pick another backend. The last outcome is returned (or thrown) as it was.
 */
export async function retryLoop(
  retry: RetrySettings,
  prepare: () => PreparedAttempt | Response | Promise<PreparedAttempt | Response>,
  options: AttemptOptions,
): Promise<UpstreamResponse | Response> {
  for (let attempt = 1;; attempt++) {
    const prepared = await prepare();
    if (prepared instanceof Response) return prepared;
    options.onAttempt(prepared.endpoint);
    let outcome: UpstreamResponse | ProxyError;
    try {
      outcome = await attemptUpstream(prepared.client, prepared.request, {
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
