/**
 * The errors the proxy itself answers with (DESIGN.md §5 is this file's spec). Wording and
 * status follow agentgateway so clients and dashboards see the same thing.
 * @module
 */

/** Who caused a failure, for logs and retry decisions (Pingora's ErrorSource). */
export type ErrorSource = "downstream" | "upstream" | "internal";

/** The kinds of failure agw answers itself. */
export type ProxyErrorKind =
  | "badRequest"
  | "clientClosed"
  | "routeNotFound"
  | "noValidBackend"
  | "upstreamCallFailed"
  | "requestTimeout"
  | "internal";

const STATUS: Record<ProxyErrorKind, number> = {
  badRequest: 400,
  // nginx's 499: nobody reads it, but logs and metrics should not count it as agw's failure.
  clientClosed: 499,
  routeNotFound: 404,
  noValidBackend: 500,
  upstreamCallFailed: 503,
  requestTimeout: 504,
  internal: 500,
};

const SOURCE: Record<ProxyErrorKind, ErrorSource> = {
  badRequest: "downstream",
  clientClosed: "downstream",
  routeNotFound: "downstream",
  noValidBackend: "internal",
  upstreamCallFailed: "upstream",
  requestTimeout: "upstream",
  internal: "internal",
};

/** A failure agw answers itself, with a fixed status and a plain-text body. */
export class ProxyError extends Error {
  readonly kind: ProxyErrorKind;
  readonly status: number;
  readonly source: ErrorSource;
  /** Whether another attempt at the upstream could succeed. */
  readonly retryable: boolean;

  constructor(kind: ProxyErrorKind, detail?: string) {
    super(messageFor(kind, detail));
    this.name = "ProxyError";
    this.kind = kind;
    this.status = STATUS[kind];
    this.source = SOURCE[kind];
    this.retryable = kind === "upstreamCallFailed";
  }
}

function messageFor(kind: ProxyErrorKind, detail: string | undefined): string {
  switch (kind) {
    case "badRequest":
      return `bad request${detail ? `: ${detail}` : ""}`;
    case "clientClosed":
      return "client closed the request";
    case "routeNotFound":
      return "route not found";
    case "noValidBackend":
      return "no valid backends";
    case "upstreamCallFailed":
      return `upstream call failed: ${detail ?? "unknown error"}`;
    case "requestTimeout":
      return "request timeout";
    case "internal":
      return `internal error${detail ? `: ${detail}` : ""}`;
  }
}

/** The response for a ProxyError: its status, its message as plain text. */
export function toResponse(error: ProxyError): Response {
  return new Response(error.message, {
    status: error.status,
    headers: { "content-type": "text/plain" },
  });
}
