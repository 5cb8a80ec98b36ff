/**
 * A real user's config shape, run against local stand-ins: bind 1 calls a TLS backend by IP with
 * a rewritten Host and a backend key; bind 2 is a CORS-enabled route that adds Authorization.
 */
import assert from "node:assert/strict";
import { type EchoReport, startEchoUpstream } from "../../support/fake_upstream.ts";
import { type GatewayHarness, json, startGateway } from "../../support/gateway_harness.ts";
import { type NodeTlsUpstream, startNodeTlsUpstream } from "../../support/node_tls_upstream.ts";
import { testCa, type TestCertificate } from "../../support/test_ca.ts";

const ca = await testCa();

/** The user's config; `extraTls` adds fields to bind 1's backendTLS (e.g. `hostname`). */
function userConfig(tlsAddress: string, plainAddress: string, extraTls = "") {
  return `binds:
- port: 0
  listeners:
  - routes:
    - name: backend-api
      policies:
        urlRewrite:
          authority:
            full: backend.test
        requestHeaderModifier:
          set:
            Host: backend.test
        backendTLS:
          root: ${ca.ca.certFile}${extraTls}
        backendAuth:
          key: sk-test
      backends:
      - host: ${tlsAddress}
- port: 0
  listeners:
  - routes:
    - name: browser-api
      policies:
        cors:
          allowOrigins: ["*"]
          allowMethods: [GET, POST, OPTIONS]
          allowHeaders: [content-type, authorization]
          maxAge: 10m
        requestHeaderModifier:
          add:
            Authorization: "Bearer x"
      backends:
      - host: ${plainAddress}
`;
}

/** Starts both stand-ins and agw with the user's config; closes everything after `use`. */
async function withUserConfig(
  tlsIdentity: TestCertificate,
  extraTls: string,
  use: (
    gw: GatewayHarness,
    tls: NodeTlsUpstream,
    plain: { received: EchoReport[] },
  ) => Promise<void>,
): Promise<void> {
  const tls = await startNodeTlsUpstream(tlsIdentity);
  const plain = await startEchoUpstream("plain");
  try {
    const gw = await startGateway(userConfig(tls.address, plain.address, extraTls));
    try {
      await use(gw, tls, plain);
    } finally {
      await gw.close();
    }
  } finally {
    await tls.close();
    await plain.close();
  }
}

Deno.test("user config bind 1 reaches the TLS backend with Host backend.test and the backend key", async () => {
  await withUserConfig(ca.server, "", async (gw, tls) => {
    const response = await fetch(`${gw.url(0)}/v1/models`, {
      headers: { authorization: "Bearer client-token" },
    });
    assert.equal(response.status, 200);
    assert.equal(await response.text(), "ok");
    const seen = tls.received[0]!;
    assert.equal(seen.path, "/v1/models");
    assert.equal(seen.host, "backend.test");
    assert.equal(seen.headers["authorization"], "Bearer sk-test");
    assert.doesNotMatch(gw.logs.join(""), /sk-test/);
  });
});

Deno.test("user config bind 1 verifies the dialled 127.0.0.1 and sends no SNI, not the rewritten Host", async (t) => {
  // Without backendTLS.hostname the TLS name is the backend's own host (agentgateway): here the
  // IP 127.0.0.1, which this certificate lists. An IP is never sent as SNI (RFC 6066 §3).
  await t.step("certificate with IP SAN 127.0.0.1: verified, no SNI", async () => {
    await withUserConfig(ca.server, "", async (gw, tls) => {
      const response = await fetch(gw.url(0));
      assert.equal(response.status, 200);
      await response.body?.cancel();
      assert.equal(tls.received[0]!.serverName, null);
      assert.equal(tls.received[0]!.host, "backend.test");
    });
  });
  // A real backend's certificate names backend.test only: the rewritten Host does not make it
  // verify, so the config as written fails there.
  await t.step("certificate for backend.test only: 503", async () => {
    await withUserConfig(ca.backendOnly, "", async (gw, tls) => {
      const response = await fetch(gw.url(0));
      assert.equal(response.status, 503);
      assert.match(await response.text(), /^upstream call failed: .*127\.0\.0\.1/);
      assert.equal(tls.received.length, 0);
    });
  });
  await t.step("certificate for backend.test only, with hostname: backend.test: 200", async () => {
    const hostname = "\n          hostname: backend.test";
    await withUserConfig(ca.backendOnly, hostname, async (gw, tls) => {
      const response = await fetch(gw.url(0));
      assert.equal(response.status, 200);
      await response.body?.cancel();
      assert.equal(tls.received[0]!.serverName, "backend.test");
      assert.equal(tls.received[0]!.host, "backend.test");
    });
  });
});

Deno.test("user config bind 2 answers a CORS preflight itself, without calling upstream", async () => {
  await withUserConfig(ca.server, "", async (gw, _tls, plain) => {
    const response = await fetch(`${gw.url(1)}/api/chat`, {
      method: "OPTIONS",
      headers: {
        origin: "https://app.example",
        "access-control-request-method": "POST",
        "access-control-request-headers": "content-type, authorization",
      },
    });
    assert.equal(response.status, 200);
    await response.body?.cancel();
    assert.equal(response.headers.get("access-control-allow-origin"), "*");
    assert.equal(response.headers.get("access-control-allow-methods"), "GET,POST,OPTIONS");
    assert.equal(
      response.headers.get("access-control-allow-headers"),
      "content-type,authorization",
    );
    assert.equal(response.headers.get("access-control-max-age"), "600");
    assert.equal(plain.received.length, 0);
  });
});

Deno.test("user config bind 2 adds CORS headers and sends the added Authorization upstream", async () => {
  await withUserConfig(ca.server, "", async (gw, _tls, plain) => {
    const response = await fetch(`${gw.url(1)}/api/chat`, {
      method: "POST",
      headers: { origin: "https://app.example", "content-type": "application/json" },
      body: "{}",
    });
    assert.equal(response.status, 200);
    assert.equal(response.headers.get("access-control-allow-origin"), "*");
    assert.equal(response.headers.get("x-upstream"), "plain");
    const seen = await json<EchoReport>(response);
    assert.equal(seen.headers["authorization"], "Bearer x");
    assert.equal(seen.body, "{}");
    assert.equal(plain.received.length, 1);
  });
});
