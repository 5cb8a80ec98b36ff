/**
 * stdio targets: `@modelcontextprotocol/server-everything` started by agw, one child per
 * session, stopped on DELETE, on idle expiry and at shutdown; a child that cannot start or dies
 * is a JSON-RPC error naming the target.
 */
import assert from "node:assert/strict";
import { connectStreamable } from "../../support/mcp_client.ts";
import { startGateway } from "../../support/gateway_harness.ts";
import { isRunning, pidOf, watchLogs } from "../../support/mcp_logs.ts";
import { startMcpFixture } from "../../support/mcp_server.ts";

const EVERYTHING = "npm:@modelcontextprotocol/server-everything@2026.8.31";

function stdioTarget(name: string, cmd: string, args: string[]): string {
  return `          - name: ${name}
            stdio:
              cmd: ${JSON.stringify(cmd)}
              args: ${JSON.stringify(args)}
`;
}

const everything = stdioTarget("everything", Deno.execPath(), ["run", "-A", EVERYTHING, "stdio"]);

function config(targets: string, head = ""): string {
  return `${head}binds:
- port: 0
  listeners:
  - routes:
    - backends:
      - mcp:
          targets:
${targets}`;
}

Deno.test("stdio: server-everything lists and calls through agw; DELETE stops its child", async () => {
  const agw = await startGateway(config(everything));
  const logs = watchLogs(agw);
  try {
    const { client, transport } = await connectStreamable(`${agw.url()}/mcp`);
    const pid = pidOf(await logs.waitFor(/stdio target started target=everything/));
    const tools = (await client.listTools()).tools.map((t: { name: string }) => t.name);
    assert.ok(tools.includes("echo"), tools.join());
    const result = await client.callTool({ name: "echo", arguments: { message: "hi" } });
    assert.deepEqual(result.content, [{ type: "text", text: "Echo: hi" }]);
    assert.ok(isRunning(pid));
    // The child's stderr is agw's log, line by line, with the target named.
    await logs.waitFor(/stdio target stderr target=everything .*line=/);
    await transport.terminateSession();
    assert.ok(!isRunning(pid), "the child is gone once DELETE is answered");
    await client.close();
  } finally {
    await agw.close();
  }
});

Deno.test("stdio: each session has its own child, and agw's shutdown stops them all", async () => {
  const agw = await startGateway(config(everything));
  const logs = watchLogs(agw);
  const one = await connectStreamable(`${agw.url()}/mcp`);
  const two = await connectStreamable(`${agw.url()}/mcp`);
  await one.client.listTools();
  await two.client.listTools();
  const pids = logs.matching(/stdio target started/).map(pidOf);
  assert.equal(new Set(pids).size, 2);
  const exits = Promise.all(pids.map((pid) => logs.waitFor(new RegExp(`exited .*pid=${pid}`))));
  await one.client.close();
  await two.client.close();
  await agw.close();
  await exits;
  for (const pid of pids) assert.ok(!isRunning(pid), `${pid} still running`);
});

Deno.test("stdio: an idle session expires after config.mcp.sessionTtl and its child stops", async () => {
  const agw = await startGateway(
    config(
      everything,
      `config:\n  adminAddr: "off"\n  statsAddr: "off"\n  readinessAddr: "off"\n  mcp:\n    sessionTtl: 300ms\n`,
    ),
  );
  const logs = watchLogs(agw);
  try {
    const { client, transport } = await connectStreamable(`${agw.url()}/mcp`);
    const pid = pidOf(await logs.waitFor(/stdio target started/));
    await logs.waitFor(new RegExp(`stdio target exited .*pid=${pid}`));
    assert.ok(!isRunning(pid));
    // The expired session is gone: a request with its id is 404, so the SDK client fails.
    await assert.rejects(client.listTools(), /404|Session not found/);
    assert.ok(transport.sessionId);
    await client.close();
  } finally {
    await agw.close();
  }
});

Deno.test("stdio: a child that cannot start or dies is an error naming its target, never a hang", async () => {
  const upstream = await startMcpFixture("http");
  const http = `          - name: http\n            mcp:\n              host: ${upstream.url}\n`;
  const missing = stdioTarget("missing", "/nonexistent/mcp-server", []);
  const dying = stdioTarget("dying", Deno.execPath(), ["eval", "Deno.exit(3)"]);
  const agw = await startGateway(config(http + missing + dying));
  try {
    await assert.rejects(
      connectStreamable(`${agw.url()}/mcp`),
      /target "(missing|dying)"/,
    );
    const open = await startGateway(
      config(http + missing + dying).replace(
        "      - mcp:\n",
        "      - mcp:\n          failureMode: failOpen\n",
      ),
    );
    try {
      const { client } = await connectStreamable(`${open.url()}/mcp`);
      const tools = (await client.listTools()).tools.map((t: { name: string }) => t.name);
      assert.ok(tools.includes("http_echo") && tools.every((t: string) => t.startsWith("http_")));
      await client.close();
    } finally {
      await open.close();
    }
  } finally {
    await agw.close();
    await upstream.close();
  }
});

Deno.test("stdio: a second instance resumes the session with a child of its own", async () => {
  const first = await startGateway(config(everything));
  const second = await startGateway(config(everything));
  const logs = watchLogs(second);
  try {
    const { client, transport } = await connectStreamable(`${first.url()}/mcp`);
    const headers = {
      accept: "application/json, text/event-stream",
      "content-type": "application/json",
      "mcp-session-id": transport.sessionId!,
      "mcp-protocol-version": "2025-11-25",
    };
    const response = await fetch(`${second.url()}/mcp`, {
      method: "POST",
      headers,
      body: JSON.stringify({
        jsonrpc: "2.0",
        id: 7,
        method: "tools/call",
        params: { name: "echo", arguments: { message: "elsewhere" } },
      }),
    });
    // JSON, or SSE when the child sends anything first (server-everything announces changes).
    const text = await response.text();
    const messages = text.startsWith("{")
      ? [JSON.parse(text)]
      : [...text.matchAll(/^data: (.*)$/gm)].map((m) => JSON.parse(m[1]!));
    const answer = messages.find((m) => m.id === 7) as { result: { content: unknown } };
    assert.deepEqual(answer.result.content, [{ type: "text", text: "Echo: elsewhere" }]);
    pidOf(await logs.waitFor(/stdio target started target=everything/));
    await client.close();
  } finally {
    await first.close();
    await second.close();
  }
});
