/**
 * The `Mcp-Session-Id` agw hands out: the whole session state (the client's initialize params,
 * each target's upstream session id and protocol version) as base64url JSON, encrypted and
 * authenticated with AES-256-GCM when `config.session.key` is set, as agentgateway does. Any agw
 * instance with the same key can therefore resume a session it never saw.
 * @module
 */

/** What agw remembers of one target within a session. */
export interface TargetSessionState {
  /** The target's name. */
  readonly n: string;
  /** The upstream's own `Mcp-Session-Id` (Streamable HTTP targets that use sessions). */
  readonly s?: string;
  /** The protocol version the upstream answered `initialize` with. */
  readonly pv?: string;
}

/** A session, as carried in its id. Keys are short: the id rides on every request. */
export interface SessionState {
  readonly v: 1;
  /** The protocol version negotiated with the client. */
  readonly pv: string;
  /** The client's `initialize` params, to initialize stdio and SSE targets again elsewhere. */
  readonly c: Record<string, unknown>;
  /** The targets serving this session (failOpen leaves failed ones out). */
  readonly t: readonly TargetSessionState[];
  /** Random: no two sessions share an id. */
  readonly r: string;
}

/** Why an id could not be used: it is not one of ours (400), or it fails authentication (404). */
export type DecodeFailure = "undecodable" | "unauthentic";

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const IV_BYTES = 12;

/** Encodes and decodes session ids, with or without a key. */
export class SessionCodec {
  readonly #key: Promise<CryptoKey> | undefined;

  /** `hexKey`: `config.session.key`, 32 bytes as 64 hex digits. */
  constructor(hexKey: string | undefined) {
    this.#key = hexKey === undefined ? undefined : crypto.subtle.importKey(
      "raw",
      hexToBytes(hexKey),
      { name: "AES-GCM" },
      false,
      ["encrypt", "decrypt"],
    );
  }

  /** The id for a session state. */
  async encode(state: SessionState): Promise<string> {
    const plain = encoder.encode(JSON.stringify(state));
    if (!this.#key) return toBase64Url(plain);
    const iv = crypto.getRandomValues(new Uint8Array(IV_BYTES));
    const sealed = new Uint8Array(
      await crypto.subtle.encrypt({ name: "AES-GCM", iv }, await this.#key, plain),
    );
    const out = new Uint8Array(IV_BYTES + sealed.byteLength);
    out.set(iv);
    out.set(sealed, IV_BYTES);
    return toBase64Url(out);
  }

  /** The state an id carries, or why it carries none. Never throws. */
  async decode(id: string): Promise<SessionState | DecodeFailure> {
    const bytes = fromBase64Url(id);
    if (!bytes) return "undecodable";
    let plain: Uint8Array = bytes;
    if (this.#key) {
      // GCM's 16-byte tag: anything shorter than iv + tag was never ours.
      if (bytes.byteLength < IV_BYTES + 16) return "undecodable";
      try {
        plain = new Uint8Array(
          await crypto.subtle.decrypt(
            { name: "AES-GCM", iv: bytes.subarray(0, IV_BYTES) },
            await this.#key,
            bytes.subarray(IV_BYTES),
          ),
        );
      } catch {
        return "unauthentic";
      }
    }
    try {
      const state = JSON.parse(decoder.decode(plain)) as SessionState;
      return isSessionState(state) ? state : "undecodable";
    } catch {
      return "undecodable";
    }
  }
}

function isSessionState(value: unknown): value is SessionState {
  if (typeof value !== "object" || value === null) return false;
  const state = value as Record<string, unknown>;
  return state.v === 1 && typeof state.pv === "string" && typeof state.c === "object" &&
    state.c !== null && Array.isArray(state.t) &&
    state.t.every((t) => typeof t === "object" && t !== null && typeof t.n === "string");
}

/** Whether `key` is a usable `config.session.key` (32 bytes, hex). */
export function isSessionKey(key: string): boolean {
  return /^[0-9a-fA-F]{64}$/.test(key);
}

function hexToBytes(hex: string): Uint8Array<ArrayBuffer> {
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(i * 2, i * 2 + 2), 16);
  return out;
}

function toBase64Url(bytes: Uint8Array): string {
  let binary = "";
  for (let i = 0; i < bytes.length; i++) binary += String.fromCharCode(bytes[i]!);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function fromBase64Url(text: string): Uint8Array<ArrayBuffer> | undefined {
  if (!/^[A-Za-z0-9_-]+$/.test(text) || text.length % 4 === 1) return undefined;
  const binary = atob(text.replace(/-/g, "+").replace(/_/g, "/"));
  const out = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) out[i] = binary.charCodeAt(i);
  return out;
}
