/**
 * mcpAuthorization: the same allow/deny/require rules as `authorization`, judged per tool,
 * prompt and resource with the CEL `mcp` variable; denied items vanish from lists and calling
 * them answers as if they did not exist. Plus the metric and access-log fields.
 */
import assert from "node:assert/strict";
import { connectStreamable, namesOf } from "../../support/mcp_client.ts";
import { startGateway } from "../../support/gateway_harness.ts";
import { startMcpFixture } from "../../support/mcp_server.ts";

function config(a: string, b: string, rules: string): string {
  return `config:
  adminAddr: "off"
  statsAddr: "off"
  readinessAddr: "off"
  logging:
    format: json
binds:
- port: 0
  listeners:
  - routes:
    - policies:
        mcpAuthorization:
          rules:
${rules}
      backends:
      - mcp:
          targets:
          - name: a
            mcp:
              host: ${a}
          - name: b
            mcp:
              host: ${b}
`;
}

Deno.test("mcpAuthorization hides denied tools, prompts and resources and refuses calls to them", async () => {
  const a = await startMcpFixture("a");
  const b = await startMcpFixture("b");
  const rules = [
    `          - 'mcp.tool.name == "echo" && mcp.tool.target == "a"'`,
    `          - 'mcp.tool.name == "wait"'`,
    `          - 'has(mcp.prompt) && mcp.prompt.target == "b"'`,
    `          - 'has(mcp.resource) && mcp.resource.uri.startsWith("mem://a/")'`,
    `          - deny: 'has(mcp.tool) && mcp.tool.target == "b" && mcp.tool.name == "wait"'`,
  ].join("\n");
  const agw = await startGateway(config(a.url, b.url, rules));
  try {
    const { client } = await connectStreamable(`${agw.url()}/mcp`);
    assert.deepEqual(namesOf((await client.listTools()).tools), ["a_echo", "a_wait"]);
    assert.deepEqual(namesOf((await client.listPrompts()).prompts), ["b_greet"]);
    const uris = (await client.listResources()).resources.map((r: { uri: string }) => r.uri);
    assert.deepEqual(uris, ["a+mem://a/note"]);
    const echoed = await client.callTool({ name: "a_echo", arguments: { text: "ok" } });
    assert.deepEqual(echoed.content, [{ type: "text", text: "a: ok" }]);
    // Denied exactly as a tool that does not exist is: the same JSON-RPC error.
    await assert.rejects(
      client.callTool({ name: "b_echo", arguments: { text: "no" } }),
      /Tool b_echo not found/,
    );
    await assert.rejects(
      client.callTool({ name: "b_wait", arguments: {} }),
      /Tool b_wait not found/,
    );
    await assert.rejects(
      client.getPrompt({ name: "a_greet", arguments: { name: "x" } }),
      /Prompt a_greet not found/,
    );
    await assert.rejects(
      client.readResource({ uri: "b+mem://b/note" }),
      /Resource b\+mem:\/\/b\/note not found/,
    );
    await client.close();
    assert.ok(!b.messages.some((m) => m.method === "tools/call"), "denied calls never reach b");
  } finally {
    await agw.close();
    await a.close();
    await b.close();
  }
});

Deno.test("mcpAuthorization rules read the tool's arguments; the access log carries mcp.* fields", async () => {
  const a = await startMcpFixture("a");
  const b = await startMcpFixture("b");
  const rules =
    `          - 'has(mcp.tool) && (mcp.tool.name != "echo" || mcp.tool.arguments.text == "please")'`;
  const agw = await startGateway(config(a.url, b.url, rules));
  try {
    const { client } = await connectStreamable(`${agw.url()}/mcp`);
    const allowed = await client.callTool({ name: "b_echo", arguments: { text: "please" } });
    assert.deepEqual(allowed.content, [{ type: "text", text: "b: please" }]);
    await assert.rejects(
      client.callTool({ name: "b_echo", arguments: { text: "now" } }),
      /not found/,
    );
    await client.close();
    const calls = agw.logs.map((line) => {
      try {
        return JSON.parse(line) as Record<string, unknown>;
      } catch {
        return {};
      }
    }).filter((entry) => entry["mcp.method"] === "tools/call");
    assert.equal(calls.length, 2);
    assert.equal(calls[0]!["mcp.target"], "b");
    assert.equal(calls[0]!["mcp.resource"], "tool");
    assert.equal(calls[0]!["mcp.resource.name"], "echo");
  } finally {
    await agw.close();
    await a.close();
    await b.close();
  }
});
