import assert from "node:assert/strict";
import type { ExportResult } from "@opentelemetry/core";
import type { ReadableSpan, SpanExporter } from "@opentelemetry/sdk-trace";
import { loadConfig, type TracingConfig } from "../../../src/config/mod.ts";
import type { CompiledRoute } from "../../../src/gateway/route_table.ts";
import { RequestContext } from "../../../src/context/mod.ts";
import { otlpHttpUrl } from "../../../src/telemetry/otlp_exporter.ts";
import {
  createTracer,
  formatTraceparent,
  reconfigureTracer,
  samplingRatio,
} from "../../../src/telemetry/tracing.ts";

const TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";
const SPAN_ID = "00f067aa0ba902b7";

/** Keeps every exported span; shutdown keeps them too (the SDK's in-memory exporter clears). */
function recordingExporter(): SpanExporter & { spans: ReadableSpan[] } {
  const spans: ReadableSpan[] = [];
  return {
    spans,
    export(batch: ReadableSpan[], done: (result: ExportResult) => void) {
      spans.push(...batch);
      done({ code: 0 });
    },
    shutdown: () => Promise.resolve(),
  };
}

function tracingConfig(yaml: string): TracingConfig {
  const text = `config:\n  tracing:\n${yaml.replace(/^/gm, "    ")}\n`;
  return loadConfig(text, { source: "t.yaml" }).config.config.tracing!;
}

function requestContext(path: string, headers: Record<string, string> = {}): RequestContext {
  const url = new URL(`http://gw.example:8080${path}`);
  const ctx = new RequestContext(new Request(url, { headers }), url, "10.0.0.1", "bind/8080");
  ctx.route = { name: "chat" } as CompiledRoute;
  ctx.matchedPrefix = "/v1";
  ctx.status = 200;
  return ctx;
}

Deno.test("samplingRatio reads booleans, ratios and literal expressions, and compiles other CEL", () => {
  assert.equal(samplingRatio(undefined, 0), 0);
  assert.equal(samplingRatio(undefined, 1), 1);
  assert.equal(samplingRatio(true, 0), 1);
  assert.equal(samplingRatio(false, 1), 0);
  assert.equal(samplingRatio(0.25, 0), 0.25);
  assert.equal(samplingRatio("false", 1), 0);
  assert.equal(samplingRatio(" true ", 0), 1);
  assert.equal(samplingRatio("0.5", 0), 0.5);
  assert.equal(samplingRatio("7", 0), 1);
  const expression = samplingRatio('request.headers["x-trace"] == "1"', 0);
  assert.equal(typeof expression === "object" && expression.expression.roots.has("request"), true);
});

Deno.test("formatTraceparent writes W3C version 00 with two-digit flags", () => {
  assert.equal(
    formatTraceparent({ traceId: TRACE_ID, spanId: SPAN_ID, traceFlags: 1 }),
    `00-${TRACE_ID}-${SPAN_ID}-01`,
  );
  assert.equal(
    formatTraceparent({ traceId: TRACE_ID, spanId: SPAN_ID, traceFlags: 0 }),
    `00-${TRACE_ID}-${SPAN_ID}-00`,
  );
});

Deno.test("otlpHttpUrl appends /v1/traces to the endpoint's path unless a path is configured", () => {
  assert.equal(otlpHttpUrl("http://c:4318"), "http://c:4318/v1/traces");
  assert.equal(
    otlpHttpUrl("https://cloud.example/api/public/otel"),
    "https://cloud.example/api/public/otel/v1/traces",
  );
  assert.equal(otlpHttpUrl("http://c:4318/v1/traces"), "http://c:4318/v1/traces");
  assert.equal(otlpHttpUrl("http://c:4318/base/", "/custom"), "http://c:4318/custom");
});

Deno.test("createTracer is off without a tracing block or without otlpEndpoint", async () => {
  assert.equal(await createTracer(undefined), undefined);
  assert.equal(await createTracer(tracingConfig("randomSampling: true")), undefined);
});

Deno.test("RequestTracer starts a root span, sets traceparent and ends it with the request's outcome", async () => {
  const exporter = recordingExporter();
  const tracer = (await createTracer(
    tracingConfig("otlpEndpoint: http://127.0.0.1:4317\nrandomSampling: true"),
    { exporter },
  ))!;
  const ctx = requestContext("/v1/chat/completions?stream=1", { "user-agent": "t" });
  const trace = tracer.startSpan(ctx)!;
  assert.ok(trace);
  const sent = ctx.upstreamHeaders.get("traceparent")!;
  const ids = trace.span.spanContext();
  assert.equal(sent, `00-${ids.traceId}-${ids.spanId}-01`);
  ctx.endpoint = "10.0.0.9:80";
  trace.end(ctx);
  await tracer.shutdown();
  const [span] = exporter.spans;
  assert.equal(exporter.spans.length, 1);
  assert.equal(span!.name, "GET /v1/*");
  assert.equal(span!.kind, 1); // SpanKind.SERVER
  assert.equal(span!.parentSpanContext, undefined);
  assert.equal(span!.attributes["http.request.method"], "GET");
  assert.equal(span!.attributes["url.path"], "/v1/chat/completions");
  assert.equal(span!.attributes["server.address"], "gw.example");
  assert.equal(span!.attributes["server.port"], 8080);
  assert.equal(span!.attributes["client.address"], "10.0.0.1");
  assert.equal(span!.attributes["http.response.status_code"], 200);
  assert.equal(span!.attributes.route, "chat");
  assert.equal(span!.attributes.endpoint, "10.0.0.9:80");
  assert.equal(span!.resource.attributes["service.name"], "agentgateway");
});

Deno.test("RequestTracer honours the client's sampled flag and treats a malformed traceparent as none", async () => {
  const exporter = recordingExporter();
  const tracer = (await createTracer(
    tracingConfig("otlpEndpoint: http://127.0.0.1:4317\nrandomSampling: false"),
    { exporter },
  ))!;
  // Sampled by the client: traced (clientSampling defaults to true), parented to the client.
  const sampled = requestContext("/v1/a", { traceparent: `00-${TRACE_ID}-${SPAN_ID}-01` });
  const trace = tracer.startSpan(sampled)!;
  assert.equal(trace.span.spanContext().traceId, TRACE_ID);
  trace.end(sampled);
  // Not sampled by the client: continued upstream through a new span id, not recorded.
  const unsampled = requestContext("/v1/b", { traceparent: `00-${TRACE_ID}-${SPAN_ID}-00` });
  assert.equal(tracer.startSpan(unsampled), undefined);
  assert.match(
    unsampled.upstreamHeaders.get("traceparent")!,
    new RegExp(`^00-${TRACE_ID}-(?!${SPAN_ID})[0-9a-f]{16}-00$`),
  );
  // Malformed: no trace (randomSampling is off), and the header passes through untouched.
  const malformed = requestContext("/v1/c", { traceparent: "00-xyz-01" });
  assert.equal(tracer.startSpan(malformed), undefined);
  assert.equal(malformed.upstreamHeaders.get("traceparent"), "00-xyz-01");
  await tracer.shutdown();
  assert.equal(exporter.spans.length, 1);
  assert.equal(exporter.spans[0]!.parentSpanContext?.spanId, SPAN_ID);
});

Deno.test("RequestTracer with clientSampling false leaves a client's trace alone", async () => {
  const tracer = (await createTracer(
    tracingConfig(
      "otlpEndpoint: http://127.0.0.1:4317\nrandomSampling: true\nclientSampling: false",
    ),
    { exporter: recordingExporter() },
  ))!;
  const client = `00-${TRACE_ID}-${SPAN_ID}-01`;
  const ctx = requestContext("/v1/a", { traceparent: client });
  assert.equal(tracer.startSpan(ctx), undefined);
  assert.equal(ctx.upstreamHeaders.get("traceparent"), client);
  await tracer.shutdown();
});

Deno.test("RequestTracer leaves out removed attributes and sets those fields.add computes with CEL", async () => {
  const exporter = recordingExporter();
  const tracer = (await createTracer(
    tracingConfig(`otlpEndpoint: http://127.0.0.1:4317
randomSampling: true
fields:
  add: {span.name: '"openai.chat"', http.host: 'request.host'}
  remove: [url.path]`),
    { exporter },
  ))!;
  assert.deepEqual(tracer.fieldAttributes, [
    { name: "span.name", source: '"openai.chat"' },
    { name: "http.host", source: "request.host" },
  ]);
  const ctx = requestContext("/v1/x");
  tracer.startSpan(ctx)!.end(ctx);
  await tracer.shutdown();
  const attributes = exporter.spans[0]!.attributes;
  assert.equal(attributes["url.path"], undefined);
  // fields.add replaces the default attribute with its CEL value, and span.name renames the span.
  assert.equal(attributes["http.host"], "gw.example");
  assert.equal(attributes["http.path"], "/v1/x");
  assert.equal(exporter.spans[0]!.name, "openai.chat");
});

Deno.test("the shipped tracing example compiles into a tracer with every field and full sampling", async () => {
  const text = Deno.readTextFileSync(
    new URL("../../../config/examples/tracing.yaml", import.meta.url),
  );
  const config = loadConfig(text, { source: "tracing.yaml" }).config.config.tracing;
  assert.equal(config?.otlpProtocol, "grpc");
  // An exporter of our own: nothing dials the example's collector.
  const tracer = (await createTracer(config, { exporter: recordingExporter() }))!;
  assert.equal(tracer.fieldAttributes.length, 10);
  assert.equal(tracer.fieldAttributes[0]!.name, "span.name");
  const ctx = requestContext("/v1/chat/completions");
  assert.ok(tracer.startSpan(ctx));
  await tracer.shutdown();
});

Deno.test("reconfigureTracer keeps an unchanged tracer and drops it when tracing is removed", async () => {
  const config = tracingConfig("otlpEndpoint: http://127.0.0.1:4317\nrandomSampling: true");
  const first = await createTracer(config, { exporter: recordingExporter() });
  assert.equal(await reconfigureTracer(first, structuredClone(config)), first);
  assert.equal(await reconfigureTracer(first, undefined), undefined);
  assert.equal(await reconfigureTracer(undefined, undefined), undefined);
  await first!.shutdown();
});
