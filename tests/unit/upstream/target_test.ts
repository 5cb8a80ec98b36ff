import assert from "node:assert/strict";
import { parseHostTarget } from "../../../src/upstream/mod.ts";

Deno.test("parseHostTarget reads host:port, and TLS from a backendTLS policy", () => {
  assert.deepEqual(parseHostTarget("10.0.0.1:8080", false), {
    scheme: "http",
    hostname: "10.0.0.1",
    port: 8080,
    authority: "10.0.0.1:8080",
  });
  assert.equal(
    (parseHostTarget("api.example.com:443", true) as { scheme: string }).scheme,
    "https",
  );
});

Deno.test("parseHostTarget reads URLs, where https implies TLS and default ports", () => {
  assert.deepEqual(parseHostTarget("https://api.example.com", false), {
    scheme: "https",
    hostname: "api.example.com",
    port: 443,
    authority: "api.example.com",
  });
  assert.deepEqual(parseHostTarget("http://[::1]:81", false), {
    scheme: "http",
    hostname: "::1",
    port: 81,
    authority: "[::1]:81",
  });
});

Deno.test("parseHostTarget explains what is wrong with a bad host", () => {
  assert.match(parseHostTarget("no-port", false) as string, /expected "host:port"/);
  assert.match(parseHostTarget("ftp://x:21", false) as string, /unsupported scheme "ftp"/);
  assert.match(parseHostTarget("http://x/path", false) as string, /path in a backend host/);
  assert.match(parseHostTarget("x:99999", false) as string, /expected "host:port"/);
});

Deno.test("parseHostTarget refuses credentials in a backend URL", () => {
  assert.match(
    parseHostTarget("http://user:pw@api.example.com", false) as string,
    /use backendAuth/,
  );
});
