import assert from "node:assert/strict";
import { ConfigError } from "../../../src/config/mod.ts";
import { type EchoReport, startEchoUpstream } from "../../support/fake_upstream.ts";
import { type GatewayHarness, json, startGateway } from "../../support/gateway_harness.ts";

/** A route to `address` with these route policies (YAML, indented under `policies:`). */
function routeTo(address: string, policies: string) {
  return `binds:
- port: 0
  listeners:
  - routes:
    - name: r
      policies:
${policies}
      backends:
      - host: ${address}
`;
}

/** Starts an echo upstream and agw with `yaml(address)`, runs `use`, closes both. */
async function withGateway<T>(
  yaml: (address: string) => string,
  use: (gw: GatewayHarness) => Promise<T>,
): Promise<T> {
  const upstream = await startEchoUpstream();
  const gw = await startGateway(yaml(upstream.address));
  try {
    return await use(gw);
  } finally {
    await gw.close();
    await upstream.close();
  }
}

async function seen(gw: GatewayHarness, path = "/", headers: Record<string, string> = {}) {
  const response = await fetch(`${gw.url()}${path}`, { headers });
  assert.equal(response.status, 200);
  return await json<EchoReport>(response);
}

Deno.test("backendAuth key sends Authorization: Bearer, replacing the client's own", async () => {
  await withGateway(
    (address) => routeTo(address, "        backendAuth: {key: sk-secret-1}"),
    async (gw) => {
      const report = await seen(gw, "/", { authorization: "Bearer client-token" });
      assert.equal(report.headers["authorization"], "Bearer sk-secret-1");
      const bare = await seen(gw);
      assert.equal(bare.headers["authorization"], "Bearer sk-secret-1");
    },
  );
});

Deno.test("backendAuth key may come from a file, trimmed of its trailing newline", async () => {
  const file = await Deno.makeTempFile({ prefix: "agw_backend_auth_" });
  try {
    await Deno.writeTextFile(file, "sk-from-file\n");
    await withGateway(
      (address) => routeTo(address, `        backendAuth: {key: {file: ${file}}}`),
      async (gw) => {
        assert.equal((await seen(gw)).headers["authorization"], "Bearer sk-from-file");
      },
    );
  } finally {
    await Deno.remove(file);
  }
});

Deno.test("backendAuth key with a missing file is a config error naming the file", async () => {
  const missing = "/nonexistent/agw-key.txt";
  const error = await startGateway(
    routeTo("127.0.0.1:1", `        backendAuth: {key: {file: ${missing}}}`),
  ).then(
    (gw) => gw.close().then(() => assert.fail("expected a ConfigError")),
    (error: unknown) => error,
  );
  assert.ok(error instanceof ConfigError, String(error));
  assert.equal(
    error.issues[0]!.path,
    "binds[0].listeners[0].routes[0].policies.backendAuth.key.file",
  );
  assert.equal(error.issues[0]!.message, `Cannot read file "${missing}": not found`);
});

Deno.test("backendAuth key with a header location sets that header without a prefix", async (t) => {
  await t.step("no prefix", async () => {
    await withGateway(
      (address) =>
        routeTo(
          address,
          "        backendAuth: {key: {value: k-123, location: {header: {name: x-api-key}}}}",
        ),
      async (gw) => {
        const report = await seen(gw, "/", { authorization: "Bearer client-token" });
        assert.equal(report.headers["x-api-key"], "k-123");
        // Only the configured header is agw's; the client's Authorization is not touched.
        assert.equal(report.headers["authorization"], "Bearer client-token");
      },
    );
  });
  await t.step("with a prefix", async () => {
    await withGateway(
      (address) =>
        routeTo(
          address,
          `        backendAuth: {key: {value: k-123, location: {header: {name: x-api-key, prefix: "Key "}}}}`,
        ),
      async (gw) => assert.equal((await seen(gw)).headers["x-api-key"], "Key k-123"),
    );
  });
});

Deno.test("backendAuth key with a queryParameter location adds it to the query", async () => {
  await withGateway(
    (address) =>
      routeTo(
        address,
        "        backendAuth: {key: {value: q-secret, location: {queryParameter: {name: key}}}}",
      ),
    async (gw) => {
      assert.equal((await seen(gw, "/a/b?x=1")).path, "/a/b?x=1&key=q-secret");
      // A client's own value for that parameter is replaced, not duplicated.
      assert.equal((await seen(gw, "/a?key=mine")).path, "/a?key=q-secret");
      const bare = await seen(gw, "/plain");
      assert.equal(bare.path, "/plain?key=q-secret");
      assert.equal(bare.headers["authorization"], undefined);
    },
  );
});

Deno.test("backendAuth passthrough forwards the client's Authorization untouched", async () => {
  await withGateway(
    (address) => routeTo(address, "        backendAuth: {passthrough: {}}"),
    async (gw) => {
      const report = await seen(gw, "/", { authorization: "Basic dXNlcjpwYXNz" });
      assert.equal(report.headers["authorization"], "Basic dXNlcjpwYXNz");
      assert.equal((await seen(gw)).headers["authorization"], undefined);
    },
  );
});

Deno.test("backendAuth on a route backend overrides the route's backendAuth", async () => {
  await withGateway(
    (address) =>
      `binds:
- port: 0
  listeners:
  - routes:
    - policies:
        backendAuth: {key: route-key}
      backends:
      - host: ${address}
        policies:
          backendAuth: {key: backend-key}
`,
    async (gw) => {
      assert.equal((await seen(gw)).headers["authorization"], "Bearer backend-key");
    },
  );
});

Deno.test("backendAuth on a backend replaces the route's whole backendAuth, location included", async () => {
  await withGateway(
    (address) =>
      `binds:
- port: 0
  listeners:
  - routes:
    - policies:
        backendAuth: {key: {value: route-key, location: {header: {name: x-api-key}}}}
      backends:
      - host: ${address}
        policies:
          backendAuth: {key: backend-key}
`,
    async (gw) => {
      const report = await seen(gw);
      assert.equal(report.headers["authorization"], "Bearer backend-key");
      assert.equal(report.headers["x-api-key"], undefined);
    },
  );
});

Deno.test("backendAuth keys never reach the access log", async () => {
  await withGateway(
    (address) =>
      `binds:
- port: 0
  listeners:
  - routes:
    - matches: [{path: {pathPrefix: /header}}]
      policies: {backendAuth: {key: sk-header-secret}}
      backends: [{host: ${address}}]
    - matches: [{path: {pathPrefix: /query}}]
      policies:
        backendAuth: {key: {value: sk-query-secret, location: {queryParameter: {name: api_key}}}}
      backends: [{host: ${address}}]
`,
    async (gw) => {
      assert.equal((await seen(gw, "/header")).headers["authorization"], "Bearer sk-header-secret");
      assert.equal((await seen(gw, "/query?a=1")).path, "/query?a=1&api_key=sk-query-secret");
      const log = gw.logs.join("");
      assert.match(log, /http\.path=\/header/);
      assert.match(log, /http\.path=\/query/);
      assert.doesNotMatch(log, /sk-header-secret|sk-query-secret/);
    },
  );
});
