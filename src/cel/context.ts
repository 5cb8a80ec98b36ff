/**
 * The per-request CEL activation: `request`, `response`, `source`, `backend`, and the slots later
 * features fill (`jwt`, `apiKey`, `llm`, `llmRequest`, `mcp`). Only the roots an expression reads
 * are built, each at most once per request.
 * @module
 */
import type { RequestContext } from "../context/mod.ts";
import type { CelExpression } from "./engine.ts";

/** Roots that exist only on some requests (an LLM call, a verified JWT): absent is not an error. */
const OPTIONAL_ROOTS = new Set(["llm", "llmRequest", "mcp", "jwt", "apiKey", "basicAuth"]);

/** When an expression runs: before the upstream call, or once the response is known. */
export type CelPhase = "request" | "response";

/** Builds the activation for `expression` from what the request knows so far. */
export function buildActivation(
  ctx: RequestContext,
  expression: CelExpression,
): Record<string, unknown> {
  const activation: Record<string, unknown> = {};
  for (const root of expression.roots) {
    const value = rootValue(ctx, root);
    if (value !== undefined) activation[root] = value;
  }
  return activation;
}

/**
 * Whether a failed evaluation only read a root this request does not have (an `llm.*` field on a
 * plain HTTP request): the caller omits the value silently rather than reporting an error.
 */
export function isAbsentValueError(ctx: RequestContext, expression: CelExpression): boolean {
  for (const root of expression.roots) {
    if (OPTIONAL_ROOTS.has(root) && rootValue(ctx, root) === undefined) return true;
  }
  return false;
}

function rootValue(ctx: RequestContext, root: string): unknown {
  const cel = ctx.cel;
  switch (root) {
    case "request":
      return cel.request ??= requestValue(ctx);
    case "response":
      if (!ctx.response) return undefined;
      return cel.response ??= responseValue(ctx.response, ctx.response.body ?? ctx.responseBody);
    case "source":
      return cel.source ??= { address: ctx.clientAddr, port: BigInt(ctx.clientPort) };
    case "backend":
      // agentgateway: a `host:` backend is an opaque (static) one.
      return ctx.endpoint ? { name: ctx.endpoint, type: "static", protocol: "http" } : undefined;
    default:
      return ctx.extensions[root];
  }
}

function requestValue(ctx: RequestContext): Record<string, unknown> {
  const url = ctx.url;
  // A plain literal: an accessor in it would cost more than all the other fields together.
  const value: Record<string, unknown> = {
    method: ctx.request.method,
    path: url.pathname,
    pathAndQuery: url.pathname + url.search,
    uri: url.href,
    host: url.hostname,
    scheme: url.protocol.slice(0, -1),
    version: "HTTP/1.1",
  };
  // The route knows at load whether any expression reads the headers; before a route is chosen
  // (tracing's sampling expression) they are built from the request itself.
  if (ctx.originalHeaders) value.headers = ctx.originalHeaders;
  else if (!ctx.route || ctx.route.readsRequestHeaders) {
    value.headers = headersToMap(ctx.request.headers);
  }
  if (ctx.requestBody !== undefined) value.body = ctx.requestBody;
  return value;
}

function responseValue(
  response: NonNullable<RequestContext["response"]>,
  body: string | undefined,
): Record<string, unknown> {
  const value: Record<string, unknown> = {
    code: BigInt(response.status),
    headers: headersToMap(response.headers),
  };
  if (body !== undefined) value.body = body;
  return value;
}

function headersToMap(headers: Headers | Iterable<[string, string]>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of headers) {
    const key = name.toLowerCase();
    out[key] = out[key] === undefined ? value : `${out[key]},${value}`;
  }
  return out;
}
