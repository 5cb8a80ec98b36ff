/** `transformations`: CEL-computed header and body rewrites of the upstream request and the response. */
import assert from "node:assert/strict";
import {
  type EchoReport,
  startEchoUpstream,
  startUpstream,
  type TestUpstream,
} from "../../support/fake_upstream.ts";
import { type GatewayHarness, json, startGateway } from "../../support/gateway_harness.ts";
import { configIssues } from "../../support/config_issues.ts";

/** One route with `transformations` set to the YAML in `transformations` (indented 10). */
function config(upstream: string, transformations: string): string {
  return `binds:
- port: 0
  listeners:
  - routes:
    - name: rewrite
      policies:
        transformations:
${transformations}
      backends:
      - host: ${upstream}
`;
}

async function withGateway(
  upstream: TestUpstream,
  transformations: string,
  fn: (gw: GatewayHarness) => Promise<void>,
): Promise<void> {
  const gw = await startGateway(config(upstream.address, transformations));
  try {
    await fn(gw);
  } finally {
    await gw.close();
    await upstream.close();
  }
}

Deno.test("transformations add, set and remove request headers with CEL values", async () => {
  const upstream = await startEchoUpstream();
  const yaml = `          request:
            add:
              x-method: '"m-" + request.method'
            set:
              x-path: 'request.path'
              x-user: 'default(request.headers["x-user"], "anonymous").upperAscii()'
            remove: [x-secret]`;
  await withGateway(upstream, yaml, async (gw) => {
    const response = await fetch(`${gw.url()}/api/items?x=1`, {
      headers: { "x-path": "client-value", "x-secret": "s3cret", "x-keep": "k" },
    });
    assert.equal(response.status, 200);
    await response.body?.cancel();
    const headers = upstream.received[0]!.headers;
    assert.equal(headers["x-method"], "m-GET");
    assert.equal(headers["x-path"], "/api/items");
    assert.equal(headers["x-user"], "ANONYMOUS");
    assert.equal(headers["x-secret"], undefined);
    assert.equal(headers["x-keep"], "k");
  });
});

Deno.test("transformations rewrite the request body, and the upstream gets the new length", async () => {
  const upstream = await startEchoUpstream();
  const yaml = `          request:
            body: 'toJson({"wrapped": json(request.body)})'`;
  await withGateway(upstream, yaml, async (gw) => {
    const response = await fetch(gw.url(), {
      method: "POST",
      body: '{"a": 1, "b": ["x"]}',
      headers: { "content-type": "application/json" },
    });
    assert.equal(response.status, 200);
    await response.body?.cancel();
    const received = upstream.received[0]!;
    const expected = '{"wrapped":{"a":1,"b":["x"]}}';
    assert.equal(received.body, expected);
    assert.equal(
      received.headers["content-length"],
      String(new TextEncoder().encode(expected).length),
    );
  });
});

Deno.test("transformations leave the body as it was when the body expression fails", async () => {
  const upstream = await startEchoUpstream();
  const yaml = `          request:
            body: 'toJson({"wrapped": json(request.body)})'`;
  await withGateway(upstream, yaml, async (gw) => {
    const response = await fetch(gw.url(), { method: "POST", body: "not json" });
    assert.equal(response.status, 200);
    await response.body?.cancel();
    assert.equal(upstream.received[0]!.body, "not json");
    assert.equal(upstream.received[0]!.headers["content-length"], "8");
    const warnings = gw.logs.filter((line) => line.includes("CEL expression failed"));
    assert.equal(warnings.length, 1);
    assert.match(warnings[0]!, /policy=transformations/);
  });
});

Deno.test("transformations set a response header from response.code", async () => {
  const upstream = await startUpstream(() => new Response("gone", { status: 410 }));
  const yaml = `          response:
            set:
              x-status: 'string(response.code)'
              x-failed: 'response.code >= 400'
            add:
              x-upstream-type: 'response.headers["content-type"]'`;
  await withGateway(upstream, yaml, async (gw) => {
    const response = await fetch(gw.url());
    assert.equal(response.status, 410);
    assert.equal(await response.text(), "gone");
    assert.equal(response.headers.get("x-status"), "410");
    assert.equal(response.headers.get("x-failed"), "true");
    assert.equal(response.headers.get("x-upstream-type"), "text/plain;charset=UTF-8");
  });
});

Deno.test("transformations rewrite the response body from response.body", async () => {
  const upstream = await startUpstream(() =>
    Response.json({ items: [1, 2, 3], secret: "s" }, { headers: { "x-upstream": "yes" } })
  );
  const yaml = `          response:
            body: 'toJson({"count": size(json(response.body).items)})'`;
  await withGateway(upstream, yaml, async (gw) => {
    const response = await fetch(gw.url());
    assert.equal(response.status, 200);
    const text = await response.text();
    assert.equal(text, '{"count":3}');
    assert.equal(response.headers.get("x-upstream"), "yes");
    const length = response.headers.get("content-length");
    assert.ok(length === null || length === String(text.length), `content-length ${length}`);
  });
});

Deno.test("transformations apply to the gateway's own responses as well", async () => {
  const upstream = await startEchoUpstream();
  const gw = await startGateway(`binds:
- port: 0
  listeners:
  - routes:
    - policies:
        directResponse: {status: 418, body: "short and stout"}
        transformations:
          response:
            set: {x-code: 'string(response.code)'}
      backends:
      - host: ${upstream.address}
`);
  try {
    const response = await fetch(gw.url());
    assert.equal(response.status, 418);
    assert.equal(response.headers.get("x-code"), "418");
    assert.equal(await response.text(), "short and stout");
  } finally {
    await gw.close();
    await upstream.close();
  }
});

Deno.test("transformations never turn a bad computed header into a 500", async () => {
  const upstream = await startEchoUpstream();
  const yaml = `          request:
            set:
              x-newline: '"a\\nb"'
              x-missing: 'request.headers["missing"]'
          response:
            set:
              x-newline: '"a\\nb"'
              x-euro: '"5 €"'
              x-ok: '"fine"'`;
  await withGateway(upstream, yaml, async (gw) => {
    for (let i = 0; i < 2; i++) {
      const response = await fetch(gw.url());
      assert.equal(response.status, 200);
      await response.body?.cancel();
      assert.equal(response.headers.get("x-ok"), "fine");
      assert.equal(response.headers.get("x-newline"), null);
      assert.equal(response.headers.get("x-euro"), null);
    }
    const invalid = gw.logs.filter((line) => line.includes("not a valid header value"));
    assert.equal(invalid.length, 3, invalid.join(""));
    assert.equal(upstream.received.length, 2);
    assert.equal(upstream.received[0]!.headers["x-newline"], undefined);
    assert.equal(upstream.received[0]!.headers["x-missing"], undefined);
    assert.ok(!gw.logs.some((line) => line.includes("internal error")), gw.logs.join(""));
  });
});

Deno.test("transformations reject an invalid CEL expression or header name as a config error at its YAML path", () => {
  const at = "binds[0].listeners[0].routes[0].policies.transformations";
  assert.deepEqual(
    configIssues(config(
      "127.0.0.1:8080",
      `          request:
            set: {x-a: '"a" + 1'}`,
    )),
    [{
      path: `${at}.request.set.x-a`,
      message: "invalid CEL expression at column 1: no such overload: string + int",
    }],
  );
  assert.deepEqual(
    configIssues(config(
      "127.0.0.1:8080",
      `          response:
            body: 'toJson('`,
    )),
    [{
      path: `${at}.response.body`,
      message: "invalid CEL expression at column 8: Unexpected token: EOF",
    }],
  );
  assert.deepEqual(
    configIssues(config(
      "127.0.0.1:8080",
      `          request:
            add: {"bad name": '"v"'}`,
    )),
    [{ path: `${at}.request.add["bad name"]`, message: 'Invalid header name "bad name"' }],
  );
});

Deno.test("transformations skip a response body rewrite on a 204 instead of failing", async () => {
  const upstream = await startUpstream(() => new Response(null, { status: 204 }));
  const yaml = `          response:
            body: '"not allowed on a 204"'
            set: {x-code: 'string(response.code)'}`;
  await withGateway(upstream, yaml, async (gw) => {
    const response = await fetch(gw.url());
    assert.equal(response.status, 204);
    assert.equal(response.headers.get("x-code"), "204");
    assert.equal(await response.text(), "");
    assert.ok(!gw.logs.some((line) => line.includes("internal error")), gw.logs.join(""));
  });
});

Deno.test("transformations on a backend may replace the request body too", async () => {
  const upstream = await startEchoUpstream();
  const gw = await startGateway(`binds:
- port: 0
  listeners:
  - routes:
    - backends:
      - host: ${upstream.address}
        policies:
          transformations:
            request:
              body: 'toJson({"wrapped": json(request.body)})'
`);
  try {
    const response = await fetch(gw.url(), { method: "POST", body: '{"a":1}' });
    const seen = await json<EchoReport>(response);
    assert.equal(seen.body, '{"wrapped":{"a":1}}');
    assert.equal(seen.headers["content-length"], String('{"wrapped":{"a":1}}'.length));
  } finally {
    await gw.close();
    await upstream.close();
  }
});
