import type { RequestContext } from "../gateway/request_context.ts";
import { logger } from "./logger.ts";

/**
 * One line per request, with agentgateway's field names. Credentials never appear: only the
 * method, host, path (without query, where API keys often ride) and outcome are logged.
 */
export function logRequest(ctx: RequestContext, durationMs: number): void {
  if (!logger.isEnabled("info")) return;
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
    duration: `${Math.round(durationMs)}ms`,
  });
}
