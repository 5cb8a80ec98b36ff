/**
 * `config.backend.poolMaxSize` for one upstream client: at most `max` exchanges at once (one per
 * connection, as agw never pipelines), and a bounded wait for the next free one.
 * @module
 */

/** What a wait for a free connection ended with. */
export type SlotWait = "acquired" | "timeout" | "aborted";

/** A counting semaphore with a FIFO of bounded waits. */
export class ConnectionLimit {
  readonly max: number;
  #active = 0;
  /** Waiters in arrival order; each is called with true when handed a slot. */
  readonly #waiters = new Set<(acquired: boolean) => void>();

  constructor(max: number) {
    this.max = max;
  }

  /** Takes a slot if one is free. */
  tryAcquire(): boolean {
    if (this.#active >= this.max) return false;
    this.#active++;
    return true;
  }

  /** Waits up to `waitMs` for a slot; `signal` ends the wait early (the slot is not taken). */
  wait(waitMs: number, signal: AbortSignal | undefined): Promise<SlotWait> {
    if (this.tryAcquire()) return Promise.resolve("acquired");
    return new Promise((resolve) => {
      const finish = (outcome: SlotWait) => {
        clearTimeout(timer);
        signal?.removeEventListener("abort", onAbort);
        this.#waiters.delete(waiter);
        resolve(outcome);
      };
      // Handed a slot by release(): the count already includes it.
      const waiter = () => finish("acquired");
      const onAbort = () => finish("aborted");
      const timer = setTimeout(() => finish("timeout"), waitMs);
      signal?.addEventListener("abort", onAbort, { once: true });
      this.#waiters.add(waiter);
    });
  }

  /** Gives a slot back, straight to the longest waiter if there is one. */
  release(): void {
    const next = this.#waiters.values().next();
    if (next.done) this.#active--;
    else next.value(true);
  }
}
