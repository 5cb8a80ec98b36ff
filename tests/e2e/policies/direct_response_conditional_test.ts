/** `directResponse.conditional`: the first entry whose CEL condition holds answers; CEL bodies and headers. */
import assert from "node:assert/strict";
import { startEchoUpstream, type TestUpstream } from "../../support/fake_upstream.ts";
import { type GatewayHarness, startGateway } from "../../support/gateway_harness.ts";
import { configIssues } from "../../support/config_issues.ts";

/** One route with `directResponse` set to the YAML in `directResponse` (indented 10). */
function config(upstream: string, directResponse: string): string {
  return `binds:
- port: 0
  listeners:
  - routes:
    - name: maybe-direct
      policies:
        directResponse:
${directResponse}
      backends:
      - host: ${upstream}
`;
}

async function withGateway(
  directResponse: string,
  fn: (gw: GatewayHarness, upstream: TestUpstream) => Promise<void>,
): Promise<void> {
  const upstream = await startEchoUpstream();
  const gw = await startGateway(config(upstream.address, directResponse));
  try {
    await fn(gw, upstream);
  } finally {
    await gw.close();
    await upstream.close();
  }
}

const CONDITIONAL = `          conditional:
          - condition: 'request.path == "/maintenance"'
            status: 503
            body: "down for maintenance"
          - condition: 'request.path.startsWith("/old")'
            status: 410
            body: "gone"
          - condition: 'request.path.startsWith("/old/special")'
            status: 200
            body: "never reached: the entry above matches first"`;

Deno.test("directResponse conditional answers with the first entry whose condition holds", async () => {
  await withGateway(CONDITIONAL, async (gw, upstream) => {
    const maintenance = await fetch(`${gw.url()}/maintenance`);
    assert.equal(maintenance.status, 503);
    assert.equal(await maintenance.text(), "down for maintenance");
    const old = await fetch(`${gw.url()}/old/special`);
    assert.equal(old.status, 410);
    assert.equal(await old.text(), "gone");
    assert.equal(upstream.received.length, 0);
  });
});

Deno.test("directResponse conditional continues to the backend when no condition holds", async () => {
  await withGateway(CONDITIONAL, async (gw, upstream) => {
    const response = await fetch(`${gw.url()}/api`);
    assert.equal(response.status, 200);
    assert.equal(response.headers.get("x-upstream"), "echo");
    await response.body?.cancel();
    assert.deepEqual(upstream.received.map((r) => r.path), ["/api"]);
  });
});

Deno.test("directResponse conditional treats an entry without a condition as always holding", async () => {
  const yaml = `          conditional:
          - condition: 'request.headers["x-debug"] == "1"'
            status: 200
            body: "debug"
          - status: 404
            body: "fallback"`;
  await withGateway(yaml, async (gw, upstream) => {
    const debug = await fetch(gw.url(), { headers: { "x-debug": "1" } });
    assert.equal(await debug.text(), "debug");
    // The first condition errors (no such header): it does not hold, and the next entry answers.
    const other = await fetch(gw.url());
    assert.equal(other.status, 404);
    assert.equal(await other.text(), "fallback");
    assert.equal(upstream.received.length, 0);
  });
});

Deno.test("directResponse bodyExpression and headers are computed by CEL", async () => {
  const yaml = `          conditional:
          - condition: 'request.method == "POST"'
            status: 200
            bodyExpression: 'toJson({"you_sent": json(request.body), "path": request.path})'
            headers:
              content-type: '"application/json"'
              x-method: 'request.method.lowerAscii()'
              x-missing: 'request.headers["missing"]'
          - status: 200
            bodyExpression: '"hello " + default(request.headers["x-name"], "stranger")'
            headers:
              x-len: 'string(size(request.path))'`;
  await withGateway(yaml, async (gw) => {
    const post = await fetch(`${gw.url()}/echo`, { method: "POST", body: '{"a": [1, 2]}' });
    assert.equal(post.status, 200);
    assert.equal(post.headers.get("content-type"), "application/json");
    assert.equal(post.headers.get("x-method"), "post");
    // A header whose expression fails is left out; the response still goes out.
    assert.equal(post.headers.get("x-missing"), null);
    assert.deepEqual(await post.json(), { you_sent: { a: [1, 2] }, path: "/echo" });

    const get = await fetch(`${gw.url()}/abc`, { headers: { "x-name": "ada" } });
    assert.equal(await get.text(), "hello ada");
    assert.equal(get.headers.get("x-len"), "4");
    const anonymous = await fetch(gw.url());
    assert.equal(await anonymous.text(), "hello stranger");
  });
});

Deno.test("directResponse bodyExpression writes non-string values as JSON and keeps the static body when it fails", async () => {
  const yaml = `          conditional:
          - condition: 'request.path == "/map"'
            status: 200
            bodyExpression: '{"n": 1, "ok": true}'
          - condition: 'request.path == "/int"'
            status: 200
            bodyExpression: '40 + 2'
          - status: 500
            body: "static"
            bodyExpression: 'fail("no body")'
            headers:
              x-bad: '"line\\nbreak"'`;
  await withGateway(yaml, async (gw) => {
    const map = await fetch(`${gw.url()}/map`);
    assert.deepEqual(await map.json(), { n: 1, ok: true });
    const int = await fetch(`${gw.url()}/int`);
    assert.equal(await int.text(), "42");
    const failed = await fetch(`${gw.url()}/other`);
    assert.equal(failed.status, 500);
    assert.equal(await failed.text(), "static");
    assert.equal(failed.headers.get("x-bad"), null);
    assert.ok(!gw.logs.some((line) => line.includes("internal error")), gw.logs.join(""));
  });
});

Deno.test("directResponse rejects an invalid CEL condition, bodyExpression or header as a config error at its YAML path", () => {
  const at = "binds[0].listeners[0].routes[0].policies.directResponse";
  assert.deepEqual(
    configIssues(config(
      "127.0.0.1:8080",
      `          conditional:
          - condition: 'request.path = "/x"'
            status: 200`,
    )),
    [{
      path: `${at}.conditional[0].condition`,
      message: "invalid CEL expression at column 14: Unexpected character: =",
    }],
  );
  assert.deepEqual(
    configIssues(config(
      "127.0.0.1:8080",
      `          conditional:
          - condition: 'true'
            status: 200
            bodyExpression: 'nope('`,
    )),
    [{
      path: `${at}.conditional[0].bodyExpression`,
      message: "invalid CEL expression at column 6: Unexpected token: EOF",
    }],
  );
  assert.equal(
    configIssues(config(
      "127.0.0.1:8080",
      `          status: 200
          headers: {x-c: '1 +'}`,
    ))[0]!.path,
    `${at}.headers.x-c`,
  );
});

Deno.test("directResponse leaves the body out of a 204 or 304 instead of failing", async () => {
  const yaml = `          conditional:
          - condition: 'request.path == "/computed"'
            status: 204
            bodyExpression: '"no room for this"'
          - status: 304
            body: "nor this"`;
  await withGateway(yaml, async (gw) => {
    const computed = await fetch(`${gw.url()}/computed`);
    assert.equal(computed.status, 204);
    assert.equal(await computed.text(), "");
    const fixed = await fetch(`${gw.url()}/fixed`);
    assert.equal(fixed.status, 304);
    assert.equal(await fixed.text(), "");
    assert.ok(!gw.logs.some((line) => line.includes("internal error")), gw.logs.join(""));
  });
});
