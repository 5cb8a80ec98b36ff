/** RFC 9110 §7.6.1: hop-by-hop fields that a proxy never forwards. */
const HOP_BY_HOP = [
  "connection",
  "keep-alive",
  "proxy-connection",
  "proxy-authenticate",
  "proxy-authorization",
  "te",
  "trailer",
  "transfer-encoding",
  "upgrade",
];

/** Removes hop-by-hop headers, including any the Connection header names. */
export function stripHopByHop(headers: Headers): void {
  const connection = headers.get("connection");
  if (connection !== null) {
    for (const name of connection.split(",")) {
      const trimmed = name.trim();
      if (trimmed) headers.delete(trimmed);
    }
  }
  for (const name of HOP_BY_HOP) headers.delete(name);
}

/** Sets `x-forwarded-for` (appending the client), `-proto` and `-host` as a reverse proxy does. */
export function setForwardedHeaders(
  headers: Headers,
  info: { clientAddr: string; proto: string; host: string },
): void {
  const prior = headers.get("x-forwarded-for");
  headers.set("x-forwarded-for", prior ? `${prior}, ${info.clientAddr}` : info.clientAddr);
  headers.set("x-forwarded-proto", info.proto);
  if (info.host) headers.set("x-forwarded-host", info.host);
}
