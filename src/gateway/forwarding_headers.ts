import type { HeaderEditor } from "../http/mod.ts";

/** Sets `x-forwarded-for` (appending the client), `-proto` and `-host` as a reverse proxy does. */
export function setForwardedHeaders(
  headers: HeaderEditor,
  info: { clientAddr: string; proto: string; host: string },
): void {
  const prior = headers.get("x-forwarded-for");
  headers.set("x-forwarded-for", prior ? `${prior}, ${info.clientAddr}` : info.clientAddr);
  headers.set("x-forwarded-proto", info.proto);
  if (info.host) headers.set("x-forwarded-host", info.host);
}
