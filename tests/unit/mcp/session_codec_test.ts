import assert from "node:assert/strict";
import { SessionCodec, type SessionState } from "../../../src/mcp/session_codec.ts";

const STATE: SessionState = {
  v: 1,
  pv: "2025-06-18",
  c: { capabilities: { sampling: {} }, clientInfo: { name: "test", version: "1" } },
  t: [{ n: "a", s: "upstream-session", pv: "2025-06-18" }, { n: "b" }],
  r: "nonce",
};
const KEY = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef";

Deno.test("SessionCodec without a key round-trips the state as base64url JSON", async () => {
  const codec = new SessionCodec(undefined);
  const id = await codec.encode(STATE);
  assert.match(id, /^[A-Za-z0-9_-]+$/);
  assert.deepEqual(JSON.parse(atob(id.replace(/-/g, "+").replace(/_/g, "/"))), STATE);
  assert.deepEqual(await codec.decode(id), STATE);
});

Deno.test("SessionCodec with a key encrypts, and another instance with the key decodes", async () => {
  const id = await new SessionCodec(KEY).encode(STATE);
  assert.doesNotMatch(atob(id.replace(/-/g, "+").replace(/_/g, "/")), /upstream-session/);
  assert.deepEqual(await new SessionCodec(KEY).decode(id), STATE);
});

Deno.test("SessionCodec with a key calls a tampered id unauthentic, never throws", async () => {
  const codec = new SessionCodec(KEY);
  const id = await codec.encode(STATE);
  const flipped = id.slice(0, 20) + (id[20] === "A" ? "B" : "A") + id.slice(21);
  assert.equal(await codec.decode(flipped), "unauthentic");
  const otherKey = new SessionCodec(KEY.replace(/0/g, "1"));
  assert.equal(await otherKey.decode(id), "unauthentic");
});

Deno.test("SessionCodec calls garbage undecodable", async () => {
  for (const codec of [new SessionCodec(undefined), new SessionCodec(KEY)]) {
    assert.equal(await codec.decode("not base64!"), "undecodable");
    assert.equal(await codec.decode("abc"), "undecodable");
  }
  const plain = new SessionCodec(undefined);
  assert.equal(await plain.decode(btoa(JSON.stringify({ v: 2 }))), "undecodable");
  assert.equal(await plain.decode(btoa("[1,2]")), "undecodable");
});
