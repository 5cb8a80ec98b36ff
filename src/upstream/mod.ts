/**
 * Upstream calls: pooled clients, backend selection, single attempts and the retry loop.
 * Only http_client_pool.ts opens connections; everything else works on its interfaces.
 * @module
 */
export { attemptUpstream } from "./attempt_upstream.ts";
export {
  HttpClientPool,
  type OutgoingRequest,
  TransportError,
  type UpstreamClient,
  type UpstreamResponse,
  type UpstreamTarget,
} from "./http_client_pool.ts";
export {
  type AttemptLimits,
  type AttemptOptions,
  type AttemptOutcome,
  RETRY_BODY_LIMIT_BYTES,
  retryLoop,
  shouldRetry,
} from "./retry_loop.ts";
export { selectBackend } from "./select_backend.ts";
export * from "./settings.ts";
export { parseHostTarget } from "./target.ts";
export { AwsSigner, type AwsSigningSettings } from "./aws_signer.ts";
