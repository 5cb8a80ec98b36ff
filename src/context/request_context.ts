import { HeaderMap, hopByHopNames } from "../http/mod.ts";

/** What the context knows of the matched route (gateway/route_table.ts has the full one). */
export interface RouteInfo {
  readonly name: string;
  /** Whether an expression on the route reads `request.headers` (known at load). */
  readonly readsRequestHeaders: boolean;
}

/** A request's trace span (telemetry/tracing.ts): ended once, at the response head. */
export interface RequestTrace {
  end(ctx: RequestContext): void;
}

/** Per-request state shared by the steps of the proxy flow. One per request; nothing here is shared. */
export class RequestContext {
  readonly request: Request;
  readonly url: URL;
  readonly startMs: number;
  readonly clientAddr: string;
  /** The client's source port (0 when unknown). */
  clientPort = 0;
  readonly bindName: string;
  route: RouteInfo | undefined = undefined;

  /** Headers to send upstream, hop-by-hop fields and Host already left out; policies edit these. */
  upstreamHeaders: HeaderMap;
  /** Path plus query string to send upstream. */
  pathAndQuery: string;
  /** The Host to send upstream: the client's, unless a policy rewrites it. */
  authority: string;
  /** The Host the client sent (`authority` before any policy rewrote it). */
  readonly clientAuthority: string;
  /** The path prefix the route matched, for prefix rewrites. */
  matchedPrefix: string | undefined = undefined;
  /** urlRewrite `authority: auto`: send the backend's own authority as Host. */
  useBackendAuthority = false;
  /** Headers queued for the response by request-side steps (CORS); applied even to rejections. */
  responseHeaders: Headers | undefined = undefined;

  /** The response as far as it is known (status, headers, a captured body), for CEL and logs. */
  response:
    | { status: number; headers: Headers | Iterable<[string, string]>; body?: string | undefined }
    | undefined = undefined;
  /** A body a policy computed to send upstream instead of the client's. */
  replacementBody: Uint8Array | undefined = undefined;
  /** The response body as text, when a policy or log field needs it and it was read. */
  responseBody: string | undefined = undefined;
  /** The request body as text, when a policy or log field needs it and it was read. */
  requestBody: string | undefined = undefined;
  /** CEL values built for this request, each at most once (see src/cel/context.ts). */
  readonly cel: { request?: unknown; response?: unknown; source?: unknown } = {};
  /** Values later features add to the CEL context by root name: `jwt`, `llm`, `mcp`, … */
  readonly extensions: Record<string, unknown> = {};
  /**
   * Compiled policies that a backend kind reads rather than runs (`ai`, `mcpAuthorization`),
   * by policy name. Their request steps store them here; the later (backend) one wins.
   */
  readonly kindPolicies: Record<string, unknown> = {};

  /** The request's trace span, when `config.tracing` traces this request (telemetry/tracing.ts). */
  trace: RequestTrace | undefined = undefined;

  /** Whether the request's mirror copy has gone out (once, even across retries). */
  mirrored = false;

  /**
   * Set by a backend kind whose telemetry is only known at the end of the body (an LLM stream's
   * usage and completion): metrics, the access log and the span wait for it.
   */
  bodyDone: Promise<void> | undefined = undefined;
  /** Access-log fields a backend kind adds (`gen_ai.*`, `mcp.*`), in order. */
  logFields: [string, string | number | boolean][] | undefined = undefined;

  /** Outcome, for the access log and metrics. */
  status = 0;
  endpoint = "";
  error: string | undefined = undefined;

  constructor(request: Request, url: URL, clientAddr: string, bindName: string) {
    this.request = request;
    this.url = url;
    this.startMs = performance.now();
    this.clientAddr = clientAddr;
    this.bindName = bindName;
    const headers = HeaderMap.from(
      request.headers,
      hopByHopNames(request.headers.get("connection")),
    );
    this.authority = headers.get("host") ?? url.host;
    this.clientAuthority = this.authority;
    headers.delete("host");
    this.upstreamHeaders = headers;
    this.pathAndQuery = url.pathname + url.search;
  }

  /** The client's headers as they arrived, for CEL's `request.headers` (see keepOriginalHeaders). */
  originalHeaders: Record<string, string> | undefined = undefined;

  /**
   * Copies the headers before policies edit them, from the plain record agw already built: much
   * cheaper than iterating the request's Headers a second time.
   */
  keepOriginalHeaders(): void {
    const record: Record<string, string> = { host: this.authority };
    const source = this.upstreamHeaders.record;
    for (const name in source) {
      const value = source[name]!;
      record[name] = typeof value === "string" ? value : value.join(", ");
    }
    // Tracing has already put agw's own traceparent in; CEL sees what the client sent.
    if (this.trace) {
      const sent = this.request.headers.get("traceparent");
      if (sent === null) delete record.traceparent;
      else record.traceparent = sent;
    }
    this.originalHeaders = record;
  }

  /** Queues a header for whatever response this request ends with. */
  queueResponseHeader(name: string, value: string): void {
    (this.responseHeaders ??= new Headers()).append(name, value);
  }
}
