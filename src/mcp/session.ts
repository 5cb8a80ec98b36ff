/**
 * The sessions this instance holds. A session is made by `initialize` here, or resumed from an
 * id another instance made (the id carries the state: session_codec.ts). It lives while used:
 * after `config.mcp.sessionTtl` idle (default 30 minutes) it closes — upstream sessions ended,
 * stdio children stopped — and its id is remembered as ended, so neither it nor a DELETEd one
 * comes back here as a resume.
 * @module
 */
import { logger } from "../telemetry/mod.ts";
import { type RelayBackend, RelaySession } from "./relay.ts";
import type { DecodeFailure, SessionCodec } from "./session_codec.ts";
import type { CallScope } from "./upstream/types.ts";

/** agentgateway's default `sessionTtl`. */
export const DEFAULT_SESSION_TTL_MS = 30 * 60_000;

/** Ended ids remembered at most (oldest forgotten first). */
const ENDED_MAX = 10_000;

/** Why a session id found no session: 400 for an id that is not ours, 404 for an unknown one. */
export type SessionLookupFailure = DecodeFailure | "ended";

interface Entry {
  readonly session: RelaySession;
  timer: ReturnType<typeof setTimeout> | undefined;
  /** The last request's scope: closing an idle session needs headers and a sender. */
  scope: CallScope | undefined;
}

/** Sessions by id, with idle expiry. */
export class SessionRegistry {
  readonly #codec: SessionCodec;
  readonly #ttlMs: number;
  readonly #backend: RelayBackend;
  readonly #live = new Map<string, Entry>();
  readonly #ended = new Set<string>();
  /** Resumes in progress, so two requests at once resume one session, not two. */
  readonly #resuming = new Map<string, Promise<RelaySession | SessionLookupFailure>>();

  constructor(backend: RelayBackend, codec: SessionCodec, ttlMs: number) {
    this.#backend = backend;
    this.#codec = codec;
    this.#ttlMs = ttlMs;
  }

  /** Gives a just-initialized session its id and starts its idle clock. */
  async add(session: RelaySession, scope: CallScope): Promise<string> {
    const id = await this.#codec.encode(await session.snapshotState());
    session.id = id;
    this.#track(id, session, scope);
    return id;
  }

  /** The session an id names: held here, or resumed from the id itself. */
  find(id: string, scope: CallScope): Promise<RelaySession | SessionLookupFailure> {
    const entry = this.#live.get(id);
    if (entry) {
      this.#touch(entry, scope);
      return Promise.resolve(entry.session);
    }
    if (this.#ended.has(id)) return Promise.resolve("ended");
    let resuming = this.#resuming.get(id);
    if (!resuming) {
      resuming = this.#resume(id, scope).finally(() => this.#resuming.delete(id));
      this.#resuming.set(id, resuming);
    }
    return resuming;
  }

  async #resume(id: string, scope: CallScope): Promise<RelaySession | SessionLookupFailure> {
    const state = await this.#codec.decode(id);
    if (typeof state === "string") return state;
    const session = new RelaySession(this.#backend, state);
    session.id = id;
    this.#track(id, session, scope);
    logger.debug("mcp session resumed", { targets: state.t.map((t) => t.n).join(",") });
    return session;
  }

  #track(id: string, session: RelaySession, scope: CallScope): void {
    const entry: Entry = { session, timer: undefined, scope };
    this.#live.set(id, entry);
    this.#arm(id, entry, this.#ttlMs);
  }

  #touch(entry: Entry, scope: CallScope): void {
    entry.session.lastUsedMs = performance.now();
    entry.scope = scope;
  }

  /** Checks idleness when the timer fires; a used session is re-armed for what is left. */
  #arm(id: string, entry: Entry, delayMs: number): void {
    entry.timer = setTimeout(() => {
      const idleMs = performance.now() - entry.session.lastUsedMs;
      if (idleMs >= this.#ttlMs) {
        logger.debug("mcp session expired", { idleMs: Math.round(idleMs) });
        this.end(id, entry.scope);
      } else this.#arm(id, entry, this.#ttlMs - idleMs);
    }, Math.max(1, delayMs));
    // An idle clock must not keep the process alive on its own.
    Deno.unrefTimer(entry.timer as unknown as number);
  }

  /** Ends a session (DELETE, expiry): closes its upstream sessions; the id stays ended. */
  end(id: string, scope: CallScope | undefined): Promise<void> {
    const entry = this.#live.get(id);
    this.#remember(id);
    if (!entry) return Promise.resolve();
    this.#live.delete(id);
    clearTimeout(entry.timer);
    return entry.session.close(scope ?? backgroundScope(entry.scope)).catch(() => {});
  }

  #remember(id: string): void {
    this.#ended.add(id);
    if (this.#ended.size > ENDED_MAX) {
      const oldest = this.#ended.values().next().value;
      if (oldest !== undefined) this.#ended.delete(oldest);
    }
  }

  /** Ends every session (snapshot closed, shutdown): children are stopped. */
  closeAll(): Promise<void> {
    const ids = [...this.#live.keys()];
    return Promise.all(ids.map((id) => this.end(id, undefined))).then(() => {});
  }

  /** Sessions held now (for tests and metrics). */
  get size(): number {
    return this.#live.size;
  }
}

/** How long agw waits for a target to answer the DELETE of a session it ends on its own. */
const BACKGROUND_CLOSE_MS = 5_000;

/**
 * The last request's scope, for ending a session no request is waiting on (expiry, shutdown):
 * same headers, but sent without that request's client signal, which may have fired since.
 */
function backgroundScope(scope: CallScope | undefined): CallScope | undefined {
  if (!scope) return undefined;
  return {
    ...scope,
    deadlineMs: undefined,
    send: (client, request) =>
      client.send({ ...request, signal: undefined, timeoutMs: BACKGROUND_CLOSE_MS }),
  };
}
