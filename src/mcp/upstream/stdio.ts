/**
 * The stdio transport (MCP spec, "Transports / stdio"): agw starts the target's program, one
 * child per client session, and exchanges newline-delimited JSON-RPC on its stdin and stdout.
 * The child's stderr goes to agw's log. The child lives as long as its session: it is stopped
 * when the session is deleted, expires or agw shuts down (stdin closed first, as the spec's
 * shutdown sequence asks, then SIGTERM, then SIGKILL). A child that cannot start or exits fails
 * its requests with an error naming the target, never a hang.
 * @module
 */
import { logger } from "../../telemetry/mod.ts";
import type { JsonRpcMessage } from "../jsonrpc.ts";
import { ChannelConnection } from "./message_channel.ts";
import type { CallScope, CompiledTarget } from "./types.ts";

type StdioTarget = Extract<CompiledTarget, { kind: "stdio" }>;

/** How long a child gets to exit after stdin closes, and again after SIGTERM. */
const EXIT_GRACE_MS = 2_000;
/** Longest line agw reads from a child before calling it broken. */
const MAX_LINE_CHARS = 16 * 1024 * 1024;

const encoder = new TextEncoder();

/** One client session's child process for one stdio target. */
export class StdioConnection extends ChannelConnection {
  readonly #spec: StdioTarget;
  #child: Deno.ChildProcess | undefined;
  #stdin: WritableStreamDefaultWriter<Uint8Array> | undefined;
  #opening: Promise<void> | undefined;
  #exited: Promise<Deno.CommandStatus> | undefined;

  constructor(spec: StdioTarget) {
    super(spec.name);
    this.#spec = spec;
  }

  /** The child's process id, once started. */
  get pid(): number | undefined {
    return this.#child?.pid;
  }

  protected open(_scope: CallScope): Promise<void> {
    return this.#opening ??= this.#spawn();
  }

  #spawn(): Promise<void> {
    const spec = this.#spec;
    let child: Deno.ChildProcess;
    try {
      child = new Deno.Command(spec.cmd, {
        args: [...spec.args],
        env: { ...spec.env },
        clearEnv: spec.clearEnv,
        stdin: "piped",
        stdout: "piped",
        stderr: "piped",
      }).spawn();
    } catch (error) {
      const reason = `could not start ${JSON.stringify(spec.cmd)}: ${(error as Error).message}`;
      logger.warn("stdio target failed to start", { target: spec.name, error: reason });
      this.fail(reason);
      return Promise.resolve();
    }
    this.#child = child;
    this.#stdin = child.stdin.getWriter();
    logger.info("stdio target started", { target: spec.name, pid: child.pid });
    this.#readLines(child.stdout, (line) => this.#onLine(line));
    this.#readLines(child.stderr, (line) => {
      logger.info("stdio target stderr", { target: spec.name, pid: child.pid, line });
    });
    this.#exited = child.status.then((status) => {
      logger.info("stdio target exited", {
        target: spec.name,
        pid: child.pid,
        code: status.code,
        signal: status.signal ?? undefined,
      });
      this.fail(
        status.signal
          ? `the process exited on ${status.signal}`
          : `the process exited (code ${status.code})`,
      );
      return status;
    });
    return Promise.resolve();
  }

  #onLine(line: string): void {
    if (line.trim() === "") return;
    let message: unknown;
    try {
      message = JSON.parse(line);
    } catch {
      // Not JSON-RPC (a banner printed to stdout): the spec forbids it; log and go on.
      logger.debug("stdio target wrote a non-JSON line", { target: this.target, line });
      return;
    }
    if (typeof message === "object" && message !== null) this.receive(message as JsonRpcMessage);
  }

  async #readLines(stream: ReadableStream<Uint8Array>, onLine: (line: string) => void) {
    let buffered = "";
    try {
      for await (const text of stream.pipeThrough(new TextDecoderStream())) {
        buffered += text;
        let newline: number;
        while ((newline = buffered.indexOf("\n")) >= 0) {
          onLine(buffered.slice(0, newline).replace(/\r$/, ""));
          buffered = buffered.slice(newline + 1);
        }
        if (buffered.length > MAX_LINE_CHARS) {
          this.fail("the process wrote a line too long to be a message");
          buffered = "";
        }
      }
      if (buffered !== "") onLine(buffered);
    } catch {
      // The child is gone; its exit is reported by `status`.
    }
  }

  protected async write(message: JsonRpcMessage): Promise<void> {
    if (!this.#stdin) throw new Error("the process is not running");
    await this.#stdin.write(encoder.encode(JSON.stringify(message) + "\n"));
  }

  protected async shut(): Promise<void> {
    const child = this.#child;
    const exited = this.#exited;
    if (!child || !exited) return;
    await this.#stdin?.close().catch(() => {});
    if (await settlesWithin(exited, EXIT_GRACE_MS)) return;
    signal(child, "SIGTERM");
    if (await settlesWithin(exited, EXIT_GRACE_MS)) return;
    signal(child, "SIGKILL");
    await exited;
  }
}

function signal(child: Deno.ChildProcess, name: Deno.Signal): void {
  try {
    child.kill(name);
  } catch {
    // Already exited.
  }
}

async function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  try {
    return await Promise.race([promise.then(() => true), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
