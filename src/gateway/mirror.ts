import { logger } from "../telemetry/mod.ts";
import type { CompiledBackend } from "../upstream/mod.ts";
import type { RequestContext } from "./request_context.ts";

/** A mirror that hangs must not hold a connection forever. */
const MIRROR_TIMEOUT_MS = 30_000;

/**
 * Sends a copy of the request to the mirror backend and discards the answer. A streamed body is
 * not mirrored (it can be read once): only bodiless or replayable requests are copied.
 */
export function sendMirror(
  ctx: RequestContext,
  mirror: CompiledBackend,
  body: ReadableStream<Uint8Array> | Uint8Array | null,
): void {
  if (body instanceof ReadableStream) return;
  mirror.client.send({
    method: ctx.request.method,
    pathAndQuery: ctx.pathAndQuery,
    authority: ctx.authority,
    headers: ctx.upstreamHeaders.clone(),
    body,
    signal: AbortSignal.timeout(ctx.route?.settings.requestTimeoutMs ?? MIRROR_TIMEOUT_MS),
  }).then(
    (response) => response.body instanceof ReadableStream ? response.body.cancel() : undefined,
    (error) =>
      logger.debug("mirror request failed", { endpoint: mirror.name, error: String(error) }),
  );
}
