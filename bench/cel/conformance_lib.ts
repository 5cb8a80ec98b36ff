/**
 * Shared machinery for running the CEL conformance "simple tests" (as shipped by the npm
 * package `@bufbuild/cel-spec`, upstream cel-spec v0.25.1) against a CEL engine adapter.
 *
 * The data is read in its serialized (protobuf-JSON) form, so no protobuf runtime is needed
 * here: every expected value and binding is a `cel.expr.Value` in proto3 JSON.
 *
 * Used by `bench/cel/conformance.ts` (both engines, full report) and by
 * `tests/unit/cel/conformance_test.ts` (regression guard for the chosen engine).
 */

// ---------------------------------------------------------------------------------------------
// Raw data shapes (proto3 JSON of cel.expr.conformance.test.SimpleTest and cel.expr.Value)
// ---------------------------------------------------------------------------------------------

/** proto3 JSON of `cel.expr.Value`. */
export interface ProtoValue {
  nullValue?: null | string;
  boolValue?: boolean;
  int64Value?: string | number;
  uint64Value?: string | number;
  doubleValue?: number | string;
  stringValue?: string;
  bytesValue?: string;
  enumValue?: unknown;
  objectValue?: { "@type"?: string; value?: unknown; [k: string]: unknown };
  mapValue?: { entries?: { key: ProtoValue; value: ProtoValue }[] };
  listValue?: { values?: ProtoValue[] };
  typeValue?: string;
}

interface TypeEnvEntry {
  name: string;
  ident?: { type?: Record<string, unknown> };
  function?: unknown;
}

export interface SimpleTest {
  name?: string;
  description?: string;
  expr: string;
  disableMacros?: boolean;
  disableCheck?: boolean;
  checkOnly?: boolean;
  typeEnv?: TypeEnvEntry[];
  container?: string;
  locale?: string;
  bindings?: Record<string, { value?: ProtoValue; expr?: unknown }>;
  value?: ProtoValue;
  typedResult?: { result?: ProtoValue; deducedType?: unknown };
  evalError?: { errors?: { message?: string }[] };
  anyEvalErrors?: unknown;
  unknown?: unknown;
  anyUnknowns?: unknown;
}

interface RawTest {
  original: SimpleTest;
}

interface RawSuite {
  name: string;
  suites?: RawSuite[];
  tests?: RawTest[];
}

/** Sections every CEL engine used by agw must handle (no protobuf message types). */
export const CORE_SECTIONS = [
  "basic",
  "comparisons",
  "conversions",
  "fields",
  "logic",
  "macros",
  "string",
  "lists",
  "integer_math",
  "fp_math",
  "parse",
  "plumbing",
  "namespace",
] as const;

/** Extension sections that matter to agw users (strings/math ext, time, bind...); informational. */
export const EXTRA_SECTIONS = [
  "macros2",
  "string_ext",
  "math_ext",
  "timestamps",
  "bindings_ext",
  "encoders_ext",
  "optionals",
] as const;

export interface FlatTest {
  section: string;
  path: string;
  test: SimpleTest;
}

/**
 * Loads the conformance data. Returns undefined when the data package cannot be loaded (e.g. no
 * npm access while the package is not cached).
 */
export async function loadConformance(): Promise<Map<string, FlatTest[]> | undefined> {
  let root: RawSuite;
  try {
    const spec = "@bufbuild/cel-spec/testdata/conformance.js";
    const mod = await import(spec) as { tests: RawSuite };
    root = mod.tests;
  } catch {
    return undefined;
  }
  const out = new Map<string, FlatTest[]>();
  for (const section of root.suites ?? []) {
    const list: FlatTest[] = [];
    const walk = (s: RawSuite, path: string) => {
      for (const t of s.tests ?? []) {
        list.push({
          section: section.name,
          path: `${path}/${t.original.name ?? ""}`,
          test: t.original,
        });
      }
      for (const sub of s.suites ?? []) walk(sub, `${path}/${sub.name}`);
    };
    walk(section, section.name);
    out.set(section.name, list);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Canonical values: what both engines' outputs and the expected proto values are reduced to.
// ---------------------------------------------------------------------------------------------

export type Canon =
  | { k: "int"; v: bigint }
  | { k: "uint"; v: bigint }
  | { k: "double"; v: number }
  | { k: "string"; v: string }
  | { k: "bytes"; v: Uint8Array }
  | { k: "bool"; v: boolean }
  | { k: "null" }
  | { k: "list"; v: Canon[] }
  | { k: "map"; v: [Canon, Canon][] }
  | { k: "type"; v: string }
  | { k: "timestamp"; v: bigint } // nanoseconds since epoch
  | { k: "duration"; v: bigint } // nanoseconds
  /** A map key that the engine only kept as a JS object property name (type lost). */
  | { k: "objkey"; v: string }
  | { k: "unsupported"; v: string };

export class Unsupported extends Error {}

function b64decode(s: string): Uint8Array {
  const bin = atob(s.replace(/-/g, "+").replace(/_/g, "/"));
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

function parseDouble(v: number | string): number {
  if (typeof v === "number") return v;
  if (v === "NaN") return NaN;
  if (v === "Infinity") return Infinity;
  if (v === "-Infinity") return -Infinity;
  return Number(v);
}

/** RFC 3339 timestamp with optional fractional seconds to nanoseconds since epoch. */
export function timestampNanos(s: string): bigint {
  const m = /^(.*T\d\d:\d\d:\d\d)(?:\.(\d{1,9}))?(Z|[+-]\d\d:\d\d)$/.exec(s);
  if (!m) throw new Unsupported(`bad timestamp ${s}`);
  const ms = Date.parse(`${m[1]}${m[3]}`);
  if (Number.isNaN(ms)) throw new Unsupported(`bad timestamp ${s}`);
  const frac = (m[2] ?? "").padEnd(9, "0");
  return BigInt(ms) * 1_000_000n + BigInt(frac);
}

/** proto3 JSON duration ("1.5s", "-3s") to nanoseconds. */
export function durationNanos(s: string): bigint {
  const m = /^(-)?(\d+)(?:\.(\d{1,9}))?s$/.exec(s);
  if (!m) throw new Unsupported(`bad duration ${s}`);
  const n = BigInt(m[2] ?? "0") * 1_000_000_000n + BigInt((m[3] ?? "").padEnd(9, "0"));
  return m[1] ? -n : n;
}

/** Expected value (proto JSON) to canonical form. Throws Unsupported for message values. */
export function canonFromProto(p: ProtoValue): Canon {
  if ("nullValue" in p) return { k: "null" };
  if (p.boolValue !== undefined) return { k: "bool", v: p.boolValue };
  if (p.int64Value !== undefined) return { k: "int", v: BigInt(p.int64Value) };
  if (p.uint64Value !== undefined) return { k: "uint", v: BigInt(p.uint64Value) };
  if (p.doubleValue !== undefined) return { k: "double", v: parseDouble(p.doubleValue) };
  if (p.stringValue !== undefined) return { k: "string", v: p.stringValue };
  if (p.bytesValue !== undefined) return { k: "bytes", v: b64decode(p.bytesValue) };
  if (p.listValue !== undefined) {
    return { k: "list", v: (p.listValue.values ?? []).map(canonFromProto) };
  }
  if (p.mapValue !== undefined) {
    return {
      k: "map",
      v: (p.mapValue.entries ?? []).map((e) => [canonFromProto(e.key), canonFromProto(e.value)]),
    };
  }
  if (p.typeValue !== undefined) return { k: "type", v: p.typeValue };
  if (p.objectValue !== undefined) {
    const t = p.objectValue["@type"] ?? "";
    const v = p.objectValue.value;
    if (t.endsWith("/google.protobuf.Timestamp") && typeof v === "string") {
      return { k: "timestamp", v: timestampNanos(v) };
    }
    if (t.endsWith("/google.protobuf.Duration") && typeof v === "string") {
      return { k: "duration", v: durationNanos(v) };
    }
    throw new Unsupported(`message value ${t}`);
  }
  if (p.enumValue !== undefined) throw new Unsupported("enum value");
  // An empty Value: proto3 JSON of `{}` never happens for a set oneof, treat as unsupported.
  throw new Unsupported(`unknown value ${JSON.stringify(p)}`);
}

function scalarKeyString(c: Canon): string | undefined {
  switch (c.k) {
    case "int":
    case "uint":
    case "string":
    case "bool":
      return String(c.v);
    case "objkey":
      return c.v;
    default:
      return undefined;
  }
}

function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Structural equality of canonical values; int/uint/double are distinct kinds. */
export function canonEqual(a: Canon, b: Canon): boolean {
  if (a.k === "objkey" || b.k === "objkey") {
    // Lenient: an engine that returns map literals as JS objects keeps only String(key).
    const sa = scalarKeyString(a);
    const sb = scalarKeyString(b);
    return sa !== undefined && sa === sb;
  }
  if (a.k !== b.k) return false;
  switch (a.k) {
    case "null":
      return true;
    case "double": {
      const bv = (b as { v: number }).v;
      return a.v === bv || (Number.isNaN(a.v) && Number.isNaN(bv));
    }
    case "bytes":
      return bytesEqual(a.v, (b as { v: Uint8Array }).v);
    case "list": {
      const bl = (b as { v: Canon[] }).v;
      return a.v.length === bl.length && a.v.every((x, i) => canonEqual(x, bl[i]!));
    }
    case "map": {
      const bm = (b as { v: [Canon, Canon][] }).v;
      if (a.v.length !== bm.length) return false;
      return a.v.every(([ka, va]) =>
        bm.some(([kb, vb]) => canonEqual(ka, kb) && canonEqual(va, vb))
      );
    }
    default:
      return a.v === (b as { v: unknown }).v;
  }
}

export function canonToString(c: Canon): string {
  switch (c.k) {
    case "null":
      return "null";
    case "int":
      return `${c.v}`;
    case "uint":
      return `${c.v}u`;
    case "double":
      return Number.isInteger(c.v) ? `${c.v}.0` : `${c.v}`;
    case "string":
      return JSON.stringify(c.v);
    case "bytes":
      return `b[${[...c.v].join(",")}]`;
    case "list":
      return `[${c.v.map(canonToString).join(", ")}]`;
    case "map":
      return `{${c.v.map(([k, v]) => `${canonToString(k)}: ${canonToString(v)}`).join(", ")}}`;
    case "objkey":
      return `key(${JSON.stringify(c.v)})`;
    default:
      return `${c.k}(${String(c.v)})`;
  }
}

/** Generic proto-JSON -> JS converter, parameterised by how each engine wants uint values. */
export function protoToJs(p: ProtoValue, uint: (v: bigint) => unknown): unknown {
  if ("nullValue" in p) return null;
  if (p.boolValue !== undefined) return p.boolValue;
  if (p.int64Value !== undefined) return BigInt(p.int64Value);
  if (p.uint64Value !== undefined) return uint(BigInt(p.uint64Value));
  if (p.doubleValue !== undefined) return parseDouble(p.doubleValue);
  if (p.stringValue !== undefined) return p.stringValue;
  if (p.bytesValue !== undefined) return b64decode(p.bytesValue);
  if (p.listValue !== undefined) return (p.listValue.values ?? []).map((x) => protoToJs(x, uint));
  if (p.mapValue !== undefined) {
    const m = new Map<unknown, unknown>();
    for (const e of p.mapValue.entries ?? []) {
      m.set(protoToJs(e.key, uint), protoToJs(e.value, uint));
    }
    return m;
  }
  throw new Unsupported(`binding ${JSON.stringify(p)}`);
}

// ---------------------------------------------------------------------------------------------
// Engine adapter contract
// ---------------------------------------------------------------------------------------------

export type Outcome = { ok: true; value: Canon } | { ok: false; error: string };

export interface CelEngineAdapter {
  readonly name: string;
  readonly version: string;
  /**
   * Parses/plans `expr` once (throws on a parse error) and returns an evaluator that takes
   * bindings as proto JSON values (converted to the engine's native inputs by the adapter).
   */
  compile(
    expr: string,
    opts: { container?: string },
  ): (bindings: Record<string, ProtoValue>) => Outcome;
}

// ---------------------------------------------------------------------------------------------
// Runner
// ---------------------------------------------------------------------------------------------

/** Why a test cannot be run without protobuf message types / type-checker, or undefined. */
export function skipReason(t: SimpleTest): string | undefined {
  if (t.checkOnly) return "check-only";
  if (t.disableMacros) return "macros disabled";
  if (t.unknown !== undefined || t.anyUnknowns !== undefined) return "unknowns";
  if (t.anyEvalErrors !== undefined) return "any-eval-errors";
  if (t.typedResult !== undefined && t.typedResult.result === undefined) return "type-only result";
  if ((t.container ?? "").startsWith("cel.expr.conformance")) return "proto container";
  if (/TestAllTypes|NestedTestAllTypes|GlobalEnum|google\.protobuf\.[A-Z]\w*\{/.test(t.expr)) {
    return "proto message in expression";
  }
  if (/google\.protobuf\.(Any|Struct|Value|ListValue|\w+Value)\b/.test(t.expr)) {
    return "proto well-known type";
  }
  for (const e of t.typeEnv ?? []) {
    if (e.function !== undefined) return "declared custom function";
    if (JSON.stringify(e.ident?.type ?? {}).includes("messageType")) return "message-typed var";
  }
  try {
    if (t.evalError === undefined) canonFromProto(expectedValue(t));
    for (const b of Object.values(t.bindings ?? {})) {
      if (b.value === undefined) return "expression binding";
      const c = canonFromProto(b.value);
      if (c.k === "timestamp" || c.k === "duration") return "message binding";
    }
  } catch (e) {
    if (e instanceof Unsupported) return e.message;
    throw e;
  }
  return undefined;
}

/** The expected value; per simple.proto, a test without a result matcher expects `true`. */
export function expectedValue(t: SimpleTest): ProtoValue {
  return t.value ?? t.typedResult?.result ?? { boolValue: true };
}

export interface TestFailure {
  path: string;
  expr: string;
  expected: string;
  got: string;
}

export interface SectionResult {
  section: string;
  passed: number;
  failed: number;
  skipped: number;
  failures: TestFailure[];
}

export interface RunResult {
  engine: string;
  version: string;
  passed: number;
  failed: number;
  skipped: number;
  /** passed / (passed + failed) */
  passRate: number;
  sections: SectionResult[];
}

function runOne(engine: CelEngineAdapter, t: SimpleTest): { ok: boolean; got: string } {
  const opts: { container?: string } = {};
  if (t.container) opts.container = t.container;
  let outcome: Outcome;
  try {
    const fn = engine.compile(t.expr, opts);
    const bindings: Record<string, ProtoValue> = {};
    for (const [k, b] of Object.entries(t.bindings ?? {})) if (b.value) bindings[k] = b.value;
    outcome = fn(bindings);
  } catch (e) {
    outcome = { ok: false, error: `compile: ${(e as Error)?.message ?? String(e)}` };
  }
  if (t.evalError !== undefined) {
    return outcome.ok
      ? { ok: false, got: canonToString(outcome.value) }
      : { ok: true, got: "error" };
  }
  if (!outcome.ok) return { ok: false, got: `error: ${outcome.error.split("\n")[0]}` };
  const expected = canonFromProto(expectedValue(t));
  return { ok: canonEqual(expected, outcome.value), got: canonToString(outcome.value) };
}

export function runSections(
  engine: CelEngineAdapter,
  data: Map<string, FlatTest[]>,
  sections: readonly string[],
): RunResult {
  const result: RunResult = {
    engine: engine.name,
    version: engine.version,
    passed: 0,
    failed: 0,
    skipped: 0,
    passRate: 0,
    sections: [],
  };
  for (const section of sections) {
    const sr: SectionResult = { section, passed: 0, failed: 0, skipped: 0, failures: [] };
    for (const { path, test } of data.get(section) ?? []) {
      if (skipReason(test) !== undefined) {
        sr.skipped++;
        continue;
      }
      const { ok, got } = runOne(engine, test);
      if (ok) {
        sr.passed++;
      } else {
        sr.failed++;
        const exp = test.evalError !== undefined
          ? "error"
          : canonToString(canonFromProto(expectedValue(test)));
        sr.failures.push({ path, expr: test.expr, expected: exp, got });
      }
    }
    result.passed += sr.passed;
    result.failed += sr.failed;
    result.skipped += sr.skipped;
    result.sections.push(sr);
  }
  const run = result.passed + result.failed;
  result.passRate = run === 0 ? 0 : result.passed / run;
  return result;
}
