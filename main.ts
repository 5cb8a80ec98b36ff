/**
 * agw: parse flags → load config → start the gateway → wait for SIGTERM/SIGINT → drain.
 * @module
 */
import { parseArgs, USAGE, UsageError } from "./src/cli.ts";
import { ConfigError, loadConfig, type LoadedConfig } from "./src/config/mod.ts";
import { buildSnapshot, Gateway } from "./src/gateway/mod.ts";
import { watchConfigFile } from "./src/gateway/reload.ts";
import { flushLogs, logger } from "./src/telemetry/mod.ts";
import { VERSION } from "./src/version.ts";

/** How long in-flight requests may run after SIGTERM before agw exits anyway. */
const DRAIN_DEADLINE_MS = 10_000;

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

  let loaded: LoadedConfig;
  try {
    const text = options.file !== undefined
      ? Deno.readTextFileSync(options.file)
      : options.inlineConfig!;
    loaded = loadConfig(text, { source: options.file ?? "--config" });
    if (options.validateOnly) {
      buildSnapshot(loaded).close();
      console.log(`${loaded.source}: configuration is valid`);
      return 0;
    }
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      return 1;
    }
    if (error instanceof Deno.errors.NotFound) {
      console.error(`error: cannot read config file ${JSON.stringify(options.file)}: not found`);
      return 1;
    }
    throw error;
  }

  let gateway: Gateway;
  try {
    gateway = await Gateway.start(loaded);
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      return 1;
    }
    console.error(`error: cannot start: ${(error as Error).message}`);
    return 1;
  }
  const stopWatching = options.file !== undefined
    ? watchConfigFile(gateway, options.file)
    : () => {};

  const signal = await new Promise<string>((resolve) => {
    for (const name of ["SIGTERM", "SIGINT"] as const) {
      Deno.addSignalListener(name, () => resolve(name));
    }
  });
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
