/**
 * The OTLP span exporter `config.tracing` asks for: OTLP/gRPC (agentgateway's default) or
 * OTLP/HTTP with protobuf bodies. The exporter packages (and @grpc/grpc-js under the gRPC one) are
 * loaded only when tracing is configured, so a gateway without tracing neither pays their start-up
 * cost nor needs the env permission grpc-js asks for when it loads.
 * @module
 */
import type { SpanExporter } from "@opentelemetry/sdk-trace";
import type { TracingConfig } from "../config/mod.ts";

/** OTLP/HTTP's path for traces (OTLP spec, "OTLP/HTTP Request"). */
const TRACES_PATH = "/v1/traces";

/**
 * The URL OTLP/HTTP posts to. `path` replaces the endpoint's path; without it `/v1/traces` is
 * appended to the endpoint's path, as OTEL_EXPORTER_OTLP_ENDPOINT does (so an endpoint with a
 * prefix, such as Langfuse's `/api/public/otel`, works), unless the endpoint already ends with it.
 */
export function otlpHttpUrl(endpoint: string, path?: string): string {
  const url = new URL(endpoint);
  if (path !== undefined) {
    url.pathname = path;
  } else if (!url.pathname.endsWith(TRACES_PATH)) {
    url.pathname = url.pathname.replace(/\/+$/, "") + TRACES_PATH;
  }
  return url.href;
}

/** Builds the exporter for `config` (which has an `otlpEndpoint`). */
export async function createOtlpExporter(
  config: TracingConfig & { otlpEndpoint: string },
): Promise<SpanExporter> {
  if (config.otlpProtocol === "http") {
    const { OTLPTraceExporter } = await import("@opentelemetry/exporter-trace-otlp-proto");
    return new OTLPTraceExporter({
      url: otlpHttpUrl(config.otlpEndpoint, config.path),
      headers: config.headers,
    });
  }
  const [{ OTLPTraceExporter }, { Metadata }] = await Promise.all([
    import("@opentelemetry/exporter-trace-otlp-grpc"),
    import("@grpc/grpc-js"),
  ]);
  const metadata = new Metadata();
  for (const [name, value] of Object.entries(config.headers)) metadata.set(name, value);
  // The exporter picks TLS from the scheme: http:// is plaintext h2c, https:// is TLS.
  return new OTLPTraceExporter({ url: config.otlpEndpoint, metadata });
}
