/**
 * Command-line flags, the same as agentgateway's standalone binary.
 * @module
 */

/** Parsed flags. */
export interface CliOptions {
  file?: string;
  inlineConfig?: string;
  validateOnly: boolean;
  help: boolean;
  version: boolean;
}

export const USAGE = `Usage: agw [OPTIONS]

Options:
  -f, --file <PATH>       Config file (YAML or JSON); watched and hot-reloaded
  -c, --config <YAML>     Config given inline
      --validate-only     Validate the config and exit (0 valid, 1 invalid)
  -V, --version           Print the version
  -h, --help              Print this help

Exit codes: 0 ok, 1 invalid config, 2 bad usage.`;

/** A usage mistake: exit 2 with the message and the usage text. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

/** Parses argv; throws UsageError on an unknown flag or a missing value. */
export function parseArgs(args: readonly string[]): CliOptions {
  const options: CliOptions = { validateOnly: false, help: false, version: false };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const [flag, inlineValue] = arg.startsWith("--") && arg.includes("=")
      ? [arg.slice(0, arg.indexOf("=")), arg.slice(arg.indexOf("=") + 1)]
      : [arg, undefined];
    const value = () => {
      if (inlineValue !== undefined) return inlineValue;
      const next = args[++i];
      if (next === undefined) throw new UsageError(`Missing value for ${flag}`);
      return next;
    };
    switch (flag) {
      case "-f":
      case "--file":
        options.file = value();
        break;
      case "-c":
      case "--config":
        options.inlineConfig = value();
        break;
      case "--validate-only":
        options.validateOnly = true;
        break;
      case "-h":
      case "--help":
        options.help = true;
        break;
      case "-V":
      case "--version":
        options.version = true;
        break;
      default:
        throw new UsageError(`Unknown argument ${JSON.stringify(arg)}`);
    }
  }
  if (options.file !== undefined && options.inlineConfig !== undefined) {
    throw new UsageError("Cannot use both --file and --config");
  }
  return options;
}
