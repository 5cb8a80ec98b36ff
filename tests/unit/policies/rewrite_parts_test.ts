import assert from "node:assert/strict";
import {
  rewriteAuthority,
  rewritePath,
  splitAuthority,
} from "../../../src/policies/rewrite_parts.ts";

Deno.test("splitAuthority keeps IPv6 brackets and an optional port", () => {
  assert.deepEqual(splitAuthority("example.com:8080"), { host: "example.com", port: "8080" });
  assert.deepEqual(splitAuthority("example.com"), { host: "example.com", port: undefined });
  assert.deepEqual(splitAuthority("[::1]:443"), { host: "[::1]", port: "443" });
});

Deno.test("rewriteAuthority replaces all, the host, or the port", () => {
  assert.equal(rewriteAuthority("a:1", { full: "b:2" }), "b:2");
  assert.equal(rewriteAuthority("a:1", { host: "b" }), "b:1");
  assert.equal(rewriteAuthority("a", { host: "b" }), "b");
  assert.equal(rewriteAuthority("a:1", { port: 9 }), "a:9");
  assert.equal(rewriteAuthority("a:1", "none"), "a:1");
});

Deno.test("rewritePath replaces the whole path or only the matched prefix", () => {
  assert.equal(rewritePath("/x/y", { full: "/z" }, "/x"), "/z");
  assert.equal(rewritePath("/api/v1/users", { prefix: "/v2" }, "/api/v1"), "/v2/users");
  assert.equal(rewritePath("/api/v1", { prefix: "/v2" }, "/api/v1"), "/v2");
  assert.equal(rewritePath("/api/users", { prefix: "/" }, "/api"), "/users");
  assert.equal(rewritePath("/api", { prefix: "/" }, "/api"), "/");
  assert.equal(rewritePath("/anything", { prefix: "/base" }, "/"), "/base/anything");
  assert.equal(rewritePath("/exact", { prefix: "/p" }, undefined), "/p");
});
