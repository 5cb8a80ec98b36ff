/** `authorization`: CEL allow / deny / require rules in front of a real upstream. */
import assert from "node:assert/strict";
import { startEchoUpstream, type TestUpstream } from "../../support/fake_upstream.ts";
import { type GatewayHarness, startGateway } from "../../support/gateway_harness.ts";
import { configIssues } from "../../support/config_issues.ts";

/** One route with `authorization.rules` set to the YAML list in `rules` (indented 10). */
function config(upstream: string, rules: string): string {
  return `binds:
- port: 0
  listeners:
  - routes:
    - name: guarded
      policies:
        authorization:
          rules:
${rules}
      backends:
      - host: ${upstream}
`;
}

async function withGateway(
  rules: string,
  fn: (gw: GatewayHarness, upstream: TestUpstream) => Promise<void>,
): Promise<void> {
  const upstream = await startEchoUpstream();
  const gw = await startGateway(config(upstream.address, rules));
  try {
    await fn(gw, upstream);
  } finally {
    await gw.close();
    await upstream.close();
  }
}

async function status(gw: GatewayHarness, path: string, init: RequestInit = {}): Promise<number> {
  const response = await fetch(`${gw.url()}${path}`, init);
  await response.body?.cancel();
  return response.status;
}

Deno.test("authorization treats a bare string rule as an allow rule", async () => {
  await withGateway(`          - 'request.path.startsWith("/public")'`, async (gw, upstream) => {
    assert.equal(await status(gw, "/public/a"), 200);
    const denied = await fetch(`${gw.url()}/private`);
    assert.equal(denied.status, 403);
    assert.equal(await denied.text(), "authorization failed");
    assert.deepEqual(upstream.received.map((r) => r.path), ["/public/a"]);
  });
});

Deno.test("authorization denies when any deny rule matches, whatever the allow rules say", async () => {
  const rules = `          - allow: 'true'
          - deny: 'request.headers["x-user"] == "mallory"'
          - deny: 'request.method == "DELETE"'`;
  await withGateway(rules, async (gw) => {
    assert.equal(await status(gw, "/", { headers: { "x-user": "alice" } }), 200);
    assert.equal(await status(gw, "/", { headers: { "x-user": "mallory" } }), 403);
    assert.equal(await status(gw, "/", { method: "DELETE", headers: { "x-user": "alice" } }), 403);
  });
});

Deno.test("authorization needs every require rule to hold", async () => {
  const rules = `          - require: 'request.headers["x-team"] == "blue"'
          - require: 'request.method == "GET"'`;
  await withGateway(rules, async (gw) => {
    // No allow rules: passing requires are enough.
    assert.equal(await status(gw, "/", { headers: { "x-team": "blue" } }), 200);
    assert.equal(await status(gw, "/", { headers: { "x-team": "red" } }), 403);
    assert.equal(
      await status(gw, "/", { method: "POST", body: "x", headers: { "x-team": "blue" } }),
      403,
    );
  });
});

Deno.test("authorization with allow rules needs at least one to match, on top of the requires", async () => {
  const rules = `          - allow: 'request.path == "/a"'
          - allow: 'request.path == "/b"'
          - require: 'request.headers["x-team"] == "blue"'`;
  await withGateway(rules, async (gw) => {
    const blue = { headers: { "x-team": "blue" } };
    assert.equal(await status(gw, "/a", blue), 200);
    assert.equal(await status(gw, "/b", blue), 200);
    assert.equal(await status(gw, "/c", blue), 403);
    assert.equal(await status(gw, "/a", { headers: { "x-team": "red" } }), 403);
  });
});

Deno.test("authorization fails closed on a require rule that errors, and logs the error once", async () => {
  const rules = `          - require: 'request.headers["missing"] == "x"'`;
  await withGateway(rules, async (gw, upstream) => {
    assert.equal(await status(gw, "/"), 403);
    assert.equal(await status(gw, "/"), 403);
    assert.equal(upstream.received.length, 0);
    const warnings = gw.logs.filter((line) => line.includes("CEL expression failed"));
    assert.equal(warnings.length, 1, warnings.join(""));
    assert.match(warnings[0]!, /\twarn\t/);
    assert.match(warnings[0]!, /policy=authorization/);
    assert.match(warnings[0]!, /route=guarded/);
    assert.ok(
      warnings[0]!.includes(`expression=${JSON.stringify('request.headers["missing"] == "x"')}`),
    );
    assert.match(warnings[0]!, /No such key: missing/);
  });
});

Deno.test("authorization fails closed on a deny rule that errors; an erroring allow rule does not match", async () => {
  const rules = `          - deny: 'json(request.body).blocked'
          - allow: 'true'`;
  await withGateway(rules, async (gw) => {
    assert.equal(await status(gw, "/", { method: "POST", body: '{"blocked": false}' }), 200);
    assert.equal(await status(gw, "/", { method: "POST", body: '{"blocked": true}' }), 403);
    assert.equal(await status(gw, "/", { method: "POST", body: "not json" }), 403);
  });
  await withGateway(
    `          - allow: 'fail("nope")'
          - allow: 'request.path == "/ok"'`,
    async (gw) => {
      assert.equal(await status(gw, "/ok"), 200);
      assert.equal(await status(gw, "/other"), 403);
    },
  );
});

Deno.test("authorization allows a local client with agentgateway's cidr example", async () => {
  await withGateway(`          - 'cidr("127.0.0.1/8").containsIP(source.address)'`, async (gw) => {
    assert.equal(await status(gw, "/"), 200);
  });
  await withGateway(`          - 'cidr("10.0.0.0/8").containsIP(source.address)'`, async (gw) => {
    assert.equal(await status(gw, "/"), 403);
  });
});

Deno.test("authorization can read the request body, and the upstream still gets all of it", async () => {
  await withGateway(`          - 'json(request.body).user == "alice"'`, async (gw, upstream) => {
    const body = JSON.stringify({ user: "alice", payload: "x".repeat(100_000) });
    const response = await fetch(gw.url(), {
      method: "POST",
      body,
      headers: { "content-type": "application/json" },
    });
    assert.equal(response.status, 200);
    await response.body?.cancel();
    assert.equal(upstream.received.length, 1);
    assert.equal(upstream.received[0]!.body, body);
    assert.equal(upstream.received[0]!.headers["content-length"], String(body.length));

    const bob = await fetch(gw.url(), { method: "POST", body: '{"user": "bob"}' });
    assert.equal(bob.status, 403);
    await bob.body?.cancel();
    assert.equal(upstream.received.length, 1);
  });
});

Deno.test("authorization reads a body streamed without a content-length", async () => {
  await withGateway(`          - 'json(request.body).user == "alice"'`, async (gw, upstream) => {
    const chunks = ['{"user": ', '"alice"}'];
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        const next = chunks.shift();
        if (next === undefined) controller.close();
        else controller.enqueue(new TextEncoder().encode(next));
      },
    });
    const response = await fetch(gw.url(), { method: "POST", body: stream });
    assert.equal(response.status, 200);
    await response.body?.cancel();
    assert.equal(upstream.received[0]!.body, '{"user": "alice"}');
  });
});

Deno.test("authorization rejects an invalid CEL rule as a config error at its YAML path", () => {
  const issues = configIssues(config(
    "127.0.0.1:8080",
    `          - 'request.path =='
          - deny: 'x.map(a, a.map(b, b.map(c, c)))'`,
  ));
  assert.deepEqual(issues[0], {
    path: "binds[0].listeners[0].routes[0].policies.authorization.rules[0]",
    message: "invalid CEL expression at column 16: Unexpected token: EOF",
  });
  assert.deepEqual(configIssues(config("127.0.0.1:8080", `          - require: '"a" + 1'`)), [{
    path: "binds[0].listeners[0].routes[0].policies.authorization.rules[0].require",
    message: "invalid CEL expression at column 1: no such overload: string + int",
  }]);
  assert.match(
    configIssues(
      config("127.0.0.1:8080", `          - deny: 'x.map(a, a.map(b, b.map(c, c)))'`),
    )[0]!
      .path,
    /authorization\.rules\[0\]\.deny$/,
  );
});
