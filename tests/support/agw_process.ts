/**
 * Runs agw as a subprocess (`deno run -A main.ts -f FILE`), the way an operator does, and follows
 * its stdout line by line so tests wait on log events instead of sleeping.
 * @module
 */
import { fileURLToPath } from "node:url";

/** The repository root (holds main.ts). */
const REPO_ROOT = fileURLToPath(new URL("../../", import.meta.url));

/** How long a wait for a log line or an exit may take before the test fails. */
export const EVENT_TIMEOUT_MS = 15_000;

/** A running agw process. */
export interface AgwProcess {
  /** The port of each bind, from the `listening` lines, in the order they were logged. */
  readonly ports: readonly number[];
  /** `http://127.0.0.1:PORT` of the first bind. */
  readonly url: string;
  /** Every stdout line so far (without the newline). */
  readonly lines: readonly string[];
  /** Everything written to stderr so far. */
  readonly stderr: string;
  /**
   * Resolves with the first line at index `from` or later that matches; rejects if agw exits or
   * `EVENT_TIMEOUT_MS` passes first. Pass `lines.length` taken before an action to see only
   * what the action caused.
   */
  waitForLine(pattern: RegExp, from?: number): Promise<string>;
  /** Sends a signal (does not wait). */
  kill(signal: Deno.Signal): void;
  /** Resolves with the exit status once the process has exited and its output is read. */
  readonly exited: Promise<Deno.CommandStatus>;
  /** Sends `signal` (SIGTERM by default) unless already exited, and awaits the exit. */
  stop(signal?: Deno.Signal): Promise<Deno.CommandStatus>;
}

/** agw's `listening` line, text or JSON format; the port is group 1 or 2. */
const LISTENING = /\tlistening .*address=\S*:(\d+)|"message":"listening".*"address":"[^"]*:(\d+)"/;

interface Waiter {
  pattern: RegExp;
  from: number;
  resolve(line: string): void;
  reject(error: Error): void;
}

/**
 * Starts `deno run -A main.ts -f configPath` in the repo root and waits for one `listening` line
 * per bind (`binds` of them). Rejects, after stopping the process, if agw exits or stalls first.
 */
export async function startAgw(
  configPath: string,
  options: { binds?: number } = {},
): Promise<AgwProcess> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "main.ts", "-f", configPath],
    cwd: REPO_ROOT,
    env: { NO_COLOR: "1" },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).spawn();

  const lines: string[] = [];
  const ports: number[] = [];
  let stderr = "";
  let ended = false;
  const waiters = new Set<Waiter>();

  const settle = (waiter: Waiter) => {
    for (let i = waiter.from; i < lines.length; i++) {
      if (waiter.pattern.test(lines[i]!)) {
        waiters.delete(waiter);
        waiter.resolve(lines[i]!);
        return;
      }
    }
    if (ended) {
      waiters.delete(waiter);
      waiter.reject(
        new Error(`agw exited before logging ${waiter.pattern}\n${describe(lines, stderr)}`),
      );
    }
  };

  const readStdout = (async () => {
    let partial = "";
    for await (const chunk of child.stdout.pipeThrough(new TextDecoderStream())) {
      const parts = (partial + chunk).split("\n");
      partial = parts.pop()!;
      for (const line of parts) {
        lines.push(line);
        const listening = line.match(LISTENING);
        if (listening) ports.push(Number(listening[1] ?? listening[2]));
      }
      for (const waiter of [...waiters]) settle(waiter);
    }
    if (partial !== "") lines.push(partial);
  })();
  const readStderr = (async () => {
    for await (const chunk of child.stderr.pipeThrough(new TextDecoderStream())) stderr += chunk;
  })();
  const exited = (async () => {
    const [status] = await Promise.all([child.status, readStdout, readStderr]);
    ended = true;
    for (const waiter of [...waiters]) settle(waiter);
    return status;
  })();

  const waitForLine = (pattern: RegExp, from = 0) => {
    const { promise, resolve, reject } = Promise.withResolvers<string>();
    const timer = setTimeout(() => {
      waiters.delete(waiter);
      reject(
        new Error(
          `agw did not log ${pattern} within ${EVENT_TIMEOUT_MS} ms\n${describe(lines, stderr)}`,
        ),
      );
    }, EVENT_TIMEOUT_MS);
    const waiter: Waiter = {
      pattern,
      from,
      resolve: (line) => {
        clearTimeout(timer);
        resolve(line);
      },
      reject: (error) => {
        clearTimeout(timer);
        reject(error);
      },
    };
    waiters.add(waiter);
    settle(waiter);
    return promise;
  };

  const kill = (signal: Deno.Signal) => {
    if (ended) return;
    try {
      child.kill(signal);
    } catch {
      // Already exited between the check and the kill.
    }
  };

  const stop = async (signal: Deno.Signal = "SIGTERM") => {
    kill(signal);
    try {
      return await withTimeout(exited, `agw did not exit after ${signal}`);
    } catch (error) {
      // Leave nothing running behind a failed test: SIGKILL always ends it.
      kill("SIGKILL");
      await exited;
      throw error;
    }
  };

  const agw: AgwProcess = {
    ports,
    get url() {
      return `http://127.0.0.1:${ports[0]}`;
    },
    lines,
    get stderr() {
      return stderr;
    },
    waitForLine,
    kill,
    exited,
    stop,
  };

  try {
    let from = 0;
    for (let i = 0; i < (options.binds ?? 1); i++) {
      const line = await waitForLine(LISTENING, from);
      from = lines.indexOf(line, from) + 1;
    }
  } catch (error) {
    await stop("SIGKILL");
    throw error;
  }
  return agw;
}

/** Awaits `promise`, failing with `message` if it has not settled within EVENT_TIMEOUT_MS. */
export async function withTimeout<T>(promise: Promise<T>, message: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`${message} within ${EVENT_TIMEOUT_MS} ms`)),
      EVENT_TIMEOUT_MS,
    );
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function describe(lines: readonly string[], stderr: string): string {
  return `stdout:\n${lines.join("\n")}\nstderr:\n${stderr}`;
}

/** A temporary directory holding one config file, for tests that edit the config under agw. */
export interface TempConfig {
  readonly path: string;
  /** Replaces the file's contents in place (truncate and write, as `echo > file` does). */
  write(text: string): Promise<void>;
  /** Replaces the file the way editors do: write a sibling, then rename it over the file. */
  replace(text: string): Promise<void>;
  remove(): Promise<void>;
}

/** Creates a directory of its own holding `config.yaml` with `text`. */
export async function tempConfig(text: string): Promise<TempConfig> {
  const dir = await Deno.makeTempDir({ prefix: "agw-test-" });
  const path = `${dir}/config.yaml`;
  await Deno.writeTextFile(path, text);
  return {
    path,
    write: (next) => Deno.writeTextFile(path, next),
    async replace(next) {
      await Deno.writeTextFile(`${dir}/.config.yaml.swp`, next);
      await Deno.rename(`${dir}/.config.yaml.swp`, path);
    },
    remove: () => Deno.remove(dir, { recursive: true }),
  };
}
