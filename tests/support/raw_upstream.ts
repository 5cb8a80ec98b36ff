/**
 * A raw TCP upstream for fault tests: `Deno.listen` on 127.0.0.1:0, and a script per connection
 * that writes exact bytes (broken HTTP, partial bodies, silence) and sees when the peer leaves.
 * @module
 */

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** One accepted connection, as a fault script drives it. */
export interface RawConnection {
  readonly conn: Deno.Conn;
  /** Reads up to the end of the request head (`\r\n\r\n`) and returns it as text. */
  readHead(): Promise<string>;
  /** Writes text or bytes, in full (the promise waits while the peer does not read). */
  write(data: string | Uint8Array): Promise<void>;
  /**
   * Reads (and drops) everything else the peer sends; resolves when it closes the connection
   * (end of stream or reset). Call it once the script has read what it needs.
   */
  untilPeerCloses(): Promise<void>;
  /** Closes the connection (idempotent). With unread input the kernel sends a reset. */
  close(): void;
}

/** A running raw upstream. */
export interface RawUpstream {
  readonly address: string;
  readonly port: number;
  /** Connections accepted so far. */
  readonly accepted: number;
  /** Resolves with the n-th script's result (1-based) once that connection's script ended. */
  finished(n: number): Promise<void>;
  /** Stops listening and closes every connection still open. */
  close(): Promise<void>;
}

/** Starts a raw upstream; `script` runs for each connection, which is closed when it returns. */
export function startRawUpstream(
  script: (connection: RawConnection) => Promise<void>,
): RawUpstream {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const open = new Set<RawConnection>();
  const scripts: Promise<void>[] = [];
  const done = new Map<number, PromiseWithResolvers<void>>();
  const doneOf = (n: number) => {
    let entry = done.get(n);
    if (!entry) done.set(n, entry = Promise.withResolvers<void>());
    return entry;
  };
  let accepted = 0;
  const accepting = (async () => {
    for await (const conn of listener) {
      const n = ++accepted;
      const connection = rawConnection(conn);
      open.add(connection);
      const run = script(connection)
        .catch(() => {}) // the peer leaving mid-write is what these tests provoke
        .finally(() => {
          connection.close();
          open.delete(connection);
          doneOf(n).resolve();
        });
      scripts.push(run);
    }
  })().catch(() => {});
  const port = (listener.addr as Deno.NetAddr).port;
  return {
    address: `127.0.0.1:${port}`,
    port,
    get accepted() {
      return accepted;
    },
    finished: (n) => doneOf(n).promise,
    async close() {
      try {
        listener.close();
      } catch { /* already closed */ }
      for (const connection of open) connection.close();
      await accepting;
      await Promise.all(scripts);
    },
  };
}

function rawConnection(conn: Deno.Conn): RawConnection {
  let buffered = new Uint8Array(0);
  let closed = false;
  const append = (chunk: Uint8Array) => {
    const next = new Uint8Array(buffered.byteLength + chunk.byteLength);
    next.set(buffered);
    next.set(chunk, buffered.byteLength);
    buffered = next;
  };
  const readChunk = async (): Promise<Uint8Array | null> => {
    const chunk = new Uint8Array(16_384);
    const n = await conn.read(chunk);
    return n === null ? null : chunk.subarray(0, n);
  };
  return {
    conn,
    async readHead() {
      for (;;) {
        const text = decoder.decode(buffered);
        const end = text.indexOf("\r\n\r\n");
        if (end >= 0) return text.slice(0, end + 4);
        const chunk = await readChunk();
        if (chunk === null) throw new Error("peer closed before the request head ended");
        append(chunk);
      }
    },
    async write(data) {
      const bytes = typeof data === "string" ? encoder.encode(data) : data;
      for (let offset = 0; offset < bytes.byteLength;) {
        offset += await conn.write(bytes.subarray(offset));
      }
    },
    async untilPeerCloses() {
      try {
        while (await readChunk() !== null) { /* drop */ }
      } catch { /* a reset is a close too */ }
    },
    close() {
      if (closed) return;
      closed = true;
      try {
        conn.close();
      } catch { /* already closed */ }
    },
  };
}
