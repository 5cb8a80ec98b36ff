/**
 * The one place that opens connections to upstreams, through undici's `Pool` (one per upstream
 * identity). Not fetch: it cannot send a Host other than the URL's authority, nor verify TLS
 * against a name other than the URL's host. Not node:http: under Deno 2.9.6 its destroy() does
 * not abort a request on a kept-alive socket, and re-sends it on a new one (PLATFORM.md). undici
 * aborts at once and never replays; docs/architecture.md has the measurements.
 * @module
 */
import { type Dispatcher, Pool } from "undici";
import type { HeaderMap } from "../http/mod.ts";
import { logger } from "../telemetry/mod.ts";
import { ConnectionLimit } from "./connection_limit.ts";
import { tlsName, upstreamConnector } from "./connector.ts";
import { ResponseHandler } from "./response_handler.ts";
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
  /** Cancels the call until response headers arrive (the client left, a mirror's limit). */
  signal?: AbortSignal | undefined;
  /** Time allowed until response headers, waiting for a free connection included. */
  timeoutMs?: number | undefined;
}

/** An upstream's answer, with the body still streaming. */
export interface UpstreamResponse {
  status: number;
  /** Header fields in order, hop-by-hop fields already removed. */
  headers: [string, string][];
  /** A stream, or one buffer when the whole body came with the headers. */
  body: ReadableStream<Uint8Array> | Uint8Array<ArrayBuffer> | null;
}

/**
 * A transport failure (no HTTP response): connect refused, DNS, reset, TLS. Besides the socket
 * codes, `EDEADLINE` (no response headers within `timeoutMs`) and `EPOOLFULL` (no free
 * connection under `poolMaxSize` within the wait).
 */
export class TransportError extends Error {
  readonly code: string;
  constructor(message: string, code: string) {
    super(message);
    this.name = "TransportError";
    this.code = code;
  }
}

/**
 * How long a request waits for a free connection when its upstream is at `poolMaxSize`, unless
 * its own deadline is sooner: agentgateway's default `connectTimeout`, the time it allows for
 * getting a connection at all.
 */
export const POOL_WAIT_MS = 10_000;

/** Options for one upstream client. */
export interface UpstreamClientOptions {
  /** Hears of each new connection (reused ones cost nothing). */
  onConnect?: (() => void) | undefined;
  /** `config.backend.poolMaxSize`: connections (so exchanges in flight) at most; none if unset. */
  maxConnections?: number | undefined;
  /** Hears of each request refused because the pool stayed full for its whole wait. */
  onPoolFull?: (() => void) | undefined;
}

/** A keep-alive connection pool to one upstream with one set of TLS settings. */
export class UpstreamClient {
  readonly target: UpstreamTarget;
  readonly #origin: string;
  readonly #poolOptions: Pool.Options;
  #pool: Pool;
  /** After retire(): pools opened for one late request each, closed once it ends. */
  readonly #oneShot = new Set<Pool>();
  #retired = false;
  /** undici takes SNI from the Host header unless told: pin it to the client's TLS name. */
  readonly #servername: string;
  readonly #limit: ConnectionLimit | undefined;
  readonly #onPoolFull: (() => void) | undefined;

  constructor(
    target: UpstreamTarget,
    tls: TlsSettings | undefined,
    options: UpstreamClientOptions = {},
  ) {
    this.target = target;
    const host = target.hostname.includes(":") ? `[${target.hostname}]` : target.hostname;
    this.#origin = `${target.scheme}://${host}:${target.port}`;
    this.#servername = tlsName(target, target.scheme === "https" ? tls : undefined);
    this.#poolOptions = {
      connect: upstreamConnector(target, tls, options.onConnect),
      connections: options.maxConnections ?? null,
      // One request per connection at a time: an aborted request takes only its own connection.
      pipelining: 1,
      // agw's own deadlines rule; undici's 300 s defaults would cut an idle SSE stream.
      headersTimeout: 0,
      bodyTimeout: 0,
    };
    this.#pool = new Pool(this.#origin, this.#poolOptions);
    this.#limit = options.maxConnections === undefined
      ? undefined
      : new ConnectionLimit(options.maxConnections);
    this.#onPoolFull = options.onPoolFull;
  }

  /**
   * Sends one request; resolves when response headers arrive, rejects with TransportError. The
   * call settles at `timeoutMs` (code `EDEADLINE`) or when `signal` aborts, whatever the
   * connection does; the abandoned exchange's connection is closed, never reused.
   */
  send(outgoing: OutgoingRequest): Promise<UpstreamResponse> {
    const { signal, timeoutMs } = outgoing;
    if (signal?.aborted) return Promise.reject(signal.reason);
    const started = timeoutMs === undefined ? 0 : performance.now();
    const { promise, resolve, reject } = Promise.withResolvers<UpstreamResponse>();
    let timer: ReturnType<typeof setTimeout> | undefined;
    const onAbort = () => handler.abort(signal!.reason);
    const cleanup = () => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", onAbort);
    };
    const limit = this.#limit;
    const handler = new ResponseHandler(
      (response) => (cleanup(), resolve(response)),
      (error) => (cleanup(), reject(error)),
      () => limit?.release(),
    );
    signal?.addEventListener("abort", onAbort, { once: true });
    const dispatch = () => {
      if (timeoutMs !== undefined) {
        const left = Math.max(0, timeoutMs - (performance.now() - started));
        timer = setTimeout(() => {
          handler.abort(new TransportError(`no response within ${timeoutMs} ms`, "EDEADLINE"));
        }, left);
      }
      this.#dispatch(outgoing, handler);
    };
    if (!limit || limit.tryAcquire()) {
      dispatch();
      return promise;
    }
    // The pool is at poolMaxSize: wait for a connection, as long as the deadline allows.
    const waitMs = Math.min(POOL_WAIT_MS, timeoutMs ?? POOL_WAIT_MS);
    limit.wait(waitMs, signal).then((outcome) => {
      if (outcome === "acquired") {
        if (handler.settled) limit.release();
        else dispatch();
      } else if (outcome === "timeout") {
        logger.warn("upstream connection pool full; request refused", {
          endpoint: `${this.target.hostname}:${this.target.port}`,
          poolMaxSize: limit.max,
          waitedMs: waitMs,
        });
        this.#onPoolFull?.();
        handler.abort(new TransportError("connection pool full", "EPOOLFULL"));
      }
      // "aborted": onAbort has already settled the call.
    });
    return promise;
  }

  #dispatch(outgoing: OutgoingRequest, handler: ResponseHandler): void {
    const headers = outgoing.headers.record;
    headers.host = outgoing.authority;
    // Deno.serve has already answered any 100-continue; undici refuses to send Expect.
    delete headers.expect;
    // The framing follows the body agw sends, never a length the client (or a policy that
    // replaced the body) left behind: a wrong length would desync the upstream connection.
    const body = outgoing.body;
    if (body instanceof Uint8Array) headers["content-length"] = String(body.byteLength);
    else if (body === null) delete headers["content-length"];
    const options = {
      path: outgoing.pathAndQuery,
      method: outgoing.method,
      headers,
      body: body as Uint8Array | AsyncIterable<Uint8Array> | null,
      servername: this.#servername,
    } as Dispatcher.DispatchOptions;
    let pool = this.#pool;
    if (this.#retired) {
      // A retired snapshot's late request (a retry, a mirror) gets a connection of its own.
      pool = new Pool(this.#origin, this.#poolOptions);
      this.#oneShot.add(pool);
    }
    pool.dispatch(options, handler);
    if (pool !== this.#pool) {
      pool.close().catch(() => {}).finally(() => this.#oneShot.delete(pool));
    }
  }

  /** Closes every connection, in use or idle (process shutdown, after the drain). */
  close(): void {
    this.#retired = true;
    this.#pool.destroy().catch(() => {});
    for (const pool of this.#oneShot) pool.destroy().catch(() => {});
  }

  /**
   * Stops reusing connections: idle ones close now, busy ones close when their response ends.
   * A retired snapshot's requests (a long SSE stream, say) are never cut off.
   */
  retire(): void {
    if (this.#retired) return;
    this.#retired = true;
    this.#pool.close().catch(() => {});
  }
}

/** `config.backend` settings that apply to every client of a pool. */
export interface PoolSettings {
  /** `config.backend.poolMaxSize`: connections per upstream at most; unlimited if unset. */
  poolMaxSize?: number | undefined;
  /** Hears of each request refused because an upstream's pool stayed full, by `host:port`. */
  onPoolFull?: ((endpoint: string) => void) | undefined;
}

/** Pools clients by upstream identity (address + TLS settings) for one config snapshot. */
export class HttpClientPool {
  readonly #clients = new Map<string, UpstreamClient>();
  readonly #onConnect: ((endpoint: string) => void) | undefined;
  readonly #settings: PoolSettings;

  /** `onConnect` hears of each new upstream connection, by `host:port` (for metrics). */
  constructor(onConnect?: (endpoint: string) => void, settings: PoolSettings = {}) {
    this.#onConnect = onConnect;
    this.#settings = settings;
  }

  /** The shared client for this target and TLS settings, created on first use at load time. */
  clientFor(target: UpstreamTarget, tls: TlsSettings | undefined): UpstreamClient {
    const key = `${target.scheme}://${target.hostname}:${target.port}|${
      tls ? JSON.stringify(tls) : ""
    }`;
    let client = this.#clients.get(key);
    if (!client) {
      const endpoint = `${target.hostname}:${target.port}`;
      const { onPoolFull, poolMaxSize } = this.#settings;
      const onConnect = this.#onConnect;
      client = new UpstreamClient(target, tls, {
        onConnect: onConnect && (() => onConnect(endpoint)),
        maxConnections: poolMaxSize,
        onPoolFull: onPoolFull && (() => onPoolFull(endpoint)),
      });
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
