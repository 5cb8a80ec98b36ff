/**
 * Reading the config file, and hot reload: watch it and swap in each valid new version.
 * @module
 */
import { basename, dirname, isAbsolute, relative, resolve, sep } from "node:path";
import { ConfigError, loadConfig } from "../config/mod.ts";
import { logger } from "../telemetry/mod.ts";
import type { Gateway } from "./gateway.ts";

/** How long filesystem events are coalesced before the file is read: editors save in bursts. */
const DEBOUNCE_MS = 100;
/** The longest a burst of events may put off the read, however long it lasts. */
const MAX_DELAY_MS = 1_000;

/** The config file cannot be read; the message says why, for `error: cannot read config file`. */
export class ConfigReadError extends Error {
  readonly path: string;
  constructor(path: string, reason: string, options?: ErrorOptions) {
    super(`cannot read config file ${JSON.stringify(path)}: ${reason}`, options);
    this.name = "ConfigReadError";
    this.path = path;
  }
}

const utf8 = new TextDecoder("utf-8", { fatal: true });

/** Reads a config file as UTF-8 text. Throws ConfigReadError with a short, lower-case reason. */
export async function readConfigFile(path: string): Promise<string> {
  let bytes: Uint8Array;
  try {
    bytes = await Deno.readFile(path);
  } catch (error) {
    throw new ConfigReadError(path, readFailureReason(error), { cause: error });
  }
  try {
    return utf8.decode(bytes);
  } catch (error) {
    throw new ConfigReadError(path, "not valid UTF-8 text", { cause: error });
  }
}

function readFailureReason(error: unknown): string {
  if (error instanceof Deno.errors.NotFound) return "not found";
  if (error instanceof Deno.errors.IsADirectory) return "is a directory";
  if (error instanceof Deno.errors.NotADirectory) return "a parent of it is not a directory";
  if (error instanceof Deno.errors.PermissionDenied) return "permission denied";
  if (error instanceof Deno.errors.NotCapable) return "agw was not granted read access to it";
  // Deno's messages end in "(os error N): readfile 'path'"; the path is already in ours.
  return (error as Error).message.replace(/ \(os error \d+\).*$/s, "").toLowerCase();
}

/** Options for watchConfigFile. */
export interface WatchOptions {
  /** The text the gateway was started with: an event that leaves the file unchanged is ignored. */
  initialText?: string;
  /** Called after each reload attempt, with whether the new config is now serving. */
  onReloaded?: (ok: boolean) => void;
}

/**
 * Watches the config file and swaps in each valid new version. An invalid file is logged with
 * all its problems and the running config keeps serving.
 *
 * The file's directory is watched, not the file: editors save by writing a new file and renaming
 * it over the old one, and Kubernetes swaps a symlink, and either way a watch on the file itself
 * would follow the old inode and miss every later change. Only events that name the file, or a
 * link of its symlink chain in that directory (a ConfigMap's `config.yaml -> ..data/config.yaml`
 * and its `..data` link, swapped by rename), schedule a read: a log file written beside it must
 * not keep putting the read off (PLATFORM.md). A burst delays the read by at most MAX_DELAY_MS;
 * a read that finds the same text as last time does nothing.
 */
export function watchConfigFile(
  gateway: Gateway,
  path: string,
  options: WatchOptions = {},
): () => void {
  let watcher: Deno.FsWatcher;
  try {
    watcher = Deno.watchFs(dirname(path), { recursive: false });
  } catch (error) {
    logger.warn("cannot watch config file; hot reload is off", {
      path,
      error: (error as Error).message,
    });
    return () => {};
  }
  let timer: ReturnType<typeof setTimeout> | undefined;
  let lastText = options.initialText;
  let stopped = false;
  const reload = async () => {
    if (stopped) return;
    let text: string;
    try {
      text = await readConfigFile(path);
    } catch (error) {
      // Mid-rename the file may briefly be missing; the rename's own event schedules another read.
      logger.error("cannot read config file; keeping the running config", {
        path,
        error: error instanceof ConfigReadError ? error.message : String(error),
      });
      options.onReloaded?.(false);
      return;
    }
    if (text === lastText || stopped) return;
    lastText = text;
    try {
      await gateway.reload(loadConfig(text, { source: path }));
      logger.info("config reloaded", { path });
      options.onReloaded?.(true);
    } catch (error) {
      if (error instanceof ConfigError) {
        // One line per event: each problem is `source:line:col: yaml.path: message`, joined by "; ".
        logger.error("invalid config; keeping the running config", {
          path,
          problems: error.issues.length,
          error: error.message.replaceAll("\n", "; "),
        });
      } else {
        logger.error("config reload failed", { path, error: (error as Error).message });
      }
      options.onReloaded?.(false);
    }
  };
  // Reloads run one at a time, in order: a slow reload never overlaps the next one.
  let queue = Promise.resolve();
  const schedule = () => {
    timer = undefined;
    queue = queue.then(reload);
  };
  const dir = dirname(path);
  let names = watchedNames(path, dir);
  let burstStart = 0;
  (async () => {
    try {
      for await (const event of watcher) {
        if (!event.paths.some((changed) => names.has(basename(changed)))) continue;
        const now = performance.now();
        if (timer === undefined) burstStart = now;
        clearTimeout(timer);
        timer = setTimeout(() => {
          // The swap may have made a new chain (another `..data` target): follow it from now on.
          names = watchedNames(path, dir);
          schedule();
        }, Math.max(0, Math.min(DEBOUNCE_MS, burstStart + MAX_DELAY_MS - now)));
      }
    } catch {
      // The watcher was closed.
    }
  })();
  return () => {
    stopped = true;
    clearTimeout(timer);
    watcher.close();
  };
}

/**
 * The entries of `dir` whose change can change what `path` reads: its own name, and the first
 * in-directory segment of each symlink target along its chain (`..data` for a ConfigMap).
 */
function watchedNames(path: string, dir: string): Set<string> {
  const names = new Set([basename(path)]);
  let current = path;
  // A bounded walk: a symlink loop must not hang the watcher.
  for (let hops = 0; hops < 8; hops++) {
    let target: string;
    try {
      target = Deno.readLinkSync(current);
    } catch {
      break; // Not a symlink (or gone): the chain ends here.
    }
    const next = isAbsolute(target) ? target : resolve(dirname(current), target);
    const inside = relative(dir, next);
    if (inside !== "" && !inside.startsWith(`..${sep}`) && inside !== ".." && !isAbsolute(inside)) {
      names.add(inside.split(sep)[0]!);
    }
    current = next;
  }
  return names;
}
