/**
 * Where a `deno run --cpu-prof` profile spends its time: the top functions by self time, the
 * top agw functions by inclusive time (a function and everything it called), and self time
 * per source file. For reading the profiles `BENCH_LLM_CPU_PROF=DIR` leaves behind.
 *
 * Usage: deno run --allow-read bench/cpu_profile_top.ts FILE.cpuprofile [TOP]
 * @module
 */

/** The parts of V8's `.cpuprofile` JSON (a `Profiler.Profile`) this script reads. */
interface CpuProfile {
  nodes: {
    id: number;
    callFrame: { functionName: string; url: string; lineNumber: number };
    hitCount?: number;
    children?: number[];
  }[];
  startTime: number;
  endTime: number;
}

/** One row of a report: a name and its time in milliseconds. */
export interface ProfileRow {
  name: string;
  ms: number;
}

/** The three views of one profile. */
export interface ProfileSummary {
  totalMs: number;
  selfByFunction: ProfileRow[];
  inclusiveByAgwFunction: ProfileRow[];
  selfByFile: ProfileRow[];
}

function shortUrl(url: string): string {
  const npm = url.lastIndexOf("/node_modules/");
  if (npm >= 0) return url.slice(npm + "/node_modules/".length);
  const at = url.indexOf("/src/");
  if (at >= 0) return url.slice(at + 1);
  return url === "" ? "(native)" : url.replace(/^ext:/, "ext:");
}

function sorted(totals: Map<string, number>, top: number): ProfileRow[] {
  return [...totals].map(([name, ms]) => ({ name, ms })).sort((a, b) => b.ms - a.ms).slice(0, top);
}

/** Summarises a profile: samples are spread evenly over its duration. */
export function summarizeProfile(profile: CpuProfile, top: number): ProfileSummary {
  const totalHits = profile.nodes.reduce((sum, node) => sum + (node.hitCount ?? 0), 0);
  const totalMs = (profile.endTime - profile.startTime) / 1000;
  const msPerHit = totalHits === 0 ? 0 : totalMs / totalHits;
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const label = (id: number) => {
    const frame = byId.get(id)!.callFrame;
    return `${frame.functionName || "(anonymous)"} ${shortUrl(frame.url)}:${frame.lineNumber + 1}`;
  };
  const selfByFunction = new Map<string, number>();
  const selfByFile = new Map<string, number>();
  for (const node of profile.nodes) {
    const ms = (node.hitCount ?? 0) * msPerHit;
    if (ms === 0) continue;
    selfByFunction.set(label(node.id), (selfByFunction.get(label(node.id)) ?? 0) + ms);
    const file = shortUrl(node.callFrame.url);
    selfByFile.set(file, (selfByFile.get(file) ?? 0) + ms);
  }
  // Inclusive time of agw's own functions: each node's subtree, counted once per call path
  // (a recursive function is counted at its outermost frame only).
  const inclusive = new Map<string, number>();
  const walk = (id: number, open: ReadonlySet<string>): number => {
    const node = byId.get(id)!;
    const name = label(id);
    const url = node.callFrame.url;
    const isAgw = !url.includes("/node_modules/") &&
      (url.includes("/src/") || url.endsWith("/main.ts"));
    const inner = isAgw && !open.has(name) ? new Set([...open, name]) : open;
    let ms = (node.hitCount ?? 0) * msPerHit;
    for (const child of node.children ?? []) ms += walk(child, inner);
    if (isAgw && !open.has(name)) inclusive.set(name, (inclusive.get(name) ?? 0) + ms);
    return ms;
  };
  walk(profile.nodes[0]!.id, new Set());
  return {
    totalMs,
    selfByFunction: sorted(selfByFunction, top),
    inclusiveByAgwFunction: sorted(inclusive, top),
    selfByFile: sorted(selfByFile, top),
  };
}

function printRows(title: string, rows: ProfileRow[], totalMs: number): void {
  console.log(`\n${title}`);
  for (const row of rows) {
    const share = totalMs === 0 ? 0 : (100 * row.ms) / totalMs;
    console.log(
      `${row.ms.toFixed(0).padStart(8)} ms ${share.toFixed(1).padStart(5)}%  ${row.name}`,
    );
  }
}

if (import.meta.main) {
  const [file, topText] = Deno.args;
  if (file === undefined) {
    console.error("usage: cpu_profile_top.ts FILE.cpuprofile [TOP]");
    Deno.exit(2);
  }
  const summary = summarizeProfile(
    JSON.parse(await Deno.readTextFile(file)) as CpuProfile,
    Number(topText ?? "25"),
  );
  const idle = summary.selfByFunction.find((row) => row.name.startsWith("(idle)"))?.ms ?? 0;
  console.log(
    `${file}: ${summary.totalMs.toFixed(0)} ms profiled, ${
      (summary.totalMs - idle).toFixed(0)
    } ms busy`,
  );
  printRows("self time by function", summary.selfByFunction, summary.totalMs);
  printRows("inclusive time, agw functions", summary.inclusiveByAgwFunction, summary.totalMs);
  printRows("self time by file", summary.selfByFile, summary.totalMs);
}
