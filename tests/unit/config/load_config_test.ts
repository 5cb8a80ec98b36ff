import assert from "node:assert/strict";
import { ConfigError, formatIssues, formatPath, loadConfig } from "../../../src/config/mod.ts";
import { expandEnv } from "../../../src/config/env_expand.ts";
import { parseDurationMs } from "../../../src/config/primitives.ts";

const noEnv = () => undefined;

/** Loads `text` expecting a ConfigError; returns its message lines. */
function problems(text: string, env: (name: string) => string | undefined = noEnv): string[] {
  try {
    loadConfig(text, { source: "test.yaml", env });
  } catch (error) {
    assert.ok(error instanceof ConfigError, `expected a ConfigError, got ${error}`);
    return error.message.split("\n");
  }
  assert.fail("expected the config to be rejected");
}

function route(policies: string): string {
  return `binds:
- port: 3000
  listeners:
  - routes:
    - policies:
${policies}
`;
}

// --- env expansion ---

Deno.test("expandEnv replaces $VAR and ${VAR} with their values", () => {
  const env = (name: string) => ({ HOST: "127.0.0.1", PORT: "8080" })[name];
  assert.equal(expandEnv("host: $HOST:${PORT}", env), "host: 127.0.0.1:8080");
});

Deno.test("expandEnv uses the default of ${VAR:-default} when the variable is unset or empty", () => {
  assert.equal(expandEnv("port: ${PORT:-3000}", noEnv), "port: 3000");
  assert.equal(expandEnv("port: ${PORT:-3000}", () => ""), "port: 3000");
  assert.equal(expandEnv("port: ${PORT:-3000}", () => "4000"), "port: 4000");
  assert.equal(expandEnv("x: ${EMPTY_DEFAULT:-}", noEnv), "x: ");
});

Deno.test("expandEnv expands an unset variable without a default to nothing", () => {
  assert.equal(expandEnv("key: $MISSING.", noEnv), "key: .");
  assert.equal(expandEnv("key: ${MISSING}", noEnv), "key: ");
});

Deno.test("expandEnv keeps $$ as a literal dollar and leaves non-names alone", () => {
  assert.equal(expandEnv("price: $$5 and $5 and $ alone", noEnv), "price: $5 and $5 and $ alone");
  assert.equal(expandEnv("$$HOME", () => "/root"), "$HOME");
});

Deno.test("expandEnv reports each unset variable with its offset in the expanded text", () => {
  const seen: [string, number][] = [];
  const out = expandEnv("a: ${LONG_VALUE}\nb: $UNSET\n", (name) => {
    return name === "LONG_VALUE" ? "0123456789" : undefined;
  }, (name, offset) => seen.push([name, offset]));
  assert.deepEqual(seen, [["UNSET", out.indexOf("b: ") + 3]]);
});

Deno.test("loadConfig expands env variables before parsing", () => {
  const env = (name: string) => ({ AGW_PORT: "3100", AGW_FORMAT: "json" })[name];
  const { config } = loadConfig(
    "config:\n  logging:\n    format: $AGW_FORMAT\nbinds:\n- port: ${AGW_PORT}\n  listeners: []\n",
    { source: "test.yaml", env },
  );
  assert.equal(config.binds[0]?.port, 3100);
  assert.equal(config.config.logging.format, "json");
});

Deno.test("loadConfig takes the default of ${VAR:-default} for a missing variable", () => {
  const { config } = loadConfig("binds:\n- port: ${AGW_MISSING:-3200}\n  listeners: []\n", {
    source: "test.yaml",
    env: noEnv,
  });
  assert.equal(config.binds[0]?.port, 3200);
});

Deno.test("loadConfig names the unset variable that left a field empty", () => {
  const lines = problems("binds:\n- port: $AGW_UNSET_PORT\n  listeners: []\n");
  assert.deepEqual(lines, [
    "test.yaml:2:3: binds[0].port: expected a number, got an empty value " +
    "(environment variable AGW_UNSET_PORT is not set)",
  ]);
});

// --- durations ---

Deno.test("parseDurationMs reads single-unit durations", () => {
  assert.equal(parseDurationMs("100ms"), 100);
  assert.equal(parseDurationMs("10s"), 10_000);
  assert.equal(parseDurationMs("2m"), 120_000);
  assert.equal(parseDurationMs("1h"), 3_600_000);
  assert.equal(parseDurationMs("1d"), 86_400_000);
  assert.equal(parseDurationMs("500us"), 0.5);
  assert.equal(parseDurationMs("500µs"), 0.5);
  assert.equal(parseDurationMs("1000000ns"), 1);
  assert.equal(parseDurationMs("0s"), 0);
});

Deno.test("parseDurationMs adds up compound and fractional durations", () => {
  assert.equal(parseDurationMs("1m30s"), 90_000);
  assert.equal(parseDurationMs("1h2m3s4ms"), 3_723_004);
  assert.equal(parseDurationMs("1.5s"), 1500);
  assert.equal(parseDurationMs("  10s  "), 10_000);
});

Deno.test("parseDurationMs rejects malformed durations", () => {
  for (
    const text of ["", " ", "10", "s", "10x", "10 s", "-1s", "1s 2s", "1.s", "ten seconds", "1m30"]
  ) {
    assert.equal(parseDurationMs(text), undefined, JSON.stringify(text));
  }
});

Deno.test("loadConfig parses durations in policies into milliseconds", () => {
  const { config } = loadConfig(
    route("        timeout: {requestTimeout: 1m30s, backendRequestTimeout: 250ms}"),
    { source: "test.yaml", env: noEnv },
  );
  const policies = config.binds[0]?.listeners[0]?.routes?.[0]?.policies as Record<string, unknown>;
  assert.deepEqual(policies["timeout"], { requestTimeout: 90_000, backendRequestTimeout: 250 });
});

Deno.test("loadConfig rejects a malformed duration and shows the value found", () => {
  assert.deepEqual(problems(route("        cors: {maxAge: 10x}")), [
    'test.yaml:6:16: binds[0].listeners[0].routes[0].policies.cors.maxAge: expected a duration like "10s", got "10x"',
  ]);
  assert.deepEqual(problems(route("        cors: {maxAge: 10}")), [
    'test.yaml:6:16: binds[0].listeners[0].routes[0].policies.cors.maxAge: expected a duration like "10s", got 10',
  ]);
});

// --- error formatting ---

Deno.test("formatPath joins keys with dots and indexes with brackets", () => {
  assert.equal(
    formatPath(["binds", 0, "listeners", 1, "routes", 2, "policies", "cors"]),
    "binds[0].listeners[1].routes[2].policies.cors",
  );
  assert.equal(formatPath([]), "");
  assert.equal(formatPath([0]), "[0]");
  assert.equal(formatPath(["headers", "x.y z"]), 'headers["x.y z"]');
  assert.equal(formatPath(["set", "x-forwarded-for"]), "set.x-forwarded-for");
});

Deno.test("formatIssues writes one line per issue as source:line:col: path: message", () => {
  const text = formatIssues("a.yaml", [
    { path: "binds[0].port", message: "expected a number", line: 2, column: 3 },
    { path: "binds", message: "no position" },
    { path: "", message: "Cannot parse YAML: x", line: 1, column: 1 },
  ]);
  assert.equal(
    text,
    "a.yaml:2:3: binds[0].port: expected a number\na.yaml: binds: no position\na.yaml:1:1: Cannot parse YAML: x",
  );
});

Deno.test("ConfigError keeps its issues and source beside the formatted message", () => {
  try {
    loadConfig("binds:\n- port: x\n  listeners: []\n", { source: "s.yaml", env: noEnv });
    assert.fail("expected a ConfigError");
  } catch (error) {
    assert.ok(error instanceof ConfigError);
    assert.equal(error.source, "s.yaml");
    assert.deepEqual(error.issues, [
      { path: "binds[0].port", message: 'expected a number, got "x"', line: 2, column: 3 },
    ]);
  }
});

Deno.test("loadConfig points at the line and column of the offending key", () => {
  const text = [
    "config:",
    "  logging:",
    "    format: xml",
    "binds:",
    "  - port: 3000",
    "    listeners:",
    "      - protocl: HTTP",
  ].join("\n");
  assert.deepEqual(problems(text), [
    'test.yaml:3:5: config.logging.format: expected one of "text", "json", got "xml"',
    'test.yaml:7:9: binds[0].listeners[0].protocl: unknown field "protocl"',
  ]);
});

Deno.test("loadConfig reports a YAML syntax error with its line and column", () => {
  const lines = problems("binds:\n  - port: 3000\n    listeners: [\n");
  assert.equal(lines.length, 1);
  assert.match(lines[0]!, /^test\.yaml:4:1: Cannot parse YAML: Flow sequence .* end with a \]$/);
});

Deno.test("loadConfig names a duplicate key", () => {
  assert.deepEqual(problems("binds: []\nconfig: {}\nbinds: []\n"), [
    'test.yaml:3:1: Cannot parse YAML: duplicate key "binds"',
  ]);
});

Deno.test("loadConfig rejects several YAML documents in one config", () => {
  assert.deepEqual(problems("binds: []\n---\nbinds: []\n"), [
    "test.yaml:2:1: Cannot parse YAML: expected one document, found a second after ---",
  ]);
});

Deno.test("loadConfig reports every problem, in source order, not just the first", () => {
  const text = `config:
  adminAddr: nowhere
  logging: {format: xml}
binds:
- port: "3000"
  listeners:
  - protocol: HTTP
    routes:
    - polices: {}
      policies:
        directResponse: {status: 700}
        retry: {attempts: 0}
- listeners: []
`;
  assert.deepEqual(problems(text), [
    'test.yaml:2:3: config.adminAddr: expected "host:port" or "off", got "nowhere"',
    'test.yaml:3:13: config.logging.format: expected one of "text", "json", got "xml"',
    'test.yaml:5:3: binds[0].port: expected a number, got "3000"',
    'test.yaml:9:7: binds[0].listeners[0].routes[0].polices: unknown field "polices"',
    "test.yaml:11:26: binds[0].listeners[0].routes[0].policies.directResponse.status: expected a number <= 599, got 700",
    // A missing field is reported at its parent's key.
    "test.yaml:12:9: binds[0].listeners[0].routes[0].policies.retry.codes: missing required field",
    "test.yaml:12:17: binds[0].listeners[0].routes[0].policies.retry.attempts: expected a number >= 1, got 0",
    "test.yaml:13:3: binds[1].port: missing required field",
  ]);
});

// --- message wording ---

Deno.test("loadConfig says a field agentgateway knows is not supported, and a typo is unknown", () => {
  assert.deepEqual(problems(route("        jwtAuth: {}\n        corss: {}")), [
    'test.yaml:6:9: binds[0].listeners[0].routes[0].policies.jwtAuth: "jwtAuth" is not supported by agw yet',
    'test.yaml:7:9: binds[0].listeners[0].routes[0].policies.corss: unknown field "corss"',
  ]);
});

Deno.test("loadConfig reports a simplified top-level form in one line", () => {
  const text = `llm:
  models:
  - name: gpt
    provider: openAI
mcp:
  targets: [{name: x, stdio: {cmd: x}}]
gateways: {}
routes: []
`;
  assert.deepEqual(problems(text), [
    'test.yaml:1:1: llm: "llm" is not supported by agw yet',
    'test.yaml:7:1: gateways: "gateways" is not supported by agw yet',
    'test.yaml:8:1: routes: "routes" is not supported by agw yet',
  ]);
});

Deno.test("loadConfig does not report missing siblings of an unsupported field", () => {
  const text = `binds:
- port: 3000
  listeners:
  - protocol: HTTPS
    tls:
      spiffe: {}
backends:
- name: m
  aws: {agentCore: {agentRuntimeArn: x}}
`;
  assert.deepEqual(problems(text), [
    'test.yaml:6:7: binds[0].listeners[0].tls.spiffe: "spiffe" is not supported by agw yet',
    'test.yaml:9:3: backends[0].aws: "aws" is not supported by agw yet',
  ]);
});

Deno.test("loadConfig still reports a missing field beside a typo", () => {
  assert.deepEqual(problems(route("        directResponse: {stauts: 200}")), [
    "test.yaml:6:9: binds[0].listeners[0].routes[0].policies.directResponse.status: missing required field",
    'test.yaml:6:26: binds[0].listeners[0].routes[0].policies.directResponse.stauts: unknown field "stauts"',
  ]);
});

Deno.test("loadConfig says an agentgateway-only listener protocol is not supported", () => {
  assert.deepEqual(problems("binds:\n- port: 3000\n  listeners:\n  - protocol: TCP\n"), [
    'test.yaml:4:5: binds[0].listeners[0].protocol: protocol "TCP" is not supported by agw yet',
  ]);
  assert.deepEqual(problems("binds:\n- port: 3000\n  listeners:\n  - protocol: http\n"), [
    'test.yaml:4:5: binds[0].listeners[0].protocol: expected one of "HTTP", "HTTPS", got "http"',
  ]);
});

Deno.test("loadConfig reports a union mismatch once, naming the accepted shapes", () => {
  assert.deepEqual(problems(route("        backendAuth: {key: 5}")), [
    "test.yaml:6:23: binds[0].listeners[0].routes[0].policies.backendAuth.key: expected a string or a mapping, got 5",
  ]);
  assert.deepEqual(problems("config:\n  logging: {level: 5}\n"), [
    "test.yaml:2:13: config.logging.level: expected a string or a list, got 5",
  ]);
});

Deno.test("loadConfig describes wrong types in YAML terms", () => {
  assert.deepEqual(problems("binds: {}\n"), [
    "test.yaml:1:1: binds: expected a list, got a mapping",
  ]);
  assert.deepEqual(problems("hello\n"), ['test.yaml:1:1: expected a mapping, got "hello"']);
  assert.deepEqual(problems("binds:\n- port: 1.5\n  listeners: []\n"), [
    "test.yaml:2:3: binds[0].port: expected an integer, got 1.5",
  ]);
});

Deno.test("loadConfig accepts an empty document with every default", () => {
  const { config } = loadConfig("", { source: "test.yaml", env: noEnv });
  assert.deepEqual(config.binds, []);
  assert.equal(config.config.adminAddr, "localhost:15000");
  assert.equal(config.config.statsAddr, "0.0.0.0:15020");
  assert.equal(config.config.readinessAddr, "0.0.0.0:15021");
});

Deno.test("loadConfig reads JSON as well as YAML", () => {
  const { config } = loadConfig('{"binds": [{"port": 3000, "listeners": []}]}', {
    source: "test.json",
    env: noEnv,
  });
  assert.equal(config.binds[0]?.port, 3000);
});

Deno.test("loadConfig refuses a duration longer than a timer can wait", () => {
  assert.throws(
    () =>
      loadConfig(
        `binds:\n- port: 1\n  listeners:\n  - routes:\n    - policies: {timeout: {requestTimeout: 30d}}\n`,
        { source: "t.yaml" },
      ),
    /requestTimeout: expected a duration of at most 24d/,
  );
});
