/**
 * Fixed-response upstream for the load benchmark: every request gets the same 1 KiB JSON body.
 *
 * Usage: deno run --allow-net bench/upstream_server.ts [PORT]   (PORT 0 or absent: pick a free one)
 * Prints the port it listens on, so a caller that passed 0 can read it.
 * @module
 */

/** Body size in bytes; 1 KiB is roughly a short LLM completion or a typical API reply. */
const BODY_BYTES = 1024;

/** Builds a JSON document of exactly `size` bytes by padding one string field. */
export function fixedJsonBody(size: number): Uint8Array<ArrayBuffer> {
  const base = { id: "bench-0001", object: "bench.fixture", ok: true, padding: "" };
  const emptyLength = JSON.stringify(base).length;
  const body = JSON.stringify({ ...base, padding: "x".repeat(size - emptyLength) });
  return new TextEncoder().encode(body);
}

function main(args: string[]): void {
  const port = Number(args[0] ?? "0");
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`usage: upstream_server.ts [PORT]  (got ${JSON.stringify(args[0])})`);
    Deno.exit(2);
  }
  // Encoded once: the upstream should cost as little as possible so the proxies are what differs.
  const body = fixedJsonBody(BODY_BYTES);
  Deno.serve({
    hostname: "127.0.0.1",
    port,
    onListen: ({ port }) => console.log(`upstream listening on 127.0.0.1:${port}`),
  }, () => new Response(body, { headers: { "content-type": "application/json" } }));
}

if (import.meta.main) main(Deno.args);
