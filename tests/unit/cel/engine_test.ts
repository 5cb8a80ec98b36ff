/** compileExpression (src/cel/engine.ts): load-time errors, limits, and which variables an expression reads. */
import assert from "node:assert/strict";
import { CelCompileError, compileExpression } from "../../../src/cel/mod.ts";

function compileError(source: string): string {
  try {
    compileExpression(source);
  } catch (error) {
    assert.ok(error instanceof CelCompileError, `not a CelCompileError: ${error}`);
    return error.message;
  }
  assert.fail(`expected ${JSON.stringify(source)} not to compile`);
}

function rootsOf(source: string): string[] {
  return [...compileExpression(source).roots].sort();
}

function pathsOf(source: string): string[] {
  return [...compileExpression(source).paths].sort();
}

Deno.test("compileExpression reports a syntax error on one line with its column", () => {
  const message = compileError("request.path ==");
  assert.match(message, /^invalid CEL expression at column 16: /);
  assert.ok(!message.includes("\n"), message);
  assert.match(
    compileError('request.headers["x" == "y"'),
    /^invalid CEL expression at column \d+: /,
  );
  assert.match(compileError("1 +"), /at column 4: Unexpected token: EOF/);
});

Deno.test("compileExpression reports a type error found at load", () => {
  assert.equal(
    compileError('"a" + 1'),
    "invalid CEL expression at column 1: no such overload: string + int",
  );
  assert.match(compileError("unknownFunction(1)"), /^invalid CEL expression.*unknownFunction/);
  assert.match(compileError("has(request)"), /has\(\) invalid argument/);
});

Deno.test("compileExpression allows comprehensions nested two deep and rejects three", () => {
  compileExpression("[1, 2].map(a, [3, 4].map(b, a * b))");
  compileExpression("[1].all(a, [1].all(b, true)) && [1].all(c, [1].exists(d, true))");
  compileExpression("[1].map(a, a).map(b, [b].filter(c, c > 0))");
  assert.equal(
    compileError("[1].map(a, [1].map(b, [1].map(c, c)))"),
    "comprehensions nest 3 deep; at most 2 are allowed so evaluation stays bounded",
  );
  assert.match(
    compileError("request.headers.exists(k, [1].all(a, [2].exists_one(b, a == b)))"),
    /nest 3 deep/,
  );
  // The nesting counts inside a predicate, not along a chain of calls.
  assert.match(compileError("[1].filter(a, [2].exists(b, [3].all(c, c == b)))"), /nest 3 deep/);
});

Deno.test("compileExpression rejects an expression over the length limit", () => {
  assert.equal(
    compileError(`"${"a".repeat(16 * 1024)}"`),
    "expression is longer than 16384 characters",
  );
  compileExpression(`"${"a".repeat(16 * 1024 - 2)}"`);
});

Deno.test("compileExpression keeps the source and evaluates against an activation", () => {
  const expression = compileExpression('request.method == "GET"');
  assert.equal(expression.source, 'request.method == "GET"');
  assert.equal(expression.evaluate({ request: { method: "GET" } }), true);
  assert.equal(expression.evaluate({ request: { method: "POST" } }), false);
  assert.throws(() => expression.evaluate({}), /Unknown variable: request/);
});

Deno.test("compileExpression finds the root variables an expression reads", () => {
  assert.deepEqual(rootsOf('request.headers["x-user"] == "admin"'), ["request"]);
  assert.deepEqual(rootsOf("response.code >= 400 && source.port > 0"), ["response", "source"]);
  assert.deepEqual(rootsOf("llm.inputTokens + default(jwt.sub, 0)"), ["jwt", "llm"]);
  assert.deepEqual(rootsOf('a ? b.c : d["e"]'), ["a", "b", "d"]);
  assert.deepEqual(rootsOf('"constant"'), []);
  // Namespaces the environment provides are not request variables.
  assert.deepEqual(rootsOf("base64.encode(request.path)"), ["request"]);
  assert.deepEqual(rootsOf('url.decode(sha256.encode("x"))'), []);
});

Deno.test("compileExpression does not count comprehension-bound names as roots", () => {
  assert.deepEqual(rootsOf('request.headers.exists(k, k == "x-user")'), ["request"]);
  assert.deepEqual(rootsOf("request.headers.all(k, k == limit)"), ["limit", "request"]);
  assert.deepEqual(rootsOf("[1, 2].map(x, [3].map(y, x * y))"), []);
  assert.deepEqual(rootsOf("[1].filter(x, x > 0).map(y, y + offset)"), ["offset"]);
  assert.deepEqual(rootsOf("json(request.body).with(b, b.a + other)"), ["other", "request"]);
  assert.deepEqual(rootsOf("cel.bind(p, request.path, p + suffix)"), ["request", "suffix"]);
  // A bound name only covers its own body.
  assert.deepEqual(rootsOf("[1].map(x, x) == [x]"), ["x"]);
});

Deno.test("compileExpression finds the member paths an expression reads", () => {
  assert.deepEqual(pathsOf('json(request.body).user == "alice"'), ["request.body"]);
  assert.deepEqual(pathsOf("size(response.body) > 0"), ["response.body"]);
  assert.deepEqual(pathsOf('request.headers["x"]'), ["request.headers", "request.headers.x"]);
  assert.deepEqual(pathsOf('request["headers"]'), ["request.headers"]);
  assert.deepEqual(pathsOf("has(jwt.claims.sub)"), ["jwt.claims", "jwt.claims.sub"]);
  assert.deepEqual(pathsOf("x[0].y"), []);
  // A path through a bound name is not a request path.
  assert.deepEqual(pathsOf("json(request.body).with(b, b.user)"), ["request.body"]);
  assert.deepEqual(pathsOf("[request].map(r, r.body)"), []);
});

Deno.test("compileExpression with onlyKnownRoots rejects a misspelt variable or a missing namespace", () => {
  assert.throws(
    () => compileExpression('reqest.path == "/"', { onlyKnownRoots: true }),
    /unknown variable or function namespace "reqest"/,
  );
  assert.throws(
    () => compileExpression('sha1.encode("x")', { onlyKnownRoots: true }),
    /unknown variable or function namespace "sha1"/,
  );
  assert.equal(
    compileExpression('default(jwt.sub, "x") != ""', { onlyKnownRoots: true }).roots.has("jwt"),
    true,
  );
  assert.equal(compileExpression("[1].map(c, c)", { onlyKnownRoots: true }).roots.size, 0);
});
