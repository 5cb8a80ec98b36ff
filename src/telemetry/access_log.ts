import { FlattenedMap, toPlain } from "../cel/mod.ts";
import type { RequestContext } from "../context/mod.ts";
import { type CelField, evaluateCelField } from "./cel_fields.ts";
import { isoTimestamp } from "./clock.ts";
import { formatValue, type LogFields, logger } from "./logger.ts";

/** `config.logging`'s per-request parts, compiled: a CEL filter and CEL fields to add or remove. */
export interface AccessLogPolicy {
  readonly filter: CelField | undefined;
  readonly fields: readonly CelField[];
  readonly remove: ReadonlySet<string>;
}

/**
 * One line per request, with agentgateway's field names. Credentials never appear: only the
 * method, host, path (without query, where API keys often ride) and outcome are logged, unless a
 * CEL field asks for more. Without CEL fields the text line is built directly: it runs per request.
 */
export function logRequest(
  ctx: RequestContext,
  durationMs: number,
  policy: AccessLogPolicy | undefined,
): void {
  if (!logger.isEnabled("info")) return;
  if (policy) {
    logWithPolicy(ctx, durationMs, policy);
    return;
  }
  if (logger.isJson) {
    logger.info("request", defaultFields(ctx, durationMs));
    return;
  }
  logger.writeRaw(`${defaultLine(ctx, durationMs)}\n`);
}

/** The text line with the default fields, built directly (it runs per request). */
function defaultLine(ctx: RequestContext, durationMs: number): string {
  let line = `${isoTimestamp()}\tinfo\trequest gateway=${formatValue(ctx.bindName)}`;
  if (ctx.route) line += ` route=${formatValue(ctx.route.name)}`;
  if (ctx.endpoint) line += ` endpoint=${formatValue(ctx.endpoint)}`;
  // The URL parser has already percent-encoded spaces and quotes in host and path.
  line +=
    ` src.addr=${ctx.clientAddr} http.method=${ctx.request.method} http.host=${ctx.url.hostname}` +
    ` http.path=${ctx.url.pathname} http.status=${ctx.status}`;
  if (ctx.logFields) {
    for (const [name, value] of ctx.logFields) line += ` ${name}=${formatValue(value)}`;
  }
  if (ctx.error) line += ` error=${formatValue(ctx.error)}`;
  return `${line} duration=${Math.round(durationMs)}ms`;
}

function defaultFields(ctx: RequestContext, durationMs: number): LogFields {
  const fields: LogFields = {
    gateway: ctx.bindName,
    route: ctx.route?.name,
    endpoint: ctx.endpoint || undefined,
    "src.addr": ctx.clientAddr,
    "http.method": ctx.request.method,
    "http.host": ctx.url.hostname,
    "http.path": ctx.url.pathname,
    "http.status": ctx.status,
    error: ctx.error,
    duration: `${Math.round(durationMs)}ms`,
  };
  if (ctx.logFields) { for (const [name, value] of ctx.logFields) fields[name] = value; }
  return fields;
}

function logWithPolicy(ctx: RequestContext, durationMs: number, policy: AccessLogPolicy): void {
  // A filter that cannot be evaluated logs the request: losing a log line is worse than an extra one.
  if (policy.filter && evaluateCelField(ctx, policy.filter, "logging.filter") === false) return;
  if (!logger.isJson && policy.remove.size === 0) {
    // Text without removals: the default line as usual, CEL fields appended.
    let line = defaultLine(ctx, durationMs);
    for (const field of policy.fields) {
      const value = evaluateCelField(ctx, field, "logging.fields");
      if (value instanceof FlattenedMap) {
        for (const [key, inner] of value) {
          line += ` ${field.name}.${key}=${formatValue(logValue(inner))}`;
        }
      } else if (value !== undefined) {
        line += ` ${field.name}=${formatValue(logValue(value))}`;
      }
    }
    logger.writeRaw(`${line}\n`);
    return;
  }
  const fields = defaultFields(ctx, durationMs);
  for (const name of policy.remove) delete fields[name];
  for (const field of policy.fields) {
    const value = evaluateCelField(ctx, field, "logging.fields");
    if (value instanceof FlattenedMap) {
      for (const [key, inner] of value) fields[`${field.name}.${key}`] = logValue(inner);
    } else if (value !== undefined) {
      fields[field.name] = logValue(value);
    }
  }
  logger.info("request", fields);
}

/** A CEL value as a log field: scalars as they are, anything structured as JSON text. */
function logValue(value: unknown): string | number | boolean {
  const plain = toPlain(value);
  if (typeof plain === "string" || typeof plain === "number" || typeof plain === "boolean") {
    return plain;
  }
  return JSON.stringify(plain);
}
