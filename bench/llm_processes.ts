/**
 * The processes the LLM benchmark starts (the fake provider, agw under each config): start,
 * wait until they answer as expected, read their memory, and stop every one of them.
 * @module
 */

/** Readiness polling: agw loads its npm dependencies at start, so allow it several seconds. */
const READY_TRIES = 150;
const READY_INTERVAL_MS = 100;
/** How long a server may take to exit after SIGTERM before it gets SIGKILL. */
const STOP_GRACE_MS = 5_000;

/** A started server process. */
export interface Server {
  name: string;
  child: Deno.ChildProcess;
  /** Set once the process has exited, so readiness polling can stop early with a clear error. */
  exit: Deno.CommandStatus | undefined;
}

/** Starts `deno <args>`; stdout (agw's access log, one line per request) goes to /dev/null. */
export function startDeno(
  servers: Server[],
  name: string,
  args: string[],
  cwd?: URL,
): Server {
  const child = new Deno.Command(Deno.execPath(), {
    args,
    ...(cwd === undefined ? {} : { cwd }),
    stdin: "null",
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

/**
 * Polls `check` until it reports no problem (returns undefined); fails fast if the process
 * exits, and with the last problem if it never gets there.
 */
export async function waitReady(
  server: Server,
  check: () => Promise<string | undefined>,
): Promise<void> {
  let lastProblem = "no attempt made";
  for (let attempt = 0; attempt < READY_TRIES; attempt++) {
    if (server.exit !== undefined) {
      throw new Error(`${server.name} exited during start-up with code ${server.exit.code}`);
    }
    try {
      const problem = await check();
      if (problem === undefined) return;
      lastProblem = problem;
    } catch (error) {
      lastProblem = (error as Error).message;
    }
    await new Promise((resolve) => setTimeout(resolve, READY_INTERVAL_MS));
  }
  throw new Error(`${server.name} not ready after ${READY_TRIES} tries: ${lastProblem}`);
}

/** Stops every server: SIGTERM, then SIGKILL for any that outlive the grace period. */
export async function stopAll(servers: readonly Server[]): Promise<void> {
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

/** Resident memory of a process now and at its peak, in MiB (Linux `/proc/<pid>/status`). */
export interface Memory {
  rssMiB: number;
  peakRssMiB: number;
}

/** Parses `VmRSS` and `VmHWM` (kB) out of a `/proc/<pid>/status` text. */
export function parseProcStatus(text: string): Memory {
  const field = (name: string) => {
    const match = new RegExp(`^${name}:\\s+(\\d+) kB`, "m").exec(text);
    if (match === null) throw new Error(`no ${name} in /proc status`);
    return Number(match[1]) / 1024;
  };
  return { rssMiB: field("VmRSS"), peakRssMiB: field("VmHWM") };
}

/** Reads a server's memory; undefined where /proc is not available. */
export function readMemory(server: Server): Memory | undefined {
  try {
    return parseProcStatus(Deno.readTextFileSync(`/proc/${server.child.pid}/status`));
  } catch {
    return undefined;
  }
}

/** Clock ticks per second of /proc's CPU times (USER_HZ, 100 on Linux builds we run on). */
const CLOCK_TICKS_PER_SECOND = 100;

/** User plus system CPU seconds from a `/proc/<pid>/stat` line (all of the process's threads). */
export function parseProcStatCpuSeconds(text: string): number {
  // The command name may hold spaces and parentheses: fields are counted after its last ")".
  const fields = text.slice(text.lastIndexOf(")") + 2).split(" ");
  // proc(5): utime and stime are fields 14 and 15; fields[0] here is field 3 (state).
  const utime = Number(fields[11]);
  const stime = Number(fields[12]);
  if (!Number.isFinite(utime) || !Number.isFinite(stime)) throw new Error("bad /proc stat line");
  return (utime + stime) / CLOCK_TICKS_PER_SECOND;
}

/** CPU seconds a server has used so far; undefined where /proc is not available. */
export function readCpuSeconds(server: Server): number | undefined {
  try {
    return parseProcStatCpuSeconds(Deno.readTextFileSync(`/proc/${server.child.pid}/stat`));
  } catch {
    return undefined;
  }
}
