import type { Config } from "../config/mod.ts";

/** The placeholder a credential becomes in a dump. */
export const REDACTED = "<redacted>";

/** Keys whose value is a credential wherever they appear (header names included). */
const SECRET_NAME =
  /^(secret|clientSecret|password|token|accessToken|apiKey|api[-_]key|x-api-key|authorization|proxy-authorization|cookie|set-cookie|htpasswd)$/i;

/** Policies in which `key` / `keys` hold credentials (elsewhere, as in `tls.key`, a file path). */
const KEY_HOLDERS = new Set(["backendAuth", "apiKey", "apiKeys", "session"]);

/** Text that is a private key, whatever key it sits under (an inlined PEM). */
const PRIVATE_KEY_PEM = /-----BEGIN [A-Z ]*PRIVATE KEY-----/;

/**
 * The effective config (defaults applied) as JSON for `/config_dump`, with credentials replaced
 * by `<redacted>`: a config dump is often pasted into bug reports.
 */
export function dumpConfig(config: Config): unknown {
  return redact(config, false);
}

/** `scheme://user:password@host`: the userinfo of a URL. */
const URL_USERINFO = /^([a-z][a-z0-9+.-]*:\/\/)[^/@\s]+@/i;

function redact(value: unknown, inKeyHolder: boolean): unknown {
  if (typeof value === "string") {
    if (PRIVATE_KEY_PEM.test(value)) return REDACTED;
    return value.replace(URL_USERINFO, `$1${REDACTED}@`);
  }
  if (Array.isArray(value)) return value.map((item) => redact(item, inKeyHolder));
  if (value === null || typeof value !== "object") return value;
  const out: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(value)) {
    if (inKeyHolder && key === "key") {
      out[key] = REDACTED; // A string, `{file}` or `{value, location}`: all of it goes.
    } else if (inKeyHolder && key === "keys" && Array.isArray(inner)) {
      out[key] = inner.map((item) => typeof item === "string" ? REDACTED : redact(item, true));
    } else if (SECRET_NAME.test(key) && (inner === null || typeof inner !== "object")) {
      out[key] = REDACTED;
    } else if (
      key === "headers" && inner !== null && typeof inner === "object" && !Array.isArray(inner)
    ) {
      // Headers sent to a collector or backend (`tracing.headers`) are credentials more often than not.
      out[key] = Object.fromEntries(Object.keys(inner).map((name) => [name, REDACTED]));
    } else {
      out[key] = redact(inner, inKeyHolder || KEY_HOLDERS.has(key));
    }
  }
  return out;
}
