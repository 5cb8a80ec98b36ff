import assert from "node:assert/strict";
import { HeaderMap, hopByHopNames } from "../../../src/http/mod.ts";

Deno.test("HeaderMap.from copies headers without the skipped names", () => {
  const map = HeaderMap.from(
    new Headers({ "X-A": "1", connection: "x-b", "x-b": "2", host: "h" }),
    hopByHopNames("x-b"),
  );
  assert.equal(map.get("x-a"), "1");
  assert.equal(map.get("x-b"), null);
  assert.equal(map.get("connection"), null);
  assert.equal(map.get("host"), "h");
});

Deno.test("HeaderMap append joins values and keeps cookies apart", () => {
  const map = new HeaderMap();
  map.append("X-Multi", "a");
  map.append("x-multi", "b");
  map.append("set-cookie", "c=1");
  map.append("set-cookie", "d=2");
  assert.equal(map.get("x-multi"), "a, b");
  assert.deepEqual(map.record["set-cookie"], ["c=1", "d=2"]);
});

Deno.test("HeaderMap clone is independent", () => {
  const map = new HeaderMap();
  map.set("a", "1");
  const copy = map.clone();
  copy.set("a", "2");
  copy.delete("a");
  assert.equal(map.get("a"), "1");
  assert.equal(copy.has("a"), false);
});

Deno.test("hopByHopNames shares the constant set when Connection names nothing new", () => {
  assert.equal(hopByHopNames("keep-alive"), hopByHopNames(null));
  assert.ok(hopByHopNames("close, X-Custom").has("x-custom"));
});
