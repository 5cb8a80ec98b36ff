/**
 * Runs the CEL conformance simple tests (npm `@bufbuild/cel-spec`) against both candidate
 * engines and prints passed / failed / skipped / pass rate per engine.
 *
 *   deno run --allow-read --allow-env bench/cel/conformance.ts [--failures] [--json]
 *
 * --failures  list every failing test (expression, expected, got)
 * --json      print the results as JSON (for docs / tooling)
 */
import {
  CORE_SECTIONS,
  EXTRA_SECTIONS,
  loadConformance,
  type RunResult,
  runSections,
} from "./conformance_lib.ts";
import { bufbuildAdapter, marcAdapter } from "./engines.ts";

const showFailures = Deno.args.includes("--failures");
const asJson = Deno.args.includes("--json");

const data = await loadConformance();
if (!data) {
  console.error("cannot load @bufbuild/cel-spec conformance data (run `deno install`)");
  Deno.exit(1);
}

const engines = [bufbuildAdapter(), marcAdapter()];
const pct = (r: number) => `${(r * 100).toFixed(1)}%`;

function printResult(label: string, r: RunResult, ms: number) {
  console.log(
    `${label.padEnd(6)} ${r.engine.padEnd(22)} ${r.version.padEnd(7)} passed ${
      String(r.passed).padStart(4)
    }  failed ${String(r.failed).padStart(4)}  skipped ${String(r.skipped).padStart(4)}  rate ${
      pct(r.passRate).padStart(6)
    }  (${ms.toFixed(0)} ms)`,
  );
}

const all: Record<string, { core: RunResult; extra: RunResult }> = {};
for (const engine of engines) {
  const t0 = performance.now();
  const core = runSections(engine, data, CORE_SECTIONS);
  const t1 = performance.now();
  const extra = runSections(engine, data, EXTRA_SECTIONS);
  const t2 = performance.now();
  all[engine.name] = { core, extra };
  if (asJson) continue;
  printResult("core", core, t1 - t0);
  printResult("extra", extra, t2 - t1);
}

if (asJson) {
  const strip = (r: RunResult) => ({
    ...r,
    sections: r.sections.map(({ failures: _f, ...s }) => s),
  });
  console.log(JSON.stringify(
    Object.fromEntries(
      Object.entries(all).map(([k, v]) => [k, { core: strip(v.core), extra: strip(v.extra) }]),
    ),
    null,
    2,
  ));
  Deno.exit(0);
}

console.log("\nper section (passed/failed/skipped):");
const sections = [...CORE_SECTIONS, ...EXTRA_SECTIONS];
console.log(`${"section".padEnd(14)} ${engines.map((e) => e.name.padEnd(22)).join(" ")}`);
for (const s of sections) {
  const cells = engines.map((e) => {
    const r = all[e.name]!;
    const sr = [...r.core.sections, ...r.extra.sections].find((x) => x.section === s)!;
    return `${sr.passed}/${sr.failed}/${sr.skipped}`.padEnd(22);
  });
  console.log(`${s.padEnd(14)} ${cells.join(" ")}`);
}

if (showFailures) {
  for (const e of engines) {
    const r = all[e.name]!;
    console.log(`\n=== failures: ${e.name} ===`);
    for (const sr of [...r.core.sections, ...r.extra.sections]) {
      for (const f of sr.failures) {
        console.log(`${f.path}\n    ${f.expr}\n    expected ${f.expected}\n    got      ${f.got}`);
      }
    }
  }
}
