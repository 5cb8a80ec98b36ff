/**
 * Waits on the in-process gateway's log lines as events, so a test can tell when agw has
 * finished a request (its access line) without sleeping.
 * @module
 */
import { logger } from "../../src/telemetry/mod.ts";
import type { GatewayHarness } from "./gateway_harness.ts";

/** Log lines of a harness, as events. */
export interface LogEvents {
  /** Resolves with the first line from index `from` on that matches; rejects after `ms`. */
  line(pattern: RegExp, options?: { from?: number; ms?: number }): Promise<string>;
}

/** Takes over the harness's log sink: lines still go to `harness.logs`, and waiters hear them. */
export function logEvents(harness: GatewayHarness): LogEvents {
  const waiters = new Set<(line: string) => void>();
  logger.setSink({
    write: (line) => {
      harness.logs.push(line);
      for (const waiter of [...waiters]) waiter(line);
    },
  });
  return {
    line(pattern, { from = 0, ms = 2_000 } = {}) {
      const seen = harness.logs.slice(from).find((line) => pattern.test(line));
      if (seen !== undefined) return Promise.resolve(seen);
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          waiters.delete(waiter);
          reject(new Error(`no log line matching ${pattern} within ${ms} ms`));
        }, ms);
        const waiter = (line: string) => {
          if (!pattern.test(line)) return;
          clearTimeout(timer);
          waiters.delete(waiter);
          resolve(line);
        };
        waiters.add(waiter);
      });
    },
  };
}
