/**
 * `agw --validate-only -c YAML` on configs that must be rejected (exit 1, every problem on its own
 * line with its YAML path) and on a few tricky ones that must pass (exit 0).
 */
import assert from "node:assert/strict";
import { type CliResult, mapLimit, once, runCli } from "./run_cli.ts";

interface InvalidCase {
  name: string;
  yaml: string;
  /** `[yaml path, message fragment, "line:col"?]`, one per expected line; "" is the document. */
  expect: [string, string, string?][];
  env?: Record<string, string>;
}

/** One route with the given YAML under `policies:` (indented 8) and a backend. */
function routeWith(policies: string, backends = "      - host: 127.0.0.1:8080"): string {
  return `binds:
- port: 3000
  listeners:
  - routes:
    - policies:
${policies}
      backends:
${backends}
`;
}

/** One route with the given YAML under `matches:` (indented 6). */
function matchWith(matches: string): string {
  return `binds:
- port: 3000
  listeners:
  - routes:
    - matches:
${matches}
      backends:
      - host: 127.0.0.1:8080
`;
}

const ROUTE = "binds[0].listeners[0].routes[0]";
const POLICIES = `${ROUTE}.policies`;

const INVALID: InvalidCase[] = [
  {
    name: "a malformed duration in cors.maxAge",
    yaml: routeWith("        cors: {allowOrigins: ['*'], maxAge: 10x}"),
    expect: [[`${POLICIES}.cors.maxAge`, 'expected a duration like "10s", got "10x"', "6:37"]],
  },
  {
    name: "a duration given as a bare number",
    yaml: routeWith("        timeout: {requestTimeout: 30}"),
    expect: [[`${POLICIES}.timeout.requestTimeout`, "expected a duration"]],
  },
  {
    name: "a duration with an unknown unit in retry.backoff",
    yaml: routeWith("        retry: {codes: [503], backoff: 2sec}"),
    expect: [[`${POLICIES}.retry.backoff`, 'expected a duration like "10s", got "2sec"']],
  },
  {
    name: "a typo at the top level",
    yaml: "bind:\n- port: 3000\n  listeners: []\n",
    expect: [["bind", 'unknown field "bind"', "1:1"]],
  },
  {
    name: "a typo in the config block",
    yaml: "config:\n  adminAdr: localhost:15000\n",
    expect: [["config.adminAdr", 'unknown field "adminAdr"', "2:3"]],
  },
  {
    name: "a typo in a listener",
    yaml: "binds:\n- port: 3000\n  listeners:\n  - protocl: HTTP\n",
    expect: [["binds[0].listeners[0].protocl", 'unknown field "protocl"', "4:5"]],
  },
  {
    name: "a typo in a route",
    yaml: "binds:\n- port: 3000\n  listeners:\n  - routes:\n    - polices: {}\n",
    expect: [[`${ROUTE}.polices`, 'unknown field "polices"', "5:7"]],
  },
  {
    name: "a typo inside a policy",
    yaml: routeWith("        cors: {allowOrigin: ['*']}"),
    expect: [[`${POLICIES}.cors.allowOrigin`, 'unknown field "allowOrigin"']],
  },
  {
    name: "a policy agentgateway has and agw does not",
    yaml: routeWith(
      "        jwtAuth: {issuer: me, audiences: [you], jwks: {url: http://127.0.0.1:1}}",
    ),
    expect: [[`${POLICIES}.jwtAuth`, '"jwtAuth" is not supported by agw yet', "6:9"]],
  },
  {
    name: "the simplified top-level llm form",
    yaml: "llm:\n  models:\n  - name: gpt-4o\n    provider: openAI\n    params: {apiKey: x}\n",
    expect: [["llm", '"llm" is not supported by agw yet', "1:1"]],
  },
  {
    name: "a TCP listener",
    yaml: "binds:\n- port: 3000\n  listeners:\n  - protocol: TCP\n",
    expect: [["binds[0].listeners[0].protocol", 'protocol "TCP" is not supported by agw yet']],
  },
  {
    name: "a port given as a string",
    yaml: 'binds:\n- port: "3000"\n  listeners: []\n',
    expect: [["binds[0].port", 'expected a number, got "3000"', "2:3"]],
  },
  {
    name: "a port out of range",
    yaml: "binds:\n- port: 70000\n  listeners: []\n",
    expect: [["binds[0].port", "expected a number <= 65535, got 70000"]],
  },
  {
    name: "a negative backend weight",
    yaml: routeWith("        cors: {}", "      - host: 127.0.0.1:8080\n        weight: -1"),
    expect: [[`${ROUTE}.backends[0].weight`, "expected a number >= 0, got -1"]],
  },
  {
    name: "a directResponse status out of range",
    yaml: routeWith("        directResponse: {status: 700}"),
    expect: [[`${POLICIES}.directResponse.status`, "expected a number <= 599, got 700"]],
  },
  {
    name: "a requestRedirect status that is not a redirect",
    yaml: routeWith("        requestRedirect: {status: 200}"),
    expect: [[`${POLICIES}.requestRedirect.status`, "expected a number >= 300, got 200"]],
  },
  {
    name: "a bind without listeners",
    yaml: "binds:\n- port: 3000\n",
    expect: [["binds[0].listeners", "missing required field", "2:3"]],
  },
  {
    name: "a directResponse without status",
    yaml: routeWith("        directResponse: {body: hello}"),
    expect: [[`${POLICIES}.directResponse.status`, "missing required field"]],
  },
  {
    name: "a retry without codes",
    yaml: routeWith("        retry: {attempts: 2}"),
    expect: [[`${POLICIES}.retry.codes`, "missing required field"]],
  },
  {
    name: "a bad regex in a path match",
    yaml: matchWith("      - path: {regex: '/api/(['}"),
    expect: [[`${ROUTE}.matches[0].path.regex`, "invalid regex"]],
  },
  {
    name: "a bad regex in a header match",
    yaml: matchWith("      - headers: [{name: x-v, value: {regex: '*v1'}}]"),
    expect: [[`${ROUTE}.matches[0].headers[0].value.regex`, "invalid regex"]],
  },
  {
    name: "a bad regex in a query match",
    yaml: matchWith("      - query: [{name: q, value: {regex: 'a(b'}}]"),
    expect: [[`${ROUTE}.matches[0].query[0].value.regex`, "invalid regex"]],
  },
  {
    name: "both exact and pathPrefix in one path match",
    yaml: matchWith("      - path: {exact: /a, pathPrefix: /b}"),
    expect: [[
      `${ROUTE}.matches[0].path`,
      "expected only one of: exact, pathPrefix, regex; got exact, pathPrefix",
    ]],
  },
  {
    name: "a backend with neither host nor backend",
    yaml: routeWith("        cors: {}", "      - weight: 1"),
    expect: [[`${ROUTE}.backends[0]`, "expected one of: host, backend"]],
  },
  {
    name: "a reference to a backend that is not defined",
    yaml: routeWith("        cors: {}", "      - backend: payments") +
      "backends:\n- name: api\n  host: 127.0.0.1:8080\n",
    expect: [[`${ROUTE}.backends[0].backend`, 'no backend named "payments" in backends']],
  },
  {
    name: "a backend host without a port",
    yaml: routeWith("        cors: {}", "      - host: example.com"),
    expect: [[`${ROUTE}.backends[0].host`, 'expected "host:port" or an http(s) URL']],
  },
  {
    name: "a requestMirror percentage above 1",
    yaml: routeWith("        requestMirror: {backend: {host: 127.0.0.1:8081}, percentage: 1.5}"),
    expect: [[`${POLICIES}.requestMirror.percentage`, "expected a fraction between 0 and 1"]],
  },
  {
    name: "a backendTLS root file that does not exist",
    yaml: routeWith("        backendTLS: {root: /nonexistent-agw-test/ca.pem}"),
    expect: [[
      `${POLICIES}.backendTLS.root`,
      'Cannot read file "/nonexistent-agw-test/ca.pem"',
    ]],
  },
  {
    name: "a backendTLS cert without a key",
    yaml: routeWith("        backendTLS: {cert: /nonexistent-agw-test/client.pem}"),
    expect: [[`${POLICIES}.backendTLS.key`, "cert and key must be set together"]],
  },
  {
    name: "invalid YAML syntax",
    yaml: "binds:\n  - port: 3000\n    listeners: [\n",
    expect: [["", "Cannot parse YAML: Flow sequence", "4:1"]],
  },
  {
    name: "a duplicate key",
    yaml: "binds: []\nconfig: {}\nbinds: []\n",
    expect: [["", 'Cannot parse YAML: duplicate key "binds"', "3:1"]],
  },
  {
    name: "a logging format that is not text or json",
    yaml: "config:\n  logging:\n    format: xml\n",
    expect: [["config.logging.format", 'expected one of "text", "json", got "xml"', "3:5"]],
  },
  {
    name: "an adminAddr without a port",
    yaml: "config:\n  adminAddr: localhost\n",
    expect: [["config.adminAddr", 'expected "host:port" or "off", got "localhost"']],
  },
  {
    name: "an HTTPS listener without tls",
    yaml: "binds:\n- port: 3443\n  listeners:\n  - protocol: HTTPS\n    routes: []\n",
    expect: [["binds[0].listeners[0].tls", "an HTTPS listener needs tls.cert and tls.key"]],
  },
  {
    name: "two binds on one port",
    yaml: "binds:\n- port: 3000\n  listeners: []\n- port: 3000\n  listeners: []\n",
    expect: [["binds[1].port", "port 3000 is already used by another bind"]],
  },
  {
    name: "a field left empty by an unset env variable",
    yaml: "binds:\n- port: $AGW_TEST_SURELY_UNSET_PORT\n  listeners: []\n",
    expect: [[
      "binds[0].port",
      "expected a number, got an empty value (environment variable AGW_TEST_SURELY_UNSET_PORT is not set)",
    ]],
  },
  {
    name: "several problems at once",
    yaml: `config:
  adminAddr: nowhere
binds:
- port: abc
  listeners:
  - routes:
    - policies:
        cors: {maxAge: soon}
        directResponse: {}
`,
    expect: [
      ["config.adminAddr", 'expected "host:port" or "off"', "2:3"],
      ["binds[0].port", 'expected a number, got "abc"', "4:3"],
      [`${POLICIES}.cors.maxAge`, 'expected a duration like "10s", got "soon"', "8:16"],
      [`${POLICIES}.directResponse.status`, "missing required field", "9:9"],
    ],
  },
];

interface ValidCase {
  name: string;
  yaml: string;
  env?: Record<string, string>;
}

const VALID: ValidCase[] = [
  {
    name: "${VAR:-default} with the variable missing",
    yaml: "binds:\n- port: ${AGW_TEST_SURELY_UNSET_PORT:-3000}\n  listeners: []\n",
  },
  {
    name: "$VAR and ${VAR} with the variables set",
    yaml: routeWith("        requestHeaderModifier: {set: {x-env: $AGW_TEST_VALUE}}") +
      "config:\n  adminAddr: ${AGW_TEST_ADMIN}\n",
    env: { AGW_TEST_VALUE: "hello", AGW_TEST_ADMIN: "127.0.0.1:15000" },
  },
  {
    name: "$$ as a literal dollar",
    yaml: routeWith("        requestHeaderModifier: {set: {x-price: $$5}}"),
  },
  {
    name: "an empty document",
    yaml: "",
  },
  {
    name: "a JSON config",
    yaml: '{"binds": [{"port": 3000, "listeners": [{"routes": [{"backends": ' +
      '[{"host": "127.0.0.1:8080"}]}]}]}]}',
  },
];

const runInvalid = once(() =>
  mapLimit(INVALID, 4, (c) => runCli(["--validate-only", "-c", c.yaml], c.env))
);
const runValid = once(() =>
  mapLimit(VALID, 4, (c) => runCli(["--validate-only", "-c", c.yaml], c.env))
);

function assertCleanFailure(result: CliResult): void {
  assert.equal(result.code, 1, `expected exit 1, got ${result.code}; stderr:\n${result.stderr}`);
  assert.equal(result.stdout, "");
  assert.doesNotMatch(result.stderr, /Uncaught|\n\s+at /, "a stack trace leaked");
}

for (const [index, c] of INVALID.entries()) {
  Deno.test(`agw --validate-only rejects ${c.name}`, async () => {
    const result = (await runInvalid())[index]!;
    assertCleanFailure(result);
    const lines = result.stderr.trimEnd().split("\n");
    assert.equal(
      lines.length,
      c.expect.length,
      `expected ${c.expect.length} line(s):\n${result.stderr}`,
    );
    for (const [path, fragment, at] of c.expect) {
      const prefix = path === "" ? "" : `${path}: `;
      const line = lines.find((l) =>
        at === undefined
          ? l.startsWith("--config:") && l.includes(`: ${prefix}`)
          : l.startsWith(`--config:${at}: ${prefix}`)
      );
      assert.ok(
        line,
        `no line for ${path || "the document"}${at ? ` at ${at}` : ""}:\n${result.stderr}`,
      );
      assert.ok(line.includes(fragment), `expected ${JSON.stringify(fragment)} in:\n${line}`);
    }
  });
}

for (const [index, c] of VALID.entries()) {
  Deno.test(`agw --validate-only accepts ${c.name}`, async () => {
    const result = (await runValid())[index]!;
    assert.equal(result.code, 0, `expected exit 0, got ${result.code}; stderr:\n${result.stderr}`);
    assert.equal(result.stdout, "--config: configuration is valid\n");
  });
}
