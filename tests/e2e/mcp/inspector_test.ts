/** The MCP Inspector CLI (@modelcontextprotocol/inspector-cli) lists and calls tools through agw. */
import assert from "node:assert/strict";
import { startGateway } from "../../support/gateway_harness.ts";
import { startMcpFixture } from "../../support/mcp_server.ts";

const INSPECTOR = "npm:@modelcontextprotocol/inspector-cli@1.0.3/build/index.js";
/**
 * The CLI looks for its package.json as `../package.json` from the working directory, so it runs
 * from its own build folder (deno.json's nodeModulesDir puts it there).
 */
const INSPECTOR_DIR = new URL(
  "../../../node_modules/.deno/@modelcontextprotocol+inspector-cli@1.0.3/node_modules/@modelcontextprotocol/inspector-cli/build",
  import.meta.url,
);

async function inspect(args: string[]): Promise<Record<string, unknown>> {
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", INSPECTOR, ...args],
    cwd: INSPECTOR_DIR,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const out = new TextDecoder().decode(stdout);
  assert.equal(code, 0, `${out}\n${new TextDecoder().decode(stderr)}`);
  return JSON.parse(out);
}

Deno.test("the MCP Inspector CLI lists and calls tools through agw over Streamable HTTP and SSE", async () => {
  const a = await startMcpFixture("a");
  const b = await startMcpFixture("b");
  const agw = await startGateway(`binds:
- port: 0
  listeners:
  - routes:
    - backends:
      - mcp:
          targets:
          - name: a
            mcp:
              host: ${a.url}
          - name: b
            mcp:
              host: ${b.url}
`);
  try {
    const listed = await inspect([
      `${agw.url()}/mcp`,
      "--transport",
      "http",
      "--method",
      "tools/list",
    ]);
    const names = (listed.tools as { name: string }[]).map((t) => t.name);
    assert.ok(names.includes("a_echo") && names.includes("b_echo"), names.join());
    const called = await inspect([
      `${agw.url()}/mcp`,
      "--transport",
      "http",
      "--method",
      "tools/call",
      "--tool-name",
      "b_echo",
      "--tool-arg",
      "text=inspected",
    ]);
    assert.deepEqual(called.content, [{ type: "text", text: "b: inspected" }]);
    const overSse = await inspect([
      `${agw.url()}/sse`,
      "--transport",
      "sse",
      "--method",
      "tools/call",
      "--tool-name",
      "a_echo",
      "--tool-arg",
      "text=old",
    ]);
    assert.deepEqual(overSse.content, [{ type: "text", text: "a: old" }]);
  } finally {
    await agw.close();
    await a.close();
    await b.close();
  }
});
