import assert from "node:assert/strict";
import { BACKEND_POLICIES, ROUTE_POLICIES } from "../../../src/policies/mod.ts";

// DESIGN.md §4, the route phase request side, restricted to the policies agw implements.
const DESIGN_ORDER = [
  "cors",
  "jwtAuth",
  "basicAuth",
  "apiKey",
  "extAuthz",
  "authorization",
  "localRateLimit",
  "remoteRateLimit",
  "transformations",
  "csrf",
  "requestHeaderModifier",
  "urlRewrite",
  "requestRedirect",
  "directResponse",
];

Deno.test("the route chain order follows DESIGN.md §4", () => {
  const requestSide = ROUTE_POLICIES.map((m) => m.name).filter((name) =>
    DESIGN_ORDER.includes(name)
  );
  const expected = DESIGN_ORDER.filter((name) => requestSide.includes(name));
  assert.deepEqual(requestSide, expected);
});

Deno.test("every policy module's file is named after its YAML key", async () => {
  for (const module of [...ROUTE_POLICIES, ...BACKEND_POLICIES]) {
    const file = module.name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`).replace(
      /^backend_t_l_s$/,
      "backend_tls",
    );
    const url = new URL(`../../../src/policies/${file}.ts`, import.meta.url);
    const exported = (await import(url.href))[module.name];
    assert.equal(exported, module, `${file}.ts exports ${module.name}`);
  }
});

Deno.test("backend policies are a subset of what a route backend may carry", () => {
  for (const module of BACKEND_POLICIES) assert.ok(module.phases.includes("backend"), module.name);
});
