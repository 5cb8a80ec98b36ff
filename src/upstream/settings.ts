import type { AwsSigningSettings } from "./aws_signer.ts";

/** TLS settings for calling an upstream; part of the upstream client's identity. */
export interface TlsSettings {
  /** PEM root CA(s); undefined uses the system roots. */
  caCerts?: string[];
  /** PEM client certificate and key for mTLS. */
  cert?: string;
  key?: string;
  /** Name for SNI and certificate verification, when not the backend's host. */
  serverName?: string;
  /** Skip certificate verification entirely. */
  insecure: boolean;
  /** Verify the chain but accept any host name. */
  insecureHost: boolean;
}

/** A retry policy, compiled. */
export interface RetrySettings {
  /** Total attempts, including the first. */
  attempts: number;
  backoffMs: number;
  codes: ReadonlySet<number>;
}

/** A request mirror, compiled: the mirror's target and the share of requests copied to it. */
export interface MirrorSettings {
  /** `host` (`h:p` or URL) or the name of a top-level backend; resolved to a client at load. */
  backend: { host: string } | { backend: string };
  /** 0..1 */
  fraction: number;
}

/** Everything about an upstream call that route and backend policies decide at load time. */
export interface UpstreamSettings {
  /** Whole-request deadline, from the moment agw received the request. */
  requestTimeoutMs: number | undefined;
  /** Per-attempt deadline for the upstream to answer with headers. */
  backendRequestTimeoutMs: number | undefined;
  retry: RetrySettings | undefined;
  mirror: MirrorSettings | undefined;
  tls: TlsSettings | undefined;
  /** backendAuth `aws`: sign each request with SigV4 (credentials from config or the environment). */
  aws: AwsSigningSettings | undefined;
}

/** Settings with nothing configured. */
export const NO_UPSTREAM_SETTINGS: UpstreamSettings = {
  requestTimeoutMs: undefined,
  backendRequestTimeoutMs: undefined,
  retry: undefined,
  mirror: undefined,
  tls: undefined,
  aws: undefined,
};

/** Overlays configured fields of `more` onto `base` (later, more specific policies win). */
export function mergeUpstreamSettings(
  base: UpstreamSettings,
  more: Partial<UpstreamSettings> | undefined,
): UpstreamSettings {
  if (!more) return base;
  const out = { ...base };
  for (const key of Object.keys(more) as (keyof UpstreamSettings)[]) {
    if (more[key] !== undefined) (out as Record<string, unknown>)[key] = more[key];
  }
  return out;
}
