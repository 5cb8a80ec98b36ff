import { ProxyError } from "../context/mod.ts";
import {
  type OutgoingRequest,
  TransportError,
  type UpstreamClient,
  type UpstreamResponse,
} from "./http_client_pool.ts";

/**
 * One call to one upstream, bounded by `timeoutMs` (time to response headers) and cancelled
 * when `clientSignal` aborts. The client settles the call at the deadline itself and drops the
 * abandoned connection, so a deadline never waits on the transport and nothing is re-sent.
 * Transport failures become ProxyError 503, deadlines 504.
 */
export async function attemptUpstream(
  client: UpstreamClient,
  request: OutgoingRequest,
  options: { timeoutMs: number | undefined; clientSignal: AbortSignal | undefined },
): Promise<UpstreamResponse> {
  request.signal = options.clientSignal;
  request.timeoutMs = options.timeoutMs;
  try {
    return await client.send(request);
  } catch (error) {
    if (error instanceof TransportError) {
      if (error.code === "EDEADLINE") throw new ProxyError("requestTimeout");
      throw new ProxyError("upstreamCallFailed", describe(error));
    }
    if (options.clientSignal?.aborted) {
      throw new ProxyError("upstreamCallFailed", "client disconnected");
    }
    throw new ProxyError("upstreamCallFailed", (error as Error).message);
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
    case "EPOOLFULL":
      return "connection pool full";
    default:
      return error.message;
  }
}
