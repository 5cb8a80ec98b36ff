import { ProxyError } from "../context/mod.ts";

/**
 * The request's URL, checked against its Host header. Routing, the upstream Host and CEL's
 * `request.host` must all mean the same authority: an absolute-form target naming another host,
 * or a Host that is not a plain authority (`a@b`, spaces), is refused with 400.
 */
export function requestUrl(request: Request): URL | ProxyError {
  let url: URL;
  try {
    url = new URL(request.url);
  } catch {
    return new ProxyError("badRequest", "invalid host");
  }
  const host = request.headers.get("host");
  if (host !== null && !sameAuthority(host, url)) {
    return new ProxyError("badRequest", "host mismatch");
  }
  return url;
}

function sameAuthority(host: string, url: URL): boolean {
  const match = /^(\[[0-9a-fA-F:.]+\]|[^\s:@/\[\]]+)(?::(\d{1,5}))?$/.exec(host);
  if (!match) return false;
  const defaultPort = url.protocol === "https:" ? "443" : "80";
  const port = match[2] === undefined || match[2] === "" ? defaultPort : String(Number(match[2]));
  return match[1]!.toLowerCase() === url.hostname.toLowerCase() &&
    port === (url.port || defaultPort);
}
