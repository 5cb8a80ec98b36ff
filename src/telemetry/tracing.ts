/**
 * `config.tracing`: one OpenTelemetry SERVER span per request, exported over OTLP by a batch span
 * processor, with W3C trace context (`traceparent`) taken from the client and passed upstream.
 * Sampling follows agentgateway: a request with a valid traceparent is traced when
 * `clientSampling` picks it (default: always) and then recorded only if the client's sampled flag
 * is set; a request without one starts a new trace when `randomSampling` picks it (default: never).
 * The OpenTelemetry packages load only when tracing is configured; with tracing off the proxy pays
 * one `if (tracer)` per request.
 * @module
 */
import type { Attributes, Context, Span, SpanContext, Tracer } from "@opentelemetry/api";
import type { SpanExporter, TracerProvider } from "@opentelemetry/sdk-trace";
import type { TracingConfig } from "../config/mod.ts";
import type { RequestContext } from "../context/mod.ts";
import { VERSION } from "../version.ts";
import { FlattenedMap, toPlain } from "../cel/mod.ts";
import { type CelField, compileCelFields, evaluateCelField } from "./cel_fields.ts";
import { logger } from "./logger.ts";
import { createOtlpExporter } from "./otlp_exporter.ts";

/** Service and instrumentation-scope name, as agentgateway's, so its trace queries work on ours. */
const SERVICE_NAME = "agentgateway";
/** W3C Trace Context §3.2: the header agw reads from the client and writes for the upstream. */
const TRACEPARENT = "traceparent";
/** How long shutdown waits for the last batch to reach the collector. */
const FLUSH_DEADLINE_MS = 5_000;

/** One `fields.add` entry: a span attribute computed by a CEL expression. */
export interface FieldAttribute {
  readonly name: string;
  /** The CEL source, as written in the config. */
  readonly source: string;
}

/** Options for tests and benchmarks; production uses the defaults. */
export interface TracerOptions {
  /** Replaces the OTLP exporter (unit tests record spans in memory). */
  exporter?: SpanExporter;
  /** The batch span processor's export delay; the SDK's default is 5 s. */
  scheduledDelayMillis?: number;
}

/** The OpenTelemetry modules tracing uses at run time, loaded on demand. */
interface OtelModules {
  api: typeof import("@opentelemetry/api");
  core: typeof import("@opentelemetry/core");
}

/** The span of one traced request: the CEL work adds attributes through `span` before `end`. */
export class RequestSpan {
  /** The SERVER span; recording, not yet ended. */
  readonly span: Span;
  readonly #tracer: RequestTracer;

  constructor(span: Span, tracer: RequestTracer) {
    this.span = span;
    this.#tracer = tracer;
  }

  /** Names the span, records the request's outcome on it and ends it (at the response head). */
  end(ctx: RequestContext): void {
    this.#tracer.endSpan(this.span, ctx);
  }
}

/** Starts and ends request spans for one `config.tracing`; created at load, shut down on exit. */
export class RequestTracer {
  /** `fields.add`, in config order, for the CEL module to evaluate when a span ends. */
  readonly fieldAttributes: readonly FieldAttribute[];
  /** The config this tracer was built from, as JSON (reload keeps the tracer when it is equal). */
  readonly configKey: string;
  readonly #provider: TracerProvider;
  readonly #tracer: Tracer;
  readonly #otel: OtelModules;
  readonly #randomRatio: number | CelField;
  readonly #clientRatio: number | CelField;
  /** Default attributes left out: `fields.remove`, and names `fields.add` sets itself. */
  readonly #omitted: readonly string[];
  /** `fields.add` compiled (validated at config load by the telemetry plan). */
  readonly #celFields: readonly CelField[];

  constructor(config: TracingConfig, provider: TracerProvider, otel: OtelModules) {
    this.configKey = JSON.stringify(config);
    this.#provider = provider;
    this.#tracer = provider.getTracer(SERVICE_NAME, VERSION);
    this.#otel = otel;
    // agentgateway: randomSampling defaults to false, clientSampling to true.
    this.#randomRatio = samplingRatio(config.randomSampling, 0);
    this.#clientRatio = samplingRatio(config.clientSampling, 1);
    const add = config.fields?.add ?? {};
    this.fieldAttributes = Object.entries(add).map(([name, source]) => ({ name, source }));
    this.#celFields = compileCelFields(add);
    this.#omitted = [...new Set([...(config.fields?.remove ?? []), ...Object.keys(add)])];
  }

  /**
   * Decides whether the request is traced. When it is, the upstream headers get a `traceparent`
   * naming agw's span (as agentgateway does, before any policy runs), and the span is returned if
   * it records: a client's unsampled trace is continued upstream but not exported.
   */
  startSpan(ctx: RequestContext): RequestSpan | undefined {
    const headers = ctx.upstreamHeaders;
    const incoming = headers.get(TRACEPARENT);
    // A malformed traceparent counts as none (W3C Trace Context §4.3: restart the trace).
    const parent = incoming === null ? null : this.#otel.core.parseTraceParent(incoming);
    const sampling = parent ? this.#clientRatio : this.#randomRatio;
    if (!isPicked(typeof sampling === "number" ? sampling : evaluateRatio(ctx, sampling))) {
      return undefined;
    }
    const { api } = this.#otel;
    const context: Context = parent
      ? api.trace.setSpanContext(api.ROOT_CONTEXT, parent)
      : api.ROOT_CONTEXT;
    // Named when it ends: the route is not known yet.
    const span = this.#tracer.startSpan("unknown", { kind: api.SpanKind.SERVER }, context);
    headers.set(TRACEPARENT, formatTraceparent(span.spanContext()));
    return span.isRecording() ? new RequestSpan(span, this) : undefined;
  }

  /** Ends a span started by `startSpan`; see RequestSpan.end. */
  endSpan(span: Span, ctx: RequestContext): void {
    const method = ctx.request.method;
    const url = ctx.url;
    const routeMatched = ctx.route !== undefined;
    // agentgateway names the span `<method> <matched path>`, a prefix shown as `/prefix/*`.
    span.updateName(routeMatched ? `${method} ${pathMatch(ctx)}` : "unknown");
    // Both the access log's names (agentgateway's span attributes) and the OpenTelemetry HTTP
    // server semantic conventions, so dashboards of either kind work.
    const attributes: Attributes = {
      gateway: ctx.bindName,
      "src.addr": ctx.clientAddr,
      "http.method": method,
      "http.host": url.hostname,
      "http.path": url.pathname,
      "http.status": ctx.status,
      "http.request.method": method,
      "http.response.status_code": ctx.status,
      "url.scheme": url.protocol.slice(0, -1),
      "url.path": url.pathname,
      "server.address": url.hostname,
      "client.address": ctx.clientAddr,
    };
    if (url.port !== "") attributes["server.port"] = Number(url.port);
    if (routeMatched) attributes.route = ctx.route!.name;
    if (ctx.endpoint) attributes.endpoint = ctx.endpoint;
    if (ctx.error) attributes.error = ctx.error;
    for (const name of this.#omitted) delete attributes[name];
    for (const field of this.#celFields) {
      // Absent on this request (an `llm.*` field on plain HTTP) or failed: no attribute at all.
      const value = evaluateCelField(ctx, field, "tracing.fields");
      if (value === undefined) continue;
      if (field.name === "span.name") span.updateName(String(toPlain(value)));
      else if (value instanceof FlattenedMap) {
        for (const [key, inner] of value) {
          attributes[`${field.name}.${key}`] = attributeValue(inner);
        }
      } else attributes[field.name] = attributeValue(value);
    }
    span.setAttributes(attributes);
    if (ctx.status >= 500) {
      // Semantic conventions: a server span is an error only for 5xx (4xx is the client's).
      span.setStatus({ code: this.#otel.api.SpanStatusCode.ERROR, message: ctx.error ?? "" });
    }
    span.end();
  }

  /** Exports what is queued and stops; gives up after `deadlineMs` (the collector may be down). */
  async shutdown(deadlineMs = FLUSH_DEADLINE_MS): Promise<void> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const deadline = new Promise<void>((resolve) => {
      timer = setTimeout(() => {
        logger.warn("tracing: spans not exported before shutdown", { deadlineMs });
        resolve();
      }, deadlineMs);
    });
    const flushed = this.#provider.shutdown().catch((error) => {
      logger.warn("tracing: final export failed", { error: errorMessage(error) });
    });
    await Promise.race([flushed, deadline]);
    clearTimeout(timer);
  }
}

/** Creates the tracer for `config.tracing`, or undefined when tracing is off (no otlpEndpoint). */
export async function createTracer(
  config: TracingConfig | undefined,
  options: TracerOptions = {},
): Promise<RequestTracer | undefined> {
  if (config?.otlpEndpoint === undefined) return undefined;
  const [api, core, resources, sdk] = await Promise.all([
    import("@opentelemetry/api"),
    import("@opentelemetry/core"),
    import("@opentelemetry/resources"),
    import("@opentelemetry/sdk-trace"),
  ]);
  routeDiagnostics(api, core);
  const exporter = options.exporter ??
    await createOtlpExporter({ ...config, otlpEndpoint: config.otlpEndpoint });
  const provider = new sdk.TracerProvider({
    resource: resources.resourceFromAttributes({
      "service.name": serviceName(),
      "service.version": VERSION,
    }),
    // Set explicitly so OTEL_TRACES_SAMPLER cannot override agw's sampling: the decision to trace
    // is taken before the span starts; this only honours a remote parent's sampled flag.
    sampler: new sdk.ParentBasedSampler({ root: new sdk.AlwaysOnSampler() }),
    spanProcessors: [
      new sdk.BatchSpanProcessor({
        exporter,
        ...(options.scheduledDelayMillis === undefined
          ? {}
          : { scheduledDelayMillis: options.scheduledDelayMillis }),
      }),
    ],
  });
  if (!options.exporter) {
    logger.info("tracing on", { endpoint: config.otlpEndpoint, protocol: config.otlpProtocol });
  }
  return new RequestTracer(config, provider, { api, core });
}

/**
 * The tracer for a reloaded config: the running one when `config.tracing` did not change, else a
 * new one. The caller retires the old one once the new config is in (see Gateway.reload).
 */
export async function reconfigureTracer(
  current: RequestTracer | undefined,
  config: TracingConfig | undefined,
): Promise<RequestTracer | undefined> {
  const enabled = config?.otlpEndpoint !== undefined;
  if (current && enabled && current.configKey === JSON.stringify(config)) return current;
  if (!current && !enabled) return undefined;
  return await createTracer(config);
}

/**
 * A sampling setting as the share of requests it picks, or a CEL expression evaluated per request
 * (true/false, or a ratio). Literals need no CEL engine.
 */
export function samplingRatio(
  setting: boolean | number | string | undefined,
  fallback: number,
): number | CelField {
  if (setting === undefined) return fallback;
  if (typeof setting === "boolean") return setting ? 1 : 0;
  if (typeof setting === "number") return setting;
  const text = setting.trim();
  // Literal expressions need no CEL engine.
  if (text === "true") return 1;
  if (text === "false") return 0;
  const ratio = Number(text);
  if (text !== "" && Number.isFinite(ratio)) return Math.min(1, Math.max(0, ratio));
  return compileCelFields({ sampling: text })[0]!;
}

/** A sampling expression's answer for this request; one that fails samples nothing. */
function evaluateRatio(ctx: RequestContext, field: CelField): number {
  const value = toPlain(evaluateCelField(ctx, field, "tracing.sampling"));
  if (typeof value === "boolean") return value ? 1 : 0;
  if (typeof value === "number" && Number.isFinite(value)) return Math.min(1, Math.max(0, value));
  return 0;
}

/** A CEL value as a span attribute: scalars as they are, anything structured as JSON text. */
function attributeValue(value: unknown): string | number | boolean {
  const plain = toPlain(value);
  if (typeof plain === "string" || typeof plain === "number" || typeof plain === "boolean") {
    return plain;
  }
  return JSON.stringify(plain);
}

function isPicked(ratio: number): boolean {
  return ratio >= 1 || (ratio > 0 && Math.random() < ratio);
}

/** W3C Trace Context §3.2.2: version 00, trace id, parent (agw's span) id, flags. */
export function formatTraceparent(span: SpanContext): string {
  const flags = span.traceFlags & 0xff;
  return `00-${span.traceId}-${span.spanId}-${flags < 16 ? "0" : ""}${flags.toString(16)}`;
}

/** The matched path as agentgateway prints it in span names. */
function pathMatch(ctx: RequestContext): string {
  const prefix = ctx.matchedPrefix;
  // Exact and regex routes carry no prefix; the request path is exact for the former.
  if (prefix === undefined) return ctx.url.pathname;
  return prefix === "/" ? "/*" : `${prefix}/*`;
}

/** OTEL_SERVICE_NAME wins over the default, as in agentgateway; env access may be denied. */
function serviceName(): string {
  try {
    return Deno.env.get("OTEL_SERVICE_NAME") || SERVICE_NAME;
  } catch {
    return SERVICE_NAME;
  }
}

let diagnosticsRouted = false;

/** Sends the SDK's own complaints (export failures, dropped spans) to agw's log, once per process. */
function routeDiagnostics(api: OtelModules["api"], core: OtelModules["core"]): void {
  if (diagnosticsRouted) return;
  diagnosticsRouted = true;
  // A failed export reaches the global error handler: one line, never the request path.
  core.setGlobalErrorHandler((error) => {
    logger.warn("tracing: export failed", { error: errorMessage(error) });
  });
  const warn = (message: string) => logger.warn(`tracing: ${message}`);
  const debug = (message: string) => logger.debug(`tracing: ${message}`);
  api.diag.setLogger(
    { error: warn, warn, info: debug, debug, verbose: debug },
    api.DiagLogLevel.WARN,
  );
}

function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
