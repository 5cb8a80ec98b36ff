import { z } from "zod";
import { durationMs } from "../primitives.ts";

/** `host:port`, `:port`, or `off`. */
const address = z.string().regex(/^(off|.*:\d+)$/, { error: 'expected "host:port" or "off"' });

/** CEL-computed fields: `add` (name → expression) and `remove` (default field names). */
const celFieldsSchema = z.strictObject({
  add: z.record(z.string(), z.string()).default({}).describe("Field name → CEL expression"),
  remove: z.array(z.string()).default([]).describe("Default fields to leave out"),
});

export const loggingSchema = z.strictObject({
  level: z.union([z.string(), z.array(z.string())]).optional(),
  format: z.enum(["text", "json"]).optional(),
  filter: z.string().optional().describe("CEL: only requests for which it is true are logged"),
  fields: celFieldsSchema.optional().describe("Access-log fields added (CEL) or removed"),
});

/** `config.metrics`: extra CEL labels on the request metrics. */
export const metricsSchema = z.strictObject({
  fields: z.strictObject({
    add: z.record(z.string(), z.string()).default({}).describe("Label name → CEL expression"),
  }).optional(),
  remove: z.array(z.string()).default([]).describe("Default labels to leave out"),
});

/**
 * A sampling setting (agentgateway's `StringBoolFloat`): `true` (always), `false` (never), a ratio
 * 0..1, or a CEL expression that evaluates to one of those.
 */
const samplingSchema = z.union([z.boolean(), z.number().min(0).max(1), z.string()]);

/** `config.tracing`: one OpenTelemetry server span per request, exported over OTLP. */
export const tracingSchema = z.strictObject({
  otlpEndpoint: z.url({
    protocol: /^https?$/,
    error: 'expected a URL such as "http://collector:4317"',
  }).optional().describe("OTLP collector URL; tracing is on only when it is set"),
  otlpProtocol: z.enum(["grpc", "http"]).default("grpc")
    .describe("grpc (OTLP/gRPC, port 4317) or http (OTLP/HTTP protobuf, port 4318)"),
  headers: z.record(z.string(), z.string()).default({})
    .describe("Headers (gRPC metadata) sent with every export, such as credentials"),
  randomSampling: samplingSchema.optional()
    .describe("Whether to start a trace for a request without a traceparent; default false"),
  clientSampling: samplingSchema.optional()
    .describe("Whether to trace a request that has a traceparent; default true"),
  path: z.string().optional().describe("OTLP/HTTP request path; default /v1/traces"),
  fields: z.strictObject({
    add: z.record(z.string(), z.string()).default({})
      .describe("Span attributes as CEL expressions; `span.name` renames the span"),
    remove: z.array(z.string()).default([]).describe("Default span attributes to leave out"),
  }).optional(),
});
export type TracingConfig = z.infer<typeof tracingSchema>;

/**
 * `config.backend`: upstream connection settings. agw has `poolMaxSize` only; agentgateway's
 * other keys here (`connectTimeout`, `keepalives`, `poolIdleTimeout`) are reported as not
 * supported yet.
 */
export const backendConfigSchema = z.strictObject({
  poolMaxSize: z.number().int().min(1).nullable().optional().describe(
    "Connections to one upstream (address and TLS settings) at most, so requests in flight to it " +
      "at most; a request that finds them all busy waits for one, up to 10 s or its own timeout, " +
      "then gets 503. Unset or null: no limit",
  ),
});

/** `config.session`: how session ids (MCP's `Mcp-Session-Id`) are protected. */
export const sessionConfigSchema = z.strictObject({
  key: z.string().regex(/^[0-9a-fA-F]{64}$/, {
    error: "expected 32 bytes as 64 hex digits (for example from `openssl rand -hex 32`)",
  }).describe("AES-256-GCM key for session ids; without one they are only base64url JSON"),
});

/** `config.mcp`: MCP gateway settings. */
export const mcpConfigSchema = z.strictObject({
  sessionTtl: durationMs.nullish().describe(
    "Idle time after which an MCP session is closed (upstream sessions ended, stdio children " +
      "stopped); default 30m",
  ),
});

/** The `config:` block: process settings applied at start. */
export const staticConfigSchema = z.strictObject({
  adminAddr: address.default("localhost:15000"),
  statsAddr: address.default("0.0.0.0:15020"),
  readinessAddr: address.default("0.0.0.0:15021"),
  logging: loggingSchema.default({}),
  metrics: metricsSchema.optional(),
  tracing: tracingSchema.optional(),
  backend: backendConfigSchema.optional(),
  session: sessionConfigSchema.nullish(),
  mcp: mcpConfigSchema.nullish(),
});
export type StaticConfig = z.infer<typeof staticConfigSchema>;
