/**
 * A strict parser for the Prometheus text exposition format (version 0.0.4), so tests read
 * `/metrics` the way a scraper does instead of matching substrings. Throws on any malformed line.
 * @module
 */

/** One sample line: `name{labels} value`. */
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** A parsed exposition: every sample, and each family's `# TYPE`. */
export interface Exposition {
  samples: Sample[];
  types: Map<string, string>;
  /** The samples named `name` whose labels include all of `labels`. */
  find(name: string, labels?: Record<string, string>): Sample[];
  /** The value of the one sample named `name` with exactly these labels; throws if absent. */
  value(name: string, labels: Record<string, string>): number;
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*/;
const TYPES = new Set(["counter", "gauge", "histogram", "summary", "untyped"]);
const HISTOGRAM_SUFFIXES = ["_bucket", "_sum", "_count"];

/** Parses exposition text; every sample must belong to a family declared by `# TYPE` before it. */
export function parsePrometheus(text: string): Exposition {
  const samples: Sample[] = [];
  const types = new Map<string, string>();
  text.split("\n").forEach((line, index) => {
    const where = `line ${index + 1} ${JSON.stringify(line)}`;
    if (line === "") return;
    if (line.startsWith("#")) {
      const [, keyword, name, rest] = line.match(/^# (HELP|TYPE) (\S+) ?(.*)$/) ?? [];
      if (keyword === "TYPE") {
        if (!TYPES.has(rest!)) throw new Error(`unknown metric type at ${where}`);
        if (types.has(name!)) throw new Error(`second TYPE for ${name} at ${where}`);
        types.set(name!, rest!);
      }
      return;
    }
    const sample = parseSample(line, where);
    if (familyOf(sample.name, types) === undefined) {
      throw new Error(`sample without a preceding TYPE at ${where}`);
    }
    samples.push(sample);
  });
  const find = (name: string, labels: Record<string, string> = {}) =>
    samples.filter((s) =>
      s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v)
    );
  return {
    samples,
    types,
    find,
    value(name, labels) {
      const matches = find(name, labels).filter((s) =>
        Object.keys(s.labels).length === Object.keys(labels).length
      );
      if (matches.length !== 1) {
        throw new Error(
          `expected one ${name}${JSON.stringify(labels)}, found ${matches.length}:\n${text}`,
        );
      }
      return matches[0]!.value;
    },
  };
}

function familyOf(name: string, types: Map<string, string>): string | undefined {
  if (types.has(name)) return name;
  for (const suffix of HISTOGRAM_SUFFIXES) {
    const base = name.slice(0, -suffix.length);
    if (name.endsWith(suffix) && ["histogram", "summary"].includes(types.get(base) ?? "")) {
      return base;
    }
  }
  return undefined;
}

function parseSample(line: string, where: string): Sample {
  const name = line.match(NAME)?.[0];
  if (!name) throw new Error(`no metric name at ${where}`);
  let rest = line.slice(name.length);
  const labels: Record<string, string> = {};
  if (rest.startsWith("{")) {
    rest = rest.slice(1);
    while (!rest.startsWith("}")) {
      const labelName = rest.match(LABEL_NAME)?.[0];
      if (!labelName || rest[labelName.length] !== "=" || rest[labelName.length + 1] !== '"') {
        throw new Error(`bad label at ${where}`);
      }
      rest = rest.slice(labelName.length + 2);
      let value = "";
      for (;;) {
        const char = rest[0];
        if (char === undefined) throw new Error(`unterminated label value at ${where}`);
        rest = rest.slice(1);
        if (char === '"') break;
        if (char === "\\") {
          const escaped = rest[0];
          rest = rest.slice(1);
          if (escaped === "n") value += "\n";
          else if (escaped === "\\" || escaped === '"') value += escaped;
          else throw new Error(`bad escape in label value at ${where}`);
        } else {
          value += char;
        }
      }
      if (labelName in labels) throw new Error(`label ${labelName} twice at ${where}`);
      labels[labelName] = value;
      if (rest.startsWith(",")) rest = rest.slice(1);
      else if (!rest.startsWith("}")) throw new Error(`expected , or } at ${where}`);
    }
    rest = rest.slice(1);
  }
  const fields = rest.match(/^ (\S+)(?: (-?\d+))?$/);
  if (!fields) throw new Error(`expected " value [timestamp]" at ${where}`);
  const value = parseValue(fields[1]!);
  if (value === undefined) throw new Error(`bad sample value at ${where}`);
  return { name, labels, value };
}

/** A sample value or `le` bound as Prometheus writes it (`+Inf`, `1e-3`, `NaN`); undefined if malformed. */
export function parseValue(text: string): number | undefined {
  if (text === "+Inf") return Infinity;
  if (text === "-Inf") return -Infinity;
  if (text === "NaN") return NaN;
  const value = Number(text);
  return /^[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?$/.test(text) ? value : undefined;
}
