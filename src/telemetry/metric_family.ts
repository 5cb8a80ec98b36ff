/** Prometheus label names allow [a-zA-Z_][a-zA-Z0-9_]*: `llm.model` becomes `llm_model`. */
export function labelName(name: string): string {
  const cleaned = name.replace(/[^a-zA-Z0-9_]/g, "_");
  return /^[a-zA-Z_]/.test(cleaned) ? cleaned : `_${cleaned}`;
}

/** Escapes a label value for the text exposition format. */
export function escapeLabel(value: string): string {
  return value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
}

/** `a="1",b="2"` for label pairs, names cleaned and values escaped. */
export function formatLabels(labels: readonly (readonly [string, string])[]): string {
  return labels.map(([name, value]) => `${labelName(name)}="${escapeLabel(value)}"`).join(",");
}

/** A counter with labels. */
export class CounterFamily {
  readonly #series = new Map<string, { labels: string; value: number }>();
  constructor(readonly name: string, readonly help: string) {}

  add(labels: readonly (readonly [string, string])[], amount = 1): void {
    const text = formatLabels(labels);
    const series = this.#series.get(text);
    if (series) series.value += amount;
    else this.#series.set(text, { labels: text, value: amount });
  }

  render(out: string[]): void {
    out.push(`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} counter`);
    for (const { labels, value } of this.#series.values()) {
      out.push(`${this.name}{${labels}} ${value}`);
    }
  }
}

/** A histogram with labels and fixed bucket bounds. */
export class HistogramFamily {
  readonly #series = new Map<
    string,
    { labels: string; count: number; sum: number; buckets: number[] }
  >();
  constructor(readonly name: string, readonly help: string, readonly bounds: readonly number[]) {}

  /** Records one observation under labels given as preformatted text (the hot path builds it once). */
  observeFormatted(labels: string, value: number): void {
    let series = this.#series.get(labels);
    if (!series) {
      series = { labels, count: 0, sum: 0, buckets: new Array(this.bounds.length).fill(0) };
      this.#series.set(labels, series);
    }
    series.count++;
    series.sum += value;
    for (let i = 0; i < this.bounds.length; i++) {
      if (value <= this.bounds[i]!) {
        series.buckets[i]!++;
        break;
      }
    }
  }

  observe(labels: readonly (readonly [string, string])[], value: number): void {
    this.observeFormatted(formatLabels(labels), value);
  }

  /** Each series' labels and count (the request counter is derived from the duration histogram). */
  counts(): Iterable<{ labels: string; count: number }> {
    return this.#series.values();
  }

  render(out: string[]): void {
    out.push(`# HELP ${this.name} ${this.help}`, `# TYPE ${this.name} histogram`);
    for (const series of this.#series.values()) {
      const sep = series.labels ? "," : "";
      let cumulative = 0;
      this.bounds.forEach((bound, i) => {
        cumulative += series.buckets[i]!;
        out.push(`${this.name}_bucket{${series.labels}${sep}le="${bound}"} ${cumulative}`);
      });
      out.push(`${this.name}_bucket{${series.labels}${sep}le="+Inf"} ${series.count}`);
      out.push(`${this.name}_sum{${series.labels}} ${series.sum}`);
      out.push(`${this.name}_count{${series.labels}} ${series.count}`);
    }
  }
}
