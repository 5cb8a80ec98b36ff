import type { Config } from "../config/mod.ts";

const SECRET_KEY = /^(key|secret|password|token|clientSecret|apiKey|authorization)$/i;

/**
 * The effective config (defaults applied) as JSON for `/config_dump`, with credentials replaced
 * by `<redacted>`: a config dump is often pasted into bug reports.
 */
export function dumpConfig(config: Config): unknown {
  return redact(config, false);
}

function redact(value: unknown, underAuth: boolean): unknown {
  if (Array.isArray(value)) return value.map((item) => redact(item, underAuth));
  if (value === null || typeof value !== "object") return value;
  const out: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(value)) {
    if (SECRET_KEY.test(key) && (underAuth || key !== "key")) {
      out[key] = "<redacted>";
    } else {
      out[key] = redact(inner, underAuth || key === "backendAuth");
    }
  }
  return out;
}
