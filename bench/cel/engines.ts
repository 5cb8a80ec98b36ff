/**
 * Adapters that put `@bufbuild/cel` and `@marcbachmann/cel-js` behind the same small contract
 * (`CelEngineAdapter`) so the conformance data and the speed bench can drive both.
 */
import {
  type CelEnv,
  celEnv,
  type CelInput,
  celUint,
  isCelError,
  isCelList,
  isCelMap,
  isCelType,
  isCelUint,
  parse as bufParse,
  plan as bufPlan,
} from "@bufbuild/cel";
import { strings as bufStrings } from "@bufbuild/cel/ext";
import { type Canon, type CelEngineAdapter, type Outcome, protoToJs } from "./conformance_lib.ts";

export { canonFromMarc, MARC_VERSION, marcAdapter } from "./engine_marc.ts";

/** Version pinned in deno.json (kept here for reports). */
export const BUFBUILD_VERSION = "0.6.1";

function errMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

// ---------------------------------------------------------------------------------------------
// @bufbuild/cel
// ---------------------------------------------------------------------------------------------

interface ReflectMessageLike {
  desc: { typeName: string };
  message: { seconds?: bigint; nanos?: number };
}

function isReflectMessageLike(v: object): v is ReflectMessageLike {
  const r = v as Partial<ReflectMessageLike>;
  return typeof r.desc?.typeName === "string" && typeof r.message === "object";
}

export function canonFromBufbuild(v: unknown): Canon {
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
  if (v instanceof Uint8Array) return { k: "bytes", v };
  if (isCelUint(v)) return { k: "uint", v: v.value };
  if (isCelList(v)) return { k: "list", v: [...v].map(canonFromBufbuild) };
  if (isCelMap(v)) {
    return {
      k: "map",
      v: [...v.entries()].map(([key, val]) => [canonFromBufbuild(key), canonFromBufbuild(val)]),
    };
  }
  if (isCelType(v)) return { k: "type", v: v.name };
  if (typeof v === "object" && isReflectMessageLike(v)) {
    const secs = BigInt(v.message.seconds ?? 0n);
    const nanos = BigInt(v.message.nanos ?? 0);
    if (v.desc.typeName === "google.protobuf.Timestamp") {
      return { k: "timestamp", v: secs * 1_000_000_000n + nanos };
    }
    if (v.desc.typeName === "google.protobuf.Duration") {
      return { k: "duration", v: secs * 1_000_000_000n + nanos };
    }
    return { k: "unsupported", v: v.desc.typeName };
  }
  return { k: "unsupported", v: String(v) };
}

export function bufbuildAdapter(): CelEngineAdapter {
  const envs = new Map<string, CelEnv>();
  const envFor = (namespace: string): CelEnv => {
    let env = envs.get(namespace);
    if (!env) {
      env = celEnv({ namespace, funcs: bufStrings });
      envs.set(namespace, env);
    }
    return env;
  };
  return {
    name: "@bufbuild/cel",
    version: BUFBUILD_VERSION,
    compile(expr, opts) {
      const program = bufPlan(envFor(opts.container ?? ""), bufParse(expr));
      return (bindings): Outcome => {
        const ctx: Record<string, CelInput> = {};
        for (const [k, p] of Object.entries(bindings)) {
          ctx[k] = protoToJs(p, (u) => celUint(u)) as CelInput;
        }
        try {
          const r = program(ctx);
          if (isCelError(r)) return { ok: false, error: r.message };
          return { ok: true, value: canonFromBufbuild(r) };
        } catch (e) {
          return { ok: false, error: `threw: ${errMessage(e)}` };
        }
      };
    },
  };
}
