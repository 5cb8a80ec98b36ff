/**
 * agentgateway's own example and config-test files, read from ../shared/agentgateway beside the
 * repo (never copied in). Each must load, or be rejected with clean one-line messages: a feature
 * agw lacks is named as "not supported by agw yet"; otherwise only an env variable that is not
 * set or a file that is not beside the config may fail it. Anything else is a compatibility bug.
 */
import assert from "node:assert/strict";
import { ConfigError, loadConfig } from "../../../src/config/mod.ts";
import { buildSnapshot } from "../../../src/gateway/mod.ts";
import { AGENTGATEWAY_DIR, dirExists, runCli } from "./run_cli.ts";

const FOLDERS = ["examples", "config-tests"];
const PRESENT = dirExists(AGENTGATEWAY_DIR);
if (!PRESENT) {
  console.log(`agentgateway corpus tests skipped: ${AGENTGATEWAY_DIR} is absent`);
}

function corpusFiles(): string[] {
  if (!PRESENT) return [];
  return FOLDERS.flatMap((folder) =>
    dirExists(`${AGENTGATEWAY_DIR}${folder}`)
      ? [...Deno.readDirSync(`${AGENTGATEWAY_DIR}${folder}`)]
        .filter((entry) => entry.isFile && /\.ya?ml$/.test(entry.name))
        .map((entry) => `${folder}/${entry.name}`)
      : []
  ).sort();
}

type Outcome =
  | { kind: "accepted" }
  | { kind: "rejected"; lines: string[] }
  | { kind: "crashed"; error: unknown };

/** What `--validate-only` decides, in-process; env variables all unset so runs are repeatable. */
function validate(file: string): Outcome {
  try {
    const text = Deno.readTextFileSync(`${AGENTGATEWAY_DIR}${file}`);
    buildSnapshot(loadConfig(text, { source: file, env: () => undefined })).close();
    return { kind: "accepted" };
  } catch (error) {
    if (error instanceof ConfigError) return { kind: "rejected", lines: error.message.split("\n") };
    return { kind: "crashed", error };
  }
}

const UNSUPPORTED = /is not supported by agw yet$/;
/** Rejections that are about the machine, not the config: agentgateway would fail them too. */
const ENVIRONMENTAL = /Cannot read (key )?file|environment variables? .* (is|are) not set\)$/;

/** Checks one reported line; returns why it is not clean, or undefined. */
function lineProblem(file: string, line: string): string | undefined {
  const escaped = file.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const shape = new RegExp(`^${escaped}:\\d+:\\d+: [A-Za-z_][\\w.\\[\\]"-]*: \\S.*$`);
  if (!shape.test(line)) return "not `file:line:col: path: message`";
  if (/Invalid input|Invalid option|Too (small|big)|"code":|^\s*[[{]/.test(line)) {
    return "raw zod output";
  }
  if (!UNSUPPORTED.test(line) && !ENVIRONMENTAL.test(line)) {
    return "rejects something agentgateway accepts";
  }
  return undefined;
}

const FILES = corpusFiles();
const outcomes = new Map<string, Outcome>();

for (const file of FILES) {
  Deno.test(`agentgateway ${file} loads or is rejected with clean messages`, () => {
    const outcome = validate(file);
    outcomes.set(file, outcome);
    if (outcome.kind === "crashed") {
      assert.fail(`--validate-only crashed on ${file}: ${(outcome.error as Error)?.stack}`);
    }
    if (outcome.kind === "rejected") {
      assert.ok(outcome.lines.length > 0);
      for (const line of outcome.lines) {
        const problem = lineProblem(file, line);
        assert.equal(problem, undefined, `${problem}:\n${line}`);
      }
      // One line per problem: the same path is never reported twice.
      const paths = outcome.lines.map((line) => line.split(": ")[1]);
      assert.equal(new Set(paths).size, paths.length, outcome.lines.join("\n"));
    }
  });
}

Deno.test({
  name: "agentgateway corpus summary lists accepted files and unsupported fields",
  ignore: FILES.length === 0,
  fn() {
    for (const file of FILES) if (!outcomes.has(file)) outcomes.set(file, validate(file));
    const accepted: string[] = [];
    const unsupported: string[] = [];
    const byField = new Map<string, Set<string>>();
    const environmental = new Map<string, number>();
    for (const [file, outcome] of outcomes) {
      if (outcome.kind === "accepted") accepted.push(file);
      if (outcome.kind !== "rejected") continue;
      for (const line of outcome.lines) {
        const field = /"([^"]+)" is not supported by agw yet$/.exec(line)?.[1];
        if (field !== undefined) byField.set(field, (byField.get(field) ?? new Set()).add(file));
        else environmental.set(file, (environmental.get(file) ?? 0) + 1);
      }
      if (outcome.lines.some((line) => UNSUPPORTED.test(line))) unsupported.push(file);
    }
    const envOnly = FILES.length - accepted.length - unsupported.length;
    const report = [
      `agentgateway corpus: ${FILES.length} files, ${accepted.length} accepted, ` +
      `${unsupported.length} rejected as unsupported, ${envOnly} rejected only for env/files`,
      ...accepted.map((file) => `  accepted: ${file}`),
      ...[...byField].sort(([a, x], [b, y]) => y.size - x.size || a.localeCompare(b))
        .map(([field, files]) => `  ${field} (${files.size}): ${[...files].join(", ")}`),
      ...[...environmental].map(([file, count]) =>
        `  also needs env or files: ${file} (${count} line${count === 1 ? "" : "s"})`
      ),
    ];
    console.log(report.join("\n"));
    assert.ok(envOnly >= 0);
  },
});

/** The CLI prints exactly what loadConfig + buildSnapshot report, and exits 1. */
const CLI_SPOT_CHECKS = [
  "examples/traffic-http__config.yaml",
  "examples/llm-basic__config.yaml",
  "config-tests/mcp_to_aws_backend_config.yaml",
];

for (const file of CLI_SPOT_CHECKS) {
  Deno.test({
    name: `agw --validate-only -f ${file} prints the same verdict as the in-process check`,
    ignore: !FILES.includes(file),
    async fn() {
      const path = `${AGENTGATEWAY_DIR}${file}`;
      const result = await runCli(["--validate-only", "-f", path]);
      let expected: string;
      try {
        const text = Deno.readTextFileSync(path);
        buildSnapshot(loadConfig(text, { source: path, env: () => undefined })).close();
        assert.equal(result.code, 0, result.stderr);
        assert.equal(result.stdout, `${path}: configuration is valid\n`);
        return;
      } catch (error) {
        if (!(error instanceof ConfigError)) throw error;
        expected = error.message;
      }
      assert.equal(result.code, 1);
      assert.equal(result.stderr, `${expected}\n`);
      assert.equal(result.stdout, "");
    },
  });
}
