import type { RequestContext } from "../gateway/request_context.ts";
import { isoTimestamp } from "./clock.ts";
import { formatValue, logger } from "./logger.ts";

/**
 * One line per request, with agentgateway's field names. Credentials never appear: only the
 * method, host, path (without query, where API keys often ride) and outcome are logged.
 * The text line is built directly rather than through a fields object: it runs per request.
 */
export function logRequest(ctx: RequestContext, durationMs: number): void {
  if (!logger.isEnabled("info")) return;
  const duration = `${Math.round(durationMs)}ms`;
  if (logger.isJson) {
    logger.info("request", {
      gateway: ctx.bindName,
      route: ctx.route?.name,
      endpoint: ctx.endpoint || undefined,
      "src.addr": ctx.clientAddr,
      "http.method": ctx.request.method,
      "http.host": ctx.url.hostname,
      "http.path": ctx.url.pathname,
      "http.status": ctx.status,
      error: ctx.error,
      duration,
    });
    return;
  }
  let line = `${isoTimestamp()}\tinfo\trequest gateway=${formatValue(ctx.bindName)}`;
  if (ctx.route) line += ` route=${formatValue(ctx.route.name)}`;
  if (ctx.endpoint) line += ` endpoint=${formatValue(ctx.endpoint)}`;
  // The URL parser has already percent-encoded spaces and quotes in host and path.
  line +=
    ` src.addr=${ctx.clientAddr} http.method=${ctx.request.method} http.host=${ctx.url.hostname}` +
    ` http.path=${ctx.url.pathname} http.status=${ctx.status}`;
  if (ctx.error) line += ` error=${formatValue(ctx.error)}`;
  logger.writeRaw(`${line} duration=${duration}\n`);
}
