/**
 * Telemetry: the process logger, access logs and Prometheus metrics. Nothing here logs secrets:
 * the access log carries no headers and no query strings.
 * @module
 */
export { logRequest } from "./access_log.ts";
export { flushLogs, type LogSink } from "./log_writer.ts";
export { type LogFields, Logger, logger, type LogLevel } from "./logger.ts";
export { Metrics } from "./metrics.ts";
