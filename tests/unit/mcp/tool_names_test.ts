import assert from "node:assert/strict";
import { TargetNames } from "../../../src/mcp/tool_names.ts";

Deno.test("TargetNames in conditional mode prefixes only with several targets", () => {
  const one = new TargetNames(["only"], "conditional");
  assert.equal(one.prefixes, false);
  assert.equal(one.exposeName("only", "echo"), "echo");
  assert.deepEqual(one.resolveName("echo"), { target: "only", name: "echo" });
  const two = new TargetNames(["a", "b"], "conditional");
  assert.equal(two.exposeName("a", "echo"), "a_echo");
  assert.equal(two.exposeUri("b", "file:///x"), "b+file:///x");
  assert.deepEqual(two.resolveName("b_echo"), { target: "b", name: "echo" });
  assert.deepEqual(two.resolveUri("a+file:///x"), { target: "a", name: "file:///x" });
  assert.equal(two.resolveName("c_echo"), undefined);
  assert.equal(two.resolveName("echo"), undefined);
});

Deno.test("TargetNames in always mode prefixes even one target", () => {
  const names = new TargetNames(["only"], "always");
  assert.equal(names.exposeName("only", "echo"), "only_echo");
  assert.deepEqual(names.resolveName("only_echo"), { target: "only", name: "echo" });
  assert.equal(names.resolveName("echo"), undefined);
});

Deno.test("TargetNames resolves by the longest target name, so names may hold underscores", () => {
  const names = new TargetNames(["a", "a_b"], "always");
  assert.deepEqual(names.resolveName("a_b_tool"), { target: "a_b", name: "tool" });
  assert.deepEqual(names.resolveName("a_tool"), { target: "a", name: "tool" });
});

Deno.test("TargetNames in never mode looks names up among several targets", () => {
  const names = new TargetNames(["a", "b"], "never");
  assert.equal(names.exposeName("a", "echo"), "echo");
  assert.equal(names.resolveName("echo"), undefined);
  assert.deepEqual(names.resolveName("echo", new Map([["echo", "b"]])), {
    target: "b",
    name: "echo",
  });
});
