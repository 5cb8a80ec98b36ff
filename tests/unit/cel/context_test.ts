/** The per-request CEL activation (src/cel/context.ts) built from a RequestContext. */
import assert from "node:assert/strict";
import { buildActivation, compileExpression, isAbsentValueError } from "../../../src/cel/mod.ts";
import { RequestContext } from "../../../src/context/mod.ts";

function contextFor(url: string, init: RequestInit = {}): RequestContext {
  const request = new Request(url, init);
  const ctx = new RequestContext(request, new URL(request.url), "10.1.2.3", "bind/3000");
  ctx.clientPort = 54321;
  return ctx;
}

/** Evaluates `source` the way policies do: activation from the context, then evaluate. */
function evaluate(ctx: RequestContext, source: string): unknown {
  const expression = compileExpression(source);
  return expression.evaluate(buildActivation(ctx, expression));
}

Deno.test("request fields come from the incoming request", () => {
  const ctx = contextFor("https://example.com:8443/api/users?limit=10&x=a%20b", {
    method: "POST",
    headers: { "x-user": "alice", "content-type": "application/json" },
  });
  assert.equal(evaluate(ctx, "request.method"), "POST");
  assert.equal(evaluate(ctx, "request.path"), "/api/users");
  assert.equal(evaluate(ctx, "request.pathAndQuery"), "/api/users?limit=10&x=a%20b");
  assert.equal(evaluate(ctx, "request.uri"), "https://example.com:8443/api/users?limit=10&x=a%20b");
  assert.equal(evaluate(ctx, "request.host"), "example.com");
  assert.equal(evaluate(ctx, "request.scheme"), "https");
  assert.equal(evaluate(ctx, "request.version"), "HTTP/1.1");
  assert.equal(evaluate(ctx, 'request.headers["x-user"]'), "alice");
  assert.equal(evaluate(ctx, 'request.headers["content-type"]'), "application/json");
  assert.equal(evaluate(ctx, "has(request.headers.missing)"), false);
});

Deno.test("request.headers has lower-case names and joins repeated values with commas", () => {
  const headers = new Headers();
  headers.append("X-Forwarded-For", "1.1.1.1");
  headers.append("x-forwarded-for", "2.2.2.2");
  const ctx = contextFor("http://example.com/", { headers });
  assert.equal(evaluate(ctx, 'request.headers["x-forwarded-for"]'), "1.1.1.1, 2.2.2.2");
  assert.throws(() => evaluate(ctx, 'request.headers["X-Forwarded-For"]'), /No such key/);
});

Deno.test("request.body is there only once the flow has read it", () => {
  const ctx = contextFor("http://example.com/", { method: "POST", body: '{"user":"alice"}' });
  assert.throws(() => evaluate(ctx, "request.body"), /No such key: body/);
  const read = contextFor("http://example.com/", { method: "POST", body: '{"user":"alice"}' });
  read.requestBody = '{"user":"alice"}';
  assert.equal(evaluate(read, "request.body"), '{"user":"alice"}');
  assert.equal(evaluate(read, 'json(request.body).user == "alice"'), true);
});

Deno.test("response fields are absent until the response is known", () => {
  const ctx = contextFor("http://example.com/");
  const expression = compileExpression("response.code");
  assert.deepEqual(buildActivation(ctx, expression), {});
  assert.throws(() => expression.evaluate(buildActivation(ctx, expression)), /Unknown variable/);
});

Deno.test("response fields come from ctx.response and the read response body", () => {
  const ctx = contextFor("http://example.com/");
  ctx.response = {
    status: 503,
    headers: new Headers({ "Content-Type": "text/plain", "x-a": "1" }),
  };
  ctx.responseBody = "upstream down";
  assert.equal(evaluate(ctx, "response.code"), 503n);
  assert.equal(evaluate(ctx, "response.code >= 500"), true);
  assert.equal(evaluate(ctx, 'response.headers["content-type"]'), "text/plain");
  assert.equal(evaluate(ctx, "response.body"), "upstream down");

  const withBody = contextFor("http://example.com/");
  withBody.response = { status: 200, headers: [["x-b", "2"]], body: '{"ok":true}' };
  assert.equal(evaluate(withBody, 'response.headers["x-b"]'), "2");
  assert.equal(evaluate(withBody, "json(response.body).ok"), true);
});

Deno.test("source fields are the client's address and port", () => {
  const ctx = contextFor("http://example.com/");
  assert.equal(evaluate(ctx, "source.address"), "10.1.2.3");
  assert.equal(evaluate(ctx, "source.port"), 54321n);
  assert.equal(evaluate(ctx, 'cidr("10.0.0.0/8").containsIP(source.address)'), true);
});

Deno.test("backend fields are set once an endpoint is chosen", () => {
  const ctx = contextFor("http://example.com/");
  assert.throws(() => evaluate(ctx, "backend.name"), /Unknown variable: backend/);
  ctx.endpoint = "127.0.0.1:8080";
  assert.equal(evaluate(ctx, "backend.name"), "127.0.0.1:8080");
  assert.equal(evaluate(ctx, "backend.type"), "static");
  assert.equal(evaluate(ctx, "backend.protocol"), "http");
});

Deno.test("extension slots (jwt, apiKey, llm, llmRequest, mcp) come from ctx.extensions", () => {
  const ctx = contextFor("http://example.com/");
  ctx.extensions.jwt = { sub: "user-1", groups: ["admin"] };
  ctx.extensions.apiKey = { key: "<redacted>", team: "blue" };
  ctx.extensions.llm = { requestModel: "gpt-4o", inputTokens: 12n, streaming: false };
  ctx.extensions.llmRequest = { model: "gpt-4o", messages: [] };
  ctx.extensions.mcp = { tool: { name: "echo", target: "everything" } };
  assert.equal(evaluate(ctx, 'jwt.sub == "user-1" && "admin" in jwt.groups'), true);
  assert.equal(evaluate(ctx, "apiKey.team"), "blue");
  assert.equal(evaluate(ctx, "llm.inputTokens + 1"), 13n);
  assert.equal(evaluate(ctx, "llm.requestModel"), "gpt-4o");
  assert.equal(evaluate(ctx, "llmRequest.model"), "gpt-4o");
  assert.equal(evaluate(ctx, 'mcp.tool.name == "echo"'), true);
});

Deno.test("buildActivation builds only the roots an expression reads, each once per request", () => {
  const ctx = contextFor("http://example.com/a");
  const expression = compileExpression("request.path");
  const activation = buildActivation(ctx, expression);
  assert.deepEqual(Object.keys(activation), ["request"]);
  // The second expression on the same request reuses the value built for the first.
  assert.equal(
    buildActivation(ctx, compileExpression("request.method")).request,
    activation.request,
  );
});

Deno.test("isAbsentValueError is true for an llm.* expression on a plain request", () => {
  const ctx = contextFor("http://example.com/");
  const llm = compileExpression("llm.inputTokens");
  assert.throws(() => llm.evaluate(buildActivation(ctx, llm)), /Unknown variable: llm/);
  assert.equal(isAbsentValueError(ctx, llm), true);
  assert.equal(isAbsentValueError(ctx, compileExpression("default(jwt.sub, request.path)")), true);
  // A request field that is missing is a real error, not an absent slot.
  const missing = compileExpression('request.headers["missing"]');
  assert.throws(() => missing.evaluate(buildActivation(ctx, missing)), /No such key/);
  assert.equal(isAbsentValueError(ctx, missing), false);
  // Once the slot is filled, a failure is a real error too.
  ctx.extensions.llm = { inputTokens: 5n };
  assert.equal(isAbsentValueError(ctx, compileExpression("llm.outputTokens")), false);
});
