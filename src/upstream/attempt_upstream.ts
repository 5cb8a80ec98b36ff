import { ProxyError } from "../gateway/errors.ts";
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
  request: Omit<OutgoingRequest, "signal">,
  options: { timeoutMs: number | undefined; clientSignal: AbortSignal | undefined },
): Promise<UpstreamResponse> {
  const controller = new AbortController();
  const { timeoutMs, clientSignal } = options;
  const timer = timeoutMs === undefined
    ? undefined
    : setTimeout(() => controller.abort(TIMEOUT), timeoutMs);
  const onClientAbort = () => controller.abort(clientSignal?.reason);
  clientSignal?.addEventListener("abort", onClientAbort, { once: true });
  try {
    return await client.send({ ...request, signal: controller.signal });
  } catch (error) {
    if (controller.signal.reason === TIMEOUT) throw new ProxyError("requestTimeout");
    if (error instanceof TransportError) {
      throw new ProxyError("upstreamCallFailed", describe(error));
    }
    if (controller.signal.aborted) {
      throw new ProxyError("upstreamCallFailed", "client disconnected");
    }
    throw new ProxyError("upstreamCallFailed", (error as Error).message);
  } finally {
    if (timer !== undefined) clearTimeout(timer);
    clientSignal?.removeEventListener("abort", onClientAbort);
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
