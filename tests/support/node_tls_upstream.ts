/**
 * A TLS upstream on node:https, for what `Deno.serve` cannot do: require a client certificate
 * (mTLS) and report the SNI name the client sent. Listens on 127.0.0.1 port 0.
 * @module
 */
import https from "node:https";
import type { TLSSocket } from "node:tls";

/** What the upstream saw of one request and its TLS connection. */
export interface TlsRequestReport {
  method: string;
  path: string;
  host: string | null;
  headers: Record<string, string>;
  /** The SNI name, or null when the client sent none (as for an IP address, RFC 6066 §3). */
  serverName: string | null;
  /** The client certificate's subject CN, or null without one. */
  clientCertCn: string | null;
}

/** A running node:https upstream. */
export interface NodeTlsUpstream {
  readonly port: number;
  readonly address: string;
  readonly received: TlsRequestReport[];
  close(): Promise<void>;
}

/**
 * Starts a node:https server answering 200 `ok`. With `clientCa`, it requires a client
 * certificate signed by that CA and rejects the handshake without one.
 */
export async function startNodeTlsUpstream(
  options: { cert: string; key: string; clientCa?: string },
): Promise<NodeTlsUpstream> {
  const received: TlsRequestReport[] = [];
  const server = https.createServer({
    cert: options.cert,
    key: options.key,
    ...(options.clientCa &&
      { ca: [options.clientCa], requestCert: true, rejectUnauthorized: true }),
  }, (req, res) => {
    const socket = req.socket as TLSSocket & { servername?: unknown };
    const peer = options.clientCa ? socket.getPeerCertificate() : undefined;
    received.push({
      method: req.method ?? "",
      path: req.url ?? "",
      host: req.headers.host ?? null,
      headers: Object.fromEntries(
        Object.entries(req.headers).map(([name, value]) => [name, String(value)]),
      ),
      serverName: typeof socket.servername === "string" && socket.servername !== ""
        ? socket.servername
        : null,
      clientCertCn: typeof peer?.subject?.CN === "string" ? peer.subject.CN : null,
    });
    req.resume();
    req.on("end", () => res.end("ok"));
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const port = (server.address() as { port: number }).port;
  return {
    port,
    address: `127.0.0.1:${port}`,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        // Idle keep-alive connections would hold close() open until they time out.
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
