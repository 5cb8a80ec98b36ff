/**
 * agw: parse flags → load config → start the gateway → wait for SIGTERM/SIGINT → drain.
 * Every failure before serving is one `error: …` line on stderr and exit 1 (2 for bad usage).
 * @module
 */
import { parseArgs, USAGE, UsageError } from "./src/cli.ts";
import { ConfigError, loadConfig, type LoadedConfig } from "./src/config/mod.ts";
import { buildSnapshot, Gateway } from "./src/gateway/mod.ts";
import { ConfigReadError, readConfigFile, watchConfigFile } from "./src/gateway/reload.ts";
import { flushLogs, logger } from "./src/telemetry/mod.ts";
import { VERSION } from "./src/version.ts";

/** How long in-flight requests may run after SIGTERM before agw exits anyway. */
const DRAIN_DEADLINE_MS = 10_000;
/** The same signal this soon after the first is one Ctrl-C delivered twice, not a second request. */
const DUPLICATE_SIGNAL_MS = 500;

const SIGNALS = ["SIGTERM", "SIGINT"] as const;

async function main(args: string[]): Promise<number> {
  let options;
  try {
    options = parseArgs(args);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    console.error(`error: ${error.message}\n\n${USAGE}`);
    return 2;
  }
  if (options.help) {
    console.log(USAGE);
    return 0;
  }
  if (options.version) {
    console.log(`agw ${VERSION}`);
    return 0;
  }
  if (options.file === undefined && options.inlineConfig === undefined) {
    console.error(`error: a config is required: pass -f FILE or -c YAML\n\n${USAGE}`);
    return 2;
  }

  let text: string;
  let loaded: LoadedConfig;
  try {
    text = options.file !== undefined ? await readConfigFile(options.file) : options.inlineConfig!;
    loaded = loadConfig(text, { source: options.file ?? "--config" });
    if (options.validateOnly) {
      buildSnapshot(loaded).close();
      console.log(`${loaded.source}: configuration is valid`);
      return 0;
    }
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
    } else if (error instanceof ConfigReadError) {
      console.error(`error: ${error.message}`);
    } else {
      console.error(`error: cannot load config: ${(error as Error).message ?? String(error)}`);
    }
    return 1;
  }

  // Listen for signals before starting, so a SIGTERM during start-up still drains and exits 0.
  let signalled: string | undefined;
  let signalledAt = 0;
  const stopRequested = Promise.withResolvers<string>();
  const onSignal = (name: string) => {
    // One Ctrl-C can arrive twice (the terminal signals the process group, and `deno task`
    // forwards it too): the same signal again within a moment is that echo, not "exit now".
    const isEcho = name === signalled && performance.now() - signalledAt < DUPLICATE_SIGNAL_MS;
    if (isEcho) return;
    if (signalled !== undefined) {
      // A second signal while draining: the operator wants out now.
      logger.warn("second signal while draining; exiting now", { signal: name });
      flushLogs();
      Deno.exit(1);
    }
    signalled = name;
    signalledAt = performance.now();
    stopRequested.resolve(name);
  };
  for (const name of SIGNALS) Deno.addSignalListener(name, () => onSignal(name));

  let gateway: Gateway;
  try {
    gateway = await Gateway.start(loaded);
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
    } else {
      console.error(`error: cannot start: ${(error as Error).message ?? String(error)}`);
    }
    return 1;
  }
  const stopWatching = options.file !== undefined
    ? watchConfigFile(gateway, options.file, { initialText: text })
    : () => {};

  const signal = await stopRequested.promise;
  logger.info("shutting down", { signal });
  stopWatching();
  await gateway.shutdown(DRAIN_DEADLINE_MS);
  logger.info("stopped");
  return 0;
}

if (import.meta.main) {
  const code = await main(Deno.args);
  flushLogs();
  Deno.exit(code);
}
