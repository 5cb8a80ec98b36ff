import type { UpstreamTarget } from "./http_client_pool.ts";

/**
 * Parses a backend `host`: `h:p`, or a URL whose `https` scheme implies TLS (default ports 80
 * and 443). Plain `h:p` uses TLS when the backend has a backendTLS policy. Returns an error
 * message for anything else.
 */
export function parseHostTarget(host: string, hasTls: boolean): UpstreamTarget | string {
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(host)) {
    let url: URL;
    try {
      url = new URL(host);
    } catch {
      return `expected "host:port" or an http(s) URL, got ${JSON.stringify(host)}`;
    }
    if (url.username !== "" || url.password !== "") {
      return "credentials in a backend URL are not supported: use backendAuth instead";
    }
    if (url.protocol !== "http:" && url.protocol !== "https:") {
      return `unsupported scheme ${
        JSON.stringify(url.protocol.slice(0, -1))
      }: expected http or https`;
    }
    if (url.pathname !== "/" || url.search !== "") {
      return `a path in a backend host is not supported: use urlRewrite.path instead`;
    }
    const scheme = url.protocol === "https:" || hasTls ? "https" : "http";
    const port = url.port === "" ? (url.protocol === "https:" ? 443 : 80) : Number(url.port);
    return makeTarget(scheme, url.hostname, port);
  }
  const match = /^(\[[0-9a-fA-F:.]+\]|[^:/\s]+):(\d{1,5})$/.exec(host);
  if (!match || Number(match[2]) > 65535) {
    return `expected "host:port" or an http(s) URL, got ${JSON.stringify(host)}`;
  }
  return makeTarget(hasTls ? "https" : "http", match[1]!, Number(match[2]));
}

function makeTarget(scheme: "http" | "https", hostname: string, port: number): UpstreamTarget {
  const bare = hostname.replace(/^\[|\]$/g, "");
  const defaultPort = scheme === "https" ? 443 : 80;
  const shown = bare.includes(":") ? `[${bare}]` : bare;
  return {
    scheme,
    hostname: bare,
    port,
    authority: port === defaultPort ? shown : `${shown}:${port}`,
  };
}
