import { isoTimestamp } from "./clock.ts";
import { type LogSink, stdoutSink } from "./log_writer.ts";

/** Log levels, most severe first. */
export type LogLevel = "error" | "warn" | "info" | "debug" | "trace";
const RANK: Record<LogLevel, number> = { error: 0, warn: 1, info: 2, debug: 3, trace: 4 };

/** The level names, most severe first. */
export const LOG_LEVELS: readonly LogLevel[] = ["error", "warn", "info", "debug", "trace"];

/** Field values a log line may carry. */
export type LogFields = Record<string, string | number | boolean | undefined>;

/** A leveled logger that writes `text` (`key=value`) or `json` lines. */
export class Logger {
  #rank = RANK.info;
  #json = false;
  #sink: LogSink = stdoutSink;

  /** Applies `config.logging` (level and format). Unknown levels fall back to info. */
  configure(
    options: { level?: string | string[] | undefined; format?: "text" | "json" | undefined },
  ): void {
    // agentgateway accepts a list of per-target levels (`["info", "rmcp=debug"]`); the bare one is ours.
    const levels = Array.isArray(options.level) ? options.level : [options.level ?? "info"];
    const level = (levels.find((l) => !l.includes("=")) ?? "info").toLowerCase() as LogLevel;
    this.#rank = RANK[level] ?? RANK.info;
    this.#json = options.format === "json";
  }

  /** The current level's name. */
  get level(): LogLevel {
    return LOG_LEVELS[this.#rank] ?? "info";
  }

  /** Sets the level by name (admin `POST /logging`); false for an unknown name. */
  setLevel(name: string): boolean {
    const rank = RANK[name.toLowerCase() as LogLevel];
    if (rank === undefined) return false;
    this.#rank = rank;
    return true;
  }

  /** Replaces where lines go (tests capture them). */
  setSink(sink: LogSink): void {
    this.#sink = sink;
  }

  isEnabled(level: LogLevel): boolean {
    return RANK[level] <= this.#rank;
  }

  /** Whether lines are JSON (else text). */
  get isJson(): boolean {
    return this.#json;
  }

  /** Writes a line the caller formatted itself (the access log's fast path). */
  writeRaw(line: string): void {
    this.#sink.write(line);
  }

  error(message: string, fields?: LogFields): void {
    this.log("error", message, fields);
  }
  warn(message: string, fields?: LogFields): void {
    this.log("warn", message, fields);
  }
  info(message: string, fields?: LogFields): void {
    this.log("info", message, fields);
  }
  debug(message: string, fields?: LogFields): void {
    this.log("debug", message, fields);
  }

  /** Writes one line if `level` is enabled. */
  log(level: LogLevel, message: string, fields?: LogFields): void {
    if (RANK[level] > this.#rank) return;
    const time = isoTimestamp();
    if (this.#json) {
      const record: Record<string, unknown> = { time, level, message };
      if (fields) {
        for (const key in fields) if (fields[key] !== undefined) record[key] = fields[key];
      }
      this.#sink.write(JSON.stringify(record) + "\n");
      return;
    }
    let line = `${time}\t${level}\t${oneLine(message)}`;
    if (fields) {
      for (const key in fields) {
        const value = fields[key];
        if (value !== undefined) line += ` ${key}=${formatValue(value)}`;
      }
    }
    this.#sink.write(line + "\n");
  }
}

const NEEDS_QUOTES = /[\s"=]/;

/** One event, one line: line breaks in a message are escaped, or it would read as several events. */
function oneLine(message: string): string {
  return /[\r\n]/.test(message) ? message.replaceAll("\r", "\\r").replaceAll("\n", "\\n") : message;
}

/** A `key=value` value, quoted when it would otherwise be ambiguous. */
export function formatValue(value: string | number | boolean): string {
  if (typeof value !== "string") return String(value);
  return value === "" || NEEDS_QUOTES.test(value) ? JSON.stringify(value) : value;
}

/** The process logger. */
export const logger = new Logger();
