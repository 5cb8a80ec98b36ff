/**
 * Prometheus metrics, kept in plain maps and rendered on scrape. Names and labels follow
 * agentgateway (and the OpenTelemetry GenAI conventions) so its dashboards work.
 * The LLM and MCP families are declared here for their features to record into.
 * @module
 */
import { CounterFamily, escapeLabel, formatLabels, HistogramFamily } from "./metric_family.ts";

/** Request duration buckets in seconds. */
const DURATION_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
/** GenAI conventions' token-usage buckets. */
const TOKEN_BUCKETS = [1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304];
/** GenAI conventions' server-duration buckets (seconds). */
const GEN_AI_DURATION_BUCKETS = [
  0.01,
  0.02,
  0.04,
  0.08,
  0.16,
  0.32,
  0.64,
  1.28,
  2.56,
  5.12,
  10.24,
  20.48,
  40.96,
  81.92,
];

/** Labels of a GenAI observation (`gen_ai.*` in OpenTelemetry, `gen_ai_*` in Prometheus). */
export interface GenAiLabels {
  operation: string;
  system: string;
  requestModel: string;
  responseModel: string;
}

/** Every metric agw exports. */
export class Metrics {
  readonly #requestDuration = new HistogramFamily(
    "agentgateway_request_duration_seconds",
    "The duration of HTTP requests",
    DURATION_BUCKETS,
  );
  readonly #upstreamErrors = new CounterFamily(
    "agentgateway_upstream_errors_total",
    "Upstream calls that failed without a response, by reason",
  );
  readonly #upstreamConnections = new CounterFamily(
    "agentgateway_upstream_connections_total",
    "Connections opened to upstreams",
  );
  readonly #upstreamPoolFull = new CounterFamily(
    "agentgateway_upstream_pool_full_total",
    "Requests refused (503) because every connection to the upstream allowed by " +
      "config.backend.poolMaxSize stayed busy for the whole wait",
  );
  readonly #tokenUsage = new HistogramFamily(
    "agentgateway_gen_ai_client_token_usage",
    "Number of tokens used per LLM request, by token type",
    TOKEN_BUCKETS,
  );
  readonly #genAiDuration = new HistogramFamily(
    "agentgateway_gen_ai_server_request_duration",
    "Duration of LLM requests in seconds",
    GEN_AI_DURATION_BUCKETS,
  );
  readonly #timeToFirstToken = new HistogramFamily(
    "agentgateway_gen_ai_server_time_to_first_token",
    "Time to the first streamed token of LLM responses in seconds",
    GEN_AI_DURATION_BUCKETS,
  );
  readonly #mcpRequests = new CounterFamily(
    "agentgateway_mcp_requests_total",
    "The total number of MCP requests",
  );

  /** Records one finished request; `extra` are `config.metrics.fields` labels, in config order. */
  recordRequest(
    bind: string,
    route: string,
    status: number,
    durationSeconds: number,
    extra?: readonly (readonly [string, string])[],
  ): void {
    let labels = `bind="${escapeLabel(bind)}",route="${escapeLabel(route)}",status="${status}"`;
    if (extra) labels += `,${formatLabels(extra)}`;
    this.#requestDuration.observeFormatted(labels, durationSeconds);
  }

  /** Counts an upstream call that failed without an HTTP response, by reason. */
  recordUpstreamError(reason: string): void {
    this.#upstreamErrors.add([["reason", reason]]);
  }

  /** Counts a new connection to an upstream. */
  recordUpstreamConnection(endpoint: string): void {
    this.#upstreamConnections.add([["endpoint", endpoint]]);
  }

  /** Counts a request refused because the upstream's connection pool stayed full. */
  recordUpstreamPoolFull(endpoint: string): void {
    this.#upstreamPoolFull.add([["endpoint", endpoint]]);
  }

  /** Records an LLM call's token counts (for the LLM feature). */
  recordTokenUsage(labels: GenAiLabels, tokens: { input?: number; output?: number }): void {
    for (const [type, count] of [["input", tokens.input], ["output", tokens.output]] as const) {
      if (count !== undefined) {
        this.#tokenUsage.observe([...genAi(labels), ["gen_ai_token_type", type]], count);
      }
    }
  }

  /** Records an LLM call's duration and, when streamed, its time to first token. */
  recordGenAiTiming(labels: GenAiLabels, seconds: number, firstTokenSeconds?: number): void {
    this.#genAiDuration.observe(genAi(labels), seconds);
    if (firstTokenSeconds !== undefined) {
      this.#timeToFirstToken.observe(genAi(labels), firstTokenSeconds);
    }
  }

  /** Counts an MCP request (for the MCP feature). */
  recordMcpRequest(method: string, server: string, tool?: string): void {
    this.#mcpRequests.add([["method", method], ["server", server], ["tool", tool ?? ""]]);
  }

  /** Renders the Prometheus text exposition format (version 0.0.4). */
  render(): string {
    const out: string[] = [
      "# HELP agentgateway_requests_total The total number of HTTP requests sent",
      "# TYPE agentgateway_requests_total counter",
    ];
    for (const { labels, count } of this.#requestDuration.counts()) {
      out.push(`agentgateway_requests_total{${labels}} ${count}`);
    }
    this.#requestDuration.render(out);
    this.#upstreamErrors.render(out);
    this.#upstreamConnections.render(out);
    this.#upstreamPoolFull.render(out);
    this.#tokenUsage.render(out);
    this.#genAiDuration.render(out);
    this.#timeToFirstToken.render(out);
    this.#mcpRequests.render(out);
    return out.join("\n") + "\n";
  }
}

function genAi(labels: GenAiLabels): [string, string][] {
  return [
    ["gen_ai_operation_name", labels.operation],
    ["gen_ai_system", labels.system],
    ["gen_ai_request_model", labels.requestModel],
    ["gen_ai_response_model", labels.responseModel],
  ];
}
