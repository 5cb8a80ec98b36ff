/**
 * LLM benchmark: a fake provider (bench/fake_llm_upstream.ts) reached directly, through agw's
 * plain core route (`host:` backend), through an `ai` backend passing OpenAI Chat Completions
 * through to an OpenAI provider, and through one translating it to an Anthropic provider.
 * Buffered 1 KiB completions are loaded with wrk; streams (first token after 25 ms, then 64
 * tokens 5 ms apart) are timed token by token by a client in this process, at 16 and 128
 * concurrent streams, with agw's resident memory read from /proc.
 *
 * Env: BENCH_SECONDS (default 6) per target and measurement, split into rotated 2 s rounds;
 * BENCH_LLM_PHASES=load,stream picks phases; BENCH_LLM_CPU_PROF=DIR runs agw with --cpu-prof.
 * See bench/README.md, section "LLM".
 * @module
 */
import { COMPLETION_BYTES } from "./fake_llm_upstream.ts";
import {
  type AgwTarget,
  chatRequestBody,
  type LoadResult,
  type LoadTarget,
  roundsFor,
  runLoadPhase,
  runStreamPhase,
  type StreamResult,
  type StreamTarget,
  type Targets,
  WARMUP_SECONDS,
  WRK_CONNECTIONS,
  WRK_THREADS,
} from "./llm_phases.ts";
import {
  type Memory,
  readMemory,
  type Server,
  startDeno,
  stopAll,
  waitReady,
} from "./llm_processes.ts";
import { printLoadResults, printStreamResults, printSummary } from "./llm_report.ts";
import { findOnPath, freePort } from "./proxy_bench.ts";

const HOST = "127.0.0.1";
const STREAM_CONCURRENCIES = [16, 128] as const;

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
    const rounds = roundsFor(settings.seconds);
    console.log(
      `LLM bench: ${settings.seconds}s per target and measurement in ${rounds} rotated rounds, ` +
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
