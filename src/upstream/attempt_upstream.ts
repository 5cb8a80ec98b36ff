import { ProxyError } from "../context/mod.ts";
import {
  type OutgoingRequest,
  TransportError,
  type UpstreamClient,
  type UpstreamResponse,
} from "./http_client_pool.ts";

const TIMEOUT = Symbol("timeout");

/**
 * One call to one upstream, bounded by `timeoutMs` (time to response headers) and cancelled
 * when `clientSignal` aborts. Transport failures become ProxyError 503, deadlines 504.
 */
export async function attemptUpstream(
  client: UpstreamClient,
  request: OutgoingRequest,
  options: { timeoutMs: number | undefined; clientSignal: AbortSignal | undefined },
): Promise<UpstreamResponse> {
  const { timeoutMs, clientSignal } = options;
  // Only a deadline needs a controller of its own; a client abort can cancel the call directly.
  const controller = timeoutMs === undefined ? undefined : new AbortController();
  const timer = controller && setTimeout(() => controller.abort(TIMEOUT), timeoutMs);
  const onClientAbort = controller && (() => controller.abort(clientSignal?.reason));
  if (onClientAbort) clientSignal?.addEventListener("abort", onClientAbort, { once: true });
  const signal = controller?.signal ?? clientSignal;
  try {
    request.signal = signal;
    return await client.send(request);
  } catch (error) {
    if (signal?.reason === TIMEOUT) throw new ProxyError("requestTimeout");
    if (error instanceof TransportError) {
      throw new ProxyError("upstreamCallFailed", describe(error));
    }
    if (signal?.aborted) throw new ProxyError("upstreamCallFailed", "client disconnected");
    throw new ProxyError("upstreamCallFailed", (error as Error).message);
  } finally {
    if (timer !== undefined) clearTimeout(timer);
    if (onClientAbort) clientSignal?.removeEventListener("abort", onClientAbort);
  }
}

function describe(error: TransportError): string {
  switch (error.code) {
    case "ECONNREFUSED":
      return "connection refused";
    case "ENOTFOUND":
    case "EAI_AGAIN":
      return "dns lookup failed";
    case "ECONNRESET":
      return "connection reset";
    default:
      return error.message;
  }
}
