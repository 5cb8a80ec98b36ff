/**
 * Conformance adapter for `@marcbachmann/cel-js` (kept separate so the unit test only loads the
 * chosen engine).
 */
import { Environment as MarcEnvironment } from "@marcbachmann/cel-js";
import { Duration as MarcDuration, UnsignedInt as MarcUint } from "@marcbachmann/cel-js/evaluator";
import { type Canon, type CelEngineAdapter, type Outcome, protoToJs } from "./conformance_lib.ts";

/** Version pinned in deno.json (kept here for reports). */
export const MARC_VERSION = "8.0.0";

function errMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

function isPlainObject(v: object): v is Record<string, unknown> {
  const proto = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

export function canonFromMarc(v: unknown): Canon {
  switch (typeof v) {
    case "bigint":
      return { k: "int", v };
    case "number":
      return { k: "double", v };
    case "string":
      return { k: "string", v };
    case "boolean":
      return { k: "bool", v };
  }
  if (v === null) return { k: "null" };
  if (typeof v !== "object") return { k: "unsupported", v: String(v) };
  if (v instanceof Uint8Array) return { k: "bytes", v };
  if (v instanceof MarcUint) return { k: "uint", v: v.value };
  if (Array.isArray(v)) return { k: "list", v: v.map(canonFromMarc) };
  if (v instanceof Map) {
    return {
      k: "map",
      v: [...v.entries()].map(([key, val]) => [canonFromMarc(key), canonFromMarc(val)]),
    };
  }
  if (v instanceof Date) return { k: "timestamp", v: BigInt(v.getTime()) * 1_000_000n };
  if (v instanceof MarcDuration) {
    return { k: "duration", v: v.seconds * 1_000_000_000n + BigInt(v.nanos) };
  }
  if (v.constructor?.name === "Type" && typeof (v as { name?: unknown }).name === "string") {
    return { k: "type", v: (v as { name: string }).name };
  }
  if (isPlainObject(v)) {
    return {
      k: "map",
      v: Object.entries(v).map(([key, val]) => [{ k: "objkey", v: key }, canonFromMarc(val)]),
    };
  }
  return { k: "unsupported", v: v.constructor?.name ?? "object" };
}

export function marcAdapter(): CelEngineAdapter {
  // The most permissive configuration agw would use: dynamic (undeclared) variables, mixed
  // aggregate literals, optional types on.
  const env = new MarcEnvironment({
    unlistedVariablesAreDyn: true,
    homogeneousAggregateLiterals: false,
    enableOptionalTypes: true,
  });
  return {
    name: "@marcbachmann/cel-js",
    version: MARC_VERSION,
    compile(expr, _opts) {
      // No container/namespace support: `_opts.container` is ignored.
      const program = env.parse(expr);
      return (bindings): Outcome => {
        const ctx: Record<string, unknown> = {};
        for (const [k, p] of Object.entries(bindings)) {
          ctx[k] = protoToJs(p, (u) => new MarcUint(u));
        }
        try {
          const r = program(ctx);
          if (r instanceof Promise) return { ok: false, error: "async result" };
          return { ok: true, value: canonFromMarc(r) };
        } catch (e) {
          return { ok: false, error: errMessage(e) };
        }
      };
    },
  };
}
