import assert from "node:assert/strict";
import { startGateway } from "../../support/gateway_harness.ts";
import { rawRequest } from "../../support/raw_request.ts";

/** Routes that each answer with their own name, so a request shows which one matched. */
function route(name: string, rest: string) {
  return `    - name: ${name}
${rest}
      policies: {directResponse: {status: 200, body: ${name}}}
`;
}

const PRECEDENCE = `binds:
- port: 0
  listeners:
  - routes:
${route("catch-all", "      matches: [{path: {pathPrefix: /}}]")}
${route("api-prefix", "      matches: [{path: {pathPrefix: /api}}]")}
${route("api-v1-prefix", "      matches: [{path: {pathPrefix: /api/v1}}]")}
${route("exact", "      matches: [{path: {exact: /api/v1/health}}]")}
${route("regex", "      matches: [{path: {regex: '/items/[0-9]+'}}]")}
${route("post-only", "      matches: [{path: {pathPrefix: /api}, method: POST}]")}
${
  route(
    "with-header",
    "      matches: [{path: {pathPrefix: /api}, headers: [{name: x-canary, value: {exact: 'yes'}}]}]",
  )
}
${
  route(
    "two-headers",
    "      matches: [{path: {pathPrefix: /api}, headers: [{name: x-canary, value: {exact: 'yes'}}, {name: x-tier, value: {regex: 'gold|silver'}}]}]",
  )
}
${
  route(
    "with-query",
    "      matches: [{path: {pathPrefix: /api}, query: [{name: debug, value: {exact: '1'}}]}]",
  )
}
${
  route(
    "host-specific",
    "      hostnames: [special.example]\n      matches: [{path: {pathPrefix: /}}]",
  )
}
${
  route(
    "host-wildcard",
    "      hostnames: ['*.wild.example']\n      matches: [{path: {pathPrefix: /}}]",
  )
}
`;

Deno.test("matchRoute follows Gateway API precedence end to end", async (t) => {
  const gw = await startGateway(PRECEDENCE);
  const check = async (
    expected: string,
    path: string,
    init: { method?: string; headers?: Record<string, string> } = {},
  ) => {
    const response = await rawRequest(`${gw.url()}${path}`, init);
    assert.equal(
      response.body,
      expected,
      `${init.method ?? "GET"} ${path} ${JSON.stringify(init.headers ?? {})}`,
    );
  };
  try {
    await t.step("exact path beats every prefix", () => check("exact", "/api/v1/health"));
    await t.step("longest prefix wins", () => check("api-v1-prefix", "/api/v1/users"));
    await t.step("prefixes match whole segments only", () => check("catch-all", "/apiary"));
    await t.step("a prefix matches itself and below", () => check("api-prefix", "/api"));
    await t.step("regex matches the whole path", async () => {
      await check("regex", "/items/42");
      await check("catch-all", "/items/42/extra");
    });
    await t.step(
      "method beats headers on equal paths",
      () => check("post-only", "/api/x", { method: "POST", headers: { "x-canary": "yes" } }),
    );
    await t.step("more header matches win", async () => {
      await check("two-headers", "/api/x", { headers: { "x-canary": "yes", "x-tier": "gold" } });
      await check("with-header", "/api/x", { headers: { "x-canary": "yes", "x-tier": "bronze" } });
    });
    await t.step("query matches count after headers", async () => {
      await check("with-query", "/api/x?debug=1");
      await check("api-prefix", "/api/x?debug=2");
    });
    await t.step("an exact hostname beats a wildcard and no hostname", async () => {
      await check("host-specific", "/api/v1/health", { headers: { host: "special.example" } });
      await check("host-wildcard", "/anything", { headers: { host: "a.wild.example:8080" } });
      await check("catch-all", "/anything", { headers: { host: "wild.example" } });
    });
  } finally {
    await gw.close();
  }
});

Deno.test("listeners are chosen by hostname, exact before wildcard before none", async () => {
  const gw = await startGateway(`binds:
- port: 0
  listeners:
  - name: fallback
    routes:
${route("fallback", "")}
  - name: exact
    hostname: api.example.com
    routes:
${route("exact-listener", "")}
  - name: wildcard
    hostname: "*.example.com"
    routes:
${route("wildcard-listener", "")}
`);
  try {
    const host = async (h: string) => (await rawRequest(gw.url(), { headers: { host: h } })).body;
    assert.equal(await host("api.example.com"), "exact-listener");
    assert.equal(await host("API.EXAMPLE.COM:3000"), "exact-listener");
    assert.equal(await host("www.example.com"), "wildcard-listener");
    assert.equal(await host("example.com"), "fallback");
    assert.equal(await host("other.test"), "fallback");
  } finally {
    await gw.close();
  }
});

Deno.test("matches in one route are OR'ed and fields in one match are AND'ed", async () => {
  const gw = await startGateway(`binds:
- port: 0
  listeners:
  - routes:
${route("either", "      matches: [{path: {exact: /a}}, {path: {exact: /b}, method: PUT}]")}
`);
  try {
    assert.equal((await rawRequest(`${gw.url()}/a`)).body, "either");
    assert.equal((await rawRequest(`${gw.url()}/b`, { method: "PUT" })).body, "either");
    assert.equal((await rawRequest(`${gw.url()}/b`)).status, 404);
  } finally {
    await gw.close();
  }
});
