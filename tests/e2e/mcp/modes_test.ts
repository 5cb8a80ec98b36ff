/** statefulMode: stateless, and failOpen / failClosed with one target unreachable. */
import assert from "node:assert/strict";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { startGateway } from "../../support/gateway_harness.ts";
import { startMcpFixture } from "../../support/mcp_server.ts";

function config(extra: string, targets: [string, string][]): string {
  return `binds:
- port: 0
  listeners:
  - routes:
    - backends:
      - mcp:
${extra}          targets:
${
    targets.map(([n, u]) => `          - name: ${n}\n            mcp:\n              host: ${u}\n`)
      .join("")
  }`;
}

/** A port nothing listens on: bound, then released. */
function closedPortUrl(): string {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const port = (listener.addr as Deno.NetAddr).port;
  listener.close();
  return `http://127.0.0.1:${port}/mcp`;
}

Deno.test("stateless: no session id, each request wrapped in its own upstream session; GET and DELETE 405", async () => {
  const upstream = await startMcpFixture("one");
  const agw = await startGateway(
    config("          statefulMode: stateless\n", [["a", upstream.url]]),
  );
  try {
    const client = new Client({ name: "t", version: "1" });
    const transport = new StreamableHTTPClientTransport(new URL(`${agw.url()}/mcp`));
    await client.connect(transport);
    assert.equal(transport.sessionId, undefined);
    const result = await client.callTool({ name: "echo", arguments: { text: "s" } });
    assert.deepEqual(result.content, [{ type: "text", text: "one: s" }]);
    await client.close();
    const deletes = upstream.requests.filter((r) => r.method === "DELETE").length;
    assert.ok(deletes >= 2, `${deletes} upstream DELETEs`);
    for (const method of ["GET", "DELETE"]) {
      const response = await fetch(`${agw.url()}/mcp`, { method });
      await response.body?.cancel();
      assert.equal(response.status, 405, method);
    }
  } finally {
    await agw.close();
    await upstream.close();
  }
});

Deno.test("failOpen serves from the healthy target; failClosed names the failing one", async () => {
  const upstream = await startMcpFixture("one");
  const down = closedPortUrl();
  const open = await startGateway(
    config("          failureMode: failOpen\n", [["a", upstream.url], ["b", down]]),
  );
  const closed = await startGateway(config("", [["a", upstream.url], ["b", down]]));
  try {
    const client = new Client({ name: "t", version: "1" });
    await client.connect(new StreamableHTTPClientTransport(new URL(`${open.url()}/mcp`)));
    const names = (await client.listTools()).tools.map((t: { name: string }) => t.name).sort();
    assert.ok(names.includes("a_echo") && names.includes("a_one_only"));
    assert.ok(names.every((name: string) => name.startsWith("a_")), names.join());
    await client.close();
    const failing = new Client({ name: "t", version: "1" });
    await assert.rejects(
      failing.connect(new StreamableHTTPClientTransport(new URL(`${closed.url()}/mcp`))),
      /target "b"/,
    );
  } finally {
    await open.close();
    await closed.close();
    await upstream.close();
  }
});
