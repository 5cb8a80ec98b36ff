/**
 * The floor of a Deno reverse proxy: `Deno.serve` + `fetch`, bodies streamed, nothing else.
 * agw can only be as fast as this; the benchmark reports agw relative to it.
 *
 * Usage: deno run --allow-net bench/bare_proxy.ts PORT TARGET_URL
 * e.g.   deno run --allow-net bench/bare_proxy.ts 18081 http://127.0.0.1:18080
 * @module
 */

/** Returns the path and query of an absolute URL (everything from the first `/` after the host). */
export function pathAndQuery(url: string): string {
  const start = url.indexOf("/", url.indexOf("//") + 2);
  return start === -1 ? "/" : url.slice(start);
}

function main(args: string[]): void {
  const port = Number(args[0]);
  const target = args[1]?.replace(/\/+$/, "");
  if (!Number.isInteger(port) || port < 0 || port > 65535 || target === undefined) {
    console.error("usage: bare_proxy.ts PORT TARGET_URL");
    Deno.exit(2);
  }
  // One client for the process: a client per request costs ~70% (PLATFORM.md, HTTP).
  const client = Deno.createHttpClient({});
  Deno.serve({
    hostname: "127.0.0.1",
    port,
    onListen: ({ port }) => console.log(`bare proxy listening on 127.0.0.1:${port} -> ${target}`),
  }, async (request) => {
    try {
      // No `signal: request.signal`: in Deno 2.9 it logs a legacy-abort warning and costs 10–20%.
      const upstream = await fetch(target + pathAndQuery(request.url), {
        method: request.method,
        headers: request.headers,
        body: request.body,
        client,
        redirect: "manual",
      });
      // fetch() response headers are immutable, so the response is rebuilt around the same stream.
      return new Response(upstream.body, { status: upstream.status, headers: upstream.headers });
    } catch (error) {
      return new Response(`bad gateway: ${(error as Error).message}\n`, { status: 502 });
    }
  });
}

if (import.meta.main) main(Deno.args);
