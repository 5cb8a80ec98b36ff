/**
 * Runs agw's CLI as a subprocess from the repo root, the way a user does, for the config e2e tests.
 * @module
 */
import { fileURLToPath } from "node:url";

/** The repository root (holds main.ts and deno.json). */
export const REPO_ROOT = fileURLToPath(new URL("../../../", import.meta.url));

/** agentgateway's reference configs; absent in checkouts without the shared folder. */
export const AGENTGATEWAY_DIR = fileURLToPath(
  new URL("../../../../shared/agentgateway/", import.meta.url),
);

/** What a CLI run printed and how it exited. */
export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** What Deno itself needs to run; everything else is dropped so configs cannot lean on it. */
const KEPT_ENV = ["PATH", "HOME", "DENO_DIR", "XDG_CACHE_HOME", "TMPDIR", "SYSTEMROOT"];

/**
 * Runs `deno run -A main.ts ...args` in the repo root with a bare environment plus `env`, so a
 * config's `$VAR` expands the same on every machine.
 */
export async function runCli(
  args: readonly string[],
  env: Record<string, string> = {},
): Promise<CliResult> {
  const kept = Object.fromEntries(
    KEPT_ENV.flatMap((name) => {
      const value = Deno.env.get(name);
      return value === undefined ? [] : [[name, value]];
    }),
  );
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "main.ts", ...args],
    cwd: REPO_ROOT,
    clearEnv: true,
    env: { ...kept, NO_COLOR: "1", ...env },
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
  }).output();
  const decoder = new TextDecoder();
  return {
    code: output.code,
    stdout: decoder.decode(output.stdout),
    stderr: decoder.decode(output.stderr),
  };
}

/** Maps `items` through `fn` with at most `limit` calls in flight, keeping the order. */
export async function mapLimit<T, R>(
  items: readonly T[],
  limit: number,
  fn: (item: T) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  async function worker() {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index]!);
    }
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/** A lazily started batch: the first test that needs it runs every case, later ones reuse it. */
export function once<T>(start: () => Promise<T>): () => Promise<T> {
  let promise: Promise<T> | undefined;
  return () => promise ??= start();
}

/** Whether a directory exists (the shared corpus is optional). */
export function dirExists(path: string): boolean {
  try {
    return Deno.statSync(path).isDirectory;
  } catch {
    return false;
  }
}
