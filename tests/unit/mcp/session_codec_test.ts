import assert from "node:assert/strict";
import { SessionCodec, type SessionState } from "../../../src/mcp/session_codec.ts";
import { TargetNames } from "../../../src/mcp/tool_names.ts";

const STATE: SessionState = {
  v: 1,
  pv: "2025-06-18",
  c: { capabilities: {} },
  t: [{ n: "a", s: "upstream-1", pv: "2025-06-18" }],
  r: "nonce",
};
const KEY = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";

Deno.test("session ids round-trip, plain and encrypted", async () => {
  for (const codec of [new SessionCodec(undefined), new SessionCodec(KEY)]) {
    assert.deepEqual(await codec.decode(await codec.encode(STATE)), STATE);
  }
});

Deno.test("a tampered encrypted id is unauthentic; garbage is undecodable", async () => {
  const codec = new SessionCodec(KEY);
  const id = await codec.encode(STATE);
  const flipped = id.slice(0, -2) + (id.at(-2) === "A" ? "B" : "A") + id.at(-1);
  assert.equal(await codec.decode(flipped), "unauthentic");
  assert.equal(await new SessionCodec(undefined).decode("!!"), "undecodable");
  // A plain id is not accepted where a key is set.
  assert.notDeepEqual(await codec.decode(await new SessionCodec(undefined).encode(STATE)), STATE);
});

Deno.test("prefix modes: conditional prefixes only with several targets; longest target wins", () => {
  assert.equal(new TargetNames(["a"], "conditional").exposeName("a", "t"), "t");
  assert.equal(new TargetNames(["a"], "always").exposeName("a", "t"), "a_t");
  const names = new TargetNames(["a", "a_b"], "conditional");
  assert.deepEqual(names.resolveName("a_b_tool"), { target: "a_b", name: "tool" });
  assert.deepEqual(names.resolveUri("a+file:///x"), { target: "a", name: "file:///x" });
  assert.equal(names.resolveName("c_tool"), undefined);
  const never = new TargetNames(["a", "b"], "never");
  assert.deepEqual(never.resolveName("t", new Map([["t", "b"]])), { target: "b", name: "t" });
});
