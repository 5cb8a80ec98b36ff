import assert from "node:assert/strict";
import { startGateway } from "../../support/gateway_harness.ts";
import { rawRequest, type RawResponse } from "../../support/raw_request.ts";

async function redirect(policy: string, path: string): Promise<RawResponse> {
  const gw = await startGateway(`binds:
- port: 0
  listeners:
  - routes:
    - matches: [{path: {pathPrefix: /old}}]
      policies:
        requestRedirect:
${policy}
`);
  try {
    return await rawRequest(`${gw.url()}${path}`, { headers: { host: "front.example:3000" } });
  } finally {
    await gw.close();
  }
}

Deno.test("requestRedirect answers 302 with the rewritten location by default", async () => {
  const response = await redirect("          path: {prefix: /new}", "/old/page?x=1");
  assert.equal(response.status, 302);
  assert.equal(response.headers.location, "http://front.example:3000/new/page?x=1");
});

Deno.test("requestRedirect can change scheme, authority and status", async () => {
  const response = await redirect(
    `          scheme: https
          authority: {full: secure.example}
          status: 301`,
    "/old/a",
  );
  assert.equal(response.status, 301);
  assert.equal(response.headers.location, "https://secure.example/old/a");
});

Deno.test("requestRedirect to another scheme uses that scheme's default port unless one is set", async () => {
  const toHttps = await redirect(
    "          scheme: https\n          authority: {host: secure.example}",
    "/old/a",
  );
  assert.equal(toHttps.headers.location, "https://secure.example/old/a");
  const withPort = await redirect(
    "          scheme: https\n          authority: {port: 8443}",
    "/old/a",
  );
  assert.equal(withPort.headers.location, "https://front.example:8443/old/a");
});
