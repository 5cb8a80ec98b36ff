/**
 * Waiting on agw's log lines as events (a stdio child started, exited): tests never sleep.
 * Wraps the logger's sink after the gateway harness installed its own, so both see each line.
 * @module
 */
import { logger } from "../../src/telemetry/mod.ts";
import type { GatewayHarness } from "./gateway_harness.ts";

/** Lines seen, and a way to wait for one. */
export interface LogWatch {
  /** Resolves with the first line (seen or to come) matching `pattern`. */
  waitFor(pattern: RegExp): Promise<string>;
  /** Every line matching `pattern` so far. */
  matching(pattern: RegExp): string[];
}

/** Watches the harness's log lines from now on (and the ones it already has). */
export function watchLogs(gw: GatewayHarness): LogWatch {
  const waiters: { pattern: RegExp; resolve: (line: string) => void }[] = [];
  logger.setSink({
    write(text) {
      for (const line of text.split("\n")) {
        if (line === "") continue;
        gw.logs.push(line);
        for (const waiter of [...waiters]) {
          if (waiter.pattern.test(line)) {
            waiters.splice(waiters.indexOf(waiter), 1);
            waiter.resolve(line);
          }
        }
      }
    },
  });
  return {
    waitFor(pattern) {
      const seen = gw.logs.find((line) => pattern.test(line));
      if (seen) return Promise.resolve(seen);
      return new Promise((resolve) => waiters.push({ pattern, resolve }));
    },
    matching: (pattern) => gw.logs.filter((line) => pattern.test(line)),
  };
}

/** The pid in a `stdio target started … pid=N` line. */
export function pidOf(line: string): number {
  const match = / pid=(\d+)/.exec(line);
  if (!match) throw new Error(`no pid in ${line}`);
  return Number(match[1]);
}

/** Whether a process is still running (Linux: /proc). */
export function isRunning(pid: number): boolean {
  try {
    const status = Deno.readTextFileSync(`/proc/${pid}/status`);
    return !/^State:\s+Z/m.test(status);
  } catch {
    return false;
  }
}
