/**
 * One HTTP exchange with an HTTP target (Streamable HTTP or legacy SSE): the client's headers
 * as the base, MCP's own headers set by agw, the target's policies applied, sent through the
 * attempt's pooled client. Shared by the two HTTP transports.
 * @module
 */
import { ProxyError } from "../../context/mod.ts";
import type { UpstreamResponse } from "../../upstream/mod.ts";
import { type CallScope, type HttpAddress, TargetError } from "./types.ts";

/**
 * Headers agw sets itself for each exchange, so a client's value never leaks to a target it
 * was not meant for (the client's session id is agw's, not the target's).
 */
const MCP_HEADERS = [
  "mcp-session-id",
  "mcp-protocol-version",
  "last-event-id",
  "accept",
  "content-type",
  "content-length",
  "accept-encoding",
];

/** What to send: method, MCP headers, body, and a path other than the target's own. */
export interface Exchange {
  readonly method: "GET" | "POST" | "DELETE";
  readonly headers: Readonly<Record<string, string | undefined>>;
  readonly body?: Uint8Array | undefined;
  readonly pathAndQuery?: string | undefined;
}

/** Sends one exchange to a target; transport failures throw TargetError naming it. */
export async function exchange(
  target: string,
  address: HttpAddress,
  scope: CallScope,
  request: Exchange,
): Promise<UpstreamResponse> {
  const headers = scope.headers.clone();
  for (const name of MCP_HEADERS) headers.delete(name);
  // agw reads every answer (JSON-RPC ids, names): it must arrive uncompressed.
  headers.set("accept-encoding", "identity");
  for (const [name, value] of Object.entries(request.headers)) {
    if (value !== undefined) headers.set(name, value);
  }
  const ctx = scope.ctx;
  if (address.chain.request.length > 0) {
    // Like a backend's policies in the proxy flow: they edit a copy, the base stays as it was.
    const base = { headers: ctx.upstreamHeaders, authority: ctx.authority };
    ctx.upstreamHeaders = headers;
    try {
      for (const step of address.chain.request) {
        const verdict = await step.onRequest!(ctx);
        if (verdict) {
          await verdict.body?.cancel();
          throw new TargetError(target, `refused by its policies (HTTP ${verdict.status})`);
        }
      }
    } finally {
      ctx.upstreamHeaders = base.headers;
      ctx.authority = base.authority;
    }
  }
  try {
    return await scope.send(address.client, {
      method: request.method,
      pathAndQuery: request.pathAndQuery ?? address.path,
      authority: address.authority,
      headers,
      body: request.body ?? null,
    });
  } catch (error) {
    if (error instanceof ProxyError) {
      throw new TargetError(target, error.message, { timedOut: error.kind === "requestTimeout" });
    }
    throw new TargetError(target, (error as Error).message);
  }
}

/** A response header, by lower-case name. */
export function headerOf(response: UpstreamResponse, name: string): string | undefined {
  for (const [key, value] of response.headers) if (key.toLowerCase() === name) return value;
  return undefined;
}

/** Reads a whole body (bounded), for JSON answers. */
export async function readAll(
  body: UpstreamResponse["body"],
  limitBytes = 64 * 1024 * 1024,
): Promise<Uint8Array> {
  if (body === null) return new Uint8Array();
  if (body instanceof Uint8Array) return body;
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += chunk.byteLength;
    if (size > limitBytes) {
      await body.cancel().catch(() => {});
      throw new Error(`answer larger than ${limitBytes} bytes`);
    }
    chunks.push(chunk);
  }
  const out = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return out;
}

/** Discards a body agw does not need. */
export function discard(body: UpstreamResponse["body"]): void {
  if (body instanceof ReadableStream) body.cancel().catch(() => {});
}

/**
 * Waits for `work` until the scope's deadline or the client's departure: then `onTimeout` runs
 * (to cancel upstream) and the wait fails with a TargetError naming the target.
 */
export function withDeadline<T>(
  target: string,
  scope: CallScope,
  work: Promise<T>,
  onTimeout?: () => void,
): Promise<T> {
  const signal = scope.ctx.request.signal;
  const cancelled = scope.cancelled;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let onGone: (() => void) | undefined;
  let onCancel: (() => void) | undefined;
  const stopped = new Promise<never>((_, reject) => {
    const stop = (detail: string, timedOut: boolean) => {
      onTimeout?.();
      reject(new TargetError(target, detail, { timedOut }));
    };
    if (scope.deadlineMs !== undefined) {
      const left = Math.max(0, scope.deadlineMs - performance.now());
      timer = setTimeout(() => stop("request timeout", true), left);
    }
    // The client left, or cancelled: nobody waits for the answer any more, so agw stops too.
    onGone = () => stop("the client disconnected", false);
    onCancel = () => stop("cancelled by the client", false);
    if (signal.aborted) onGone();
    else signal.addEventListener("abort", onGone, { once: true });
    if (cancelled?.aborted) onCancel();
    else cancelled?.addEventListener("abort", onCancel, { once: true });
  });
  return Promise.race([work, stopped]).finally(() => {
    clearTimeout(timer);
    signal.removeEventListener("abort", onGone!);
    cancelled?.removeEventListener("abort", onCancel!);
  });
}
