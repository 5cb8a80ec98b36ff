import { HeaderMap, hopByHopNames } from "../http/mod.ts";
import type { CompiledRoute } from "./route_table.ts";

/** Per-request state shared by the steps of the proxy flow. One per request; nothing here is shared. */
export class RequestContext {
  readonly request: Request;
  readonly url: URL;
  readonly startMs: number;
  readonly clientAddr: string;
  readonly bindName: string;
  route: CompiledRoute | undefined = undefined;

  /** Headers to send upstream, hop-by-hop fields and Host already left out; policies edit these. */
  upstreamHeaders: HeaderMap;
  /** Path plus query string to send upstream. */
  pathAndQuery: string;
  /** The Host to send upstream: the client's, unless a policy rewrites it. */
  authority: string;
  /** The path prefix the route matched, for prefix rewrites. */
  matchedPrefix: string | undefined = undefined;
  /** urlRewrite `authority: auto`: send the backend's own authority as Host. */
  useBackendAuthority = false;
  /** Headers queued for the response by request-side steps (CORS); applied even to rejections. */
  responseHeaders: Headers | undefined = undefined;

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
    headers.delete("host");
    this.upstreamHeaders = headers;
    this.pathAndQuery = url.pathname + url.search;
  }

  /** Queues a header for whatever response this request ends with. */
  queueResponseHeader(name: string, value: string): void {
    (this.responseHeaders ??= new Headers()).append(name, value);
  }
}
