import assert from "node:assert/strict";
import { loadConfig } from "../../../src/config/mod.ts";
import { normalizeMcp } from "../../../src/config/normalize_mcp.ts";

Deno.test("normalizeMcp turns the top-level mcp form into a bind on port 3000", () => {
  const { data, issues } = normalizeMcp({
    mcp: { targets: [{ name: "x", stdio: { cmd: "x" } }], policies: { cors: {} } },
  });
  assert.deepEqual(issues, []);
  assert.deepEqual(data, {
    binds: [{
      port: 3000,
      listeners: [{
        routes: [{
          name: "mcp",
          matches: [
            { path: { pathPrefix: "/mcp" } },
            { path: { pathPrefix: "/sse" } },
            { path: { pathPrefix: "/.well-known/" } },
          ],
          policies: { cors: {} },
          backends: [{ mcp: { targets: [{ name: "x", stdio: { cmd: "x" } }] } }],
        }],
      }],
    }],
  });
});

Deno.test("loadConfig validates the top-level mcp form at its own paths", () => {
  const problems = (text: string) => {
    try {
      loadConfig(text, { source: "t.yaml" });
      return "";
    } catch (error) {
      return (error as Error).message;
    }
  };
  assert.match(
    problems("mcp:\n  targets: [{name: x}]\n"),
    /^t\.yaml:2:\d+: mcp\.targets\[0\]: expected one of: mcp, sse, stdio, openapi$/,
  );
  assert.match(
    problems("mcp:\n  targets: []\nbinds:\n- port: 3000\n  listeners: []\n"),
    /mcp\.port: port 3000 is already used by binds\[0\]/,
  );
  const { config } = loadConfig(
    "mcp:\n  port: 3100\n  targets: [{name: x, mcp: {host: 'http://h:1/mcp'}}]\n",
    {
      source: "t.yaml",
    },
  );
  assert.equal(config.binds[0]?.port, 3100);
});
