import assert from "node:assert/strict";
import { closedPort, startEchoUpstream } from "../../support/fake_upstream.ts";
import { startGateway } from "../../support/gateway_harness.ts";

function config(address: string, cors: string) {
  return `binds:
- port: 0
  listeners:
  - routes:
    - policies:
        cors:
${cors}
      backends:
      - host: ${address}
`;
}

const STRICT = `          allowOrigins: ["https://app.example", "https://*.trusted.example"]
          allowMethods: [GET, POST]
          allowHeaders: [content-type, x-custom]
          exposeHeaders: [x-request-id]
          allowCredentials: true
          maxAge: 100s`;

Deno.test("cors answers a preflight itself, before the upstream is called", async () => {
  const upstream = await startEchoUpstream();
  const gw = await startGateway(config(upstream.address, STRICT));
  try {
    const response = await fetch(gw.url(), {
      method: "OPTIONS",
      headers: { origin: "https://app.example", "access-control-request-method": "POST" },
    });
    await response.body?.cancel();
    assert.equal(response.status, 200);
    assert.equal(response.headers.get("access-control-allow-origin"), "https://app.example");
    assert.equal(response.headers.get("access-control-allow-methods"), "GET,POST");
    assert.equal(response.headers.get("access-control-allow-headers"), "content-type,x-custom");
    assert.equal(response.headers.get("access-control-allow-credentials"), "true");
    assert.equal(response.headers.get("access-control-max-age"), "100");
    assert.equal(upstream.received.length, 0);
  } finally {
    await gw.close();
    await upstream.close();
  }
});

Deno.test("cors adds allow-origin and expose headers to an allowed origin's responses", async () => {
  const upstream = await startEchoUpstream();
  const gw = await startGateway(config(upstream.address, STRICT));
  try {
    const response = await fetch(gw.url(), { headers: { origin: "https://a.trusted.example" } });
    await response.body?.cancel();
    assert.equal(response.status, 200);
    assert.equal(response.headers.get("access-control-allow-origin"), "https://a.trusted.example");
    assert.equal(response.headers.get("access-control-expose-headers"), "x-request-id");
    assert.equal(response.headers.get("vary"), "origin");
  } finally {
    await gw.close();
    await upstream.close();
  }
});

Deno.test("cors adds no headers for an origin that is not allowed", async () => {
  const upstream = await startEchoUpstream();
  const gw = await startGateway(config(upstream.address, STRICT));
  try {
    const response = await fetch(gw.url(), { headers: { origin: "https://evil.example" } });
    await response.body?.cancel();
    assert.equal(response.headers.get("access-control-allow-origin"), null);
    const preflight = await fetch(gw.url(), {
      method: "OPTIONS",
      headers: { origin: "https://evil.example", "access-control-request-method": "POST" },
    });
    await preflight.body?.cancel();
    assert.equal(preflight.headers.get("access-control-allow-origin"), null);
  } finally {
    await gw.close();
    await upstream.close();
  }
});

Deno.test("cors with a wildcard origin answers * when credentials are off", async () => {
  const upstream = await startEchoUpstream();
  const gw = await startGateway(config(upstream.address, `          allowOrigins: ["*"]`));
  try {
    const response = await fetch(gw.url(), { headers: { origin: "https://any.example" } });
    await response.body?.cancel();
    assert.equal(response.headers.get("access-control-allow-origin"), "*");
  } finally {
    await gw.close();
    await upstream.close();
  }
});

Deno.test("cors headers are on the gateway's own error responses too", async () => {
  const gw = await startGateway(
    config(`127.0.0.1:${closedPort()}`, `          allowOrigins: ["*"]`),
  );
  try {
    const response = await fetch(gw.url(), { headers: { origin: "https://app.example" } });
    await response.body?.cancel();
    assert.equal(response.status, 503);
    assert.equal(response.headers.get("access-control-allow-origin"), "*");
  } finally {
    await gw.close();
  }
});
