/**
 * The one seam for what differs between MCP protocol revisions. The multiplexer asks this file,
 * never compares version strings itself, so the next revision (2026-07-28: no `initialize`, no
 * sessions, the version in every request's `_meta`) lands here and in the transports rather
 * than throughout the relay.
 * @module
 */

/** What agw needs to know of one protocol revision. */
export interface ProtocolRevision {
  readonly version: string;
  /** 2025-03-26 allowed JSON-RPC batches (arrays); 2025-06-18 removed them. */
  readonly allowsBatches: boolean;
  /**
   * Whether clients send `MCP-Protocol-Version` on every request after initialize (Streamable
   * HTTP, "Protocol Version Header", from 2025-06-18).
   */
  readonly sendsVersionHeader: boolean;
}

const REVISIONS: readonly ProtocolRevision[] = [
  { version: "2025-11-25", allowsBatches: false, sendsVersionHeader: true },
  { version: "2025-06-18", allowsBatches: false, sendsVersionHeader: true },
  { version: "2025-03-26", allowsBatches: true, sendsVersionHeader: false },
  // The HTTP+SSE era: still spoken by legacy SSE clients and servers.
  { version: "2024-11-05", allowsBatches: true, sendsVersionHeader: false },
];

const BY_VERSION = new Map(REVISIONS.map((revision) => [revision.version, revision]));

/** The newest revision agw speaks: what it offers when a client asks for one it does not know. */
export const LATEST_REVISION: ProtocolRevision = REVISIONS[0]!;

/**
 * Streamable HTTP, "Protocol Version Header": without the header (and no other way to know),
 * a server assumes 2025-03-26.
 */
export const DEFAULT_HEADER_REVISION: ProtocolRevision = BY_VERSION.get("2025-03-26")!;

/** The revision for a version string, if agw speaks it. */
export function revisionOf(version: string): ProtocolRevision | undefined {
  return BY_VERSION.get(version);
}

/**
 * Lifecycle, "Version Negotiation": the server answers with the client's version when it
 * supports it, otherwise with the latest it supports (the client then decides).
 */
export function negotiateRevision(requested: unknown): ProtocolRevision {
  return (typeof requested === "string" && BY_VERSION.get(requested)) || LATEST_REVISION;
}

/**
 * Checks the `MCP-Protocol-Version` of a request after initialize: an unsupported one is a 400
 * (the spec's MUST). Returns the revision, or undefined when the header names none agw speaks.
 */
export function revisionFromHeader(
  header: string | null,
  sessionRevision: ProtocolRevision | undefined,
): ProtocolRevision | undefined {
  if (header === null) return sessionRevision ?? DEFAULT_HEADER_REVISION;
  return BY_VERSION.get(header.trim());
}

/** Every version agw speaks, newest first (for error messages and docs). */
export const SUPPORTED_VERSIONS: readonly string[] = REVISIONS.map((r) => r.version);
