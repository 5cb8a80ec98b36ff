/**
 * The one place that opens connections to upstreams. agw uses node:http(s) agents rather than
 * fetch: fetch cannot send a Host other than the URL's authority, nor verify TLS against a name
 * other than the URL's host (PLATFORM.md), and a gateway needs both. Measured on this machine
 * the two run at the same speed for a 1 KiB response (see docs/architecture.md).
 * @module
 */
import http from "node:http";
import https from "node:https";
import { Readable } from "node:stream";
import { checkServerIdentity } from "node:tls";
import type { TlsSettings } from "./settings.ts";

/** Where an upstream lives. */
export interface UpstreamTarget {
  readonly scheme: "http" | "https";
  readonly hostname: string;
  readonly port: number;
  /** `host:port` as written in a Host header (default ports omitted). */
  readonly authority: string;
}

/** A request as agw sends it upstream. */
export interface OutgoingRequest {
  method: string;
  pathAndQuery: string;
  /** The Host header to send. */
  authority: string;
  headers: Headers;
  body: ReadableStream<Uint8Array> | Uint8Array | null;
  signal: AbortSignal;
}

/** An upstream's answer, with the body still streaming. */
export interface UpstreamResponse {
  status: number;
  headers: Headers;
  body: ReadableStream<Uint8Array> | null;
}

/** A transport failure (no HTTP response): connect refused, DNS, reset, TLS. */
export class TransportError extends Error {
  readonly code: string;
  constructor(message: string, code: string) {
    super(message);
    this.name = "TransportError";
    this.code = code;
  }
}

// RFC 9110 §6.4.1: these statuses never carry content.
const NO_BODY_STATUS = new Set([101, 103, 204, 205, 304]);

/** A keep-alive connection pool to one upstream with one set of TLS settings. */
export class UpstreamClient {
  readonly target: UpstreamTarget;
  readonly #agent: http.Agent;
  readonly #request: typeof http.request;
  readonly #tlsOptions: https.RequestOptions;

  constructor(target: UpstreamTarget, tls: TlsSettings | undefined) {
    this.target = target;
    const isTls = target.scheme === "https";
    this.#tlsOptions = isTls ? tlsRequestOptions(target, tls) : {};
    this.#agent = isTls
      ? new https.Agent(
        { keepAlive: true, maxSockets: 1024, ...this.#tlsOptions } as https.AgentOptions,
      )
      : new http.Agent({ keepAlive: true, maxSockets: 1024 });
    this.#request = isTls ? https.request : http.request;
  }

  /** Sends one request; resolves when response headers arrive, rejects with TransportError. */
  send(outgoing: OutgoingRequest): Promise<UpstreamResponse> {
    return new Promise((resolve, reject) => {
      if (outgoing.signal.aborted) {
        reject(outgoing.signal.reason);
        return;
      }
      const headers: Record<string, string | string[]> = { host: outgoing.authority };
      outgoing.headers.forEach((value, name) => {
        if (name !== "set-cookie") headers[name] = value;
      });
      const cookies = outgoing.headers.getSetCookie();
      if (cookies.length > 0) headers["set-cookie"] = cookies;

      const req = this.#request({
        ...this.#tlsOptions,
        agent: this.#agent,
        host: this.target.hostname,
        port: this.target.port,
        method: outgoing.method,
        path: outgoing.pathAndQuery,
        headers,
      });
      const onAbort = () => req.destroy(outgoing.signal.reason);
      outgoing.signal.addEventListener("abort", onAbort, { once: true });
      let settled = false;
      req.on("response", (res) => {
        settled = true;
        resolve({
          status: res.statusCode ?? 502,
          headers: rawHeadersToHeaders(res.rawHeaders),
          body: NO_BODY_STATUS.has(res.statusCode ?? 0)
            ? (res.resume(), null)
            : toWebStream(res, () => {
              outgoing.signal.removeEventListener("abort", onAbort);
            }),
        });
      });
      req.on("error", (error: Error & { code?: string }) => {
        outgoing.signal.removeEventListener("abort", onAbort);
        if (settled) return;
        settled = true;
        if (outgoing.signal.aborted) reject(outgoing.signal.reason);
        else reject(new TransportError(error.message, error.code ?? "EUNKNOWN"));
      });
      writeBody(req, outgoing.body);
    });
  }

  /** Closes idle connections; in-flight requests finish. */
  close(): void {
    this.#agent.destroy();
  }
}

function tlsRequestOptions(
  target: UpstreamTarget,
  tls: TlsSettings | undefined,
): https.RequestOptions {
  const serverName = tls?.serverName ?? target.hostname;
  const options: https.RequestOptions = {
    servername: isIpAddress(serverName) ? undefined : serverName,
    rejectUnauthorized: !(tls?.insecure ?? false),
  };
  if (tls?.caCerts) options.ca = tls.caCerts;
  if (tls?.cert) options.cert = tls.cert;
  if (tls?.key) options.key = tls.key;
  if (tls?.insecureHost) options.checkServerIdentity = () => undefined;
  else if (tls?.serverName) {
    // Verify against the configured name, not the address we dial.
    options.checkServerIdentity = (_host, cert) => checkServerIdentity(serverName, cert);
  }
  return options;
}

function isIpAddress(host: string): boolean {
  return /^[\d.]+$/.test(host) || host.includes(":");
}

function writeBody(req: http.ClientRequest, body: OutgoingRequest["body"]): void {
  if (body === null) {
    req.end();
  } else if (body instanceof Uint8Array) {
    req.end(body);
  } else {
    const source = Readable.fromWeb(body as import("node:stream/web").ReadableStream);
    source.on("error", (error) => req.destroy(error));
    source.pipe(req);
  }
}

function toWebStream(res: http.IncomingMessage, onDone: () => void): ReadableStream<Uint8Array> {
  res.on("close", onDone);
  return Readable.toWeb(res) as unknown as ReadableStream<Uint8Array>;
}

function rawHeadersToHeaders(raw: string[]): Headers {
  const headers = new Headers();
  for (let i = 0; i + 1 < raw.length; i += 2) headers.append(raw[i]!, raw[i + 1]!);
  return headers;
}

/** Pools clients by upstream identity (address + TLS settings) for one config snapshot. */
export class HttpClientPool {
  readonly #clients = new Map<string, UpstreamClient>();

  /** The shared client for this target and TLS settings, created on first use at load time. */
  clientFor(target: UpstreamTarget, tls: TlsSettings | undefined): UpstreamClient {
    const key = `${target.scheme}://${target.hostname}:${target.port}|${
      tls ? JSON.stringify(tls) : ""
    }`;
    let client = this.#clients.get(key);
    if (!client) {
      client = new UpstreamClient(target, tls);
      this.#clients.set(key, client);
    }
    return client;
  }

  /** Closes every client; called when the snapshot that owns the pool retires. */
  closeAll(): void {
    for (const client of this.#clients.values()) client.close();
    this.#clients.clear();
  }
}
