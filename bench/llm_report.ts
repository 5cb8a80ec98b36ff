/**
 * What the LLM benchmark prints: a table per phase, then the ratios the issue sets targets
 * for, each marked against its target.
 * @module
 */
import type {
  AgwTarget,
  LoadResult,
  LoadTarget,
  StreamResult,
  StreamTarget,
} from "./llm_phases.ts";
import type { Memory } from "./llm_processes.ts";
import { percentile } from "./llm_stream_probe.ts";

/** Issue #7's targets. */
const TRANSLATE_VS_PASSTHROUGH_MIN = 0.8;
const PASSTHROUGH_VS_CORE_MIN = 0.9;
const ADDED_TTFT_P50_MAX_MS = 1;
/** "Unchanged within noise": a tenth of the provider's 5 ms gap. */
const GAP_P50_NOISE_MS = 0.5;

const LOAD_LABELS: Record<LoadTarget, string> = {
  direct: "direct",
  core: "agw core route",
  passthrough: "agw passthrough",
  translate: "agw translate",
};

function printTable(header: string[], rows: string[][]): void {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) =>
    cells.map((cell, i) => i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))
      .join("  ");
  console.log(line(header));
  console.log(line(widths.map((w) => "-".repeat(w))));
  for (const row of rows) console.log(line(row));
  console.log();
}

function fixed(value: number | undefined, digits = 2): string {
  return value === undefined || !Number.isFinite(value) ? "-" : value.toFixed(digits);
}

/** The buffered-completion table. */
export function printLoadResults(
  results: Map<LoadTarget, LoadResult>,
  wrk: { threads: number; connections: number },
): void {
  const direct = results.get("direct")?.requestsPerSecond;
  console.log(
    `\nbuffered 1 KiB completion, POST /v1/chat/completions, wrk -t${wrk.threads} -c${wrk.connections}`,
  );
  printTable(
    ["target", "req/s", "p50 ms", "p99 ms", "vs direct", "agw CPU µs/req", "errors"],
    [...results].map(([target, r]) => [
      LOAD_LABELS[target],
      r.requestsPerSecond.toFixed(0),
      fixed(r.p50Ms),
      fixed(r.p99Ms),
      fixed(direct === undefined ? undefined : r.requestsPerSecond / direct),
      fixed(r.cpuUsPerRequest, 0),
      String(r.errors),
    ]),
  );
}

/** The streaming table for one concurrency. */
export function printStreamResults(
  concurrency: number,
  results: Map<StreamTarget, StreamResult>,
): void {
  console.log(
    `streams: ${concurrency} concurrent, first token at 25 ms, then 64 tokens 5 ms apart`,
  );
  printTable(
    [
      "target",
      "streams",
      "TTFT p50",
      "TTFT p99",
      "gap p50",
      "gap p99",
      "agw CPU µs/token",
      "max RSS MiB",
      "errors",
    ],
    [...results].map(([target, { samples, maxRssMiB, cpuUsPerToken }]) => [
      LOAD_LABELS[target],
      String(samples.streams),
      fixed(percentile(samples.ttftMs, 50)),
      fixed(percentile(samples.ttftMs, 99)),
      fixed(percentile(samples.gapMs, 50)),
      fixed(percentile(samples.gapMs, 99)),
      fixed(cpuUsPerToken, 1),
      fixed(maxRssMiB, 1),
      String(samples.errors),
    ]),
  );
  for (const [target, { samples }] of results) {
    if (samples.firstError !== undefined) {
      console.error(
        `warning: ${target}: ${samples.errors} failed streams, first: ${samples.firstError}`,
      );
    }
  }
}

function verdict(ok: boolean): string {
  return ok ? "ok" : "MISSED";
}

/** Everything one run measured, for the closing ratios. */
export interface LlmRunResults {
  load: Map<LoadTarget, LoadResult> | undefined;
  streams: Map<number, Map<StreamTarget, StreamResult>>;
  idleMemory: Map<AgwTarget, Memory | undefined>;
}

/** `a/b` of mean req/s, and the range of the same ratio within each round (paired runs). */
function loadRatio(a: LoadResult, b: LoadResult): { ratio: number; low: number; high: number } {
  const perRound = a.rounds.map((round, i) =>
    round.requestsPerSecond / (b.rounds[i]?.requestsPerSecond ?? Number.NaN)
  );
  return {
    ratio: a.requestsPerSecond / b.requestsPerSecond,
    low: Math.min(...perRound),
    high: Math.max(...perRound),
  };
}

function printLoadRatios(load: Map<LoadTarget, LoadResult>): void {
  const pairs = [
    ["translate", "passthrough", TRANSLATE_VS_PASSTHROUGH_MIN],
    ["passthrough", "core", PASSTHROUGH_VS_CORE_MIN],
  ] as const;
  for (const [a, b, min] of pairs) {
    const { ratio, low, high } = loadRatio(load.get(a)!, load.get(b)!);
    const cpu = (load.get(a)!.cpuUsPerRequest ?? Number.NaN) /
      (load.get(b)!.cpuUsPerRequest ?? Number.NaN);
    console.log(
      `  ${`${a}/${b}`.padEnd(21)} req/s ${fixed(ratio)} (rounds ${fixed(low)}–${fixed(high)}; ` +
        `target >= ${min}: ${verdict(ratio >= min)}); CPU per request ${fixed(cpu)}×`,
    );
  }
}

function printStreamRatios(concurrency: number, results: Map<StreamTarget, StreamResult>): void {
  const p = (target: StreamTarget, values: "ttftMs" | "gapMs", rank: number) =>
    percentile(results.get(target)!.samples[values], rank);
  for (const target of ["core", "passthrough", "translate"] as const) {
    const addedTtft = p(target, "ttftMs", 50) - p("direct", "ttftMs", 50);
    const overCore = target === "core"
      ? ""
      : `, ${fixed(p(target, "ttftMs", 50) - p("core", "ttftMs", 50))} over core`;
    const gapP50 = p(target, "gapMs", 50) - p("direct", "gapMs", 50);
    const gapP99 = p(target, "gapMs", 99) - p("direct", "gapMs", 99);
    console.log(
      `  ${String(concurrency).padStart(3)} streams, ${target.padEnd(11)} added TTFT p50 ` +
        `${fixed(addedTtft)} ms${overCore} (p99 ${
          fixed(p(target, "ttftMs", 99) - p("direct", "ttftMs", 99))
        }; target <= ${ADDED_TTFT_P50_MAX_MS}: ${verdict(addedTtft <= ADDED_TTFT_P50_MAX_MS)}), ` +
        `gap delta p50 ${fixed(gapP50)} p99 ${fixed(gapP99)} ms (${
          verdict(Math.abs(gapP50) <= GAP_P50_NOISE_MS)
        })`,
    );
  }
}

/** The ratios against issue #7's targets, and agw's memory. */
export function printSummary(run: LlmRunResults): void {
  console.log("ratios (one run):");
  if (run.load !== undefined) printLoadRatios(run.load);
  for (const [concurrency, results] of run.streams) printStreamRatios(concurrency, results);
  const memory = [...run.idleMemory].map(([target, m]) => `${target} ${fixed(m?.rssMiB, 1)}`);
  console.log(`  agw RSS at start, MiB: ${memory.join(", ")}`);
}
