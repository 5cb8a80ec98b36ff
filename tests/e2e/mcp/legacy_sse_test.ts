/**
 * The legacy HTTP+SSE transport on both sides: an SDK SSE client through agw (`GET /sse`,
 * `POST /sse?sessionId=…`), and `sse:` targets built with the SDK's SSEServerTransport; any
 * downstream transport in front of any upstream one.
 */
import assert from "node:assert/strict";
import { connectLegacy, connectStreamable, namesOf } from "../../support/mcp_client.ts";
import { startGateway } from "../../support/gateway_harness.ts";
import { startLegacySseFixture, startMcpFixture } from "../../support/mcp_server.ts";

function config(targets: string): string {
  return `binds:
- port: 0
  listeners:
  - routes:
    - backends:
      - mcp:
          targets:
${targets}`;
}

const target = (name: string, kind: "mcp" | "sse", url: string) =>
  `          - name: ${name}\n            ${kind}:\n              host: ${url}\n`;

Deno.test("legacy SSE: GET /sse sends the endpoint event and POSTs are answered on the stream", async () => {
  const upstream = await startMcpFixture("one");
  const agw = await startGateway(config(target("one", "mcp", upstream.url)));
  try {
    const opened = await fetch(`${agw.url()}/sse`, { headers: { accept: "text/event-stream" } });
    assert.equal(opened.headers.get("content-type"), "text/event-stream");
    const reader = opened.body!.pipeThrough(new TextDecoderStream()).getReader();
    const first = (await reader.read()).value ?? "";
    assert.match(first, /^event: endpoint\ndata: \/sse\?sessionId=[0-9a-f-]+\n\n/);
    await reader.cancel();

    const client = await connectLegacy(`${agw.url()}/sse`);
    assert.ok(namesOf((await client.listTools()).tools).includes("echo"));
    const result = await client.callTool({ name: "echo", arguments: { text: "old" } });
    assert.deepEqual(result.content, [{ type: "text", text: "one: old" }]);
    await client.close();

    const unknown = await fetch(`${agw.url()}/sse?sessionId=nope`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: '{"jsonrpc":"2.0","id":1,"method":"ping"}',
    });
    await unknown.body?.cancel();
    assert.equal(unknown.status, 404);
  } finally {
    await agw.close();
    await upstream.close();
  }
});

Deno.test("sse targets: a Streamable HTTP client reaches a legacy SSE server through agw", async () => {
  const legacy = await startLegacySseFixture("old");
  const modern = await startMcpFixture("new");
  const agw = await startGateway(
    config(target("old", "sse", legacy.url) + target("new", "mcp", modern.url)),
  );
  try {
    const { client } = await connectStreamable(`${agw.url()}/mcp`);
    const names = namesOf((await client.listTools()).tools);
    assert.ok(names.includes("old_echo") && names.includes("new_echo"), names.join());
    const fromOld = await client.callTool({ name: "old_echo", arguments: { text: "x" } });
    assert.deepEqual(fromOld.content, [{ type: "text", text: "old: x" }]);
    const seen: number[] = [];
    await client.callTool({ name: "old_progress", arguments: {} }, undefined, {
      onprogress: (p: { progress: number }) => seen.push(p.progress),
    });
    assert.deepEqual(seen, [1, 2]);
    await client.close();
  } finally {
    await agw.close();
    await legacy.close();
    await modern.close();
  }
});

Deno.test("legacy SSE client in front of a legacy SSE server: the whole path is the old transport", async () => {
  const legacy = await startLegacySseFixture("old");
  const agw = await startGateway(config(target("old", "sse", legacy.url)));
  try {
    const client = await connectLegacy(`${agw.url()}/sse`);
    const result = await client.callTool({ name: "echo", arguments: { text: "y" } });
    assert.deepEqual(result.content, [{ type: "text", text: "old: y" }]);
    await client.close();
  } finally {
    await agw.close();
    await legacy.close();
  }
});
