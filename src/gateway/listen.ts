/**
 * The only place that calls Deno.serve (runtime adapter): one server per bind port, plus the
 * admin, stats and readiness servers.
 * @module
 */

/** A running server and the port it actually got (port 0 asks the OS for one). */
export interface Listening {
  readonly port: number;
  readonly hostname: string;
  /** Stops accepting; resolves when in-flight requests have finished. */
  shutdown(): Promise<void>;
  /** Resolves when the server has stopped for any reason. */
  readonly finished: Promise<void>;
}

/** A request handler with the client's address. */
export type Handler = (
  request: Request,
  clientIp: string,
  clientPort: number,
) => Response | Promise<Response>;

/**
 * Starts a server; resolves once it listens. TLS when `tls` is given (PEM text): Deno.serve
 * then negotiates HTTP/2 or HTTP/1.1 by ALPN. One certificate per server; no SNI selection.
 */
export function listen(options: {
  hostname: string;
  port: number;
  handler: Handler;
  tls?: { cert: string; key: string } | undefined;
}): Promise<Listening> {
  return new Promise((resolve, reject) => {
    try {
      const server = Deno.serve({
        hostname: options.hostname,
        port: options.port,
        ...(options.tls ?? {}),
        onListen: () => {},
        onError: (error) => {
          // Handlers never throw (proxy catches everything); this is a bug or a broken stream.
          console.error("unhandled error in request handler:", error);
          return new Response("internal error", { status: 500 });
        },
      }, (request, info) => {
        const addr = info.remoteAddr as Deno.NetAddr;
        return options.handler(request, addr.hostname, addr.port);
      });
      const { hostname, port } = server.addr as Deno.NetAddr;
      resolve({ hostname, port, shutdown: () => server.shutdown(), finished: server.finished });
    } catch (error) {
      reject(options.tls ? describeTlsFailure(error) : error);
    }
  });
}

/** Deno.serve's TLS setup errors (`KeyMismatch`, no certificate in the data) in a user's words. */
function describeTlsFailure(error: unknown): unknown {
  const isAddressError = error instanceof Deno.errors.AddrInUse ||
    error instanceof Deno.errors.AddrNotAvailable ||
    error instanceof Deno.errors.PermissionDenied ||
    error instanceof Deno.errors.NotCapable;
  if (!(error instanceof Error) || isAddressError) return error;
  const detail = /KeyMismatch/.test(error.message)
    ? "the private key does not belong to the certificate"
    : error.message;
  return new Error(`Cannot serve TLS with this certificate and key: ${detail}`, { cause: error });
}

/** Splits `host:port` (as in adminAddr); `[::1]:80` keeps the IPv6 host without brackets. */
export function parseListenAddress(address: string): { hostname: string; port: number } {
  const index = address.lastIndexOf(":");
  const host = address.slice(0, index).replace(/^\[|\]$/g, "");
  return { hostname: host === "" ? "0.0.0.0" : host, port: Number(address.slice(index + 1)) };
}
