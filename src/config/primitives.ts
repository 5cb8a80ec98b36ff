/**
 * Zod building blocks shared by every config schema: durations, addresses, string maps.
 * A leaf module: policy modules import it directly so the config and policy folders do not cycle.
 * @module
 */
import { z } from "zod";

const DURATION_PART = /(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h|d)/y;
const UNIT_MS: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  "µs": 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
  d: 86_400_000,
};

/** Parses Go/humantime-style durations such as `100ms`, `10s`, `1m30s`; undefined when malformed. */
export function parseDurationMs(text: string): number | undefined {
  const trimmed = text.trim();
  if (trimmed === "") return undefined;
  let total = 0;
  DURATION_PART.lastIndex = 0;
  while (DURATION_PART.lastIndex < trimmed.length) {
    const start = DURATION_PART.lastIndex;
    const match = DURATION_PART.exec(trimmed);
    if (!match || match.index !== start) return undefined;
    total += Number(match[1]) * (UNIT_MS[match[2] ?? ""] ?? 0);
  }
  return total;
}

/** Timers cannot wait longer than 2^31-1 ms (about 24.8 days); a longer wait would fire at once. */
const MAX_DURATION_MS = 24 * 86_400_000;

/** A duration string (`"10s"`) parsed once into milliseconds. */
export const durationMs = z.string({ error: 'expected a duration like "10s"' }).transform(
  (text, ctx) => {
    const ms = parseDurationMs(text);
    if (ms !== undefined && ms > MAX_DURATION_MS) {
      ctx.addIssue({
        code: "custom",
        message: `expected a duration of at most 24d, got ${JSON.stringify(text)}`,
      });
      return z.NEVER;
    }
    if (ms === undefined) {
      ctx.addIssue({
        code: "custom",
        message: `expected a duration like "10s", got ${JSON.stringify(text)}`,
      });
      return z.NEVER;
    }
    return ms;
  },
);

/** A map of string to string (header values, labels). */
export const stringMap = z.record(z.string(), z.string());

/** A TCP port number. */
export const port = z.number().int().min(0).max(65535);

/** A string or `{file: path}`: agentgateway's FileOrInline. Files are read when the config compiles. */
export const fileOrInline = z.union([z.string(), z.strictObject({ file: z.string() })]);
export type FileOrInline = z.infer<typeof fileOrInline>;

/** Reads a FileOrInline value. */
export function readFileOrInline(value: FileOrInline): string {
  return typeof value === "string" ? value : Deno.readTextFileSync(value.file);
}

/**
 * An object that must hold exactly one of the `choices` keys (agentgateway's externally tagged
 * enums, like `path: {exact}|{pathPrefix}|{regex}`), plus any `common` keys. Gives one clear
 * error instead of a union's error per branch.
 */
export function exactlyOne<
  Choices extends z.ZodRawShape,
  Common extends z.ZodRawShape = Record<never, never>,
>(
  choices: Choices,
  common?: Common,
) {
  const names = Object.keys(choices);
  const optionalChoices = Object.fromEntries(
    Object.entries(choices).map(([key, schema]) => [key, (schema as z.ZodType).optional()]),
  ) as unknown as { [K in keyof Choices]: z.ZodOptional<Choices[K]> };
  return z.strictObject(
    { ...optionalChoices, ...(common ?? {}) } as typeof optionalChoices & Common,
  )
    .superRefine((value, ctx) => {
      const present = names.filter((name) =>
        (value as Record<string, unknown>)[name] !== undefined
      );
      if (present.length !== 1) {
        ctx.addIssue({
          code: "custom",
          message: present.length === 0
            ? `expected one of: ${names.join(", ")}`
            : `expected only one of: ${names.join(", ")}; got ${present.join(", ")}`,
        });
      }
    });
}
