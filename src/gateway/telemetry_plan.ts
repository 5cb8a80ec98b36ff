import { type CelReads, celReads } from "../cel/mod.ts";
import type { Config } from "../config/mod.ts";
import {
  type AccessLogPolicy,
  type CelField,
  CelFieldError,
  compileCelFields,
} from "../telemetry/mod.ts";

/** The per-request telemetry a config asks for, compiled: CEL log fields and filter, metric labels. */
export interface TelemetryPlan {
  /** Undefined when logging has no CEL filter or fields (the access log's fast path). */
  readonly accessLog: AccessLogPolicy | undefined;
  readonly metricFields: readonly CelField[];
  /**
   * What the telemetry expressions read. A `response.body` read copies the body (bounded) as it
   * streams to the client, and the log line, metrics and span are finished when it ends.
   */
  readonly reads: CelReads;
}

/**
 * Compiles `config.logging`, `frontendPolicies.accessLog` (agentgateway's newer home for the same
 * settings: its fields join, and its filter wins), `config.metrics` and `config.tracing` fields.
 * Problems go to `issue` with their YAML path.
 */
export function compileTelemetryPlan(
  document: Config,
  issue: (path: PropertyKey[], message: string) => void,
): TelemetryPlan {
  const config = document.config;
  const frontend = document.frontendPolicies?.accessLog;
  // One field at a time, so every bad expression is reported, not only the first.
  const fieldsAt = (add: Record<string, string> | undefined, path: PropertyKey[]): CelField[] =>
    Object.entries(add ?? {}).flatMap(([name, source]) => {
      try {
        return compileCelFields({ [name]: source });
      } catch (error) {
        if (error instanceof CelFieldError) issue([...path, error.key], error.message);
        else throw error;
        return [];
      }
    });
  const logging = config.logging;
  const logFields = [
    ...fieldsAt(logging.fields?.add, ["config", "logging", "fields", "add"]),
    ...fieldsAt(frontend?.add, ["frontendPolicies", "accessLog", "add"]),
  ];
  const filter = frontend?.filter !== undefined
    ? fieldsAt({ filter: frontend.filter }, ["frontendPolicies", "accessLog"])[0]
    : logging.filter === undefined
    ? undefined
    : fieldsAt({ filter: logging.filter }, ["config", "logging"])[0];
  const remove = new Set([...(logging.fields?.remove ?? []), ...(frontend?.remove ?? [])]);
  const accessLog = filter || logFields.length > 0 || remove.size > 0
    ? { filter, fields: logFields, remove }
    : undefined;
  const metricFields = fieldsAt(config.metrics?.fields?.add, [
    "config",
    "metrics",
    "fields",
    "add",
  ]);
  // Compiled here to report bad expressions as config errors; the tracer compiles its own copy.
  const traceFields = fieldsAt(config.tracing?.fields?.add, ["config", "tracing", "fields", "add"]);
  for (const key of ["randomSampling", "clientSampling"] as const) {
    const setting = config.tracing?.[key];
    // Literals ("true", "0.5") need no engine; anything else must be a valid expression.
    if (typeof setting === "string" && !/^\s*(true|false|[\d.]+)\s*$/.test(setting)) {
      fieldsAt({ [key]: setting }, ["config", "tracing"]);
    }
  }
  const expressions = [...logFields, ...metricFields, ...traceFields, ...(filter ? [filter] : [])]
    .map((f) => f.expression);
  return { accessLog, metricFields, reads: celReads(expressions) };
}

/** Nothing to compute per request. */
export const EMPTY_TELEMETRY_PLAN: TelemetryPlan = {
  accessLog: undefined,
  metricFields: [],
  reads: celReads([]),
};
