/**
 * The official MCP SDK client, connected through agw over Streamable HTTP or the legacy SSE
 * transport, with typed imports (the SDK's deep imports type as `any` otherwise).
 * @module
 */
// @ts-types="@modelcontextprotocol/sdk/client/index"
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
// @ts-types="@modelcontextprotocol/sdk/client/streamableHttp"
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
// @ts-types="@modelcontextprotocol/sdk/client/sse"
import { SSEClientTransport } from "@modelcontextprotocol/sdk/client/sse.js";

export { Client, SSEClientTransport, StreamableHTTPClientTransport };

/** Client capabilities for tests that answer sampling and elicitation. */
export const ANSWERING = { capabilities: { sampling: {}, elicitation: {} } } as const;

/** A client connected to `url` (…/mcp) over Streamable HTTP. */
export async function connectStreamable(
  url: string,
  options: { capabilities?: Record<string, unknown> } = {},
): Promise<{ client: Client; transport: StreamableHTTPClientTransport }> {
  const client = new Client({ name: "test", version: "1.0.0" }, {
    capabilities: options.capabilities ?? {},
  });
  const transport = new StreamableHTTPClientTransport(new URL(url));
  await client.connect(transport);
  return { client, transport };
}

/** A client connected to `url` (…/sse) over the legacy SSE transport. */
export async function connectLegacy(url: string): Promise<Client> {
  const client = new Client({ name: "test", version: "1.0.0" });
  await client.connect(new SSEClientTransport(new URL(url)));
  return client;
}

/** The names of a list result's items, sorted. */
export function namesOf(items: readonly { name: string }[]): string[] {
  return items.map((item) => item.name).sort();
}

/** Request headers a browser sends without a preflight (Fetch standard, "CORS-safelisted"). */
const SAFELISTED_REQUEST = new Set(["accept", "accept-language", "content-language"]);
const SIMPLE_CONTENT_TYPES =
  /^(application\/x-www-form-urlencoded|multipart\/form-data|text\/plain)\b/i;
/** Response headers a page may read without Access-Control-Expose-Headers. */
const SAFELISTED_RESPONSE = [
  "cache-control",
  "content-language",
  "content-length",
  "content-type",
  "expires",
  "last-modified",
  "pragma",
];

/** A CORS failure, as a browser reports it (a TypeError, no details). */
class CorsBlocked extends TypeError {}

/**
 * A `fetch` that holds to a browser's CORS rules for a page at `origin` (Fetch standard, "CORS
 * protocol"): a preflight before a non-simple request, refused unless it allows the method and
 * headers; a response the page may read only with a matching Access-Control-Allow-Origin, and
 * only its safelisted and exposed headers. Lets the SDK client play a browser-based MCP client.
 */
export function browserFetch(origin: string): typeof fetch {
  return async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = input instanceof Request ? input.url : String(input);
    const method = (init?.method ?? "GET").toUpperCase();
    const headers = new Headers(init?.headers);
    const custom = [...headers.keys()].filter((name) =>
      !SAFELISTED_REQUEST.has(name) &&
      !(name === "content-type" && SIMPLE_CONTENT_TYPES.test(headers.get(name) ?? ""))
    );
    if (custom.length > 0 || !["GET", "HEAD", "POST"].includes(method)) {
      const preflight = await fetch(url, {
        method: "OPTIONS",
        headers: {
          origin,
          "access-control-request-method": method,
          "access-control-request-headers": custom.join(","),
        },
      });
      await preflight.body?.cancel();
      const allowed = (name: string) =>
        (preflight.headers.get(name) ?? "").toLowerCase().split(",").map((v) => v.trim());
      const methods = allowed("access-control-allow-methods");
      const allowedHeaders = allowed("access-control-allow-headers");
      if (
        !allowsOrigin(preflight.headers, origin) ||
        (!["GET", "HEAD", "POST"].includes(method) && !methods.includes(method.toLowerCase()) &&
          !methods.includes("*")) ||
        !custom.every((name) => allowedHeaders.includes(name) || allowedHeaders.includes("*"))
      ) {
        throw new CorsBlocked(`CORS preflight refused ${method} with ${custom.join(",")}`);
      }
    }
    headers.set("origin", origin);
    const response = await fetch(url, { ...init, headers });
    if (!allowsOrigin(response.headers, origin)) {
      await response.body?.cancel();
      throw new CorsBlocked("CORS: no Access-Control-Allow-Origin for this origin");
    }
    const exposed = new Set([
      ...SAFELISTED_RESPONSE,
      ...(response.headers.get("access-control-expose-headers") ?? "").toLowerCase().split(",")
        .map((v) => v.trim()),
    ]);
    const visible = new Headers();
    for (const [name, value] of response.headers) if (exposed.has(name)) visible.set(name, value);
    return new Response(response.body, {
      status: response.status,
      statusText: response.statusText,
      headers: visible,
    });
  };
}

function allowsOrigin(headers: Headers, origin: string): boolean {
  const allowed = headers.get("access-control-allow-origin");
  return allowed === "*" || allowed === origin;
}

/** The SDK client as a browser page at `origin` runs it. */
export async function connectFromBrowser(url: string, origin: string): Promise<Client> {
  const client = new Client({ name: "browser", version: "1.0.0" });
  await client.connect(
    new StreamableHTTPClientTransport(new URL(url), { fetch: browserFetch(origin) }),
  );
  return client;
}
