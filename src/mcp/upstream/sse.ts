/**
 * The legacy HTTP+SSE transport towards a target (MCP spec 2024-11-05, "Transports / HTTP with
 * SSE"): a GET opens the target's event stream, whose first `endpoint` event names the URL to
 * POST messages to; every answer comes back on the stream as a `message` event. The stream is
 * this instance's, so a session resumed elsewhere opens a new one.
 * @module
 */
import type { JsonRpcMessage } from "../jsonrpc.ts";
import { readSse, type SseReader } from "../sse_events.ts";
import { discard, exchange, headerOf, withDeadline } from "./http_exchange.ts";
import { ChannelConnection } from "./message_channel.ts";
import { type CallScope, type HttpAddress, TargetError } from "./types.ts";

const encoder = new TextEncoder();

/** One client session's SSE session with one target. */
export class SseConnection extends ChannelConnection {
  readonly #address: HttpAddress;
  #opening: Promise<void> | undefined;
  #postPath: string | undefined;
  #reader: SseReader | undefined;

  constructor(target: string, address: HttpAddress) {
    super(target);
    this.#address = address;
  }

  protected open(scope: CallScope): Promise<void> {
    return this.#opening ??= this.#connect(scope);
  }

  async #connect(scope: CallScope): Promise<void> {
    const response = await exchange(this.target, this.#address, scope, {
      method: "GET",
      headers: { accept: "text/event-stream" },
    });
    const type = headerOf(response, "content-type") ?? "";
    if (response.status !== 200 || !type.includes("text/event-stream")) {
      discard(response.body);
      const error = new TargetError(this.target, `event stream refused (HTTP ${response.status})`);
      this.fail(error.message.slice(error.message.indexOf(": ") + 2));
      throw error;
    }
    const reader = readSse(response.body ?? new Uint8Array());
    this.#reader = reader;
    const { promise: endpoint, resolve } = Promise.withResolvers<string | undefined>();
    (async () => {
      try {
        while (true) {
          const { done, value } = await reader.read();
          if (done) break;
          if (value.event === "endpoint") resolve(value.data.trim());
          else if (value.event === "message") this.#onMessage(value.data);
        }
      } catch {
        // Broken or stopped; reported below.
      }
      resolve(undefined);
      this.fail("the event stream ended");
    })();
    const url = await withDeadline(this.target, scope, endpoint, () => this.#stop());
    const path = url === undefined ? undefined : this.#sameOriginPath(url);
    if (path === undefined) {
      this.#stop();
      const reason = url === undefined
        ? "the event stream ended before its endpoint event"
        : `endpoint ${JSON.stringify(url)} is not on the target's origin`;
      this.fail(reason);
      throw new TargetError(this.target, reason);
    }
    this.#postPath = path;
  }

  /** The endpoint as a path on the target (the spec sends a URI, usually relative). */
  #sameOriginPath(endpoint: string): string | undefined {
    const base = new URL(`http://${this.#address.authority}${this.#address.path}`);
    let url: URL;
    try {
      url = new URL(endpoint, base);
    } catch {
      return undefined;
    }
    if (url.host !== base.host) return undefined;
    return url.pathname + url.search;
  }

  #onMessage(data: string): void {
    try {
      const message = JSON.parse(data);
      if (typeof message === "object" && message !== null) this.receive(message);
    } catch {
      // Not a message; skipped.
    }
  }

  #stop(): void {
    this.#reader?.cancel().catch(() => {});
  }

  protected async write(message: JsonRpcMessage, scope: CallScope | undefined): Promise<void> {
    if (!scope || this.#postPath === undefined) throw new Error("the event stream is not open");
    const response = await exchange(this.target, this.#address, scope, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        accept: "application/json, text/event-stream",
      },
      body: encoder.encode(JSON.stringify(message)),
      pathAndQuery: this.#postPath,
    });
    discard(response.body);
    if (response.status < 200 || response.status >= 300) {
      throw new TargetError(this.target, `message refused (HTTP ${response.status})`);
    }
  }

  protected shut(): Promise<void> {
    this.#stop();
    return Promise.resolve();
  }
}
