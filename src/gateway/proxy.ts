/**
 * The flow of one request (DESIGN.md §1), top to bottom: match a route, run the route's request
 * steps, pick a backend, run its steps, call upstream with retries, run response steps, log.
 * @module
 */
import type { PolicyStep } from "../policies/mod.ts";
import {
  evaluateCelField,
  logRequest,
  type Metrics,
  type RequestTracer,
} from "../telemetry/mod.ts";
import {
  type AttemptLimits,
  type AttemptOutcome,
  attemptUpstream,
  type OutgoingRequest,
  RETRY_BODY_LIMIT_BYTES,
  retryLoop,
  selectBackend,
  type UpstreamClient,
  type UpstreamResponse,
} from "../upstream/mod.ts";
import type { CompiledBackend } from "../backends/mod.ts";
import { toPlain } from "../cel/mod.ts";
import { ProxyError, toResponse } from "../context/mod.ts";
import { BODY_BUFFER_LIMIT_BYTES, captureBody, readBody } from "../http/mod.ts";
import { setForwardedHeaders } from "./forwarding_headers.ts";
import { sendMirror } from "./mirror.ts";
import { errorResponse, finishResponse, finishUpstream } from "./respond.ts";
import { requestUrl } from "./request_url.ts";
import { RequestContext } from "../context/mod.ts";
import { type CompiledRoute, hostWithoutPort, matchRoute } from "./route_table.ts";
import type { CompiledBind } from "./snapshot.ts";

/** Per-connection facts the listener passes in. */
export interface ConnectionInfo {
  clientAddr: string;
  clientPort: number;
  /** `http` or `https`: what the client spoke to agw. */
  proto: string;
}

type Body = ReadableStream<Uint8Array> | Uint8Array | null;

/** One attempt, ready to run: the chosen backend and the request its policies produced. */
interface PreparedAttempt {
  backend: CompiledBackend;
  request: OutgoingRequest;
}

/** Handles one request on one bind; never throws. `tracer` is set when tracing is on. */
export async function proxy(
  request: Request,
  bind: CompiledBind,
  conn: ConnectionInfo,
  metrics: Metrics,
  tracer?: RequestTracer,
): Promise<Response> {
  const url = requestUrl(request);
  if (url instanceof ProxyError) return toResponse(url);
  const ctx = new RequestContext(request, url, conn.clientAddr, bind.name);
  ctx.clientPort = conn.clientPort;
  // Tracing (config.tracing): sampling, and the upstream traceparent, before any policy runs.
  if (tracer) ctx.trace = tracer.startSpan(ctx);
  let response: Response;
  try {
    response = await proxyInternal(ctx, bind, conn, metrics);
  } catch (error) {
    if (error instanceof ProxyError && error.source === "upstream") {
      metrics.recordUpstreamError(error.kind === "requestTimeout" ? "timeout" : "connect");
    }
    response = errorResponse(ctx, error);
  }
  ctx.status = response.status;
  if (bind.telemetry.reads.responseBody && response.body && ctx.responseBody === undefined) {
    // A log, metric or trace field reads response.body: copy it as it streams, finish at its end.
    const body = captureBody(response.body, BODY_BUFFER_LIMIT_BYTES, (text) => {
      ctx.responseBody = text;
      ctx.cel.response = undefined;
      // A backend kind may still be publishing what the body's end told it (LLM usage).
      if (ctx.bodyDone) ctx.bodyDone.then(() => finishTelemetry(ctx, bind, metrics));
      else finishTelemetry(ctx, bind, metrics);
    });
    return new Response(body, { status: response.status, headers: response.headers });
  }
  // An LLM stream's usage is known only at its end: the kind says when (ctx.bodyDone).
  if (ctx.bodyDone) ctx.bodyDone.then(() => finishTelemetry(ctx, bind, metrics));
  else finishTelemetry(ctx, bind, metrics);
  return response;
}

/** Metrics, the access-log line and the span: at the response head, or at the body's end. */
function finishTelemetry(ctx: RequestContext, bind: CompiledBind, metrics: Metrics): void {
  const durationMs = performance.now() - ctx.startMs;
  recordRequestMetrics(ctx, bind, metrics, durationMs / 1000);
  logRequest(ctx, durationMs, bind.telemetry.accessLog);
  if (ctx.trace) ctx.trace.end(ctx);
}

async function proxyInternal(
  ctx: RequestContext,
  bind: CompiledBind,
  conn: ConnectionInfo,
  metrics: Metrics,
): Promise<Response> {
  const clientHost = ctx.authority;
  const match = matchRoute(bind.table, hostWithoutPort(clientHost), ctx.url, ctx.request);
  if (!match) throw new ProxyError("routeNotFound");
  const route = match.route;
  ctx.route = route;
  ctx.matchedPrefix = match.matchedPrefix;
  // Before any policy edits them (tracing's traceparent is already in: it is agw's own header).
  if (route.readsRequestHeaders) ctx.keepOriginalHeaders();

  // A policy or log field reads request.body: read it first (bounded), then send those bytes.
  const bufferedBody = route.needsRequestBody ? await readRequestBody(ctx) : undefined;
  const verdict = await runRequestSteps(route.chain.request, ctx);
  if (verdict) return finishResponse(ctx, verdict, route.chain.response);
  if (route.backends.length === 0) throw new ProxyError("noValidBackend");
  setForwardedHeaders(ctx.upstreamHeaders, {
    clientAddr: ctx.clientAddr,
    proto: conn.proto,
    host: clientHost,
  });

  // An expression reading response.body wants text, not whatever compression the client accepts.
  if (route.needsResponseBody || bind.telemetry.reads.responseBody) {
    ctx.upstreamHeaders.set("accept-encoding", "identity");
  }
  const body = ctx.replacementBody ?? bufferedBody ?? await replayableBody(ctx.request, route);
  // Decided once per request; sent once the backend phase has accepted it (not if it denies).
  const mirror = route.mirror && Math.random() < (route.settings.mirror?.fraction ?? 0)
    ? route.mirror
    : undefined;
  const mirrorOnce = (prepared: PreparedAttempt | Response) => {
    if (mirror && !(prepared instanceof Response) && !ctx.mirrored) {
      ctx.mirrored = true;
      sendMirror(mirror, prepared.request, route.settings.requestTimeoutMs);
    }
    return prepared;
  };
  let backend: CompiledBackend | undefined;
  const retry = route.settings.retry;
  let result: AttemptOutcome;
  if (retry && !(body instanceof ReadableStream)) {
    result = await retryLoop(retry, () => {
      backend = selectBackend(route.backends);
      if (!backend) throw new ProxyError("noValidBackend");
      // A retry must not inherit headers that the previous backend's policies set.
      return prepareAttempt(ctx, backend, body, true).then(mirrorOnce);
    }, {
      timeoutMs: () => attemptTimeout(ctx, route),
      clientSignal: ctx.request.signal,
      run: (prepared, limits) => runAttempt(ctx, prepared, limits, metrics),
    });
  } else {
    backend = selectBackend(route.backends);
    if (!backend) throw new ProxyError("noValidBackend");
    const prepared = mirrorOnce(await prepareAttempt(ctx, backend, body, false));
    result = prepared instanceof Response ? prepared : await runAttempt(ctx, prepared, {
      timeoutMs: attemptTimeout(ctx, route),
      clientSignal: ctx.request.signal,
    }, metrics);
  }
  if (result instanceof Response) return finishResponse(ctx, result, route.chain.response);
  if (route.needsResponseBody) await readResponseBody(ctx, result);
  return finishUpstream(ctx, result, backend?.chain.response ?? [], route.chain.response);
}

/** Labels from `config.metrics.fields` join the default ones; a label that fails is left empty. */
function recordRequestMetrics(
  ctx: RequestContext,
  bind: CompiledBind,
  metrics: Metrics,
  seconds: number,
): void {
  const fields = bind.telemetry.metricFields;
  let extra: [string, string][] | undefined;
  if (fields.length > 0) {
    extra = fields.map((field) => {
      const value = evaluateCelField(ctx, field, "metrics.fields");
      return [field.name, value === undefined ? "" : String(toPlain(value))];
    });
  }
  metrics.recordRequest(bind.name, ctx.route?.name ?? "", ctx.status, seconds, extra);
}

/** Runs request steps in order; the first Response ends the chain. */
async function runRequestSteps(
  steps: readonly PolicyStep[],
  ctx: RequestContext,
): Promise<Response | undefined> {
  for (const step of steps) {
    const verdict = await step.onRequest!(ctx);
    if (verdict) return verdict;
  }
  return undefined;
}

/** Runs the backend's request steps (on a copy when retrying) and builds the outgoing request. */
async function prepareAttempt(
  ctx: RequestContext,
  backend: CompiledBackend,
  body: Body,
  copyHeaders: boolean,
): Promise<PreparedAttempt | Response> {
  // Backend steps may change all of these; each attempt starts again from the route's result.
  const base = {
    headers: ctx.upstreamHeaders,
    authority: ctx.authority,
    path: ctx.pathAndQuery,
    replacementBody: ctx.replacementBody,
  };
  const headers = copyHeaders ? base.headers.clone() : base.headers;
  if (backend.chain.request.length > 0) {
    ctx.upstreamHeaders = headers;
    try {
      const verdict = await runRequestSteps(backend.chain.request, ctx);
      if (verdict) return verdict;
    } finally {
      ctx.upstreamHeaders = base.headers;
    }
  }
  const request = {
    method: ctx.request.method,
    pathAndQuery: ctx.pathAndQuery,
    authority: ctx.useBackendAuthority && backend.handler.client
      ? backend.handler.client.target.authority
      : ctx.authority,
    headers,
    // A backend's transformations may have replaced the body.
    body: ctx.replacementBody ?? body,
  };
  ctx.authority = base.authority;
  ctx.pathAndQuery = base.path;
  ctx.replacementBody = base.replacementBody;
  return { backend, request };
}

/**
 * Hands one attempt to its backend kind (DESIGN.md §4: ai / mcp handling comes after the
 * backend's policies). This is the one place the flow dispatches on the kind.
 */
function runAttempt(
  ctx: RequestContext,
  prepared: PreparedAttempt,
  limits: AttemptLimits,
  metrics: Metrics,
): Promise<AttemptOutcome> {
  ctx.endpoint = prepared.backend.name;
  return prepared.backend.handler.handle({
    ctx,
    request: prepared.request,
    metrics,
    send: (client: UpstreamClient, request: OutgoingRequest) =>
      attemptUpstream(client, request, limits),
  });
}

/** The per-attempt deadline: the backend timeout, capped by what is left of the request timeout. */
function attemptTimeout(ctx: RequestContext, route: CompiledRoute): number | undefined {
  const { requestTimeoutMs, backendRequestTimeoutMs } = route.settings;
  if (requestTimeoutMs === undefined) return backendRequestTimeoutMs;
  const left = Math.max(0, requestTimeoutMs - (performance.now() - ctx.startMs));
  return backendRequestTimeoutMs === undefined ? left : Math.min(left, backendRequestTimeoutMs);
}

/**
 * The body to send upstream: streamed as is, unless a retry or mirror needs to replay it and it
 * is small enough to hold (RETRY_BODY_LIMIT_BYTES), in which case it is read once into memory.
 */
async function replayableBody(request: Request, route: CompiledRoute): Promise<Body> {
  if (request.body === null) return null;
  const wantsReplay = route.settings.retry !== undefined || route.mirror !== undefined;
  if (!wantsReplay) return request.body;
  const length = Number(request.headers.get("content-length") ?? NaN);
  if (!(length <= RETRY_BODY_LIMIT_BYTES)) return request.body;
  return new Uint8Array(await request.arrayBuffer());
}

/**
 * Reads the request body for CEL (`request.body`). A body over the limit is still sent upstream
 * whole, and `request.body` is then not available (expressions reading it fail, as in agentgateway).
 */
async function readRequestBody(ctx: RequestContext): Promise<Body> {
  const { text, body } = await readBody(ctx.request.body, BODY_BUFFER_LIMIT_BYTES);
  ctx.requestBody = text;
  return body;
}

/** The same for `response.body`: the upstream answer is read (bounded) before response steps run. */
async function readResponseBody(ctx: RequestContext, upstream: UpstreamResponse): Promise<void> {
  const { text, body } = await readBody(upstream.body, BODY_BUFFER_LIMIT_BYTES);
  ctx.responseBody = text;
  upstream.body = body;
}
