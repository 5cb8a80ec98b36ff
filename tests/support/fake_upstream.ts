/**
 * Local upstreams for end-to-end tests: an echo server that reports what it received, and a
 * server whose answers a test controls. All listen on 127.0.0.1 port 0.
 * @module
 */

/** What the echo server saw, returned as its JSON body. */
export interface EchoReport {
  method: string;
  path: string;
  host: string | null;
  headers: Record<string, string>;
  body: string;
}

/** A running test upstream. */
export interface TestUpstream {
  readonly port: number;
  readonly address: string;
  /** Requests received so far, in order. */
  readonly received: EchoReport[];
  close(): Promise<void>;
}

/** Starts a server with a custom handler; `received` records every request. */
export function startUpstream(
  handler: (request: Request, report: EchoReport) => Response | Promise<Response>,
  options: { tls?: { cert: string; key: string }; streamBody?: boolean } = {},
): Promise<TestUpstream> {
  const received: EchoReport[] = [];
  const server = Deno.serve({
    hostname: "127.0.0.1",
    port: 0,
    onListen: () => {},
    ...(options.tls ? { cert: options.tls.cert, key: options.tls.key } : {}),
  }, async (request) => {
    const url = new URL(request.url);
    const report: EchoReport = {
      method: request.method,
      path: url.pathname + url.search,
      host: request.headers.get("host"),
      headers: Object.fromEntries(request.headers),
      // With streamBody the handler reads the body itself, as it arrives.
      body: request.body && !options.streamBody ? await request.text() : "",
    };
    received.push(report);
    return handler(request, report);
  });
  const port = (server.addr as Deno.NetAddr).port;
  return Promise.resolve({
    port,
    address: `127.0.0.1:${port}`,
    received,
    close: () => server.shutdown(),
  });
}

/** An echo upstream: answers 200 with the EchoReport as JSON, and `x-upstream: <name>`. */
export function startEchoUpstream(name = "echo"): Promise<TestUpstream> {
  return startUpstream((_request, report) =>
    new Response(JSON.stringify(report), {
      headers: { "content-type": "application/json", "x-upstream": name },
    })
  );
}

/** A promise with its resolve function exposed, for holding a response until a test says so. */
export function deferred<T = void>(): { promise: Promise<T>; resolve: (value: T) => void } {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => (resolve = r));
  return { promise, resolve };
}

/** A port that nothing listens on: bound, read back, closed. */
export function closedPort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return port;
}

/**
 * An SSE upstream that sends `first`, then holds the stream open until `release()`, then sends
 * `second` and ends: for proving a body streams (the client sees `first` before the end).
 */
export async function startHeldStreamUpstream(
  first: string,
  second: string,
): Promise<{ upstream: TestUpstream; release: () => void }> {
  const held = deferred();
  const upstream = await startUpstream(() =>
    new Response(
      new ReadableStream<Uint8Array>({
        async start(controller) {
          controller.enqueue(new TextEncoder().encode(first));
          await held.promise;
          controller.enqueue(new TextEncoder().encode(second));
          controller.close();
        },
      }),
      { headers: { "content-type": "text/event-stream" } },
    )
  );
  return { upstream, release: () => held.resolve() };
}
