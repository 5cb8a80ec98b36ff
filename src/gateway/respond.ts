/**
 * The response side of the flow: response steps, queued headers, one new Response, and the
 * error responses agw answers itself.
 * @module
 */
import type { PolicyStep, ResponseParts } from "../policies/mod.ts";
import { logger } from "../telemetry/mod.ts";
import type { UpstreamResponse } from "../upstream/mod.ts";
import { ProxyError, toResponse } from "../context/mod.ts";
import type { RequestContext } from "../context/mod.ts";

/** The upstream's response through backend and route response steps. */
export function finishUpstream(
  ctx: RequestContext,
  upstream: UpstreamResponse,
  backendSteps: readonly PolicyStep[],
  routeSteps: readonly PolicyStep[],
): Response {
  if (upstream.status < 200 || upstream.status > 599) {
    // `new Response` accepts only 200–599 (1xx are interim and never final here).
    if (upstream.body instanceof ReadableStream) upstream.body.cancel().catch(() => {});
    throw new ProxyError("upstreamCallFailed", `invalid status ${upstream.status}`);
  }
  ctx.response = { status: upstream.status, headers: upstream.headers, body: ctx.responseBody };
  if (backendSteps.length === 0 && routeSteps.length === 0 && !ctx.responseHeaders) {
    // Fast path: no policy touches the response, so skip building a Headers to edit.
    return new Response(upstream.body, { status: upstream.status, headers: upstream.headers });
  }
  const parts: ResponseParts = {
    status: upstream.status,
    headers: new Headers(upstream.headers),
    body: upstream.body,
  };
  for (const step of backendSteps) step.onResponse!(ctx, parts);
  return buildResponse(ctx, parts, routeSteps);
}

/** A response made by agw itself (direct response, redirect, rejection), through response steps. */
export function finishResponse(
  ctx: RequestContext,
  response: Response,
  routeSteps: readonly PolicyStep[],
): Response {
  ctx.response = { status: response.status, headers: response.headers };
  if (routeSteps.length === 0 && !ctx.responseHeaders) return response;
  const parts: ResponseParts = {
    status: response.status,
    headers: new Headers(response.headers),
    body: response.body,
  };
  return buildResponse(ctx, parts, routeSteps);
}

function buildResponse(
  ctx: RequestContext,
  parts: ResponseParts,
  routeSteps: readonly PolicyStep[],
): Response {
  for (const step of routeSteps) step.onResponse!(ctx, parts);
  if (ctx.responseHeaders) {
    for (const [name, value] of ctx.responseHeaders) parts.headers.append(name, value);
  }
  return new Response(parts.body, { status: parts.status, headers: parts.headers });
}

/** Errors Deno raises when the client's connection went away mid-request. */
function isClientGone(error: unknown): boolean {
  return error instanceof Deno.errors.BadResource || error instanceof Deno.errors.Interrupted ||
    error instanceof Deno.errors.ConnectionReset || error instanceof Deno.errors.BrokenPipe;
}

export function errorResponse(ctx: RequestContext, error: unknown): Response {
  let proxyError: ProxyError;
  if (error instanceof ProxyError) {
    proxyError = error;
  } else if (isClientGone(error)) {
    // The client closed while agw read its body: not agw's failure, and nothing to log loudly.
    proxyError = new ProxyError("clientClosed");
  } else {
    // A throw here is a bug: answer 500 with an id the operator can find in the log, never a stack.
    const id = crypto.randomUUID();
    logger.error("internal error", { id, error: (error as Error)?.stack ?? String(error) });
    proxyError = new ProxyError("internal", `id ${id}`);
  }
  ctx.error = proxyError.message;
  const response = toResponse(proxyError);
  ctx.response = { status: response.status, headers: response.headers };
  if (ctx.responseHeaders) {
    for (const [name, value] of ctx.responseHeaders) response.headers.append(name, value);
  }
  return response;
}
