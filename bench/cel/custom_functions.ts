/**
 * Verified sketch: registering agentgateway's custom CEL functions with the chosen engine,
 * `@marcbachmann/cel-js` (see docs/architecture.md, "CEL engine"). Running this file evaluates
 * each function once and fails loudly if any registration or result is wrong:
 *
 *   deno run bench/cel/custom_functions.ts
 *
 * Macro-like functions (`default`, `with`) use the engine's `ast`-typed parameters. The handler
 * objects' `typeCheck`/`evaluate` hooks receive the engine's internal checker/evaluator/context
 * objects, which are untyped in the package's .d.ts; the members used below are declared
 * locally. `tryEval`, `forkWithVariable`, `reuse` and `setIterValue` are what the engine's own
 * built-in macros (`cel.bind`, `has`) use. They are undocumented, so the pinned version and a
 * test must guard them.
 */
import { Environment, EvaluationError } from "@marcbachmann/cel-js";

// --- engine-internal shapes used by macros (not exported by the package) --------------------
interface AstNode {
  readonly op: string;
  readonly args: unknown;
}
interface MacroCtx {
  forkWithVariable(name: string, type: unknown): MacroCtx;
  reuse(parent: MacroCtx): MacroCtx;
  setIterValue(value: unknown, ev: MacroEvaluator): MacroCtx;
}
interface MacroChecker {
  check(node: AstNode, ctx: MacroCtx): unknown;
  getType(name: string): unknown;
}
interface MacroEvaluator {
  run(node: AstNode, ctx: MacroCtx): unknown;
  /** Like run(), but returns a thrown error instead of throwing it. */
  tryEval(node: AstNode, ctx: MacroCtx): unknown;
}
interface MacroInput {
  args: AstNode[];
  receiver: AstNode | null;
}

// --- helpers ------------------------------------------------------------------------------
/** IPv4 / IPv6 text to [bits, value]; undefined if not an IP. */
export function parseIp(s: string): [32 | 128, bigint] | undefined {
  if (s.includes(".") && !s.includes(":")) {
    const p = s.split(".");
    if (p.length !== 4 || !p.every((x) => /^\d{1,3}$/.test(x) && Number(x) < 256)) return undefined;
    return [32, p.reduce((a, x) => (a << 8n) | BigInt(x), 0n)];
  }
  if (!/^[0-9a-fA-F:]+$/.test(s)) return undefined;
  const halves = s.split("::");
  if (halves.length > 2) return undefined;
  const head = halves[0] ? halves[0].split(":") : [];
  const tail = halves.length === 2 && halves[1] ? halves[1].split(":") : [];
  const fill = 8 - head.length - tail.length;
  if ((halves.length === 1 && fill !== 0) || fill < 0) return undefined;
  const groups = [...head, ...Array(halves.length === 2 ? fill : 0).fill("0"), ...tail];
  if (!groups.every((g) => /^[0-9a-fA-F]{1,4}$/.test(g))) return undefined;
  return [128, groups.reduce((a, g) => (a << 16n) | BigInt(`0x${g}`), 0n)];
}

/** Opaque CEL type for `cidr("...")` values. */
export class Cidr {
  readonly bits: 32 | 128;
  readonly network: bigint;
  readonly prefix: number;
  constructor(text: string) {
    const [ip, len] = text.split("/");
    const parsed = parseIp(ip ?? "");
    const prefix = Number(len);
    if (!parsed || !/^\d+$/.test(len ?? "") || prefix > parsed[0]) {
      throw new EvaluationError(`invalid cidr: ${text}`);
    }
    this.bits = parsed[0];
    this.prefix = prefix;
    this.network = parsed[1] & this.mask();
  }
  mask(): bigint {
    const all = (1n << BigInt(this.bits)) - 1n;
    return all ^ ((1n << BigInt(this.bits - this.prefix)) - 1n);
  }
  containsIP(ip: string): boolean {
    const parsed = parseIp(ip);
    if (!parsed) throw new EvaluationError(`invalid ip: ${ip}`);
    return parsed[0] === this.bits && (parsed[1] & this.mask()) === this.network;
  }
}

/** Namespace objects so `base64.encode(...)` resolves like `cel.bind(...)` does in the engine. */
class Base64Namespace {}

function flatten(value: unknown, prefix = "", out: Map<string, unknown> = new Map()) {
  const entries = value instanceof Map
    ? [...value.entries()]
    : Array.isArray(value)
    ? value.map((v, i) => [i, v] as const)
    : Object.entries(value as Record<string, unknown>);
  for (const [k, v] of entries) out.set(prefix ? `${prefix}.${String(k)}` : String(k), v);
  return out;
}

/**
 * JSON integers become CEL ints (bigint), as in agentgateway where `json(body).n + 1` works;
 * otherwise every JSON number would be a double and `double + int` has no overload in CEL.
 * (Integers beyond 2^53 lose precision in JSON.parse; a real implementation may use the
 * reviver's `context.source` to keep them exact.)
 */
function jsonInts(_key: string, v: unknown): unknown {
  return typeof v === "number" && Number.isSafeInteger(v) ? BigInt(v) : v;
}

// --- registration -------------------------------------------------------------------------
export function createAgwEnvironment(): Environment {
  return new Environment({ unlistedVariablesAreDyn: true, homogeneousAggregateLiterals: false })
    .registerFunction("json(string): dyn", (s: string) => JSON.parse(s, jsonInts))
    .registerFunction(
      "json(bytes): dyn",
      (b: Uint8Array) => JSON.parse(new TextDecoder().decode(b), jsonInts),
    )
    .registerFunction("uuid(): string", () => crypto.randomUUID())
    .registerFunction("random(): double", () => Math.random())
    .registerFunction("flatten(map): map", (m: unknown) => flatten(m))
    .registerFunction("flatten(list): map", (l: unknown) => flatten(l))
    .registerFunction(
      "string.regexReplace(string, string): string",
      (s: string, re: string, repl: string) => s.replace(new RegExp(re, "g"), repl),
    )
    .registerType("Base64Namespace", Base64Namespace)
    .registerConstant("base64", "Base64Namespace", new Base64Namespace())
    .registerFunction(
      "Base64Namespace.encode(string): string",
      (_ns: Base64Namespace, s: string) =>
        btoa(String.fromCharCode(...new TextEncoder().encode(s))),
    )
    .registerFunction(
      "Base64Namespace.decode(string): bytes",
      (_ns: Base64Namespace, s: string) => Uint8Array.from(atob(s), (c) => c.charCodeAt(0)),
    )
    .registerType("net.CIDR", Cidr)
    .registerFunction("cidr(string): net.CIDR", (s: string) => new Cidr(s))
    .registerFunction(
      "net.CIDR.containsIP(string): bool",
      (c: Cidr, ip: string) => c.containsIP(ip),
    )
    // default(expr, fallback): evaluates `fallback` when `expr` fails (missing key, unknown
    // variable, no such overload...). A macro: `expr` arrives unevaluated as an AST node.
    .registerFunction("default(ast, ast): dyn", ({ args }: MacroInput) => ({
      expr: args[0]!,
      fallback: args[1]!,
      typeCheck(chk: MacroChecker, m: { expr: AstNode; fallback: AstNode }, ctx: MacroCtx) {
        chk.check(m.expr, ctx);
        chk.check(m.fallback, ctx);
        return chk.getType("dyn");
      },
      evaluate(ev: MacroEvaluator, m: { expr: AstNode; fallback: AstNode }, ctx: MacroCtx) {
        const v = ev.tryEval(m.expr, ctx);
        return v instanceof EvaluationError ? ev.run(m.fallback, ctx) : v;
      },
    }))
    // x.with(name, body): binds x to `name` inside `body` (like cel.bind).
    .registerFunction("dyn.with(ast, ast): dyn", ({ receiver, args }: MacroInput) => {
      const name = args[0]!;
      if (name.op !== "id") throw new Error("with(): first argument must be an identifier");
      return {
        receiver: receiver!,
        name: name.args as string,
        body: args[1]!,
        bindCtx: undefined as MacroCtx | undefined,
        typeCheck(
          chk: MacroChecker,
          m: { receiver: AstNode; name: string; body: AstNode; bindCtx?: MacroCtx },
          ctx: MacroCtx,
        ) {
          m.bindCtx = ctx.forkWithVariable(m.name, chk.check(m.receiver, ctx));
          return chk.check(m.body, m.bindCtx);
        },
        evaluate(
          ev: MacroEvaluator,
          m: { receiver: AstNode; body: AstNode; bindCtx?: MacroCtx },
          ctx: MacroCtx,
        ) {
          const bound = m.bindCtx!.reuse(ctx).setIterValue(ev.run(m.receiver, ctx), ev);
          return ev.run(m.body, bound);
        },
      };
    });
}

if (import.meta.main) {
  const env = createAgwEnvironment();
  const ctx = {
    request: {
      headers: { "x-user": "admin" },
      body: '{"a": 1, "b": {"c": "d"}}',
      path: "/id/1234/data",
    },
    source: { address: "10.1.2.3" },
  };
  const cases: [string, unknown][] = [
    [`json(request.body).a == 1`, true],
    [`json(request.body).b.c`, "d"],
    [`default(request.headers["missing"], "fallback")`, "fallback"],
    [`default(request.headers["x-user"], "fallback")`, "admin"],
    [`default(jwt.sub, "anonymous")`, "anonymous"],
    [`json(request.body).with(b, b.a + 1)`, 2],
    [`cidr("10.0.0.0/8").containsIP(source.address)`, true],
    [`cidr("2001:db8::/32").containsIP("2001:db8::1")`, true],
    [`cidr("192.168.0.0/16").containsIP(source.address)`, false],
    [`base64.encode("hello")`, "aGVsbG8="],
    [`string(base64.decode("aGVsbG8="))`, "hello"],
    [`request.path.regexReplace("/id/[0-9]*/", "/id/{id}/")`, "/id/{id}/data"],
    [`uuid().size() == 36`, true],
    [`random() >= 0.0 && random() < 1.0`, true],
    [`flatten(request.headers)["x-user"]`, "admin"],
  ];
  let failed = 0;
  for (const [expr, want] of cases) {
    let got: unknown;
    try {
      got = env.evaluate(expr, ctx);
    } catch (e) {
      got = `error: ${(e as Error).message.split("\n")[0]}`;
    }
    const ok = got === want || (typeof got === "bigint" && BigInt(want as number) === got);
    if (!ok) failed++;
    console.log(`${ok ? "ok  " : "FAIL"} ${expr} => ${String(got)}`);
  }
  if (failed) Deno.exit(1);
}
