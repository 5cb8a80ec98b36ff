import assert from "node:assert/strict";
import { startGateway } from "../../support/gateway_harness.ts";

Deno.test("directResponse answers with the configured status and body, without a backend", async () => {
  const gw = await startGateway(`binds:
- port: 0
  listeners:
  - routes:
    - matches: [{path: {pathPrefix: /direct}}]
      policies:
        directResponse: {status: 201, body: "hello!"}
    - matches: [{path: {pathPrefix: /empty}}]
      policies:
        directResponse: {status: 204}
`);
  try {
    for (let i = 0; i < 2; i++) {
      // Twice: the compiled body must be reusable across requests.
      const response = await fetch(`${gw.url()}/direct`);
      assert.equal(response.status, 201);
      assert.equal(await response.text(), "hello!");
    }
    const empty = await fetch(`${gw.url()}/empty`);
    assert.equal(empty.status, 204);
    assert.equal(await empty.text(), "");
  } finally {
    await gw.close();
  }
});
