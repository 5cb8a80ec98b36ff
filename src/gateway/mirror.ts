import { logger } from "../telemetry/mod.ts";
import type { CompiledBackend } from "../backends/mod.ts";
import type { OutgoingRequest } from "../upstream/mod.ts";

/** A mirror that hangs must not hold a connection forever. */
const MIRROR_TIMEOUT_MS = 30_000;

/**
 * Sends a copy of the request as it goes upstream (after the backend's policies accepted it) to
 * the mirror backend, and discards the answer. A streamed body is not mirrored (it can be read
 * once): only bodiless or replayable requests are copied.
 */
export function sendMirror(
  mirror: CompiledBackend,
  request: OutgoingRequest,
  timeoutMs: number | undefined,
): void {
  const client = mirror.handler.client;
  if (request.body instanceof ReadableStream || !client) return;
  client.send({
    method: request.method,
    pathAndQuery: request.pathAndQuery,
    authority: request.authority,
    headers: request.headers.clone(),
    body: request.body,
    signal: AbortSignal.timeout(timeoutMs ?? MIRROR_TIMEOUT_MS),
  }).then(
    (response) => response.body instanceof ReadableStream ? response.body.cancel() : undefined,
    (error) =>
      logger.debug("mirror request failed", { endpoint: mirror.name, error: String(error) }),
  );
}
