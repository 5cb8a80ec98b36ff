/**
 * The LLM benchmark's two measurements, over targets already started: buffered completions
 * under wrk, and timed streams at a given concurrency. Both run in rounds of ROUND_SECONDS
 * that visit the targets in rotated order, and meter agw's CPU time from /proc.
 * @module
 */
import { DEFAULT_TIMING, TOKEN_TEXT } from "./fake_llm_upstream.ts";
import { readCpuSeconds, readMemory, type Server } from "./llm_processes.ts";
import { probeStreams, type StreamSamples } from "./llm_stream_probe.ts";
import { parseWrkOutput, type WrkResult } from "./proxy_bench.ts";

/** wrk targets: the ceiling, the core route, and the two `ai` backends. */
export const LOAD_TARGETS = ["direct", "core", "passthrough", "translate"] as const;
export type LoadTarget = (typeof LOAD_TARGETS)[number];
export type AgwTarget = Exclude<LoadTarget, "direct">;
/**
 * Streams go direct, through the core route (bytes relayed, nothing parsed: the floor of agw's
 * own transport) and through the two `ai` backends.
 */
export const STREAM_TARGETS = LOAD_TARGETS;
export type StreamTarget = LoadTarget;

export const WRK_THREADS = 2;
export const WRK_CONNECTIONS = 50;
export const WARMUP_SECONDS = 1;
/** Length of one round; BENCH_SECONDS per target is split into rounds of this length. */
const ROUND_SECONDS = 2;
const RSS_SAMPLE_MS = 100;

/** The started targets: each one's URL, and agw's process for each agw target. */
export interface Targets {
  urls: Map<LoadTarget, string>;
  agw: Map<AgwTarget, Server>;
}

/** The client's request: OpenAI Chat Completions, as an SDK would send it. */
export function chatRequestBody(stream: boolean): string {
  return JSON.stringify({
    model: "gpt-bench",
    messages: [
      { role: "system", content: "You are a concise assistant." },
      { role: "user", content: "Explain connection pooling in two short paragraphs." },
    ],
    max_tokens: 256,
    temperature: 0.7,
    ...(stream ? { stream: true } : {}),
  });
}

/** A wrk script that POSTs `body` as JSON. */
export function wrkPostScript(body: string): string {
  return `wrk.method = "POST"
wrk.body = [[${body}]]
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer bench-client"
`;
}

/** How many rounds `seconds` per target makes. */
export function roundsFor(seconds: number): number {
  return Math.max(1, Math.round(seconds / ROUND_SECONDS));
}

/** `targets` rotated by `round`, so a slow phase of the shared machine hits each in turn. */
export function rotated<T>(targets: readonly T[], round: number): T[] {
  return targets.map((_, i) => targets[(i + round) % targets.length]!);
}

/** CPU seconds a server (if any) uses while `run` runs. */
async function metered<T>(
  server: Server | undefined,
  run: () => Promise<T>,
): Promise<{ result: T; cpuSeconds: number | undefined }> {
  const before = server === undefined ? undefined : readCpuSeconds(server);
  const result = await run();
  const after = server === undefined ? undefined : readCpuSeconds(server);
  return {
    result,
    cpuSeconds: before === undefined || after === undefined ? undefined : after - before,
  };
}

async function runWrk(url: string, script: string, seconds: number): Promise<WrkResult> {
  const output = await new Deno.Command("wrk", {
    args: [
      `-t${WRK_THREADS}`,
      `-c${WRK_CONNECTIONS}`,
      `-d${seconds}s`,
      "--latency",
      "-s",
      script,
      url,
    ],
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (!output.success) {
    throw new Error(`wrk failed (code ${output.code}): ${new TextDecoder().decode(output.stderr)}`);
  }
  return parseWrkOutput(new TextDecoder().decode(output.stdout));
}

/** A target's wrk rounds combined, each round kept for paired ratios. */
export interface LoadResult extends WrkResult {
  rounds: WrkResult[];
  /** agw's CPU time per request (undefined for direct). */
  cpuUsPerRequest: number | undefined;
}

/** Rounds of equal length: mean req/s, median p50 and p99, summed errors. */
function combineRounds(results: readonly WrkResult[]): WrkResult {
  const median = (values: number[]) =>
    values.toSorted((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;
  return {
    requestsPerSecond: results.reduce((sum, r) => sum + r.requestsPerSecond, 0) /
      Math.max(1, results.length),
    p50Ms: median(results.map((r) => r.p50Ms)),
    p99Ms: median(results.map((r) => r.p99Ms)),
    errors: results.reduce((sum, r) => sum + r.errors, 0),
  };
}

/** Loads every target with wrk POSTing the chat request: a warm-up, then the rounds. */
export async function runLoadPhase(
  targets: Targets,
  seconds: number,
  tempDir: string,
): Promise<Map<LoadTarget, LoadResult>> {
  const script = `${tempDir}/chat_post.lua`;
  await Deno.writeTextFile(script, wrkPostScript(chatRequestBody(false)));
  for (const target of LOAD_TARGETS) {
    await runWrk(targets.urls.get(target)!, script, WARMUP_SECONDS);
  }
  const rounds = new Map<LoadTarget, WrkResult[]>(LOAD_TARGETS.map((target) => [target, []]));
  const cpu = new Map<LoadTarget, { seconds: number; requests: number }>();
  for (let round = 0; round < roundsFor(seconds); round++) {
    for (const target of rotated(LOAD_TARGETS, round)) {
      const server = target === "direct" ? undefined : targets.agw.get(target);
      const { result, cpuSeconds } = await metered(
        server,
        () => runWrk(targets.urls.get(target)!, script, ROUND_SECONDS),
      );
      rounds.get(target)!.push(result);
      if (cpuSeconds !== undefined) {
        const sofar = cpu.get(target) ?? { seconds: 0, requests: 0 };
        cpu.set(target, {
          seconds: sofar.seconds + cpuSeconds,
          requests: sofar.requests + result.requestsPerSecond * ROUND_SECONDS,
        });
      }
    }
  }
  return new Map(LOAD_TARGETS.map((target) => {
    const used = cpu.get(target);
    return [target, {
      ...combineRounds(rounds.get(target)!),
      rounds: rounds.get(target)!,
      cpuUsPerRequest: used === undefined ? undefined : (used.seconds * 1e6) / used.requests,
    }];
  }));
}

/** One stream measurement: the samples of every round, and agw's memory and CPU. */
export interface StreamResult {
  samples: StreamSamples;
  /** The agw process's largest resident size seen during the rounds (undefined for direct). */
  maxRssMiB: number | undefined;
  /** agw's CPU time per token delivered, each stream's own costs spread over its tokens. */
  cpuUsPerToken: number | undefined;
}

/** Runs the probe while sampling the process's resident memory. */
async function probeWithMemory(
  url: string,
  server: Server | undefined,
  concurrency: number,
  seconds: number,
): Promise<{ samples: StreamSamples; maxRssMiB: number | undefined }> {
  let maxRssMiB: number | undefined;
  const sample = () => {
    const memory = server === undefined ? undefined : readMemory(server);
    if (memory !== undefined) maxRssMiB = Math.max(maxRssMiB ?? 0, memory.rssMiB);
  };
  const timer = setInterval(sample, RSS_SAMPLE_MS);
  try {
    const samples = await probeStreams({
      url,
      body: chatRequestBody(true),
      concurrency,
      seconds,
      tokenText: TOKEN_TEXT,
      expectedTokens: DEFAULT_TIMING.tokens + 1,
      streamMs: DEFAULT_TIMING.firstTokenMs + DEFAULT_TIMING.tokens * DEFAULT_TIMING.gapMs,
    });
    sample();
    return { samples, maxRssMiB };
  } finally {
    clearInterval(timer);
  }
}

function mergeSamples(a: StreamSamples, b: StreamSamples): StreamSamples {
  return {
    ttftMs: [...a.ttftMs, ...b.ttftMs],
    gapMs: [...a.gapMs, ...b.gapMs],
    streams: a.streams + b.streams,
    errors: a.errors + b.errors,
    firstError: a.firstError ?? b.firstError,
  };
}

/** Streams through every target at `concurrency`: a warm-up, then the rounds. */
export async function runStreamPhase(
  targets: Targets,
  concurrency: number,
  seconds: number,
): Promise<Map<StreamTarget, StreamResult>> {
  const serverOf = (target: StreamTarget) =>
    target === "direct" ? undefined : targets.agw.get(target);
  for (const target of STREAM_TARGETS) {
    await probeWithMemory(targets.urls.get(target)!, serverOf(target), concurrency, WARMUP_SECONDS);
  }
  const runs = new Map<StreamTarget, { samples: StreamSamples; maxRssMiB: number | undefined }>();
  const cpu = new Map<StreamTarget, number>();
  for (let round = 0; round < roundsFor(seconds); round++) {
    for (const target of rotated(STREAM_TARGETS, round)) {
      const url = targets.urls.get(target)!;
      const { result: run, cpuSeconds } = await metered(
        serverOf(target),
        () => probeWithMemory(url, serverOf(target), concurrency, ROUND_SECONDS),
      );
      if (cpuSeconds !== undefined) cpu.set(target, (cpu.get(target) ?? 0) + cpuSeconds);
      const sofar = runs.get(target);
      runs.set(target, {
        samples: sofar === undefined ? run.samples : mergeSamples(sofar.samples, run.samples),
        maxRssMiB: run.maxRssMiB === undefined
          ? sofar?.maxRssMiB
          : Math.max(sofar?.maxRssMiB ?? 0, run.maxRssMiB),
      });
    }
  }
  return new Map(STREAM_TARGETS.map((target) => {
    const run = runs.get(target)!;
    const used = cpu.get(target);
    const tokens = run.samples.ttftMs.length + run.samples.gapMs.length;
    return [target, {
      ...run,
      cpuUsPerToken: used === undefined || tokens === 0 ? undefined : (used * 1e6) / tokens,
    }];
  }));
}
