/**
 * The user's config from issue #8 end to end: the official SDK client through agw to an
 * SDK-built upstream, a browser-style CORS preflight, and `Authorization: Bearer abc` on every
 * request the upstream gets; then two targets (prefixing, routing) and bad input.
 */
import assert from "node:assert/strict";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { startGateway } from "../../support/gateway_harness.ts";
import { startMcpFixture } from "../../support/mcp_server.ts";
import { connectFromBrowser } from "../../support/mcp_client.ts";

function userConfig(targets: string): string {
  return `binds:
- port: 0
  listeners:
  - routes:
    - policies:
        cors:
          allowOrigins:
            - "*"
          allowHeaders:
            - mcp-protocol-version
            - content-type
            - cache-control
        requestHeaderModifier:
          add:
            Authorization: "Bearer abc"
      backends:
      - mcp:
          targets:
${targets}`;
}

function target(name: string, url: string): string {
  return `          - name: ${name}\n            mcp:\n              host: ${url}\n`;
}

async function connect(url: string): Promise<Client> {
  const client = new Client({ name: "test", version: "1.0.0" });
  await client.connect(new StreamableHTTPClientTransport(new URL(`${url}/mcp`)));
  return client;
}

Deno.test("the user's config: SDK client initializes, lists and calls; upstream always sees the bearer", async () => {
  const upstream = await startMcpFixture("ha");
  const agw = await startGateway(userConfig(target("home-assistant", upstream.url)));
  try {
    const preflight = await fetch(`${agw.url()}/mcp`, {
      method: "OPTIONS",
      headers: {
        origin: "http://localhost:6274",
        "access-control-request-method": "POST",
        "access-control-request-headers": "content-type,mcp-protocol-version",
      },
    });
    await preflight.body?.cancel();
    assert.equal(preflight.status, 200);
    assert.equal(preflight.headers.get("access-control-allow-origin"), "*");

    const client = await connect(agw.url());
    const tools = await client.listTools();
    const listed = tools.tools.map((t: { name: string }) => t.name);
    assert.ok(listed.includes("echo") && listed.includes("ha_only"), listed.join());
    const result = await client.callTool({ name: "echo", arguments: { text: "hi" } });
    assert.deepEqual(result.content, [{ type: "text", text: "ha: hi" }]);
    await client.close();

    assert.ok(upstream.requests.length >= 4, `${upstream.requests.length} requests`);
    for (const request of upstream.requests) {
      assert.equal(request.headers.authorization, "Bearer abc", request.method);
    }
  } finally {
    await agw.close();
    await upstream.close();
  }
});

Deno.test("the user's config: a browser-based client (CORS rules enforced) initializes, lists and calls", async () => {
  const upstream = await startMcpFixture("ha");
  const agw = await startGateway(userConfig(target("home-assistant", upstream.url)));
  try {
    // The config's CORS does not expose Mcp-Session-Id, so the page never sees it: agw serves
    // each of its requests in a session of their own.
    const client = await connectFromBrowser(`${agw.url()}/mcp`, "http://localhost:6274");
    const tools = (await client.listTools()).tools.map((t: { name: string }) => t.name);
    assert.ok(tools.includes("echo"), tools.join());
    const result = await client.callTool({ name: "echo", arguments: { text: "from a page" } });
    assert.deepEqual(result.content, [{ type: "text", text: "ha: from a page" }]);
    await client.close();
    for (const request of upstream.requests) {
      assert.equal(request.headers.authorization, "Bearer abc", request.method);
    }
  } finally {
    await agw.close();
    await upstream.close();
  }
});

Deno.test("two targets: names are prefixed and calls reach their owner", async () => {
  const one = await startMcpFixture("one");
  const two = await startMcpFixture("two");
  const agw = await startGateway(userConfig(target("a", one.url) + target("b", two.url)));
  try {
    const client = await connect(agw.url());
    const names = (await client.listTools()).tools.map((t: { name: string }) => t.name).sort();
    for (const name of ["a_echo", "a_one_only", "b_echo", "b_two_only"]) {
      assert.ok(names.includes(name), name);
    }
    assert.ok(!names.includes("a_two_only") && !names.includes("echo"));
    const fromB = await client.callTool({ name: "b_echo", arguments: { text: "x" } });
    assert.deepEqual(fromB.content, [{ type: "text", text: "two: x" }]);
    const fromA = await client.callTool({ name: "a_one_only", arguments: {} });
    assert.deepEqual(fromA.content, [{ type: "text", text: "one" }]);
    await assert.rejects(
      client.callTool({ name: "c_echo", arguments: {} }),
      /Tool c_echo not found/,
    );
    await client.close();
  } finally {
    await agw.close();
    await one.close();
    await two.close();
  }
});

Deno.test("bad input: Accept 406, Content-Type 415, parse error 400, undecodable session 400, GET without a session 405", async () => {
  const upstream = await startMcpFixture("ha");
  const agw = await startGateway(userConfig(target("ha", upstream.url)));
  const post = (headers: Record<string, string>, body: string) =>
    fetch(`${agw.url()}/mcp`, { method: "POST", headers, body });
  const both = "application/json, text/event-stream";
  try {
    const cases: [Response, number][] = [
      [await post({ accept: "application/json", "content-type": "application/json" }, "{}"), 406],
      [await post({ accept: both, "content-type": "text/plain" }, "{}"), 415],
      [await post({ accept: both, "content-type": "application/json" }, "{nope"), 400],
      [
        await post(
          { accept: both, "content-type": "application/json", "mcp-session-id": "!!" },
          '{"jsonrpc":"2.0","id":1,"method":"tools/list"}',
        ),
        400,
      ],
      [await fetch(`${agw.url()}/mcp`, { headers: { accept: "text/event-stream" } }), 405],
    ];
    for (const [response, status] of cases) {
      await response.body?.cancel();
      assert.equal(response.status, status, response.url);
    }
  } finally {
    await agw.close();
    await upstream.close();
  }
});

Deno.test("a second agw instance resumes a session it never saw; DELETE ends it with 202", async () => {
  const upstream = await startMcpFixture("ha");
  const first = await startGateway(userConfig(target("ha", upstream.url)));
  const second = await startGateway(userConfig(target("ha", upstream.url)));
  const headers = {
    accept: "application/json, text/event-stream",
    "content-type": "application/json",
  };
  try {
    const init = await fetch(`${first.url()}/mcp`, {
      method: "POST",
      headers,
      body: JSON.stringify({
        jsonrpc: "2.0",
        id: 1,
        method: "initialize",
        params: {
          protocolVersion: "2025-06-18",
          capabilities: {},
          clientInfo: { name: "t", version: "1" },
        },
      }),
    });
    const session = init.headers.get("mcp-session-id");
    await init.body?.cancel();
    assert.ok(session);
    const withSession = {
      ...headers,
      "mcp-session-id": session,
      "mcp-protocol-version": "2025-06-18",
    };
    const listed = await fetch(`${second.url()}/mcp`, {
      method: "POST",
      headers: withSession,
      body: '{"jsonrpc":"2.0","id":2,"method":"tools/list"}',
    });
    const body = await listed.json() as { result: { tools: { name: string }[] } };
    assert.ok(body.result.tools.some((t) => t.name === "ha_only"));
    const ended = await fetch(`${second.url()}/mcp`, { method: "DELETE", headers: withSession });
    await ended.body?.cancel();
    assert.equal(ended.status, 202);
    assert.ok(upstream.requests.some((r) => r.method === "DELETE"));
  } finally {
    await first.close();
    await second.close();
    await upstream.close();
  }
});
