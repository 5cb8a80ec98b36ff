/** RFC 9110 §7.6.1: hop-by-hop fields that a proxy never forwards. */
export const HOP_BY_HOP: ReadonlySet<string> = new Set([
  "connection",
  "keep-alive",
  "proxy-connection",
  "proxy-authenticate",
  "proxy-authorization",
  "te",
  "trailer",
  "transfer-encoding",
  "upgrade",
]);

/** HOP_BY_HOP plus the fields a `Connection` header names (RFC 9110 §7.6.1). */
export function hopByHopNames(connection: string | null): ReadonlySet<string> {
  if (connection === null) return HOP_BY_HOP;
  let names: Set<string> | undefined;
  for (const name of connection.split(",")) {
    const trimmed = name.trim().toLowerCase();
    // `Connection: keep-alive` (the common case) names nothing new: share the constant set.
    if (trimmed && !HOP_BY_HOP.has(trimmed)) (names ??= new Set(HOP_BY_HOP)).add(trimmed);
  }
  return names ?? HOP_BY_HOP;
}
