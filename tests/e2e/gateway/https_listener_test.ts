import assert from "node:assert/strict";
import { ConfigError } from "../../../src/config/mod.ts";
import { type EchoReport, startEchoUpstream } from "../../support/fake_upstream.ts";
import { startGateway } from "../../support/gateway_harness.ts";
import { testCa } from "../../support/test_ca.ts";

const ca = await testCa();

/** A fetch client that trusts the test CA. */
function trustingClient(): Deno.HttpClient {
  return Deno.createHttpClient({ caCerts: [ca.ca.cert] });
}

/** The port of the gateway's first bind, from the harness's http:// URL. */
function portOf(url: string): string {
  return new URL(url).port;
}

/** Starts agw with `yaml`, expecting it to fail with a ConfigError. */
async function configErrorOf(yaml: string): Promise<ConfigError> {
  const error = await startGateway(yaml).then(
    (gw) => gw.close().then(() => assert.fail("expected a ConfigError")),
    (error: unknown) => error,
  );
  assert.ok(error instanceof ConfigError, String(error));
  return error;
}

Deno.test("an HTTPS listener serves TLS and forwards with x-forwarded-proto https", async () => {
  const upstream = await startEchoUpstream();
  const gw = await startGateway(`binds:
- port: 0
  listeners:
  - protocol: HTTPS
    tls: {cert: ${ca.server.certFile}, key: ${ca.server.keyFile}}
    routes:
    - backends: [{host: ${upstream.address}}]
`);
  const client = trustingClient();
  try {
    const port = portOf(gw.url());
    const response = await fetch(`https://localhost:${port}/secure?x=1`, { client });
    assert.equal(response.status, 200);
    const seen = await response.json() as EchoReport;
    assert.equal(seen.path, "/secure?x=1");
    assert.equal(seen.headers["x-forwarded-proto"], "https");
    assert.equal(seen.host, `localhost:${port}`);
  } finally {
    client.close();
    await gw.close();
    await upstream.close();
  }
});

Deno.test("an HTTPS listener does not answer plain HTTP", async () => {
  const gw = await startGateway(`binds:
- port: 0
  listeners:
  - protocol: HTTPS
    tls: {cert: ${ca.server.certFile}, key: ${ca.server.keyFile}}
    routes:
    - policies: {directResponse: {body: secret, status: 200}}
`);
  try {
    // The harness's URL is http://: the TLS server drops the connection instead of answering.
    await assert.rejects(fetch(gw.url()), TypeError);
  } finally {
    await gw.close();
  }
});

Deno.test("HTTPS listeners sharing one certificate on a port are picked by Host", async () => {
  const gw = await startGateway(`binds:
- port: 0
  listeners:
  - name: named
    hostname: localhost
    protocol: HTTPS
    tls: {cert: ${ca.server.certFile}, key: ${ca.server.keyFile}}
    routes:
    - policies: {directResponse: {body: named, status: 200}}
  - name: fallback
    protocol: HTTPS
    tls: {cert: ${ca.server.certFile}, key: ${ca.server.keyFile}}
    routes:
    - policies: {directResponse: {body: fallback, status: 200}}
`);
  const client = trustingClient();
  try {
    const port = portOf(gw.url());
    const named = await fetch(`https://localhost:${port}/`, { client });
    assert.equal(await named.text(), "named");
    const fallback = await fetch(`https://127.0.0.1:${port}/`, { client });
    assert.equal(await fallback.text(), "fallback");
  } finally {
    client.close();
    await gw.close();
  }
});

Deno.test("HTTPS listeners with different certificates on one port are a config error", async () => {
  const error = await configErrorOf(`binds:
- port: 0
  listeners:
  - hostname: backend.test
    protocol: HTTPS
    tls: {cert: ${ca.server.certFile}, key: ${ca.server.keyFile}}
  - hostname: other.test
    protocol: HTTPS
    tls: {cert: ${ca.other.certFile}, key: ${ca.other.keyFile}}
`);
  assert.deepEqual(error.issues.map((issue) => [issue.path, issue.message]), [[
    "binds[0].listeners[1].tls",
    "per-listener certificates on one port are not supported yet: " +
    "use the same tls.cert and tls.key as listeners[0]",
  ]]);
});

Deno.test("HTTP and HTTPS listeners on one port are a config error", async () => {
  const error = await configErrorOf(`binds:
- port: 0
  listeners:
  - protocol: HTTPS
    tls: {cert: ${ca.server.certFile}, key: ${ca.server.keyFile}}
  - hostname: plain.test
    protocol: HTTP
`);
  assert.deepEqual(error.issues.map((issue) => [issue.path, issue.message]), [[
    "binds[0].listeners[1].protocol",
    "HTTP and HTTPS listeners on one port are not supported: listeners[0] serves HTTPS on port 0",
  ]]);
});

Deno.test("an HTTPS listener's certificate files are read at load", async (t) => {
  await t.step("a missing file names its YAML path", async () => {
    const missing = `${ca.dir}/missing.pem`;
    const error = await configErrorOf(`binds:
- port: 0
  listeners:
  - protocol: HTTPS
    tls: {cert: ${missing}, key: ${ca.server.keyFile}}
`);
    assert.deepEqual(error.issues.map((issue) => [issue.path, issue.message]), [[
      "binds[0].listeners[0].tls.cert",
      `Cannot read file ${JSON.stringify(missing)}: not found`,
    ]]);
  });
  await t.step("a key where the certificate belongs is not a certificate", async () => {
    const error = await configErrorOf(`binds:
- port: 0
  listeners:
  - protocol: HTTPS
    tls: {cert: ${ca.server.keyFile}, key: ${ca.server.keyFile}}
`);
    assert.deepEqual(error.issues.map((issue) => [issue.path, issue.message]), [[
      "binds[0].listeners[0].tls.cert",
      `Cannot use file ${JSON.stringify(ca.server.keyFile)}: expected a PEM certificate`,
    ]]);
  });
});

Deno.test("an HTTPS listener whose key does not match its certificate fails to start", async () => {
  const error = await startGateway(`binds:
- port: 0
  listeners:
  - protocol: HTTPS
    tls: {cert: ${ca.server.certFile}, key: ${ca.other.keyFile}}
`).then(
      (gw) => gw.close().then(() => assert.fail("expected a start failure")),
      (error: unknown) => error,
    );
  assert.ok(error instanceof Error);
  assert.match(error.message, /the private key does not belong to the certificate/);
});

Deno.test("tls on an HTTP listener is ignored, as agentgateway does", async () => {
  const gw = await startGateway(`binds:
- port: 0
  listeners:
  - protocol: HTTP
    tls: {cert: /nonexistent/cert.pem, key: /nonexistent/key.pem}
    routes:
    - policies: {directResponse: {body: plain, status: 200}}
`);
  try {
    const response = await fetch(gw.url());
    assert.equal(await response.text(), "plain");
  } finally {
    await gw.close();
  }
});
