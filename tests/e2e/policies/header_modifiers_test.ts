import assert from "node:assert/strict";
import { type EchoReport, startEchoUpstream, startUpstream } from "../../support/fake_upstream.ts";
import { json, startGateway } from "../../support/gateway_harness.ts";
import { ConfigError, loadConfig } from "../../../src/config/mod.ts";
import { buildSnapshot } from "../../../src/gateway/mod.ts";

function config(address: string, policies: string, backendPolicies = "") {
  return `binds:
- port: 0
  listeners:
  - routes:
    - policies:
${policies}
      backends:
      - host: ${address}
${backendPolicies}
`;
}

Deno.test("requestHeaderModifier adds, sets and removes request headers", async () => {
  const upstream = await startEchoUpstream();
  const gw = await startGateway(config(
    upstream.address,
    `        requestHeaderModifier:
          add: {x-added: one, x-multi: second}
          set: {x-replaced: new}
          remove: [x-secret]`,
  ));
  try {
    const response = await fetch(gw.url(), {
      headers: { "x-replaced": "old", "x-secret": "s", "x-multi": "first" },
    });
    const seen = await json<EchoReport>(response);
    assert.equal(seen.headers["x-added"], "one");
    assert.equal(seen.headers["x-multi"], "first, second");
    assert.equal(seen.headers["x-replaced"], "new");
    assert.equal(seen.headers["x-secret"], undefined);
  } finally {
    await gw.close();
    await upstream.close();
  }
});

Deno.test("requestHeaderModifier set Host changes the Host the upstream receives", async () => {
  const upstream = await startEchoUpstream();
  const gw = await startGateway(
    config(upstream.address, `        requestHeaderModifier: {set: {Host: api.example.com}}`),
  );
  try {
    const seen = await json<EchoReport>(await fetch(gw.url()));
    assert.equal(seen.host, "api.example.com");
    // x-forwarded-host still names what the client asked for.
    assert.equal(seen.headers["x-forwarded-host"], new URL(gw.url()).host);
  } finally {
    await gw.close();
    await upstream.close();
  }
});

Deno.test("responseHeaderModifier edits the response the client receives", async () => {
  const upstream = await startUpstream(() =>
    new Response("ok", { headers: { "x-internal": "1", "x-version": "old", server: "secret" } })
  );
  const gw = await startGateway(config(
    upstream.address,
    `        responseHeaderModifier:
          add: {x-added: yes}
          set: {x-version: "2"}
          remove: [x-internal, server]`,
  ));
  try {
    const response = await fetch(gw.url());
    await response.text();
    assert.equal(response.headers.get("x-added"), "yes");
    assert.equal(response.headers.get("x-version"), "2");
    assert.equal(response.headers.get("x-internal"), null);
    assert.equal(response.headers.get("server"), null);
  } finally {
    await gw.close();
    await upstream.close();
  }
});

Deno.test("backend-level header modifiers apply after the route's", async () => {
  const upstream = await startEchoUpstream();
  const gw = await startGateway(config(
    upstream.address,
    `        requestHeaderModifier: {set: {x-level: route, x-route-only: r}}`,
    `        policies:
          requestHeaderModifier: {set: {x-level: backend}}
          responseHeaderModifier: {set: {x-from-backend: "1"}}`,
  ));
  try {
    const response = await fetch(gw.url());
    const seen = await json<EchoReport>(response);
    assert.equal(seen.headers["x-level"], "backend");
    assert.equal(seen.headers["x-route-only"], "r");
    assert.equal(response.headers.get("x-from-backend"), "1");
  } finally {
    await gw.close();
    await upstream.close();
  }
});

Deno.test("header modifiers with a bad header name or a line break in a value are config errors", () => {
  for (
    const [policy, path] of [
      ['requestHeaderModifier: {set: {"bad name": v}}', 'requestHeaderModifier.set["bad name"]'],
      ['responseHeaderModifier: {add: {x-a: "one\\r\\ntwo"}}', "responseHeaderModifier.add.x-a"],
    ]
  ) {
    const yaml = `binds:\n- port: 1\n  listeners:\n  - routes:\n    - policies: {${policy}}\n`;
    assert.throws(
      () => buildSnapshot(loadConfig(yaml, { source: "t.yaml" })),
      (error: unknown) => error instanceof ConfigError && error.message.includes(path!),
      policy,
    );
  }
});
