import assert from "node:assert/strict";
import { type EchoReport, startEchoUpstream } from "../../support/fake_upstream.ts";
import { json, startGateway } from "../../support/gateway_harness.ts";
import { rawRequest } from "../../support/raw_request.ts";

function config(address: string, match: string, rewrite: string) {
  return `binds:
- port: 0
  listeners:
  - routes:
    - matches: [{path: ${match}}]
      policies:
        urlRewrite:
${rewrite}
      backends:
      - host: ${address}
`;
}

async function seenBy(
  yaml: string,
  path: string,
  headers: Record<string, string> = {},
): Promise<EchoReport> {
  const upstream = await startEchoUpstream();
  const gw = await startGateway(yaml.replace("UPSTREAM", upstream.address));
  try {
    if (headers.host) return JSON.parse((await rawRequest(`${gw.url()}${path}`, { headers })).body);
    return await json<EchoReport>(await fetch(`${gw.url()}${path}`, { headers }));
  } finally {
    await gw.close();
    await upstream.close();
  }
}

Deno.test("urlRewrite authority full replaces the Host sent upstream", async () => {
  const seen = await seenBy(
    config("UPSTREAM", "{pathPrefix: /}", "          authority: {full: custom-host:8443}"),
    "/x",
  );
  assert.equal(seen.host, "custom-host:8443");
  assert.equal(seen.path, "/x");
});

Deno.test("urlRewrite authority host keeps the port and port keeps the host", async (t) => {
  await t.step("host", async () => {
    const seen = await seenBy(
      config("UPSTREAM", "{pathPrefix: /}", "          authority: {host: other}"),
      "/",
      {
        host: "front.example:3000",
      },
    );
    assert.equal(seen.host, "other:3000");
  });
  await t.step("port", async () => {
    const seen = await seenBy(
      config("UPSTREAM", "{pathPrefix: /}", "          authority: {port: 9090}"),
      "/",
      {
        host: "front.example:3000",
      },
    );
    assert.equal(seen.host, "front.example:9090");
  });
});

Deno.test("urlRewrite authority auto sends the backend's own authority", async () => {
  const upstream = await startEchoUpstream();
  const gw = await startGateway(
    config(upstream.address, "{pathPrefix: /}", "          authority: auto"),
  );
  try {
    const seen = await json<EchoReport>(await fetch(gw.url()));
    assert.equal(seen.host, upstream.address);
  } finally {
    await gw.close();
    await upstream.close();
  }
});

Deno.test("urlRewrite path full replaces the path and keeps the query", async () => {
  const seen = await seenBy(
    config("UPSTREAM", "{pathPrefix: /old}", "          path: {full: /new-path}"),
    "/old/a?q=1",
  );
  assert.equal(seen.path, "/new-path?q=1");
});

Deno.test("urlRewrite path prefix replaces only the matched prefix", async (t) => {
  const yaml = config("UPSTREAM", "{pathPrefix: /api/v1}", "          path: {prefix: /v2}");
  await t.step("with a rest", async () => {
    assert.equal((await seenBy(yaml, "/api/v1/users?x=1")).path, "/v2/users?x=1");
  });
  await t.step("exactly the prefix", async () => {
    assert.equal((await seenBy(yaml, "/api/v1")).path, "/v2");
  });
  await t.step("to the root", async () => {
    const toRoot = config("UPSTREAM", "{pathPrefix: /api}", "          path: {prefix: /}");
    assert.equal((await seenBy(toRoot, "/api/users")).path, "/users");
  });
});
