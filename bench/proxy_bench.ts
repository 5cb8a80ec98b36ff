/**
 * Load benchmark: the same fixed upstream reached directly, through a bare Deno proxy, through agw
 * (also with tracing on) and through nginx, each measured with wrk. Run with `deno task bench`.
 *
 * Env: BENCH_SECONDS (default 10) per measured run; BENCH_ONLY=agw,bare picks targets
 * (names: direct, bare, agw, agw-cel, agw-tracing, nginx). See bench/README.md for how to read the numbers.
 * @module
 */

const TARGETS = ["direct", "bare", "agw", "agw-cel", "agw-tracing", "nginx"] as const;
type TargetName = (typeof TARGETS)[number];

const LABELS: Record<TargetName, string> = {
  direct: "direct",
  bare: "bare proxy",
  agw: "agw",
  "agw-cel": "agw+cel",
  "agw-tracing": "agw+trace",
  nginx: "nginx",
};

const HOST = "127.0.0.1";
const WRK_THREADS = 2;
const WRK_CONNECTIONS = 50;
const WARMUP_SECONDS = 1;
/** Readiness polling: agw loads its npm deps at start, so allow it several seconds. */
const READY_TRIES = 150;
const READY_INTERVAL_MS = 100;
/** How long a server may take to exit after SIGTERM before it gets SIGKILL. */
const STOP_GRACE_MS = 5_000;
const UPSTREAM_BODY_BYTES = 1024;

const BENCH_DIR = new URL("./", import.meta.url);
const REPO_ROOT = new URL("../", import.meta.url);

/** What the run was asked to do, from the environment. */
export interface Settings {
  seconds: number;
  targets: TargetName[];
}

/** One wrk run, reduced to what the table shows. */
export interface WrkResult {
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  /** Non-2xx/3xx responses plus socket errors: a proxy failing fast would otherwise look good. */
  errors: number;
}

/** Rounds per target (BENCH_SECONDS is split across them). */
const ROUNDS = 3;

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

/** A started server process. */
interface Server {
  name: string;
  child: Deno.ChildProcess;
  /** Set once the process has exited, so readiness polling can stop early with a clear error. */
  exit: Deno.CommandStatus | undefined;
}

/** Reads BENCH_SECONDS and BENCH_ONLY; throws with a readable message on bad values. */
export function readSettings(env: { get(key: string): string | undefined }): Settings {
  const secondsText = env.get("BENCH_SECONDS") ?? "10";
  const seconds = Number(secondsText);
  if (!Number.isInteger(seconds) || seconds < 1) {
    throw new Error(`BENCH_SECONDS must be a whole number of seconds >= 1, got "${secondsText}"`);
  }
  const only = env.get("BENCH_ONLY");
  if (only === undefined || only.trim() === "") return { seconds, targets: [...TARGETS] };
  const wanted = only.split(",").map((name) => name.trim()).filter((name) => name !== "");
  for (const name of wanted) {
    if (!(TARGETS as readonly string[]).includes(name)) {
      throw new Error(`BENCH_ONLY: unknown target "${name}" (known: ${TARGETS.join(", ")})`);
    }
  }
  // Keep the canonical order whatever order the user typed.
  return { seconds, targets: TARGETS.filter((name) => wanted.includes(name)) };
}

/** Converts a wrk duration such as `635.00us`, `1.20ms` or `2.00s` to milliseconds. */
export function parseDurationMs(text: string): number {
  const match = /^([\d.]+)(us|ms|s|m|h)$/.exec(text.trim());
  if (match === null) throw new Error(`cannot parse wrk duration "${text}"`);
  const value = Number(match[1]);
  const scale: Record<string, number> = { us: 0.001, ms: 1, s: 1_000, m: 60_000, h: 3_600_000 };
  return value * scale[match[2]!]!;
}

/** Extracts req/s, p50, p99 and error counts from wrk's `--latency` output. */
export function parseWrkOutput(output: string): WrkResult {
  const rps = /^Requests\/sec:\s+([\d.]+)/m.exec(output);
  const p50 = /^\s+50%\s+(\S+)/m.exec(output);
  const p99 = /^\s+99%\s+(\S+)/m.exec(output);
  if (rps === null || p50 === null || p99 === null) {
    throw new Error(`unexpected wrk output:\n${output}`);
  }
  let errors = 0;
  const non2xx = /Non-2xx or 3xx responses:\s+(\d+)/.exec(output);
  if (non2xx !== null) errors += Number(non2xx[1]);
  const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(
    output,
  );
  if (socket !== null) errors += socket.slice(1).reduce((sum, n) => sum + Number(n), 0);
  return {
    requestsPerSecond: Number(rps[1]),
    p50Ms: parseDurationMs(p50[1]!),
    p99Ms: parseDurationMs(p99[1]!),
    errors,
  };
}

/** Returns the full path of an executable found on PATH, or undefined. */
export function findOnPath(command: string): string | undefined {
  for (const dir of (Deno.env.get("PATH") ?? "").split(":")) {
    if (dir === "") continue;
    const candidate = `${dir}/${command}`;
    try {
      const info = Deno.statSync(candidate);
      if (info.isFile && info.mode !== null && (info.mode & 0o111) !== 0) return candidate;
    } catch {
      // Not in this directory; keep looking.
    }
  }
  return undefined;
}

/** Asks the OS for a free loopback port (listen on 0, note the port, release it). */
export function freePort(): number {
  const listener = Deno.listen({ hostname: HOST, port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return port;
}

/**
 * The agw config under test: one route that edits a request header and proxies to the upstream.
 * With `otlpUrl`, every request is traced and its span exported over OTLP/HTTP to that sink.
 */
export function agwConfig(
  port: number,
  upstreamPort: number,
  options: { otlpUrl?: string | undefined; cel?: boolean } = {},
): string {
  const tracing = options.otlpUrl === undefined
    ? ""
    : `,\n  tracing: {otlpEndpoint: "${options.otlpUrl}", otlpProtocol: http, randomSampling: true}`;
  // agw-cel: a 3-rule authorization policy and two CEL access-log fields on the same route.
  const logFields = options.cel
    ? `, fields: {add: {user_agent: 'request.headers["user-agent"]', upstream_status: 'response.code'}}`
    : "";
  const authorization = options.cel
    ? `
              authorization:
                rules:
                  - 'request.method == "GET" || request.method == "POST"'
                  - deny: 'default(request.headers["x-block"], "") == "1"'
                  - require: 'cidr("127.0.0.0/8").containsIP(source.address)'`
    : "";
  return `config: {adminAddr: "off", statsAddr: "off", readinessAddr: "off", logging: {level: info${logFields}}${tracing}}
binds:
  - port: ${port}
    listeners:
      - routes:
          - name: bench
            policies:
              requestHeaderModifier: {set: {x-bench: "1"}}${authorization}
            backends:
              - host: ${HOST}:${upstreamPort}
`;
}

/** An nginx reverse-proxy config tuned the way one would run it in front of an API. */
export function nginxConfig(dir: string, port: number, upstreamPort: number): string {
  return `daemon off;
worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path ${dir}/client_body;
  proxy_temp_path ${dir}/proxy;
  upstream bench_upstream {
    server ${HOST}:${upstreamPort};
    keepalive 64;
  }
  server {
    listen ${HOST}:${port};
    location / {
      proxy_pass http://bench_upstream;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
    }
  }
}
`;
}

function startServer(
  servers: Server[],
  name: string,
  command: string,
  args: string[],
  cwd?: URL,
): Server {
  const child = new Deno.Command(command, {
    args,
    ...(cwd === undefined ? {} : { cwd }),
    stdin: "null",
    // agw writes one access-log line per request here: kept on (it is part of the cost), not shown.
    stdout: "null",
    stderr: "inherit",
  }).spawn();
  const server: Server = { name, child, exit: undefined };
  child.status.then((status) => {
    server.exit = status;
  });
  servers.push(server);
  return server;
}

/** A file beside this one, as a path a subprocess can take on its command line. */
function benchFile(name: string): string {
  return decodeURIComponent(new URL(name, BENCH_DIR).pathname);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls `url` until it answers 200 with the upstream's body; fails fast if the process exits. */
async function waitReady(server: Server, url: string): Promise<void> {
  let lastProblem = "no attempt made";
  for (let attempt = 0; attempt < READY_TRIES; attempt++) {
    if (server.exit !== undefined) {
      throw new Error(`${server.name} exited during start-up with code ${server.exit.code}`);
    }
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(2_000) });
      const body = await response.arrayBuffer();
      if (response.status === 200 && body.byteLength === UPSTREAM_BODY_BYTES) return;
      lastProblem = `status ${response.status}, ${body.byteLength} bytes: ${
        new TextDecoder().decode(body.slice(0, 200))
      }`;
    } catch (error) {
      lastProblem = (error as Error).message;
    }
    await sleep(READY_INTERVAL_MS);
  }
  throw new Error(`${server.name} not ready at ${url} after ${READY_TRIES} tries: ${lastProblem}`);
}

/** Stops every server: SIGTERM, then SIGKILL for any that outlive the grace period. */
async function stopAll(servers: Server[]): Promise<void> {
  await Promise.all(servers.map(async (server) => {
    if (server.exit !== undefined) return;
    try {
      server.child.kill("SIGTERM");
    } catch {
      // Already gone between the check and the kill.
      return;
    }
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timedOut = new Promise<"timeout">((resolve) => {
      timer = setTimeout(() => resolve("timeout"), STOP_GRACE_MS);
    });
    const outcome = await Promise.race([server.child.status, timedOut]);
    clearTimeout(timer);
    if (outcome === "timeout") {
      console.error(`${server.name} ignored SIGTERM for ${STOP_GRACE_MS} ms; sending SIGKILL`);
      try {
        server.child.kill("SIGKILL");
      } catch {
        // Exited at the last moment.
      }
      await server.child.status;
    }
  }));
}

async function runWrk(url: string, seconds: number): Promise<WrkResult> {
  const output = await new Deno.Command("wrk", {
    // A User-Agent as real clients send (the CEL log field reads it).
    args: [
      `-t${WRK_THREADS}`,
      `-c${WRK_CONNECTIONS}`,
      `-d${seconds}s`,
      "--latency",
      "-H",
      "User-Agent: wrk",
      url,
    ],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(output.stdout);
  if (!output.success) {
    throw new Error(`wrk failed (code ${output.code}): ${new TextDecoder().decode(output.stderr)}`);
  }
  return parseWrkOutput(text);
}

/** What an OTLP sink received: export requests and their bytes. */
interface OtlpSink {
  url: string;
  exports: number;
  bytes: number;
  close(): Promise<void>;
}

/**
 * A stand-in collector for `agw-tracing`: answers every OTLP/HTTP export with 200 and an empty
 * ExportTraceServiceResponse (zero bytes), counting what arrives. It runs in this process, which
 * otherwise only waits on wrk.
 */
function startOtlpSink(): OtlpSink {
  const sink: OtlpSink = { url: "", exports: 0, bytes: 0, close: () => Promise.resolve() };
  const server = Deno.serve({ hostname: HOST, port: 0, onListen: () => {} }, async (request) => {
    sink.bytes += (await request.arrayBuffer()).byteLength;
    sink.exports++;
    return new Response(null, { headers: { "content-type": "application/x-protobuf" } });
  });
  sink.url = `http://${HOST}:${(server.addr as Deno.NetAddr).port}`;
  sink.close = () => server.shutdown();
  return sink;
}

/** Starts what `target` needs and returns the URL wrk should load. */
async function startTarget(
  target: TargetName,
  servers: Server[],
  upstreamPort: number,
  tempDir: string,
  otlpUrl?: string,
): Promise<string> {
  const deno = Deno.execPath();
  const upstreamUrl = `http://${HOST}:${upstreamPort}`;
  if (target === "direct") return `${upstreamUrl}/`;
  const port = freePort();
  const url = `http://${HOST}:${port}/`;
  let server: Server;
  if (target === "bare") {
    server = startServer(servers, "bare proxy", deno, [
      "run",
      "--allow-net",
      benchFile("bare_proxy.ts"),
      String(port),
      upstreamUrl,
    ]);
  } else if (target === "agw" || target === "agw-tracing" || target === "agw-cel") {
    const config = agwConfig(port, upstreamPort, {
      otlpUrl: target === "agw-tracing" ? otlpUrl : undefined,
      cel: target === "agw-cel",
    });
    server = startServer(servers, target, deno, ["run", "-A", "main.ts", "-c", config], REPO_ROOT);
  } else {
    const confPath = `${tempDir}/nginx.conf`;
    await Deno.writeTextFile(confPath, nginxConfig(tempDir, port, upstreamPort));
    server = startServer(servers, "nginx", "nginx", ["-p", tempDir, "-c", confPath]);
  }
  await waitReady(server, url);
  return url;
}

function formatRatio(value: number | undefined): string {
  return value === undefined || !Number.isFinite(value) ? "-" : value.toFixed(2);
}

function printTable(results: Map<TargetName, WrkResult>): void {
  const direct = results.get("direct")?.requestsPerSecond;
  const header = ["target", "req/s", "p50 ms", "p99 ms", "vs direct", "errors"];
  const rows = [...results].map(([target, r]) => [
    LABELS[target],
    r.requestsPerSecond.toFixed(0),
    r.p50Ms.toFixed(2),
    r.p99Ms.toFixed(2),
    formatRatio(direct === undefined ? undefined : r.requestsPerSecond / direct),
    String(r.errors),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) =>
    cells.map((cell, i) => i === 0 ? cell.padEnd(widths[i]!) : cell.padStart(widths[i]!))
      .join("  ");
  console.log();
  console.log(line(header));
  console.log(line(widths.map((w) => "-".repeat(w))));
  for (const row of rows) console.log(line(row));
  console.log();
}

async function main(): Promise<number> {
  let settings: Settings;
  try {
    settings = readSettings(Deno.env);
  } catch (error) {
    console.error(`error: ${(error as Error).message}`);
    return 2;
  }
  if (findOnPath("wrk") === undefined) {
    console.error("error: wrk is not installed. Install it with: apt-get install wrk");
    return 1;
  }
  if (settings.targets.includes("nginx") && findOnPath("nginx") === undefined) {
    console.error(
      "note: nginx not found on PATH, skipping the nginx target (apt-get install nginx)",
    );
    settings.targets = settings.targets.filter((target) => target !== "nginx");
  }

  const servers: Server[] = [];
  const sink = settings.targets.includes("agw-tracing") ? startOtlpSink() : undefined;
  const tempDir = await Deno.makeTempDir({ prefix: "agw_bench_" });
  // nginx drops its workers to an unprivileged user when started as root; they must reach the dir.
  await Deno.chmod(tempDir, 0o755);
  // Ctrl-C or a SIGTERM from a parent must not leave servers running on the shared machine.
  const onSignal = () => {
    stopAll(servers).finally(() => Deno.exit(130));
  };
  for (const signal of ["SIGINT", "SIGTERM"] as const) Deno.addSignalListener(signal, onSignal);
  try {
    const upstreamPort = freePort();
    const upstream = startServer(servers, "upstream", Deno.execPath(), [
      "run",
      "--allow-net",
      benchFile("upstream_server.ts"),
      String(upstreamPort),
    ]);
    await waitReady(upstream, `http://${HOST}:${upstreamPort}/`);

    console.log(
      `wrk -t${WRK_THREADS} -c${WRK_CONNECTIONS} -d${settings.seconds}s --latency, ` +
        `${WARMUP_SECONDS}s warm-up each; targets: ${settings.targets.join(", ")}`,
    );
    const results = new Map<TargetName, WrkResult>();
    const urls = new Map<TargetName, string>();
    for (const target of settings.targets) {
      const url = await startTarget(target, servers, upstreamPort, tempDir, sink?.url);
      await runWrk(url, WARMUP_SECONDS);
      urls.set(target, url);
    }
    // The time is split into rounds that visit the targets in a rotating order, so a slow phase
    // of the machine (it is shared with wrk and the upstream) does not land on one target only.
    const rounds = new Map<TargetName, WrkResult[]>();
    const roundSeconds = Math.max(1, Math.round(settings.seconds / ROUNDS));
    for (let round = 0; round < ROUNDS; round++) {
      const order = settings.targets.map((_, i) =>
        settings.targets[(i + round) % settings.targets.length]!
      );
      for (const target of order) {
        const result = await runWrk(urls.get(target)!, roundSeconds);
        rounds.set(target, [...(rounds.get(target) ?? []), result]);
      }
    }
    for (const target of settings.targets) {
      const result = combineRounds(rounds.get(target) ?? []);
      console.log(
        `${LABELS[target].padEnd(11)} ${result.requestsPerSecond.toFixed(0).padStart(7)} req/s  ` +
          `p50 ${result.p50Ms.toFixed(2)} ms  p99 ${result.p99Ms.toFixed(2)} ms`,
      );
      if (result.errors > 0) {
        console.error(`warning: ${target}: ${result.errors} errors in wrk run`);
      }
      results.set(target, result);
    }

    printTable(results);
    const agw = results.get("agw")?.requestsPerSecond;
    const nginx = results.get("nginx")?.requestsPerSecond;
    const bare = results.get("bare")?.requestsPerSecond;
    if (agw !== undefined && nginx !== undefined) {
      console.log(`agw/nginx = ${formatRatio(agw / nginx)}`);
    }
    if (agw !== undefined && bare !== undefined) {
      console.log(`agw/bare = ${formatRatio(agw / bare)}`);
    }
    const withCel = results.get("agw-cel")?.requestsPerSecond;
    if (agw !== undefined && withCel !== undefined) {
      console.log(`agw-cel/agw = ${formatRatio(withCel / agw)}`);
    }
    const traced = results.get("agw-tracing")?.requestsPerSecond;
    if (agw !== undefined && traced !== undefined) {
      console.log(`agw-tracing/agw = ${formatRatio(traced / agw)}`);
    }
    return 0;
  } catch (error) {
    console.error(`error: ${(error as Error).message}`);
    return 1;
  } finally {
    await stopAll(servers);
    if (sink) {
      // After stopAll: agw flushes its last batch when it shuts down.
      await sink.close();
      console.log(`otlp sink: ${sink.exports} exports, ${(sink.bytes / 1024).toFixed(0)} KiB`);
    }
    for (const signal of ["SIGINT", "SIGTERM"] as const) {
      Deno.removeSignalListener(signal, onSignal);
    }
    await Deno.remove(tempDir, { recursive: true }).catch(() => {});
  }
}

if (import.meta.main) Deno.exit(await main());
