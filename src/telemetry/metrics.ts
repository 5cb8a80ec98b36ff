/**
 * Prometheus metrics, kept in plain maps and rendered on scrape. Names follow agentgateway so
 * its dashboards work: `agentgateway_requests_total`, `agentgateway_request_duration_seconds`.
 * @module
 */

/** Request duration buckets in seconds (agentgateway's defaults for HTTP). */
const DURATION_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

interface RequestSeries {
  labels: string;
  count: number;
  sum: number;
  buckets: number[];
}

/** Counters and histograms for requests, labelled by bind, route and status. */
export class Metrics {
  readonly #requests = new Map<string, RequestSeries>();
  readonly #upstreamErrors = new Map<string, number>();

  /** Records one finished request; `extra` are `config.metrics.fields` labels, in config order. */
  recordRequest(
    bind: string,
    route: string,
    status: number,
    durationSeconds: number,
    extra?: readonly (readonly [string, string])[],
  ): void {
    let key = `${bind}\u0000${route}\u0000${status}`;
    if (extra) { for (const [name, value] of extra) key += `\u0000${name}=${value}`; }
    let series = this.#requests.get(key);
    if (!series) {
      let labels = `bind="${escapeLabel(bind)}",route="${escapeLabel(route)}",status="${status}"`;
      if (extra) {
        for (const [name, value] of extra) {
          labels += `,${labelName(name)}="${escapeLabel(value)}"`;
        }
      }
      series = { labels, count: 0, sum: 0, buckets: new Array(DURATION_BUCKETS.length).fill(0) };
      this.#requests.set(key, series);
    }
    series.count++;
    series.sum += durationSeconds;
    for (let i = 0; i < DURATION_BUCKETS.length; i++) {
      if (durationSeconds <= DURATION_BUCKETS[i]!) {
        series.buckets[i]!++;
        break;
      }
    }
  }

  /** Counts an upstream call that failed without an HTTP response, by reason. */
  recordUpstreamError(reason: string): void {
    this.#upstreamErrors.set(reason, (this.#upstreamErrors.get(reason) ?? 0) + 1);
  }

  /** Renders the Prometheus text exposition format (version 0.0.4). */
  render(): string {
    const out: string[] = [
      "# HELP agentgateway_requests_total The total number of HTTP requests sent",
      "# TYPE agentgateway_requests_total counter",
    ];
    for (const series of this.#requests.values()) {
      out.push(`agentgateway_requests_total{${series.labels}} ${series.count}`);
    }
    out.push(
      "# HELP agentgateway_request_duration_seconds The duration of HTTP requests",
      "# TYPE agentgateway_request_duration_seconds histogram",
    );
    for (const series of this.#requests.values()) {
      let cumulative = 0;
      DURATION_BUCKETS.forEach((bound, i) => {
        cumulative += series.buckets[i]!;
        out.push(
          `agentgateway_request_duration_seconds_bucket{${series.labels},le="${bound}"} ${cumulative}`,
        );
      });
      out.push(
        `agentgateway_request_duration_seconds_bucket{${series.labels},le="+Inf"} ${series.count}`,
      );
      out.push(`agentgateway_request_duration_seconds_sum{${series.labels}} ${series.sum}`);
      out.push(`agentgateway_request_duration_seconds_count{${series.labels}} ${series.count}`);
    }
    out.push(
      "# HELP agentgateway_upstream_errors_total Upstream calls that failed without a response",
      "# TYPE agentgateway_upstream_errors_total counter",
    );
    for (const [reason, count] of this.#upstreamErrors) {
      out.push(`agentgateway_upstream_errors_total{reason="${escapeLabel(reason)}"} ${count}`);
    }
    return out.join("\n") + "\n";
  }
}

/** Prometheus label names allow [a-zA-Z_][a-zA-Z0-9_]*: `llm.model` becomes `llm_model`. */
function labelName(name: string): string {
  const cleaned = name.replace(/[^a-zA-Z0-9_]/g, "_");
  return /^[a-zA-Z_]/.test(cleaned) ? cleaned : `_${cleaned}`;
}

function escapeLabel(value: string): string {
  return value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
}
