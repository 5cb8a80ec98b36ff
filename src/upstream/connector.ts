/**
 * How an upstream client dials: plain TCP or TLS with agw's name rules, counted for metrics.
 * @module
 */
import type { ConnectionOptions, PeerCertificate } from "node:tls";
import { checkServerIdentity } from "node:tls";
import { buildConnector } from "undici";
import type { UpstreamTarget } from "./http_client_pool.ts";
import type { TlsSettings } from "./settings.ts";

/** The name a client's TLS handshake verifies (and, unless an IP, sends as SNI). */
export function tlsName(target: UpstreamTarget, tls: TlsSettings | undefined): string {
  return tls?.serverName ?? target.hostname;
}

/**
 * A connector for one upstream client. The TLS name is fixed per client: backendTLS.hostname,
 * else the backend's own host, as in agentgateway's handshake, never the Host header sent
 * (which urlRewrite or a header modifier may have changed; undici's default takes SNI from it).
 * An IP address is verified against the certificate's IP SANs and never sent as SNI.
 */
export function upstreamConnector(
  target: UpstreamTarget,
  tls: TlsSettings | undefined,
  onConnect: (() => void) | undefined,
): buildConnector.connector {
  const isTls = target.scheme === "https";
  const name = tlsName(target, tls);
  // RFC 6066 §3: SNI never carries an IP address.
  const sni = isTls && !isIpAddress(name) ? name : null;
  // HTTP/1.1 only, as before undici: ALPN never offers h2.
  const base = buildConnector({ ...(isTls ? tlsOptions(name, tls) : {}), allowH2: false });
  return (options, callback) => {
    onConnect?.();
    // undici falls back to the SNI of `host` when `servername` is empty: give it the TLS name,
    // so an IP name yields no SNI rather than the backend's DNS name.
    const dial: buildConnector.Options = { ...options, host: name };
    if (sni === null) delete dial.servername;
    else dial.servername = sni;
    return base(dial, callback);
  };
}

function tlsOptions(name: string, tls: TlsSettings | undefined): buildConnector.BuildOptions {
  const options: ConnectionOptions = {
    rejectUnauthorized: !(tls?.insecure ?? false),
    // insecureHost: the chain is still verified (rejectUnauthorized), only the name check goes.
    checkServerIdentity: tls?.insecureHost
      ? () => undefined
      : (_host: string, cert: PeerCertificate) => checkServerIdentity(name, cert),
  };
  if (tls?.caCerts) options.ca = tls.caCerts;
  if (tls?.cert) options.cert = tls.cert;
  if (tls?.key) options.key = tls.key;
  return options as buildConnector.BuildOptions;
}

/** True for an IPv4 or IPv6 literal (bracketless, as `UpstreamTarget.hostname` holds it). */
export function isIpAddress(host: string): boolean {
  return /^[\d.]+$/.test(host) || host.includes(":");
}
