/**
 * Batches log lines and writes them in one syscall per event-loop turn: under load an access
 * line per request would otherwise cost a blocking write each.
 * @module
 */
const encoder = new TextEncoder();

/** Where log text goes; tests swap it to capture lines. */
export interface LogSink {
  write(text: string): void;
}

class StdoutSink implements LogSink {
  #pending: string[] = [];
  #scheduled = false;

  write(text: string): void {
    this.#pending.push(text);
    if (!this.#scheduled) {
      this.#scheduled = true;
      setTimeout(() => this.flush(), 0);
    }
  }

  flush(): void {
    this.#scheduled = false;
    if (this.#pending.length === 0) return;
    const bytes = encoder.encode(this.#pending.join(""));
    this.#pending = [];
    let offset = 0;
    try {
      while (offset < bytes.length) offset += Deno.stdout.writeSync(bytes.subarray(offset));
    } catch {
      // stdout closed (the parent went away): nothing useful left to do with the line.
    }
  }
}

/** The process-wide stdout sink. */
export const stdoutSink = new StdoutSink();

/** Writes any pending lines now (before exit). */
export function flushLogs(): void {
  stdoutSink.flush();
}
