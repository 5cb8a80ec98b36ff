/**
 * An OpenTelemetry collector for tests: receives traces over OTLP/HTTP (protobuf POST, any path)
 * and OTLP/gRPC (`TraceService/Export`), both on 127.0.0.1 port 0, and keeps the spans decoded.
 *
 * Decoding uses the protobufjs classes generated from opentelemetry-proto that
 * `@opentelemetry/otlp-transformer` shipped up to 0.215 (its later versions write protobuf by hand
 * and decode no requests); the gRPC side is a real @grpc/grpc-js server.
 * @module
 */
import {
  Server,
  ServerCredentials,
  type ServerUnaryCall,
  type ServiceDefinition,
  type UntypedServiceImplementation,
} from "@grpc/grpc-js";
import { Buffer } from "node:buffer";
import otlpProtos from "otlp-protos";

/** One span as the collector received it, ids in lower-case hex. */
export interface ReceivedSpan {
  name: string;
  /** `SERVER`, `CLIENT`, `INTERNAL`, … (OTLP's SpanKind without the prefix). */
  kind: string;
  traceId: string;
  spanId: string;
  /** Empty for a root span. */
  parentSpanId: string;
  attributes: Record<string, unknown>;
  /** OTLP status code: 0 unset, 1 ok, 2 error. */
  statusCode: number;
  /** The resource's attributes (service.name, …). */
  resource: Record<string, unknown>;
}

/** One export request: how it came and what it carried. */
export interface ReceivedExport {
  protocol: "http" | "grpc";
  /** The HTTP path, or the gRPC method path. */
  path: string;
  /** Request headers (HTTP) or metadata (gRPC), names in lower case. */
  headers: Record<string, string>;
  spans: ReceivedSpan[];
}

/** A running fake collector. */
export interface FakeOtlpCollector {
  /** OTLP/HTTP base URL: `http://127.0.0.1:PORT` (exporters post to `/v1/traces` under it). */
  readonly httpUrl: string;
  /** OTLP/gRPC URL: `http://127.0.0.1:PORT` (plaintext HTTP/2). */
  readonly grpcUrl: string;
  /** Every span received so far, in arrival order. */
  readonly spans: readonly ReceivedSpan[];
  readonly exports: readonly ReceivedExport[];
  /** Resolves once `count` spans have arrived; rejects after `timeoutMs` with what did arrive. */
  waitForSpans(count: number, timeoutMs?: number): Promise<ReceivedSpan[]>;
  close(): Promise<void>;
}

const SERVICE_PATH = "/opentelemetry.proto.collector.trace.v1.TraceService/Export";

interface MessageClass {
  decode(bytes: Uint8Array): unknown;
  encode(message: unknown): { finish(): Uint8Array };
  toObject(message: unknown, options: Record<string, unknown>): unknown;
}

const traceService = (otlpProtos as unknown as {
  opentelemetry: {
    proto: {
      collector: {
        trace: {
          v1: { ExportTraceServiceRequest: MessageClass; ExportTraceServiceResponse: MessageClass };
        };
      };
    };
  };
}).opentelemetry.proto.collector.trace.v1;

/** ExportTraceServiceRequest as plain data: int64 as numbers, bytes as base64, enums as names. */
interface RequestObject {
  resourceSpans?: {
    resource?: { attributes?: KeyValue[] };
    scopeSpans?: {
      spans?: {
        name?: string;
        kind?: string;
        traceId?: string;
        spanId?: string;
        parentSpanId?: string;
        attributes?: KeyValue[];
        status?: { code?: string | number };
      }[];
    }[];
  }[];
}
interface KeyValue {
  key: string;
  value?: AnyValue;
}
interface AnyValue {
  stringValue?: string;
  boolValue?: boolean;
  intValue?: number;
  doubleValue?: number;
  arrayValue?: { values?: AnyValue[] };
  kvlistValue?: { values?: KeyValue[] };
  bytesValue?: string;
}

const STATUS_CODES: Record<string, number> = {
  STATUS_CODE_UNSET: 0,
  STATUS_CODE_OK: 1,
  STATUS_CODE_ERROR: 2,
};

/** Starts both receivers. */
export async function startFakeOtlpCollector(): Promise<FakeOtlpCollector> {
  const spans: ReceivedSpan[] = [];
  const exports: ReceivedExport[] = [];
  const waiters = new Set<() => void>();
  const receive = (entry: ReceivedExport) => {
    exports.push(entry);
    spans.push(...entry.spans);
    for (const check of waiters) check();
  };

  const http = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen: () => {} }, async (req) => {
    const body = new Uint8Array(await req.arrayBuffer());
    receive({
      protocol: "http",
      path: new URL(req.url).pathname,
      headers: Object.fromEntries(req.headers),
      spans: decodeSpans(traceService.ExportTraceServiceRequest.decode(body)),
    });
    const answer = Uint8Array.from(traceService.ExportTraceServiceResponse.encode({}).finish());
    return new Response(answer, { headers: { "content-type": "application/x-protobuf" } });
  });

  const grpc = new Server();
  const definition: ServiceDefinition<UntypedServiceImplementation> = {
    Export: {
      path: SERVICE_PATH,
      requestStream: false,
      responseStream: false,
      requestSerialize: (message: unknown) =>
        Buffer.from(traceService.ExportTraceServiceRequest.encode(message).finish()),
      requestDeserialize: (bytes: Buffer) => traceService.ExportTraceServiceRequest.decode(bytes),
      responseSerialize: (message: unknown) =>
        Buffer.from(traceService.ExportTraceServiceResponse.encode(message).finish()),
      responseDeserialize: (bytes: Buffer) => traceService.ExportTraceServiceResponse.decode(bytes),
    },
  };
  grpc.addService(definition, {
    Export: (
      call: ServerUnaryCall<unknown, unknown>,
      callback: (error: null, response: unknown) => void,
    ) => {
      const headers: Record<string, string> = {};
      for (const [name, value] of Object.entries(call.metadata.getMap())) {
        headers[name] = String(value);
      }
      receive({ protocol: "grpc", path: SERVICE_PATH, headers, spans: decodeSpans(call.request) });
      callback(null, {});
    },
  });
  const grpcPort = await new Promise<number>((resolve, reject) =>
    grpc.bindAsync(
      "127.0.0.1:0",
      ServerCredentials.createInsecure(),
      (error, port) => error ? reject(error) : resolve(port),
    )
  );

  return {
    httpUrl: `http://127.0.0.1:${(http.addr as Deno.NetAddr).port}`,
    grpcUrl: `http://127.0.0.1:${grpcPort}`,
    spans,
    exports,
    waitForSpans(count, timeoutMs = 5_000) {
      return new Promise((resolve, reject) => {
        const check = () => {
          if (spans.length < count) return;
          finish();
          resolve([...spans]);
        };
        const timer = setTimeout(() => {
          finish();
          reject(new Error(`expected ${count} spans within ${timeoutMs} ms, got ${spans.length}`));
        }, timeoutMs);
        const finish = () => {
          clearTimeout(timer);
          waiters.delete(check);
        };
        waiters.add(check);
        check();
      });
    },
    async close() {
      await Promise.all([
        http.shutdown(),
        new Promise<void>((resolve) => grpc.tryShutdown(() => resolve())),
      ]);
    },
  };
}

function decodeSpans(message: unknown): ReceivedSpan[] {
  const request = traceService.ExportTraceServiceRequest.toObject(message, {
    longs: Number,
    enums: String,
    bytes: String,
  }) as RequestObject;
  const out: ReceivedSpan[] = [];
  for (const resourceSpans of request.resourceSpans ?? []) {
    const resource = attributesOf(resourceSpans.resource?.attributes);
    for (const scopeSpans of resourceSpans.scopeSpans ?? []) {
      for (const span of scopeSpans.spans ?? []) {
        const status = span.status?.code ?? 0;
        out.push({
          name: span.name ?? "",
          kind: (span.kind ?? "").replace(/^SPAN_KIND_/, ""),
          traceId: base64ToHex(span.traceId),
          spanId: base64ToHex(span.spanId),
          parentSpanId: base64ToHex(span.parentSpanId),
          attributes: attributesOf(span.attributes),
          statusCode: typeof status === "number" ? status : STATUS_CODES[status] ?? -1,
          resource,
        });
      }
    }
  }
  return out;
}

function attributesOf(list: KeyValue[] | undefined): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const { key, value } of list ?? []) out[key] = valueOf(value);
  return out;
}

function valueOf(value: AnyValue | undefined): unknown {
  if (value === undefined) return undefined;
  if (value.stringValue !== undefined) return value.stringValue;
  if (value.boolValue !== undefined) return value.boolValue;
  if (value.intValue !== undefined) return value.intValue;
  if (value.doubleValue !== undefined) return value.doubleValue;
  if (value.arrayValue !== undefined) return (value.arrayValue.values ?? []).map(valueOf);
  if (value.kvlistValue !== undefined) return attributesOf(value.kvlistValue.values);
  return value.bytesValue;
}

function base64ToHex(text: string | undefined): string {
  if (!text) return "";
  return Array.from(atob(text), (char) => char.charCodeAt(0).toString(16).padStart(2, "0"))
    .join("");
}
