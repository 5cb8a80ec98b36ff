/**
 * Telemetry: the process logger, access logs, Prometheus metrics and OpenTelemetry traces. Nothing
 * here logs secrets: the access log and spans carry no headers and no query strings.
 * @module
 */
export { type AccessLogPolicy, logRequest } from "./access_log.ts";
export { type CelField, CelFieldError, compileCelFields, evaluateCelField } from "./cel_fields.ts";
export { flushLogs, type LogSink } from "./log_writer.ts";
export { LOG_LEVELS, type LogFields, Logger, logger, type LogLevel } from "./logger.ts";
export { type GenAiLabels, Metrics } from "./metrics.ts";
export {
  createTracer,
  type FieldAttribute,
  reconfigureTracer,
  RequestSpan,
  RequestTracer,
  type TracerOptions,
} from "./tracing.ts";
