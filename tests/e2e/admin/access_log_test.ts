/** The access log: one line per request with agentgateway's field names, and never a credential. */
import assert from "node:assert/strict";
import { closedPort, startEchoUpstream } from "../../support/fake_upstream.ts";
import { type GatewayHarness, startGateway } from "../../support/gateway_harness.ts";

const FIELDS = [
  "gateway",
  "route",
  "endpoint",
  "src.addr",
  "http.method",
  "http.host",
  "http.path",
  "http.status",
  "duration",
];

const SECRETS = ["secret-token", "query-secret", "cookie-secret"];

function config(upstream: string, format: "text" | "json"): string {
  return `config:
  adminAddr: "off"
  statsAddr: "off"
  readinessAddr: "off"
  logging: {format: ${format}}
binds:
- port: 0
  listeners:
  - routes:
    - name: echo
      matches: [{path: {pathPrefix: /echo}}]
      backends:
      - host: ${upstream}
    - name: down
      matches: [{path: {pathPrefix: /down}}]
      backends:
      - host: 127.0.0.1:${closedPort()}
`;
}

/** Sends requests carrying credentials in a header, a cookie and the query. */
async function sendWithCredentials(gw: GatewayHarness): Promise<void> {
  for (const path of ["/echo/a?api_key=query-secret&x=1", "/down/b?api_key=query-secret"]) {
    const response = await fetch(`${gw.url()}${path}`, {
      method: "POST",
      body: "hello",
      headers: { authorization: "Bearer secret-token", cookie: "session=cookie-secret" },
    });
    await response.body?.cancel();
  }
}

/** Splits `time\tlevel\tmessage key=value key="quoted value"\n` into its parts; throws if malformed. */
function parseTextLine(
  line: string,
): { level: string; message: string; fields: Map<string, string> } {
  const [, level, text] = line.match(/^\S+\t(\w+)\t([^\n]*)\n$/) ?? [];
  assert.ok(level !== undefined && text !== undefined, `not one log line: ${line}`);
  const firstField = text.search(/ [\w.]+=/);
  const message = firstField < 0 ? text : text.slice(0, firstField);
  const rest = text.slice(message.length);
  const fields = new Map<string, string>();
  const pair = / ([\w.]+)=("(?:[^"\\]|\\.)*"|[^\s"]*)/y;
  let end = 0;
  for (let match = pair.exec(rest); match; match = pair.exec(rest)) {
    const raw = match[2]!;
    fields.set(match[1]!, raw.startsWith('"') ? JSON.parse(raw) : raw);
    end = pair.lastIndex;
  }
  assert.equal(end, rest.length, `unparsed text in ${JSON.stringify(line)}`);
  return { level, message, fields };
}

Deno.test("access log writes one text line per request with agentgateway's fields and no credentials", async () => {
  const upstream = await startEchoUpstream();
  const gw = await startGateway(config(upstream.address, "text"));
  try {
    const before = gw.logs.length;
    await sendWithCredentials(gw);
    const lines = gw.logs.slice(before).map(parseTextLine).filter((l) => l.message === "request");
    assert.equal(lines.length, 2, gw.logs.join(""));
    const [ok, failed] = lines.map((line) => line.fields);
    const host = new URL(gw.url()).hostname;
    assert.deepEqual(Object.fromEntries(ok!), {
      gateway: "bind/0",
      route: "echo",
      endpoint: upstream.address,
      "src.addr": "127.0.0.1",
      "http.method": "POST",
      "http.host": host,
      "http.path": "/echo/a",
      "http.status": "200",
      duration: ok!.get("duration"),
    });
    assert.match(ok!.get("duration")!, /^\d+ms$/);
    assert.equal(failed!.get("http.status"), "503");
    assert.equal(failed!.get("route"), "down");
    assert.match(failed!.get("error") ?? "", /connection refused/);
    for (const line of lines) {
      for (const field of FIELDS) assert.ok(line.fields.has(field), `${field} missing`);
    }
    const all = gw.logs.join("");
    for (const secret of SECRETS) assert.ok(!all.includes(secret), `${secret} was logged`);
    // The upstream did get them: the log leaves them out, the proxy does not drop them.
    assert.equal(upstream.received[0]!.headers.authorization, "Bearer secret-token");
  } finally {
    await gw.close();
    await upstream.close();
  }
});

Deno.test("access log in JSON format writes parseable lines with the same field names", async () => {
  const upstream = await startEchoUpstream();
  const gw = await startGateway(config(upstream.address, "json"));
  try {
    const before = gw.logs.length;
    await sendWithCredentials(gw);
    // Every line is one JSON object, the gateway's own lines included.
    const records = gw.logs.map((line) => {
      assert.ok(line.endsWith("\n") && !line.slice(0, -1).includes("\n"), line);
      return JSON.parse(line) as Record<string, unknown>;
    });
    const requests = records.slice(before).filter((r) => r.message === "request");
    assert.equal(requests.length, 2);
    const [ok, failed] = requests;
    for (const record of requests) {
      for (const field of FIELDS) assert.ok(field in record!, `${field} missing`);
      assert.equal(record!.level, "info");
      assert.match(String(record!.time), /^\d{4}-\d\d-\d\dT[\d:.]+Z$/);
    }
    assert.equal(ok!["http.status"], 200);
    assert.equal(ok!["http.method"], "POST");
    assert.equal(ok!["http.path"], "/echo/a");
    assert.equal(ok!.route, "echo");
    assert.equal(ok!.endpoint, upstream.address);
    assert.equal(failed!["http.status"], 503);
    const all = gw.logs.join("");
    for (const secret of SECRETS) assert.ok(!all.includes(secret), `${secret} was logged`);
  } finally {
    await gw.close();
    await upstream.close();
  }
});
