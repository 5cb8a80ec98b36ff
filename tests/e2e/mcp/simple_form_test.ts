/** The simplified top-level `mcp:` form: one MCP route on its own port, at /mcp and /sse only. */
import assert from "node:assert/strict";
import { connectLegacy, connectStreamable, namesOf } from "../../support/mcp_client.ts";
import { startGateway } from "../../support/gateway_harness.ts";
import { startMcpFixture } from "../../support/mcp_server.ts";

Deno.test("the top-level mcp form serves /mcp and /sse, and nothing else", async () => {
  const upstream = await startMcpFixture("ha");
  const agw = await startGateway(`mcp:
  port: 0
  prefixMode: always
  policies:
    cors:
      allowOrigins: ["*"]
      allowHeaders: [mcp-protocol-version, content-type, mcp-session-id]
      exposeHeaders: [Mcp-Session-Id]
  targets:
  - name: ha
    mcp:
      host: ${upstream.url}
`);
  try {
    const { client } = await connectStreamable(`${agw.url()}/mcp`);
    assert.ok(namesOf((await client.listTools()).tools).includes("ha_echo"), "always prefixes");
    await client.close();
    const legacy = await connectLegacy(`${agw.url()}/sse`);
    const result = await legacy.callTool({ name: "ha_echo", arguments: { text: "s" } });
    assert.deepEqual(result.content, [{ type: "text", text: "ha: s" }]);
    await legacy.close();
    const elsewhere = await fetch(`${agw.url()}/other`);
    assert.equal(elsewhere.status, 404);
    assert.equal(await elsewhere.text(), "route not found");
  } finally {
    await agw.close();
    await upstream.close();
  }
});
