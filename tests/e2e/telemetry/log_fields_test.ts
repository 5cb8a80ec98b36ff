/** `config.logging.fields` and `config.logging.filter`: CEL-computed access-log fields. */
import assert from "node:assert/strict";
import { startEchoUpstream, type TestUpstream } from "../../support/fake_upstream.ts";
import { type GatewayHarness, startGateway } from "../../support/gateway_harness.ts";
import { configIssues } from "../../support/config_issues.ts";

/** A gateway with the given YAML under `config.logging` (indented 4) and one echo route. */
function config(upstream: string, logging: string): string {
  return `config:
  adminAddr: "off"
  statsAddr: "off"
  readinessAddr: "off"
  logging:
${logging}
binds:
- port: 0
  listeners:
  - routes:
    - name: echo
      matches: [{path: {pathPrefix: /echo}}]
      backends:
      - host: ${upstream}
    - name: teapot
      matches: [{path: {pathPrefix: /teapot}}]
      policies: {directResponse: {status: 418, body: "short and stout"}}
`;
}

async function withGateway(
  logging: string,
  fn: (gw: GatewayHarness, upstream: TestUpstream) => Promise<void>,
): Promise<void> {
  const upstream = await startEchoUpstream();
  const gw = await startGateway(config(upstream.address, logging));
  try {
    await fn(gw, upstream);
  } finally {
    await gw.close();
    await upstream.close();
  }
}

async function send(gw: GatewayHarness, path: string, headers: HeadersInit = {}): Promise<void> {
  const response = await fetch(`${gw.url()}${path}`, { headers });
  await response.body?.cancel();
}

/** Splits `time\tlevel\tmessage key=value key="quoted value"\n`; throws if malformed. */
function parseTextLine(line: string): { message: string; fields: Map<string, string> } {
  const [, text] = line.match(/^\S+\t\w+\t([^\n]*)\n$/) ?? [];
  assert.ok(text !== undefined, `not one log line: ${line}`);
  const firstField = text.search(/ [\w.-]+=/);
  const message = firstField < 0 ? text : text.slice(0, firstField);
  const rest = text.slice(message.length);
  const fields = new Map<string, string>();
  const pair = / ([\w.-]+)=("(?:[^"\\]|\\.)*"|[^\s"]*)/y;
  let end = 0;
  for (let match = pair.exec(rest); match; match = pair.exec(rest)) {
    const raw = match[2]!;
    fields.set(match[1]!, raw.startsWith('"') ? JSON.parse(raw) : raw);
    end = pair.lastIndex;
  }
  assert.equal(end, rest.length, `unparsed text in ${JSON.stringify(line)}`);
  return { message, fields };
}

/** The access-log lines (message `request`) written so far, parsed. */
function requestLines(gw: GatewayHarness): Map<string, string>[] {
  return gw.logs.map(parseTextLine).filter((l) => l.message === "request").map((l) => l.fields);
}

function warnings(gw: GatewayHarness): string[] {
  return gw.logs.filter((line) => line.includes("CEL expression failed"));
}

Deno.test("logging fields add a CEL field to each access-log line", async () => {
  const logging = `    fields:
      add:
        user: 'request.headers["x-user"]'
        route.kind: '"http"'
        tokens: 'size(request.path) * 2'`;
  await withGateway(logging, async (gw) => {
    await send(gw, "/echo/a", { "x-user": "alice" });
    const [line] = requestLines(gw);
    assert.ok(line);
    assert.equal(line.get("user"), "alice");
    assert.equal(line.get("route.kind"), "http");
    assert.equal(line.get("tokens"), "14");
    // The default fields are still there.
    assert.equal(line.get("route"), "echo");
    assert.equal(line.get("http.status"), "200");
    assert.equal(line.get("http.path"), "/echo/a");
  });
});

Deno.test("logging fields leave out a field that fails, and warn once for it", async () => {
  const logging = `    fields:
      add:
        user: 'request.headers["x-user"]'`;
  await withGateway(logging, async (gw) => {
    await send(gw, "/echo/a");
    await send(gw, "/echo/b");
    const lines = requestLines(gw);
    assert.equal(lines.length, 2);
    for (const line of lines) assert.equal(line.has("user"), false);
    const warned = warnings(gw);
    assert.equal(warned.length, 1, warned.join(""));
    assert.match(warned[0]!, /use=logging\.fields field=user route=echo/);
    assert.match(warned[0]!, /No such key: x-user/);
  });
});

Deno.test("logging fields expand flatten(request.headers) into one field per header", async () => {
  const logging = `    fields:
      add:
        headers: 'flatten(request.headers)'`;
  await withGateway(logging, async (gw) => {
    await send(gw, "/echo", { "x-user": "alice", "x-team": "blue team" });
    const [line] = requestLines(gw);
    assert.ok(line);
    assert.equal(line.get("headers.x-user"), "alice");
    assert.equal(line.get("headers.x-team"), "blue team");
    assert.match(line.get("headers.host") ?? "", /^127\.0\.0\.1:\d+$/);
    assert.ok(line.has("headers.accept"));
    assert.equal(line.has("headers"), false);
  });
});

Deno.test("logging fields remove drops default fields", async () => {
  const logging = `    fields:
      remove: [http.host, src.addr]`;
  await withGateway(logging, async (gw) => {
    await send(gw, "/echo");
    const [line] = requestLines(gw);
    assert.ok(line);
    assert.equal(line.has("http.host"), false);
    assert.equal(line.has("src.addr"), false);
    assert.equal(line.get("http.path"), "/echo");
  });
});

Deno.test("logging filter logs only the requests for which it is true", async () => {
  const logging = `    filter: 'response.code >= 400'`;
  await withGateway(logging, async (gw) => {
    await send(gw, "/echo/ok");
    await send(gw, "/teapot");
    await send(gw, "/nowhere");
    await send(gw, "/echo/ok-again");
    const lines = requestLines(gw);
    assert.deepEqual(lines.map((l) => [l.get("http.path"), l.get("http.status")]), [
      ["/teapot", "418"],
      ["/nowhere", "404"],
    ]);
  });
});

Deno.test("logging fields that read llm.* are absent on a plain request, without a warning", async () => {
  const logging = `    fields:
      add:
        gen_ai.usage.input_tokens: 'llm.inputTokens'
        model: 'llm.requestModel'
        method: 'request.method'`;
  await withGateway(logging, async (gw) => {
    await send(gw, "/echo");
    await send(gw, "/teapot");
    const lines = requestLines(gw);
    assert.equal(lines.length, 2);
    for (const line of lines) {
      assert.equal(line.has("gen_ai.usage.input_tokens"), false);
      assert.equal(line.has("model"), false);
      assert.equal(line.get("method"), "GET");
    }
    assert.deepEqual(warnings(gw), []);
  });
});

Deno.test("logging fields in JSON format carry CEL values with their JSON types", async () => {
  const logging = `    format: json
    filter: 'request.path != "/echo/skip"'
    fields:
      remove: [http.host]
      add:
        user: 'request.headers["x-user"]'
        code: 'response.code'
        failed: 'response.code >= 400'
        body: 'json(response.body).method'
        hdr: 'flatten({"a": 1, "b": "two"})'
        list: '[1, "x"]'`;
  await withGateway(logging, async (gw) => {
    await send(gw, "/echo/skip", { "x-user": "alice" });
    await send(gw, "/echo/json", { "x-user": "alice" });
    const lines = gw.logs.map((line) => JSON.parse(line) as Record<string, unknown>)
      .filter((record) => record.message === "request");
    assert.equal(lines.length, 1);
    const record = lines[0]!;
    assert.equal(record["http.path"], "/echo/json");
    assert.equal(record["http.host"], undefined);
    assert.equal(record.user, "alice");
    assert.equal(record.code, 200);
    assert.equal(record.failed, false);
    // response.body in a log field makes the flow read the upstream body.
    assert.equal(record.body, "GET");
    assert.equal(record["hdr.a"], 1);
    assert.equal(record["hdr.b"], "two");
    assert.equal(record.list, '[1,"x"]');
  });
});

Deno.test("logging fields reading request.body see the body, and the upstream still gets it", async () => {
  const logging = `    fields:
      add:
        user: 'json(request.body).user'`;
  await withGateway(logging, async (gw, upstream) => {
    const body = JSON.stringify({ user: "bob", data: "y".repeat(10_000) });
    const response = await fetch(`${gw.url()}/echo`, { method: "POST", body });
    await response.body?.cancel();
    assert.equal(requestLines(gw)[0]!.get("user"), "bob");
    assert.equal(upstream.received[0]!.body, body);
  });
});

Deno.test("logging fields leave out json() of a body nested too deep, and the request still succeeds", async () => {
  const logging = `    fields:
      add:
        parsed: 'json(request.body)'`;
  await withGateway(logging, async (gw, upstream) => {
    const body = "[".repeat(3000) + "]".repeat(3000);
    const response = await fetch(`${gw.url()}/echo`, { method: "POST", body });
    assert.equal(response.status, 200);
    await response.body?.cancel();
    assert.equal(upstream.received[0]!.body, body);
    const [line] = requestLines(gw);
    assert.equal(line?.has("parsed"), false);
    assert.match(warnings(gw)[0] ?? "", /nested deeper than 128 levels/);
  });
});

Deno.test("logging rejects every invalid CEL field and filter as a config error at its YAML path", () => {
  const issues = configIssues(config(
    "127.0.0.1:8080",
    `    filter: 'response.code >='
    fields:
      add:
        user: 'request.headers["x" +'
        user.agent: '1 + "a"'
        ok: 'request.path'`,
  ));
  assert.deepEqual(issues, [
    {
      path: "config.logging.fields.add.user",
      message: "invalid CEL expression at column 22: Unexpected token: EOF",
    },
    {
      path: 'config.logging.fields.add["user.agent"]',
      message: "invalid CEL expression at column 1: no such overload: int + string",
    },
    {
      path: "config.logging.filter",
      message: "invalid CEL expression at column 17: Unexpected token: EOF",
    },
  ]);
});

Deno.test("log fields never carry credentials, however the header is read", async () => {
  const gw = await startGateway(`config:
  adminAddr: "off"
  statsAddr: "off"
  readinessAddr: "off"
  logging:
    fields:
      add:
        auth: 'request.headers["authorization"]'
        all: 'request.headers'
        flat: 'flatten(request.headers)'
binds:
- port: 0
  listeners:
  - routes:
    - policies: {directResponse: {status: 200}}
`);
  try {
    await (await fetch(gw.url(), {
      headers: { authorization: "Bearer top-secret", cookie: "session=abc", "x-user": "alice" },
    })).body?.cancel();
    const line = gw.logs.find((l) => l.includes("\trequest "))!;
    assert.ok(!line.includes("top-secret") && !line.includes("session=abc"), line);
    assert.match(line, /auth=<redacted>/);
    assert.match(line, /flat\.authorization=<redacted>/);
    assert.match(line, /flat\.x-user=alice/);
  } finally {
    await gw.close();
  }
});
