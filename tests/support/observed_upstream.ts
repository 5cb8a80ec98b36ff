/**
 * An upstream that reports each request as an event: which connection it came on, and when
 * the caller went away. Tests of cancellation wait on these events instead of sleeping.
 * @module
 */

/** One request the upstream received. */
export interface ObservedRequest {
  method: string;
  path: string;
  body: string;
  /** The client port of the connection it came on: equal ports, same connection. */
  remotePort: number;
  /** Resolves when the caller closes the connection before the response ended. */
  readonly closed: Promise<void>;
}

/** A running observed upstream. */
export interface ObservedUpstream {
  readonly address: string;
  /** Requests received so far, in order of arrival. */
  readonly received: readonly ObservedRequest[];
  /** Resolves with the n-th request (1-based) once it has arrived. */
  arrival(n: number): Promise<ObservedRequest>;
  close(): Promise<void>;
}

/** Starts an upstream on 127.0.0.1:0 whose answers `handler` decides. */
export function startObservedUpstream(
  handler: (request: Request, observed: ObservedRequest) => Response | Promise<Response>,
): ObservedUpstream {
  const received: ObservedRequest[] = [];
  const waiters = new Map<number, PromiseWithResolvers<ObservedRequest>>();
  const waiter = (n: number) => {
    let entry = waiters.get(n);
    if (!entry) waiters.set(n, entry = Promise.withResolvers<ObservedRequest>());
    return entry;
  };
  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, async (
    request,
    info,
  ) => {
    const closed = Promise.withResolvers<void>();
    request.signal.addEventListener("abort", () => closed.resolve(), { once: true });
    const observed: ObservedRequest = {
      method: request.method,
      path: new URL(request.url).pathname,
      body: request.body ? await request.text() : "",
      remotePort: info.remoteAddr.port,
      closed: closed.promise,
    };
    received.push(observed);
    waiter(received.length).resolve(observed);
    return await handler(request, observed);
  });
  return {
    address: `127.0.0.1:${server.addr.port}`,
    received,
    arrival: (n) => waiter(n).promise,
    close: () => server.shutdown(),
  };
}

/**
 * Resolves when `promise` does; rejects after `ms` with `what` in the message. A guard that
 * fails a test waiting on an event that never comes, not a sleep: it never delays a pass.
 */
export function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const guard = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: not within ${ms} ms`)), ms);
  });
  return Promise.race([promise, guard]).finally(() => clearTimeout(timer));
}

/**
 * An answer that comes after `ms` unless the caller leaves first: the slow upstream a deadline
 * test needs (the timer is the fault under test, and it is cleared when the caller goes).
 */
export function slowAnswer(request: Request, ms: number, body = "slow"): Promise<Response> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(new Response(body)), ms);
    request.signal.addEventListener("abort", () => {
      clearTimeout(timer);
      resolve(new Response(null, { status: 499 }));
    }, { once: true });
  });
}
