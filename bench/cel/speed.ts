/**
 * Speed comparison of the candidate CEL engines on a typical agw authorization rule set,
 * evaluated against a request-like context of plain JS objects (what agw would build per
 * request), plus compile (parse + plan) time per expression.
 *
 *   deno run --allow-read --allow-env bench/cel/speed.ts [--n=200000] [--max-ms=800]
 *
 * Each case runs a warm-up, then up to `n` evaluations or `max-ms` wall time, whichever comes
 * first (the machine is shared: keep runs short). Reports ns/eval and µs/compile.
 */
import {
  celEnv,
  type CelInput,
  celMap,
  isCelError,
  parse as bufParse,
  plan as bufPlan,
} from "@bufbuild/cel";
import { strings as bufStrings } from "@bufbuild/cel/ext";
import { Environment } from "@marcbachmann/cel-js";

function argNum(name: string, dflt: number): number {
  const a = Deno.args.find((x) => x.startsWith(`--${name}=`));
  return a ? Number(a.slice(name.length + 3)) : dflt;
}
const N = argNum("n", 200_000);
const MAX_MS = argNum("max-ms", 800);
const COMPILE_N = argNum("compile-n", 2_000);

export const RULES: Record<string, string> = {
  adminPath: `request.headers["x-user"] == "admin" && request.path.startsWith("/admin")`,
  sourceNet: `source.address.startsWith("10.")`,
  jwtSubOrGet: `jwt.sub in ["alice", "bob"] || request.method == "GET"`,
  groupHas: `has(jwt.groups) && "ops" in jwt.groups && request.host.endsWith(".example.com")`,
  headerRegex: `request.headers["x-tenant"].matches("^t-[0-9]+$")`,
};

/** A request-like context as agw would build it: plain objects, string-keyed headers. */
export function makeContext(i: number): Record<string, unknown> {
  return {
    request: {
      method: i % 2 === 0 ? "POST" : "GET",
      host: "api.example.com",
      scheme: "https",
      path: "/admin/users",
      pathAndQuery: "/admin/users?limit=10",
      version: "HTTP/1.1",
      headers: {
        "host": "api.example.com",
        "user-agent": "curl/8.5.0",
        "accept": "*/*",
        "content-type": "application/json",
        "x-user": "admin",
        "x-tenant": "t-42",
        "x-request-id": "0f9a2c1e-5e0b-4c47-9a40-0d5a3a0f8e21",
        "authorization": "Bearer abc.def.ghi",
      },
    },
    source: { address: "10.1.2.3", port: 51234n },
    jwt: { sub: "carol", iss: "https://issuer.example.com", groups: ["dev", "ops"] },
  };
}

let sink = 0;
function consume(v: unknown) {
  if (v === true) sink++;
}

function timeLoop(fn: (i: number) => unknown): { nsPerOp: number; iters: number } {
  for (let i = 0; i < Math.min(20_000, N); i++) consume(fn(i)); // warm-up
  const start = performance.now();
  let i = 0;
  const deadline = start + MAX_MS;
  for (; i < N; i++) {
    consume(fn(i));
    if ((i & 1023) === 1023 && performance.now() > deadline) {
      i++;
      break;
    }
  }
  const ms = performance.now() - start;
  return { nsPerOp: (ms * 1e6) / i, iters: i };
}

interface Engine {
  name: string;
  compile(expr: string): (ctx: Record<string, unknown>) => unknown;
  /** Optional one-off conversion of the context (not timed). */
  prepare?(ctx: Record<string, unknown>): Record<string, unknown>;
}

const bufEnv = celEnv({ funcs: bufStrings });
const bufbuild: Engine = {
  name: "@bufbuild/cel 0.6.1",
  compile(expr) {
    const program = bufPlan(bufEnv, bufParse(expr));
    return (ctx) => {
      const r = program(ctx as Record<string, CelInput>);
      if (isCelError(r)) throw r;
      return r;
    };
  },
};

/** Deeply pre-wraps plain objects in celMap (what agw would have to do per request). */
function wrapCel(v: unknown): unknown {
  if (
    v && typeof v === "object" && !Array.isArray(v) && Object.getPrototypeOf(v) === Object.prototype
  ) {
    return celMap(new Map(Object.entries(v).map(([k, x]) => [k, wrapCel(x) as CelInput])));
  }
  return v;
}
const bufbuildWrapped: Engine = {
  ...bufbuild,
  name: "@bufbuild/cel (celMap ctx)",
  prepare: (ctx) => Object.fromEntries(Object.entries(ctx).map(([k, v]) => [k, wrapCel(v)])),
};

const marcEnv = new Environment({ unlistedVariablesAreDyn: true });
const marc: Engine = {
  name: "@marcbachmann/cel-js 8.0.0",
  compile(expr) {
    // parse + type-check (the check result is cached on the AST; otherwise it would happen on
    // the first evaluation), so "compile" is comparable to bufbuild's parse + plan.
    const program = marcEnv.parse(expr);
    program.check();
    return program;
  },
};

if (import.meta.main) {
  const engines = [bufbuild, bufbuildWrapped, marc];
  // Pre-build contexts so context construction is not measured (a few distinct objects, as
  // per-request contexts differ).
  const plain = Array.from({ length: 64 }, (_, i) => makeContext(i));

  console.log(`n<=${N} evaluations per case, max ${MAX_MS} ms per case\n`);
  const results: Record<string, Record<string, { eval: number; compile: number }>> = {};
  for (const engine of engines) {
    const contexts = engine.prepare ? plain.map(engine.prepare) : plain;
    results[engine.name] = {};
    for (const [name, expr] of Object.entries(RULES)) {
      const program = engine.compile(expr);
      // sanity: all engines must agree on the result
      const r0 = program(contexts[0]!);
      const ev = timeLoop((i) => program(contexts[i & 63]!));
      const c0 = performance.now();
      for (let i = 0; i < COMPILE_N; i++) engine.compile(expr);
      const compileUs = ((performance.now() - c0) * 1e3) / COMPILE_N;
      results[engine.name]![name] = { eval: ev.nsPerOp, compile: compileUs };
      console.log(
        `${engine.name.padEnd(27)} ${name.padEnd(12)} ${
          ev.nsPerOp.toFixed(0).padStart(6)
        } ns/eval` +
          `  ${compileUs.toFixed(1).padStart(6)} µs/compile  (result ${
            String(r0)
          }, ${ev.iters} iters)`,
      );
    }
    // Whole rule set per request (what an authorization policy with all rules costs).
    const programs = Object.values(RULES).map((e) => engine.compile(e));
    const ev = timeLoop((i) => {
      const ctx = contexts[i & 63]!;
      let ok = true;
      for (const p of programs) ok = p(ctx) === true && ok;
      return ok;
    });
    results[engine.name]!["ALL"] = { eval: ev.nsPerOp, compile: NaN };
    console.log(
      `${engine.name.padEnd(27)} ${"ALL (5)".padEnd(12)} ${
        ev.nsPerOp.toFixed(0).padStart(6)
      } ns/request\n`,
    );
  }
  if (Deno.args.includes("--json")) console.log(JSON.stringify(results, null, 2));
  if (sink < 0) console.log(sink);
}
