/**
 * LLM benchmark: a fake provider (bench/fake_llm_upstream.ts) reached directly, through agw's
 * plain core route (`host:` backend), through an `ai` backend passing OpenAI Chat Completions
 * through to an OpenAI provider, and through one translating it to an Anthropic provider.
 * Buffered 1 KiB completions are loaded with wrk; streams (first token after 25 ms, then 64
 * tokens 5 ms apart) are timed token by token by a client in this process, at 16 and 128
 * concurrent streams, with agw's resident memory read from /proc.
 *
 * Env: BENCH_SECONDS (default 6) per target and measurement, split into rotated rounds;
 * BENCH_LLM_PHASES=load,stream picks phases; BENCH_LLM_CPU_PROF=DIR runs agw with --cpu-prof.
 * See bench/README.md, section "LLM".
 * @module
 */
import { findOnPath, freePort, parseWrkOutput, type WrkResult } from "./proxy_bench.ts";
import { COMPLETION_BYTES, DEFAULT_TIMING, TOKEN_TEXT } from "./fake_llm_upstream.ts";
import {
  type Memory,
  readCpuSeconds,
  readMemory,
  type Server,
  startDeno,
  stopAll,
  waitReady,
} from "./llm_processes.ts";
import { probeStreams, type StreamSamples } from "./llm_stream_probe.ts";
import { printLoadResults, printStreamResults, printSummary } from "./llm_report.ts";

const HOST = "127.0.0.1";
const WRK_THREADS = 2;
const WRK_CONNECTIONS = 50;
const WARMUP_SECONDS = 1;
/** Rounds per target; the seconds are split across them, visiting targets in rotated order. */
const ROUNDS = 3;
const STREAM_CONCURRENCIES = [16, 128] as const;
const RSS_SAMPLE_MS = 100;

/** wrk targets: the ceiling, the core route, and the two `ai` backends. */
export const LOAD_TARGETS = ["direct", "core", "passthrough", "translate"] as const;
export type LoadTarget = (typeof LOAD_TARGETS)[number];
/**
 * Streams go direct, through the core route (bytes relayed, nothing parsed: the floor of agw's
 * own transport) and through the two `ai` backends.
 */
export const STREAM_TARGETS = ["direct", "core", "passthrough", "translate"] as const;
export type StreamTarget = (typeof STREAM_TARGETS)[number];
type AgwTarget = Exclude<LoadTarget, "direct">;

const PHASES = ["load", "stream"] as const;
type Phase = (typeof PHASES)[number];

/** What the run was asked to do, from the environment. */
export interface LlmSettings {
  seconds: number;
  phases: Phase[];
  cpuProfileDir: string | undefined;
}

/** Reads BENCH_SECONDS, BENCH_LLM_PHASES and BENCH_LLM_CPU_PROF; throws on bad values. */
export function readLlmSettings(env: { get(key: string): string | undefined }): LlmSettings {
  const secondsText = env.get("BENCH_SECONDS") ?? "6";
  const seconds = Number(secondsText);
  if (!Number.isInteger(seconds) || seconds < 1) {
    throw new Error(`BENCH_SECONDS must be a whole number of seconds >= 1, got "${secondsText}"`);
  }
  const phasesText = env.get("BENCH_LLM_PHASES")?.trim() || PHASES.join(",");
  const wanted = phasesText.split(",").map((name) => name.trim()).filter((name) => name !== "");
  for (const name of wanted) {
    if (!(PHASES as readonly string[]).includes(name)) {
      throw new Error(`BENCH_LLM_PHASES: unknown phase "${name}" (known: ${PHASES.join(", ")})`);
    }
  }
  const cpuProfileDir = env.get("BENCH_LLM_CPU_PROF")?.trim() || undefined;
  return { seconds, phases: PHASES.filter((name) => wanted.includes(name)), cpuProfileDir };
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

/**
 * agw under test: one route, `backendAuth` setting the provider key (so the core route does the
 * same policy work), and a backend that is the plain host, or an `ai` backend whose OpenAI or
 * Anthropic provider is the fake behind `hostOverride`. Access logs stay on, as in proxy_bench.
 */
export function llmAgwConfig(port: number, upstreamPort: number, target: AgwTarget): string {
  const backend = target === "core" ? `- host: ${HOST}:${upstreamPort}` : `- ai:
                  name: bench
                  hostOverride: ${HOST}:${upstreamPort}
                  provider:
                    ${target === "passthrough" ? "openAI" : "anthropic"}: {}`;
  return `config: {adminAddr: "off", statsAddr: "off", readinessAddr: "off", logging: {level: info}}
binds:
  - port: ${port}
    listeners:
      - routes:
          - name: bench
            policies:
              backendAuth: {key: bench-key}
            backends:
              ${backend}
`;
}

/** A wrk script that POSTs the chat request. */
export function wrkPostScript(body: string): string {
  return `wrk.method = "POST"
wrk.body = [[${body}]]
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer bench-client"
`;
}

/** Checks one buffered answer: 1 KiB as the provider sent it, or a translated completion. */
async function checkCompletion(url: string, translated: boolean): Promise<string | undefined> {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: chatRequestBody(false),
    signal: AbortSignal.timeout(2_000),
  });
  const text = await response.text();
  if (response.status !== 200) return `status ${response.status}: ${text.slice(0, 200)}`;
  if (!translated) {
    const bytes = new TextEncoder().encode(text).byteLength;
    return bytes === COMPLETION_BYTES ? undefined : `${bytes} bytes, not ${COMPLETION_BYTES}`;
  }
  const answer = JSON.parse(text) as {
    object?: string;
    choices?: { message?: { content?: string } }[];
  };
  const content = answer.choices?.[0]?.message?.content ?? "";
  return answer.object === "chat.completion" && content.length > COMPLETION_BYTES / 2
    ? undefined
    : `not a translated completion: ${text.slice(0, 200)}`;
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

/** `targets` rotated by `round`, so a slow phase of the shared machine hits each in turn. */
function rotated<T>(targets: readonly T[], round: number): T[] {
  return targets.map((_, i) => targets[(i + round) % targets.length]!);
}

/** The started processes and the URL of each target. */
interface Targets {
  urls: Map<LoadTarget, string>;
  agw: Map<AgwTarget, Server>;
}

async function startTargets(
  servers: Server[],
  settings: LlmSettings,
): Promise<Targets> {
  const upstreamPort = freePort();
  const upstream = startDeno(servers, "fake provider", [
    "run",
    "--allow-net",
    new URL("./fake_llm_upstream.ts", import.meta.url).pathname,
    String(upstreamPort),
  ]);
  const directUrl = `http://${HOST}:${upstreamPort}/v1/chat/completions`;
  await waitReady(upstream, () => checkCompletion(directUrl, false));
  const urls = new Map<LoadTarget, string>([["direct", directUrl]]);
  const agw = new Map<AgwTarget, Server>();
  const profile = settings.cpuProfileDir === undefined
    ? []
    : ["--cpu-prof", `--cpu-prof-dir=${settings.cpuProfileDir}`];
  for (const target of ["core", "passthrough", "translate"] as const) {
    const port = freePort();
    const config = llmAgwConfig(port, upstreamPort, target);
    const server = startDeno(
      servers,
      `agw ${target}`,
      ["run", "-A", ...profile, "main.ts", "-c", config],
      new URL("../", import.meta.url),
    );
    const url = `http://${HOST}:${port}/v1/chat/completions`;
    await waitReady(server, () => checkCompletion(url, target === "translate"));
    urls.set(target, url);
    agw.set(target, server);
  }
  return { urls, agw };
}

/** A target's wrk result, with agw's CPU time per request (undefined for direct). */
export interface LoadResult extends WrkResult {
  cpuUsPerRequest: number | undefined;
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

async function runLoadPhase(
  targets: Targets,
  seconds: number,
  tempDir: string,
): Promise<Map<LoadTarget, LoadResult>> {
  const script = `${tempDir}/chat_post.lua`;
  await Deno.writeTextFile(script, wrkPostScript(chatRequestBody(false)));
  for (const target of LOAD_TARGETS) {
    await runWrk(targets.urls.get(target)!, script, WARMUP_SECONDS);
  }
  const rounds = new Map<LoadTarget, WrkResult[]>();
  const cpu = new Map<LoadTarget, { seconds: number; requests: number }>();
  const roundSeconds = Math.max(1, Math.round(seconds / ROUNDS));
  for (let round = 0; round < ROUNDS; round++) {
    for (const target of rotated(LOAD_TARGETS, round)) {
      const server = target === "direct" ? undefined : targets.agw.get(target);
      const { result, cpuSeconds } = await metered(
        server,
        () => runWrk(targets.urls.get(target)!, script, roundSeconds),
      );
      rounds.set(target, [...(rounds.get(target) ?? []), result]);
      if (cpuSeconds !== undefined) {
        const sofar = cpu.get(target) ?? { seconds: 0, requests: 0 };
        cpu.set(target, {
          seconds: sofar.seconds + cpuSeconds,
          requests: sofar.requests + result.requestsPerSecond * roundSeconds,
        });
      }
    }
  }
  return new Map(LOAD_TARGETS.map((target) => {
    const used = cpu.get(target);
    return [target, {
      ...combineRounds(rounds.get(target)!),
      cpuUsPerRequest: used === undefined ? undefined : (used.seconds * 1e6) / used.requests,
    }];
  }));
}

/** One stream measurement: the samples of every round, and agw's memory while it ran. */
export interface StreamResult {
  samples: StreamSamples;
  /** The agw process's largest resident size seen during the runs (undefined for direct). */
  maxRssMiB: number | undefined;
  /** agw's CPU time per token delivered, the stream's own costs spread over its tokens. */
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

async function runStreamPhase(
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
  const roundSeconds = Math.max(1, Math.round(seconds / ROUNDS));
  for (let round = 0; round < ROUNDS; round++) {
    for (const target of rotated(STREAM_TARGETS, round)) {
      const { result: run, cpuSeconds } = await metered(
        serverOf(target),
        () =>
          probeWithMemory(targets.urls.get(target)!, serverOf(target), concurrency, roundSeconds),
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

function mergeSamples(a: StreamSamples, b: StreamSamples): StreamSamples {
  return {
    ttftMs: [...a.ttftMs, ...b.ttftMs],
    gapMs: [...a.gapMs, ...b.gapMs],
    streams: a.streams + b.streams,
    errors: a.errors + b.errors,
    firstError: a.firstError ?? b.firstError,
  };
}

async function main(): Promise<number> {
  let settings: LlmSettings;
  try {
    settings = readLlmSettings(Deno.env);
  } catch (error) {
    console.error(`error: ${(error as Error).message}`);
    return 2;
  }
  if (settings.phases.includes("load") && findOnPath("wrk") === undefined) {
    console.error("error: wrk is not installed. Install it with: apt-get install wrk");
    return 1;
  }
  const servers: Server[] = [];
  const tempDir = await Deno.makeTempDir({ prefix: "agw_llm_bench_" });
  // Ctrl-C or a SIGTERM from a parent must not leave servers running on the shared machine.
  const onSignal = () => {
    stopAll(servers).finally(() => Deno.exit(130));
  };
  for (const signal of ["SIGINT", "SIGTERM"] as const) Deno.addSignalListener(signal, onSignal);
  try {
    const targets = await startTargets(servers, settings);
    const idleMemory = new Map<AgwTarget, Memory | undefined>(
      [...targets.agw].map(([target, server]) => [target, readMemory(server)]),
    );
    console.log(
      `LLM bench: ${settings.seconds}s per target and measurement in ${ROUNDS} rotated rounds, ` +
        `${WARMUP_SECONDS}s warm-up each; phases: ${settings.phases.join(", ")}`,
    );
    let load: Map<LoadTarget, LoadResult> | undefined;
    if (settings.phases.includes("load")) {
      load = await runLoadPhase(targets, settings.seconds, tempDir);
      printLoadResults(load, { threads: WRK_THREADS, connections: WRK_CONNECTIONS });
    }
    const streams = new Map<number, Map<StreamTarget, StreamResult>>();
    if (settings.phases.includes("stream")) {
      for (const concurrency of STREAM_CONCURRENCIES) {
        const result = await runStreamPhase(targets, concurrency, settings.seconds);
        streams.set(concurrency, result);
        printStreamResults(concurrency, result);
      }
    }
    printSummary({ load, streams, idleMemory });
    return 0;
  } catch (error) {
    console.error(`error: ${(error as Error).message}`);
    return 1;
  } finally {
    await stopAll(servers);
    for (const signal of ["SIGINT", "SIGTERM"] as const) {
      Deno.removeSignalListener(signal, onSignal);
    }
    await Deno.remove(tempDir, { recursive: true }).catch(() => {});
  }
}

if (import.meta.main) Deno.exit(await main());
