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
import { type HeaderMap, hopByHopNames } from "../http/mod.ts";
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
  /** Without Host and hop-by-hop fields. */
  headers: HeaderMap;
  body: ReadableStream<Uint8Array> | Uint8Array | null;
  signal?: AbortSignal | undefined;
}

/** An upstream's answer, with the body still streaming. */
export interface UpstreamResponse {
  status: number;
  /** Header fields in order, hop-by-hop fields already removed. */
  headers: [string, string][];
  /** A stream, or one buffer when the whole body came with the headers. */
  body: ReadableStream<Uint8Array> | Uint8Array<ArrayBuffer> | null;
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

  constructor(target: UpstreamTarget, tls: TlsSettings | undefined, onConnect?: () => void) {
    this.target = target;
    const isTls = target.scheme === "https";
    this.#tlsOptions = isTls ? tlsRequestOptions(target, tls) : {};
    this.#agent = isTls
      ? new https.Agent(
        { keepAlive: true, maxSockets: 1024, ...this.#tlsOptions } as https.AgentOptions,
      )
      : new http.Agent({ keepAlive: true, maxSockets: 1024 });
    if (onConnect) countConnections(this.#agent, onConnect);
    this.#request = isTls ? https.request : http.request;
  }

  /** Sends one request; resolves when response headers arrive, rejects with TransportError. */
  send(outgoing: OutgoingRequest): Promise<UpstreamResponse> {
    return new Promise((resolve, reject) => {
      const signal = outgoing.signal;
      if (signal?.aborted) {
        reject(signal.reason);
        return;
      }
      const headers = outgoing.headers.record;
      headers.host = outgoing.authority;
      // The framing follows the body agw sends, never a length the client (or a policy that
      // replaced the body) left behind: a wrong length would desync the upstream connection.
      const body = outgoing.body;
      if (body instanceof Uint8Array) headers["content-length"] = String(body.byteLength);
      else if (body === null) delete headers["content-length"];

      const req = this.#request({
        ...this.#tlsOptions,
        agent: this.#agent,
        host: this.target.hostname,
        port: this.target.port,
        method: outgoing.method,
        path: outgoing.pathAndQuery,
        headers,
      });
      const onAbort = () => req.destroy(signal?.reason);
      signal?.addEventListener("abort", onAbort, { once: true });
      let settled = false;
      req.on("response", (res) => {
        settled = true;
        signal?.removeEventListener("abort", onAbort);
        const status = res.statusCode ?? 502;
        const headers = responseHeaderPairs(res.rawHeaders);
        if (NO_BODY_STATUS.has(status)) {
          res.resume();
          resolve({ status, headers, body: null });
          return;
        }
        // The parser is still inside the packet that carried the headers. If that packet also
        // held the whole body, hand it over as one buffer (no stream to wrap); otherwise stream.
        // Nothing waits for the network here: a body still in flight is always streamed.
        queueMicrotask(() => {
          resolve({
            status,
            headers,
            body: res.complete ? takeBufferedBody(res) : toWebStream(res),
          });
        });
      });
      req.on("error", (error: Error & { code?: string }) => {
        signal?.removeEventListener("abort", onAbort);
        if (settled) return;
        settled = true;
        if (signal?.aborted) reject(signal.reason);
        else reject(new TransportError(error.message, error.code ?? "EUNKNOWN"));
      });
      writeBody(req, outgoing.body);
    });
  }

  /** Closes every connection, in use or idle (process shutdown, after the drain). */
  close(): void {
    this.#agent.destroy();
  }

  /**
   * Stops reusing connections: idle ones close now, busy ones close when their response ends.
   * A retired snapshot's requests (a long SSE stream, say) are never cut off.
   */
  retire(): void {
    (this.#agent as http.Agent & { keepAlive: boolean }).keepAlive = false;
    for (const sockets of Object.values(this.#agent.freeSockets)) {
      for (const socket of sockets ?? []) socket.destroy();
    }
  }
}

/**
 * Node TLS options for one upstream. The TLS name is backendTLS.hostname, else the backend's own
 * host, as in agentgateway's handshake: never the Host header sent, which urlRewrite or a header
 * modifier may have changed. An IP address is verified against the certificate's IP SANs.
 */
function tlsRequestOptions(
  target: UpstreamTarget,
  tls: TlsSettings | undefined,
): https.RequestOptions {
  const serverName = tls?.serverName ?? target.hostname;
  const options: https.RequestOptions = {
    // RFC 6066 §3: SNI never carries an IP address. "" rather than undefined: given undefined,
    // node's agent takes the SNI (and so the name it verifies) from the Host header.
    servername: isIpAddress(serverName) ? "" : serverName,
    rejectUnauthorized: !(tls?.insecure ?? false),
    // insecureHost: the chain is still verified (rejectUnauthorized), only the name check goes.
    checkServerIdentity: tls?.insecureHost
      ? () => undefined
      : (_host, cert) => checkServerIdentity(serverName, cert),
  };
  if (tls?.caCerts) options.ca = tls.caCerts;
  if (tls?.cert) options.cert = tls.cert;
  if (tls?.key) options.key = tls.key;
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

/** Reads a response whose body the parser has already fully buffered, and lets the socket go. */
function takeBufferedBody(res: http.IncomingMessage): Uint8Array<ArrayBuffer> {
  const chunk = res.read() as Uint8Array<ArrayBuffer> | null;
  res.resume();
  return chunk ?? new Uint8Array(0);
}

/**
 * Wraps a node response as a web stream with backpressure: node pauses when the web side's
 * queue is full; cancelling (the client went away) destroys the upstream connection.
 */
function toWebStream(res: http.IncomingMessage): ReadableStream<Uint8Array> {
  // Once cancelled or finished, node may still emit (a late chunk, the destroy's error): ignore it.
  let done = false;
  return new ReadableStream<Uint8Array>({
    start(controller) {
      res.on("data", (chunk: Uint8Array) => {
        if (done) return;
        controller.enqueue(chunk);
        if ((controller.desiredSize ?? 0) <= 0) res.pause();
      });
      res.on("end", () => {
        if (done) return;
        done = true;
        controller.close();
      });
      res.on("error", (error) => {
        if (done) return;
        done = true;
        controller.error(error);
      });
      res.on("close", () => {
        // Closed without end or error: the upstream connection dropped mid-body.
        if (done) return;
        done = true;
        controller.error(
          new TransportError("upstream closed the connection mid-body", "ECONNRESET"),
        );
      });
    },
    pull() {
      res.resume();
    },
    cancel() {
      done = true;
      res.destroy();
    },
  }, { highWaterMark: 65536, size: (chunk) => chunk.byteLength });
}

/** Header pairs from node's raw list, without hop-by-hop fields. */
function responseHeaderPairs(raw: string[]): [string, string][] {
  let connection: string | null = null;
  for (let i = 0; i < raw.length; i += 2) {
    if (raw[i]!.length === 10 && raw[i]!.toLowerCase() === "connection") connection = raw[i + 1]!;
  }
  const skip = hopByHopNames(connection);
  const pairs: [string, string][] = [];
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i]!;
    if (!skip.has(name.toLowerCase())) pairs.push([name, raw[i + 1]!]);
  }
  return pairs;
}

/** Calls `onConnect` for every new connection the agent opens (reused ones cost nothing). */
function countConnections(agent: http.Agent, onConnect: () => void): void {
  type Create = (this: unknown, ...args: unknown[]) => unknown;
  const holder = agent as unknown as { createConnection?: Create };
  const create = holder.createConnection;
  if (typeof create !== "function") return;
  holder.createConnection = function (this: unknown, ...args: unknown[]) {
    onConnect();
    return create.apply(this, args);
  };
}

/** Pools clients by upstream identity (address + TLS settings) for one config snapshot. */
export class HttpClientPool {
  readonly #clients = new Map<string, UpstreamClient>();
  readonly #onConnect: ((endpoint: string) => void) | undefined;

  /** `onConnect` hears of each new upstream connection, by `host:port` (for metrics). */
  constructor(onConnect?: (endpoint: string) => void) {
    this.#onConnect = onConnect;
  }

  /** The shared client for this target and TLS settings, created on first use at load time. */
  clientFor(target: UpstreamTarget, tls: TlsSettings | undefined): UpstreamClient {
    const key = `${target.scheme}://${target.hostname}:${target.port}|${
      tls ? JSON.stringify(tls) : ""
    }`;
    let client = this.#clients.get(key);
    if (!client) {
      const endpoint = `${target.hostname}:${target.port}`;
      const onConnect = this.#onConnect;
      client = new UpstreamClient(target, tls, onConnect && (() => onConnect(endpoint)));
      this.#clients.set(key, client);
    }
    return client;
  }

  /** Retires every client: no new connections, busy ones finish (after a reload). */
  retireAll(): void {
    for (const client of this.#clients.values()) client.retire();
  }

  /** Closes every client; called at shutdown or when a snapshot never served. */
  closeAll(): void {
    for (const client of this.#clients.values()) client.close();
    this.#clients.clear();
  }
}
