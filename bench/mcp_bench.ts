/**
 * MCP benchmark: `tools/call` of an echo tool over Streamable HTTP at 32 concurrent clients,
 * direct to an SDK-built server vs through agw (stateful and stateless), alternating targets
 * over rounds. Reports req/s, the ratio to direct, and p50/p99 with what agw adds.
 * Run with `deno run -A bench/mcp_bench.ts` (env: BENCH_SECONDS per target, default 6).
 *
 * The same file is the upstream: with `--upstream` it serves the tests' SDK fixture and prints
 * its URL, so the server runs in a process of its own, as a real MCP server would.
 * @module
 */
import { startMcpFixture } from "../tests/support/mcp_server.ts";
import { startAgw, tempConfig } from "../tests/support/agw_process.ts";

const CLIENTS = 32;
const ROUNDS = 3;
const WARMUP_MS = 500;
const HEADERS = {
  accept: "application/json, text/event-stream",
  "content-type": "application/json",
};
const VERSION = "2025-11-25";

type Target = "direct" | "agw stateful" | "agw stateless";

interface Result {
  requests: number;
  seconds: number;
  latenciesMs: number[];
  errors: number;
}

if (Deno.args.includes("--upstream")) {
  const fixture = await startMcpFixture("bench");
  console.log(fixture.url);
  await new Promise(() => {});
}

/** One client's session (none in stateless mode): initialize, then notifications/initialized. */
async function openSession(url: string): Promise<Record<string, string>> {
  const init = await fetch(url, {
    method: "POST",
    headers: HEADERS,
    body: JSON.stringify({
      jsonrpc: "2.0",
      id: 0,
      method: "initialize",
      params: {
        protocolVersion: VERSION,
        capabilities: {},
        clientInfo: { name: "bench", version: "1" },
      },
    }),
  });
  await init.text();
  const session = init.headers.get("mcp-session-id");
  const headers: Record<string, string> = { ...HEADERS, "mcp-protocol-version": VERSION };
  if (session) headers["mcp-session-id"] = session;
  const initialized = await fetch(url, {
    method: "POST",
    headers,
    body: '{"jsonrpc":"2.0","method":"notifications/initialized"}',
  });
  await initialized.body?.cancel();
  return headers;
}

/** 32 clients calling `echo` back to back for `ms`; latencies of the calls after the warm-up. */
async function load(url: string, ms: number): Promise<Result> {
  const sessions = await Promise.all(Array.from({ length: CLIENTS }, () => openSession(url)));
  const latenciesMs: number[] = [];
  let errors = 0;
  const start = performance.now();
  const measureFrom = start + WARMUP_MS;
  const end = measureFrom + ms;
  await Promise.all(sessions.map(async (headers, client) => {
    for (let id = 1; performance.now() < end; id++) {
      const began = performance.now();
      try {
        const response = await fetch(url, {
          method: "POST",
          headers,
          body: JSON.stringify({
            jsonrpc: "2.0",
            id,
            method: "tools/call",
            params: { name: "echo", arguments: { text: `client ${client}` } },
          }),
        });
        const body = await response.text();
        if (!response.ok || !body.includes("bench: client")) errors++;
      } catch {
        errors++;
      }
      if (began >= measureFrom) latenciesMs.push(performance.now() - began);
    }
  }));
  await Promise.all(sessions.map(async (headers) => {
    if (!headers["mcp-session-id"]) return;
    const ended = await fetch(url, { method: "DELETE", headers });
    await ended.body?.cancel();
  }));
  return { requests: latenciesMs.length, seconds: ms / 1000, latenciesMs, errors };
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))] ?? 0;
}

function agwConfig(upstream: string, mode: "stateful" | "stateless"): string {
  return `config:
  adminAddr: "off"
  statsAddr: "off"
  readinessAddr: "off"
binds:
- port: 0
  listeners:
  - routes:
    - backends:
      - mcp:
          statefulMode: ${mode}
          targets:
          - name: bench
            mcp:
              host: ${upstream}
`;
}

async function main(): Promise<void> {
  const seconds = Number(Deno.env.get("BENCH_SECONDS") ?? 6);
  const upstreamProcess = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", new URL(import.meta.url).pathname, "--upstream"],
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const reader = upstreamProcess.stdout.pipeThrough(new TextDecoderStream()).getReader();
  const upstream = ((await reader.read()).value ?? "").trim();
  const configs = await Promise.all([
    tempConfig(agwConfig(upstream, "stateful")),
    tempConfig(agwConfig(upstream, "stateless")),
  ]);
  const started = await Promise.allSettled(configs.map((c) => startAgw(c.path)));
  if (started.some((s) => s.status === "rejected")) {
    for (const s of started) if (s.status === "fulfilled") await s.value.stop();
    upstreamProcess.kill("SIGTERM");
    await upstreamProcess.status;
    throw new Error("agw did not start");
  }
  const [stateful, stateless] = started.map((s) =>
    (s as PromiseFulfilledResult<Awaited<ReturnType<typeof startAgw>>>).value
  );
  const urls: Record<Target, string> = {
    direct: upstream,
    "agw stateful": `${stateful!.url}/mcp`,
    "agw stateless": `${stateless!.url}/mcp`,
  };
  const results = new Map<Target, Result[]>();
  try {
    const perRoundMs = (seconds * 1000) / ROUNDS;
    for (let round = 0; round < ROUNDS; round++) {
      // Rotate the order so no target always runs first (warm caches, CPU frequency).
      const order = (Object.keys(urls) as Target[]).map((_, i, all) =>
        all[(i + round) % all.length]!
      );
      for (const target of order) {
        const result = await load(urls[target], perRoundMs);
        results.set(target, [...(results.get(target) ?? []), result]);
      }
    }
  } finally {
    await stateful!.stop();
    await stateless!.stop();
    for (const config of configs) await config.remove();
    upstreamProcess.kill("SIGTERM");
    await upstreamProcess.status;
  }
  const rows = [...results].map(([target, rounds]) => {
    const latencies = rounds.flatMap((r) => r.latenciesMs).sort((a, b) => a - b);
    const requests = rounds.reduce((sum, r) => sum + r.requests, 0);
    const elapsed = rounds.reduce((sum, r) => sum + r.seconds, 0);
    return {
      target,
      rps: requests / elapsed,
      p50: percentile(latencies, 0.5),
      p99: percentile(latencies, 0.99),
      errors: rounds.reduce((sum, r) => sum + r.errors, 0),
    };
  });
  const direct = rows.find((r) => r.target === "direct")!;
  console.log(
    `MCP tools/call (echo), ${CLIENTS} concurrent clients, ${seconds}s per target, ${ROUNDS} rotated rounds`,
  );
  console.log("| target | req/s | ratio | p50 ms | +p50 ms | p99 ms | +p99 ms | errors |");
  console.log("|-|-|-|-|-|-|-|-|");
  for (const row of rows) {
    console.log(
      `| ${row.target} | ${row.rps.toFixed(0)} | ${(row.rps / direct.rps).toFixed(2)} | ` +
        `${row.p50.toFixed(2)} | ${(row.p50 - direct.p50).toFixed(2)} | ${row.p99.toFixed(2)} | ` +
        `${(row.p99 - direct.p99).toFixed(2)} | ${row.errors} |`,
    );
  }
}

if (import.meta.main && !Deno.args.includes("--upstream")) await main();
