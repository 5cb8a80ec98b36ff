import { ConfigError, loadConfig } from "../config/mod.ts";
import { logger } from "../telemetry/mod.ts";
import type { Gateway } from "./gateway.ts";

/**
 * Watches the config file and swaps in each valid new version. An invalid file is logged with
 * all its problems and the running config keeps serving. Editors save in bursts (truncate,
 * write, rename), so changes are coalesced for a moment before reading.
 */
export function watchConfigFile(
  gateway: Gateway,
  path: string,
  onReloaded?: (ok: boolean) => void,
): () => void {
  let watcher: Deno.FsWatcher;
  try {
    watcher = Deno.watchFs(path);
  } catch (error) {
    logger.warn("cannot watch config file; hot reload is off", {
      path,
      error: (error as Error).message,
    });
    return () => {};
  }
  let timer: ReturnType<typeof setTimeout> | undefined;
  let lastText: string | undefined;
  const reload = async () => {
    let text: string;
    try {
      text = await Deno.readTextFile(path);
    } catch (error) {
      logger.error("cannot read config file; keeping the running config", {
        path,
        error: (error as Error).message,
      });
      onReloaded?.(false);
      return;
    }
    if (text === lastText) return;
    lastText = text;
    try {
      await gateway.reload(loadConfig(text, { source: path }));
      logger.info("config reloaded", { path });
      onReloaded?.(true);
    } catch (error) {
      const message = error instanceof ConfigError ? error.message : String(error);
      logger.error(`invalid config; keeping the running config:\n${message}`, { path });
      onReloaded?.(false);
    }
  };
  (async () => {
    try {
      for await (const _event of watcher) {
        clearTimeout(timer);
        timer = setTimeout(reload, 100);
      }
    } catch {
      // The watcher was closed.
    }
  })();
  return () => {
    clearTimeout(timer);
    watcher.close();
  };
}
