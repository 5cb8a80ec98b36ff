/**
 * config.tracing end to end: agw in-process, a real echo upstream and a fake OTLP collector, all
 * on 127.0.0.1. Closing the gateway flushes its batch span processor, so "no span" is checked
 * after close without waiting on a timer.
 */
import assert from "node:assert/strict";
import {
  type FakeOtlpCollector,
  startFakeOtlpCollector,
} from "../../support/fake_otlp_collector.ts";
import { closedPort, type EchoReport, startEchoUpstream } from "../../support/fake_upstream.ts";
import { type GatewayHarness, json, startGateway } from "../../support/gateway_harness.ts";
import { loadConfig } from "../../../src/config/mod.ts";
import { RequestContext } from "../../../src/context/mod.ts";
import { createTracer } from "../../../src/telemetry/mod.ts";

const CLIENT_TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";
const CLIENT_SPAN_ID = "00f067aa0ba902b7";
const TRACEPARENT_SHAPE = /^00-([0-9a-f]{32})-([0-9a-f]{16})-(0[01])$/;

/** A gateway whose one route (`/api` prefix) goes to `upstream`, with `tracing` lines under it. */
function tracedConfig(upstream: string, tracing: string[]): string {
  return `config:
  adminAddr: "off"
  statsAddr: "off"
  readinessAddr: "off"
${
    tracing.length > 0
      ? `  tracing:\n${tracing.map((line) => `    ${line}`).join("\n")}\n`
      : ""
  }binds:
- port: 0
  listeners:
  - routes:
    - name: api
      matches: [{path: {pathPrefix: /api}}]
      backends:
      - host: ${upstream}
`;
}

/** Sends one GET through the gateway and returns what the upstream saw. */
async function send(gw: GatewayHarness, path: string, headers: HeadersInit = {}) {
  const response = await fetch(`${gw.url()}${path}`, { headers });
  assert.equal(response.status, 200);
  return await json<EchoReport>(response);
}

/** Runs `body` with a collector, an echo upstream and a gateway; always closes all three. */
async function withTracing(
  tracing: (collector: FakeOtlpCollector) => string[],
  body: (gw: GatewayHarness, collector: FakeOtlpCollector) => Promise<void>,
): Promise<void> {
  const collector = await startFakeOtlpCollector();
  const upstream = await startEchoUpstream();
  try {
    const started = await startGateway(tracedConfig(upstream.address, tracing(collector)));
    // Bodies close the gateway early to flush its spans; closing twice must be harmless.
    let closing: Promise<void> | undefined;
    const gw = { ...started, close: () => closing ??= started.close() };
    try {
      await body(gw, collector);
    } finally {
      await gw.close();
    }
  } finally {
    await upstream.close();
    await collector.close();
  }
}

Deno.test("tracing exports a SERVER span over OTLP/gRPC, with the configured headers as metadata", async () => {
  await withTracing(
    (c) => [`otlpEndpoint: ${c.grpcUrl}`, "randomSampling: true", "headers: {x-api-key: abc}"],
    async (gw, collector) => {
      const port = Number(new URL(gw.url()).port);
      const seen = await send(gw, "/api/items?q=1");
      await gw.close();
      const [span] = await collector.waitForSpans(1);
      assert.equal(collector.spans.length, 1);
      assert.equal(span!.name, "GET /api/*");
      assert.equal(span!.kind, "SERVER");
      assert.equal(span!.parentSpanId, "");
      assert.equal(span!.statusCode, 0);
      const { endpoint, ...attributes } = span!.attributes;
      assert.match(String(endpoint), /^127\.0\.0\.1:\d+$/);
      assert.deepEqual(attributes, {
        gateway: "bind/0",
        route: "api",
        "src.addr": "127.0.0.1",
        "http.method": "GET",
        "http.host": "127.0.0.1",
        "http.path": "/api/items",
        "http.status": 200,
        "http.request.method": "GET",
        "http.response.status_code": 200,
        "url.scheme": "http",
        "url.path": "/api/items",
        "server.address": "127.0.0.1",
        "server.port": port,
        "client.address": "127.0.0.1",
      });
      assert.equal(span!.resource["service.name"], "agentgateway");
      const exported = collector.exports[0]!;
      assert.equal(exported.protocol, "grpc");
      assert.equal(exported.headers["x-api-key"], "abc");
      // The upstream continues agw's trace: same trace id, agw's span as the parent, sampled.
      const [, traceId, parentId, flags] = TRACEPARENT_SHAPE.exec(seen.headers.traceparent ?? "")!;
      assert.equal(traceId, span!.traceId);
      assert.equal(parentId, span!.spanId);
      assert.equal(flags, "01");
    },
  );
});

Deno.test("tracing exports over OTLP/HTTP protobuf to the configured path, with headers and fields.remove applied", async () => {
  await withTracing(
    (c) => [
      `otlpEndpoint: ${c.httpUrl}`,
      "otlpProtocol: http",
      "path: /otlp/v1/traces",
      "randomSampling: true",
      "headers: {authorization: Basic xyz}",
      "fields: {remove: [http.path, src.addr]}",
    ],
    async (gw, collector) => {
      await send(gw, "/api/");
      await gw.close();
      const [span] = await collector.waitForSpans(1);
      const exported = collector.exports[0]!;
      assert.equal(exported.protocol, "http");
      assert.equal(exported.path, "/otlp/v1/traces");
      assert.equal(exported.headers["authorization"], "Basic xyz");
      assert.equal(exported.headers["content-type"], "application/x-protobuf");
      assert.equal(span!.name, "GET /api/*");
      assert.equal(span!.attributes["url.path"], "/api/");
      assert.equal(span!.attributes["http.path"], undefined);
      assert.equal(span!.attributes["src.addr"], undefined);
    },
  );
});

Deno.test("tracing continues a client's sampled trace: the client's span is the parent, agw's span goes upstream", async () => {
  await withTracing(
    (c) => [`otlpEndpoint: ${c.grpcUrl}`, "clientSampling: true"],
    async (gw, collector) => {
      const seen = await send(gw, "/api/chat", {
        traceparent: `00-${CLIENT_TRACE_ID}-${CLIENT_SPAN_ID}-01`,
      });
      await gw.close();
      const [span] = await collector.waitForSpans(1);
      assert.equal(span!.traceId, CLIENT_TRACE_ID);
      assert.equal(span!.parentSpanId, CLIENT_SPAN_ID);
      assert.notEqual(span!.spanId, CLIENT_SPAN_ID);
      assert.equal(seen.headers.traceparent, `00-${CLIENT_TRACE_ID}-${span!.spanId}-01`);
    },
  );
});

Deno.test("tracing with clientSampling on exports nothing for a client's unsampled trace but still passes agw's span id upstream", async () => {
  await withTracing(
    (c) => [`otlpEndpoint: ${c.grpcUrl}`, "clientSampling: true", "randomSampling: true"],
    async (gw, collector) => {
      const seen = await send(gw, "/api/chat", {
        traceparent: `00-${CLIENT_TRACE_ID}-${CLIENT_SPAN_ID}-00`,
      });
      await gw.close();
      assert.equal(collector.spans.length, 0);
      // agentgateway's behaviour: the trace continues upstream, not sampled, through agw's span.
      const [, traceId, parentId, flags] = TRACEPARENT_SHAPE.exec(seen.headers.traceparent ?? "")!;
      assert.equal(traceId, CLIENT_TRACE_ID);
      assert.notEqual(parentId, CLIENT_SPAN_ID);
      assert.equal(flags, "00");
    },
  );
});

Deno.test("tracing with randomSampling false starts no trace and adds no traceparent", async () => {
  await withTracing(
    (c) => [`otlpEndpoint: ${c.grpcUrl}`, "randomSampling: false"],
    async (gw, collector) => {
      const seen = await send(gw, "/api/a");
      await gw.close();
      assert.equal(collector.spans.length, 0);
      assert.equal(seen.headers.traceparent, undefined);
    },
  );
});

Deno.test("tracing names a request that matched no route `unknown` and marks a 5xx as an error", async () => {
  await withTracing(
    (c) => [`otlpEndpoint: ${c.grpcUrl}`, "randomSampling: true"],
    async (gw, collector) => {
      const notFound = await fetch(`${gw.url()}/elsewhere`);
      assert.equal(notFound.status, 404);
      await notFound.body?.cancel();
      await gw.close();
      const [span] = await collector.waitForSpans(1);
      assert.equal(span!.name, "unknown");
      assert.equal(span!.attributes["http.response.status_code"], 404);
      assert.equal(span!.attributes.route, undefined);
      assert.equal(span!.statusCode, 0);
    },
  );
  // A closed upstream port: agw answers 503 and the span says error.
  const collector = await startFakeOtlpCollector();
  try {
    const gw = await startGateway(
      tracedConfig(`127.0.0.1:${closedPort()}`, [
        `otlpEndpoint: ${collector.grpcUrl}`,
        "randomSampling: true",
      ]),
    );
    const response = await fetch(`${gw.url()}/api/x`);
    assert.equal(response.status, 503);
    await response.body?.cancel();
    await gw.close();
    const [span] = await collector.waitForSpans(1);
    assert.equal(span!.statusCode, 2);
    assert.match(String(span!.attributes.error), /^upstream call failed/);
  } finally {
    await collector.close();
  }
});

Deno.test("without config.tracing agw adds no traceparent and passes a client's through untouched", async () => {
  const upstream = await startEchoUpstream();
  const gw = await startGateway(tracedConfig(upstream.address, []));
  try {
    assert.equal((await send(gw, "/api/a")).headers.traceparent, undefined);
    const client = `00-${CLIENT_TRACE_ID}-${CLIENT_SPAN_ID}-01`;
    assert.equal((await send(gw, "/api/a", { traceparent: client })).headers.traceparent, client);
  } finally {
    await gw.close();
    await upstream.close();
  }
});

Deno.test("tracing to an unreachable collector never fails a request, and shutdown still finishes", async () => {
  const upstream = await startEchoUpstream();
  const gw = await startGateway(
    tracedConfig(upstream.address, [
      `otlpEndpoint: http://127.0.0.1:${closedPort()}`,
      "randomSampling: true",
    ]),
  );
  try {
    for (let i = 0; i < 3; i++) await send(gw, "/api/a");
  } finally {
    await gw.close();
    await upstream.close();
  }
  assert.ok(
    gw.logs.some((line) => /tracing: (final )?export failed/.test(line)),
    `no export failure logged:\n${gw.logs.join("")}`,
  );
});

Deno.test("the batch span processor exports on its schedule, while agw keeps running", async (t) => {
  const collector = await startFakeOtlpCollector();
  try {
    for (const protocol of ["grpc", "http"] as const) {
      await t.step(protocol, async () => {
        const endpoint = protocol === "grpc" ? collector.grpcUrl : collector.httpUrl;
        const text = `config: {tracing: {otlpEndpoint: "${endpoint}", otlpProtocol: ${protocol}, ` +
          `randomSampling: true}}`;
        const config = loadConfig(text, { source: "t.yaml" }).config.config.tracing;
        const tracer = (await createTracer(config, { scheduledDelayMillis: 10 }))!;
        try {
          const before = collector.spans.length;
          const url = new URL("http://127.0.0.1/api/x");
          const ctx = new RequestContext(new Request(url), url, "127.0.0.1", "bind/0");
          ctx.status = 204;
          tracer.startSpan(ctx)!.end(ctx);
          const spans = await collector.waitForSpans(before + 1);
          assert.equal(spans.at(-1)!.attributes["http.response.status_code"], 204);
          assert.equal(collector.exports.at(-1)!.protocol, protocol);
        } finally {
          await tracer.shutdown();
        }
      });
    }
  } finally {
    await collector.close();
  }
});
