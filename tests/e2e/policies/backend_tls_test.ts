import assert from "node:assert/strict";
import { ConfigError } from "../../../src/config/mod.ts";
import { type EchoReport, startUpstream } from "../../support/fake_upstream.ts";
import { json, startGateway } from "../../support/gateway_harness.ts";
import { startNodeTlsUpstream } from "../../support/node_tls_upstream.ts";
import { rawRequest } from "../../support/raw_request.ts";
import { testCa, type TestCertificate } from "../../support/test_ca.ts";

const ca = await testCa();

/** A route to `host` with the given backendTLS policy (YAML flow map), or none. */
function routeTo(host: string, backendTLS?: string) {
  return `binds:
- port: 0
  listeners:
  - routes:
    - name: r
${backendTLS === undefined ? "" : `      policies:\n        backendTLS: ${backendTLS}\n`}\
      backends:
      - host: ${host}
`;
}

/** The status a GET through a gateway running `yaml` gets; the gateway is closed again. */
async function statusVia(yaml: string): Promise<number> {
  const gw = await startGateway(yaml);
  try {
    const response = await fetch(gw.url());
    await response.body?.cancel();
    return response.status;
  } finally {
    await gw.close();
  }
}

/** A Deno.serve TLS upstream presenting `identity`, echoing what it received. */
function startTlsEcho(identity: TestCertificate) {
  return startUpstream(
    (_request, report) => Response.json(report),
    { tls: { cert: identity.cert, key: identity.key } },
  );
}

Deno.test("backendTLS root verifies the upstream against the configured CA", async () => {
  const upstream = await startTlsEcho(ca.server);
  const gw = await startGateway(routeTo(upstream.address, `{root: ${ca.ca.certFile}}`));
  try {
    const response = await fetch(`${gw.url()}/tls?x=1`);
    assert.equal(response.status, 200);
    const seen = await json<EchoReport>(response);
    assert.equal(seen.path, "/tls?x=1");
    // Forwarding headers describe the client's side (plain HTTP), not the upstream hop.
    assert.equal(seen.headers["x-forwarded-proto"], "http");
  } finally {
    await gw.close();
    await upstream.close();
  }
});

Deno.test("backendTLS without root rejects a chain the system roots do not trust", async () => {
  const upstream = await startTlsEcho(ca.server);
  const gw = await startGateway(routeTo(upstream.address, "{}"));
  try {
    const response = await fetch(gw.url());
    assert.equal(response.status, 503);
    assert.match(await response.text(), /^upstream call failed: .*verify/);
    assert.equal(upstream.received.length, 0);
  } finally {
    await gw.close();
    await upstream.close();
  }
});

Deno.test("an https:// backend host implies TLS, with or without a backendTLS policy", async (t) => {
  const upstream = await startTlsEcho(ca.server);
  try {
    await t.step("with a root: verified and 200", async () => {
      assert.equal(
        await statusVia(routeTo(`https://127.0.0.1:${upstream.port}`, `{root: ${ca.ca.certFile}}`)),
        200,
      );
    });
    await t.step("without a policy: system roots, so the test CA is untrusted", async () => {
      const gw = await startGateway(routeTo(`https://127.0.0.1:${upstream.port}`));
      try {
        const response = await fetch(gw.url());
        assert.equal(response.status, 503);
        assert.match(await response.text(), /^upstream call failed: /);
      } finally {
        await gw.close();
      }
    });
  } finally {
    await upstream.close();
  }
});

Deno.test("a host:port backend without backendTLS speaks plain HTTP to a TLS upstream and fails", async () => {
  const upstream = await startTlsEcho(ca.server);
  const gw = await startGateway(routeTo(upstream.address));
  try {
    const response = await fetch(gw.url());
    assert.equal(response.status, 503);
    assert.match(await response.text(), /^upstream call failed: /);
  } finally {
    await gw.close();
    await upstream.close();
  }
});

Deno.test("backendTLS on a route backend's own policies also switches it to TLS", async () => {
  const upstream = await startTlsEcho(ca.server);
  const gw = await startGateway(`binds:
- port: 0
  listeners:
  - routes:
    - backends:
      - host: ${upstream.address}
        policies:
          backendTLS: {root: ${ca.ca.certFile}}
`);
  try {
    const response = await fetch(gw.url());
    assert.equal(response.status, 200);
    await response.body?.cancel();
  } finally {
    await gw.close();
    await upstream.close();
  }
});

Deno.test("backendTLS hostname is sent as SNI and verified when dialling an IP address", async () => {
  const upstream = await startNodeTlsUpstream(ca.server);
  const gw = await startGateway(
    routeTo(upstream.address, `{root: ${ca.ca.certFile}, hostname: backend.test}`),
  );
  try {
    const response = await fetch(gw.url());
    assert.equal(response.status, 200);
    assert.equal(await response.text(), "ok");
    const seen = upstream.received[0]!;
    assert.equal(seen.serverName, "backend.test");
    // hostname changes only the TLS name: the Host header is still the client's.
    assert.equal(seen.host, new URL(gw.url()).host);
  } finally {
    await gw.close();
    await upstream.close();
  }
});

Deno.test("backendTLS hostname must match the upstream certificate", async (t) => {
  // This upstream's certificate names only other.test.
  const upstream = await startNodeTlsUpstream(ca.other);
  try {
    await t.step("hostname backend.test: 503, the name is not in the certificate", async () => {
      const gw = await startGateway(
        routeTo(upstream.address, `{root: ${ca.ca.certFile}, hostname: backend.test}`),
      );
      try {
        const response = await fetch(gw.url());
        assert.equal(response.status, 503);
        assert.match(await response.text(), /^upstream call failed: .*backend\.test.*other\.test/);
      } finally {
        await gw.close();
      }
    });
    await t.step("hostname other.test: 200", async () => {
      const gw = await startGateway(
        routeTo(upstream.address, `{root: ${ca.ca.certFile}, hostname: other.test}`),
      );
      try {
        const response = await fetch(gw.url());
        assert.equal(response.status, 200);
        await response.body?.cancel();
        assert.equal(upstream.received.at(-1)!.serverName, "other.test");
      } finally {
        await gw.close();
      }
    });
  } finally {
    await upstream.close();
  }
});

Deno.test("backendTLS without hostname verifies the dialled IP and sends no SNI, whatever the Host", async () => {
  // agentgateway: the TLS name is backendTLS.hostname, else the backend's own host; an IP address
  // is verified against the certificate's IP SANs and, per RFC 6066 §3, never sent as SNI.
  const matching = await startNodeTlsUpstream(ca.server);
  const otherOnly = await startNodeTlsUpstream(ca.other);
  const gw = await startGateway(`binds:
- port: 0
  listeners:
  - routes:
    - matches: [{path: {pathPrefix: /ip}}]
      policies: {backendTLS: {root: ${ca.ca.certFile}}}
      backends: [{host: ${matching.address}}]
    - matches: [{path: {pathPrefix: /other}}]
      policies: {backendTLS: {root: ${ca.ca.certFile}}}
      backends: [{host: ${otherOnly.address}}]
`);
  try {
    const ok = await rawRequest(`${gw.url()}/ip`, { headers: { host: "backend.test" } });
    assert.equal(ok.status, 200);
    const seen = matching.received[0]!;
    assert.equal(seen.host, "backend.test");
    assert.equal(seen.serverName, null);

    // The Host header names other.test, which the certificate has, but agw verifies 127.0.0.1.
    const mismatch = await rawRequest(`${gw.url()}/other`, { headers: { host: "other.test" } });
    assert.equal(mismatch.status, 503);
    assert.match(mismatch.body, /^upstream call failed: .*127\.0\.0\.1/);
    assert.equal(otherOnly.received.length, 0);
  } finally {
    await gw.close();
    await matching.close();
    await otherOnly.close();
  }
});

Deno.test("backendTLS insecure skips verification entirely", async () => {
  const upstream = await startTlsEcho(ca.other);
  const gw = await startGateway(routeTo(upstream.address, "{insecure: true}"));
  try {
    const response = await fetch(gw.url());
    assert.equal(response.status, 200);
    await response.body?.cancel();
  } finally {
    await gw.close();
    await upstream.close();
  }
});

Deno.test("backendTLS insecureHost accepts any name but still verifies the chain", async (t) => {
  const upstream = await startTlsEcho(ca.other);
  try {
    await t.step("trusted chain, name mismatch: 200", async () => {
      assert.equal(
        await statusVia(routeTo(upstream.address, `{root: ${ca.ca.certFile}, insecureHost: true}`)),
        200,
      );
    });
    await t.step("untrusted chain: 503", async () => {
      const gw = await startGateway(routeTo(upstream.address, "{insecureHost: true}"));
      try {
        const response = await fetch(gw.url());
        assert.equal(response.status, 503);
        assert.match(await response.text(), /^upstream call failed: .*verify/);
      } finally {
        await gw.close();
      }
    });
  } finally {
    await upstream.close();
  }
});

Deno.test("backendTLS cert and key present a client certificate to an mTLS upstream", async (t) => {
  // Deno.serve cannot ask for client certificates; node:https under Deno can.
  const upstream = await startNodeTlsUpstream({ ...ca.server, clientCa: ca.ca.cert });
  try {
    await t.step("with cert and key: 200, the upstream sees the client identity", async () => {
      const gw = await startGateway(routeTo(
        upstream.address,
        `{root: ${ca.ca.certFile}, cert: ${ca.client.certFile}, key: ${ca.client.keyFile}}`,
      ));
      try {
        const response = await fetch(gw.url());
        assert.equal(response.status, 200);
        assert.equal(await response.text(), "ok");
        assert.equal(upstream.received.at(-1)!.clientCertCn, "agw-test-client");
      } finally {
        await gw.close();
      }
    });
    await t.step("without: the handshake is refused, 503", async () => {
      const before = upstream.received.length;
      const gw = await startGateway(routeTo(upstream.address, `{root: ${ca.ca.certFile}}`));
      try {
        const response = await fetch(gw.url());
        assert.equal(response.status, 503);
        assert.match(await response.text(), /^upstream call failed: /);
        assert.equal(upstream.received.length, before);
      } finally {
        await gw.close();
      }
    });
  } finally {
    await upstream.close();
  }
});

Deno.test("backendTLS with a missing root file is a config error naming backendTLS.root", async () => {
  const missing = `${ca.dir}/no-such-ca.pem`;
  const error = await startGateway(routeTo("127.0.0.1:1", `{root: ${missing}}`)).then(
    (gw) => gw.close().then(() => assert.fail("expected a ConfigError")),
    (error: unknown) => error,
  );
  assert.ok(error instanceof ConfigError, String(error));
  assert.equal(error.issues.length, 1);
  const issue = error.issues[0]!;
  assert.equal(issue.path, "binds[0].listeners[0].routes[0].policies.backendTLS.root");
  assert.equal(issue.message, `Cannot read file ${JSON.stringify(missing)}: not found`);
});

Deno.test("backendTLS cert without key is a config error", async () => {
  const error = await startGateway(routeTo("127.0.0.1:1", `{cert: ${ca.client.certFile}}`)).then(
    (gw) => gw.close().then(() => assert.fail("expected a ConfigError")),
    (error: unknown) => error,
  );
  assert.ok(error instanceof ConfigError, String(error));
  assert.equal(error.issues[0]!.path, "binds[0].listeners[0].routes[0].policies.backendTLS.key");
  assert.match(error.issues[0]!.message, /cert and key must be set together/);
});

Deno.test("backendTLS root that holds no PEM certificate is a config error", async () => {
  const error = await startGateway(routeTo("127.0.0.1:1", `{root: ${ca.server.keyFile}}`)).then(
    (gw) => gw.close().then(() => assert.fail("expected a ConfigError")),
    (error: unknown) => error,
  );
  assert.ok(error instanceof ConfigError, String(error));
  assert.equal(error.issues[0]!.path, "binds[0].listeners[0].routes[0].policies.backendTLS.root");
  assert.equal(
    error.issues[0]!.message,
    `Cannot use file ${JSON.stringify(ca.server.keyFile)}: expected a PEM certificate`,
  );
});
