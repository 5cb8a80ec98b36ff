import assert from "node:assert/strict";
import {
  compileBindTable,
  type CompiledRoute,
  compileListener,
  hostWithoutPort,
  matchRoute,
} from "../../../src/gateway/route_table.ts";
import { EMPTY_CHAIN } from "../../../src/policies/mod.ts";
import { NO_UPSTREAM_SETTINGS } from "../../../src/upstream/mod.ts";

function route(name: string): CompiledRoute {
  return {
    name,
    chain: EMPTY_CHAIN,
    backends: [],
    settings: NO_UPSTREAM_SETTINGS,
    mirror: undefined,
    needsRequestBody: false,
    needsResponseBody: false,
    readsRequestHeaders: false,
  };
}

function match(table: ReturnType<typeof compileBindTable>, url: string, init?: RequestInit) {
  const request = new Request(url, init);
  const parsed = new URL(url);
  return matchRoute(table, hostWithoutPort(parsed.host), parsed, request)?.route.name;
}

Deno.test("matchRoute prefers an exact path over a longer prefix", () => {
  const listener = compileListener("l", undefined, [
    { route: route("prefix"), hostnames: [], matches: [{ path: { pathPrefix: "/a/b/c/d" } }] },
    { route: route("exact"), hostnames: [], matches: [{ path: { exact: "/a" } }] },
  ], () => assert.fail("no regex errors expected"));
  const table = compileBindTable([listener]);
  assert.equal(match(table, "http://h/a"), "exact");
  assert.equal(match(table, "http://h/a/b/c/d/e"), "prefix");
  assert.equal(match(table, "http://h/zzz"), undefined);
});

Deno.test("matchRoute keeps config order between equally specific routes", () => {
  const listener = compileListener("l", undefined, [
    { route: route("first"), hostnames: [], matches: [] },
    { route: route("second"), hostnames: [], matches: [] },
  ], () => {});
  assert.equal(match(compileBindTable([listener]), "http://h/x"), "first");
});

Deno.test("compileListener reports a bad regex with the field that holds it", () => {
  const errors: string[] = [];
  compileListener("l", undefined, [
    {
      route: route("r"),
      hostnames: [],
      matches: [{ headers: [{ name: "x", value: { regex: "(" } }] }],
    },
  ], (routeIndex, matchIndex, field) => errors.push(`${routeIndex}/${matchIndex}/${field}`));
  assert.deepEqual(errors, ["0/0/headers[0].value.regex"]);
});

Deno.test("hostWithoutPort lower-cases and drops the port, keeping IPv6 brackets", () => {
  assert.equal(hostWithoutPort("API.Example.com:8080"), "api.example.com");
  assert.equal(hostWithoutPort("[::1]:80"), "[::1]");
  assert.equal(hostWithoutPort("plain"), "plain");
});
