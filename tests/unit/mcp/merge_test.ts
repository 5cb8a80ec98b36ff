import assert from "node:assert/strict";
import { exposeItem, mergeInitialize } from "../../../src/mcp/merge.ts";
import { TargetNames } from "../../../src/mcp/tool_names.ts";

Deno.test("mergeInitialize passes one target's result through as it is", () => {
  const result = { protocolVersion: "2025-06-18", capabilities: { tasks: {} }, serverInfo: {} };
  assert.equal(mergeInitialize([{ target: "a", result }], "2025-11-25"), result);
});

Deno.test("mergeInitialize advertises the routable capabilities some target has", () => {
  const merged = mergeInitialize([
    {
      target: "a",
      result: {
        protocolVersion: "2025-11-25",
        capabilities: { tools: { listChanged: true }, experimental: { x: {} } },
        instructions: "use a",
      },
    },
    {
      target: "b",
      result: {
        protocolVersion: "2025-06-18",
        capabilities: { resources: { subscribe: true }, logging: {}, tasks: {} },
      },
    },
  ], "2025-11-25");
  assert.equal(merged.protocolVersion, "2025-06-18");
  assert.deepEqual(merged.capabilities, {
    tools: { listChanged: true },
    resources: { subscribe: true },
    logging: {},
  });
  assert.equal(merged.instructions, "a: use a");
  assert.equal((merged.serverInfo as { name: string }).name, "agw");
});

Deno.test("exposeItem renames tools by name and resources by URI", () => {
  const names = new TargetNames(["a", "b"], "conditional");
  assert.deepEqual(exposeItem("tools", "a", { name: "echo", x: 1 }, names), {
    name: "a_echo",
    x: 1,
  });
  assert.deepEqual(exposeItem("resources", "b", { uri: "mem://1", name: "one" }, names), {
    uri: "b+mem://1",
    name: "one",
  });
  assert.deepEqual(exposeItem("resourceTemplates", "b", { uriTemplate: "mem://{id}" }, names), {
    uriTemplate: "b+mem://{id}",
  });
});
