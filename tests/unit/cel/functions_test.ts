/** agentgateway's CEL functions as agw registers them (src/cel/functions.ts), through compileExpression. */
import assert from "node:assert/strict";
import { CelCompileError, compileExpression, FlattenedMap, toPlain } from "../../../src/cel/mod.ts";

/** Compiles and evaluates `source` against `activation`. */
function evaluate(source: string, activation: Record<string, unknown> = {}): unknown {
  return compileExpression(source).evaluate(activation);
}

/** Asserts that `source` compiles but fails when evaluated, with a message matching `message`. */
function assertEvalError(
  source: string,
  message: RegExp,
  activation: Record<string, unknown> = {},
): void {
  const expression = compileExpression(source);
  assert.throws(() => expression.evaluate(activation), message);
}

/** Asserts that `source` is rejected at compile time. */
function assertCompileError(source: string, message: RegExp): void {
  assert.throws(
    () => compileExpression(source),
    (error: unknown) => error instanceof CelCompileError && message.test(error.message),
  );
}

const BODY = '{"user": "alice", "n": 3, "nested": {"list": [1, 2]}, "ratio": 0.5}';

Deno.test("json parses a string or bytes into CEL values with integers as int", () => {
  assert.equal(evaluate("json(body).user", { body: BODY }), "alice");
  assert.equal(evaluate("json(body).n + 1", { body: BODY }), 4n);
  assert.equal(evaluate("json(body).ratio", { body: BODY }), 0.5);
  assert.deepEqual(evaluate("json(body).nested.list", { body: BODY }), [1n, 2n]);
  assert.equal(evaluate('json(b"{\\"a\\": true}").a'), true);
});

Deno.test("json fails on text that is not JSON, and rejects a non-string argument at compile time", () => {
  assertEvalError('json("not json")', /json\(\): .*not valid JSON/);
  assertEvalError('json("{\\"a\\": 1}").b', /No such key: b/);
  assertCompileError("json(1)", /no matching overload/);
});

Deno.test("json rejects documents nested deeper than 128 levels, as agentgateway's serde_json does", () => {
  const nested = (depth: number) => "[".repeat(depth) + "]".repeat(depth);
  assert.equal(evaluate("size(json(body))", { body: nested(128) }), 1n);
  assertEvalError("json(body)", /json\(\): nested deeper than 128 levels/, { body: nested(129) });
  assertEvalError("toJson(json(body))", /nested deeper/, { body: nested(5000) });
  // Brackets inside strings are text, not nesting.
  const text = JSON.stringify({ s: "[{".repeat(500) + '\\"]' });
  assert.equal(evaluate("size(json(body).s)", { body: text }), 1003n);
});

Deno.test("toJson writes CEL values as JSON text", () => {
  assert.equal(
    evaluate('toJson({"a": 1, "b": [true, null], "c": 1.5, "d": "x"})'),
    '{"a":1,"b":[true,null],"c":1.5,"d":"x"}',
  );
  assert.equal(evaluate("toJson(json(body))", { body: BODY }), JSON.stringify(JSON.parse(BODY)));
  // bytes as base64, as agentgateway displays them
  assert.equal(evaluate('toJson(b"hi")'), '"aGk="');
  assert.equal(evaluate('toJson(timestamp("2024-01-02T03:04:05Z"))'), '"2024-01-02T03:04:05.000Z"');
  assert.equal(evaluate('toJson(duration("90s"))'), '"90s"');
  assertCompileError("toJson()", /no matching overload/);
});

Deno.test("toPlain turns CEL values into JSON-able data", () => {
  assert.deepEqual(toPlain(new Map<string, unknown>([["a", 1n], ["b", [2n]]])), { a: 1, b: [2] });
  assert.equal(toPlain(new Uint8Array([104, 105])), "aGk=");
});

Deno.test("with binds a value to a name inside an expression", () => {
  assert.equal(evaluate("json(body).with(b, b.n * 2 + size(b.user))", { body: BODY }), 11n);
  assert.equal(evaluate('"/a".with(p, p + p)'), "/a/a");
  // agentgateway's documented example
  assert.equal(
    evaluate('json(body).with(b, b.type == "sum" ? b.val1 + b.val2 : b.val3)', {
      body: '{"type": "sum", "val1": 2, "val2": 3}',
    }),
    5n,
  );
});

Deno.test("with rejects a first argument that is not a name", () => {
  assertCompileError("1.with(1, 2)", /first argument must be a name/);
  assertCompileError('"a".with(x)', /no matching overload/);
});

Deno.test("default falls back when the expression fails or is null", () => {
  const activation = { request: { headers: { "x-user": "admin" } } };
  assert.equal(evaluate('default(request.headers["x-user"], "anon")', activation), "admin");
  assert.equal(evaluate('default(request.headers["missing"], "anon")', activation), "anon");
  assert.equal(evaluate('default(jwt.role, "user")', activation), "user");
  assert.equal(evaluate("default(null, 2)"), 2n);
  assert.equal(evaluate('default(json("oops").a, "fallback")'), "fallback");
});

Deno.test("default fails when its fallback fails too, and needs two arguments", () => {
  assertEvalError('default(fail("first"), fail("second"))', /second/);
  assertCompileError("default(1)", /no matching overload/);
});

Deno.test("flatten expands one level of a map or list into a FlattenedMap", () => {
  const headers = evaluate("flatten(request.headers)", {
    request: { headers: { "user-agent": "curl", accept: "*/*" } },
  });
  assert.ok(headers instanceof FlattenedMap);
  assert.deepEqual([...headers], [["user-agent", "curl"], ["accept", "*/*"]]);
  const list = evaluate('flatten(["a", "b"])');
  assert.deepEqual([...(list as Map<string, unknown>)], [["0", "a"], ["1", "b"]]);
  const nested = evaluate("flatten(json(body))", { body: BODY }) as Map<string, unknown>;
  // Only one level: the inner object stays whole.
  assert.deepEqual(nested.get("nested"), { list: [1n, 2n] });
  // A scalar has nothing to expand.
  assert.equal((evaluate("flatten(1)") as Map<string, unknown>).size, 0);
  assertCompileError("flatten()", /no matching overload/);
});

Deno.test("flattenRecursive expands every level with dotted keys", () => {
  const value = evaluate("flattenRecursive(json(body))", { body: BODY });
  assert.ok(value instanceof FlattenedMap);
  assert.deepEqual(Object.fromEntries(value), {
    user: "alice",
    n: 3n,
    "nested.list.0": 1n,
    "nested.list.1": 2n,
    ratio: 0.5,
  });
  assert.deepEqual(
    Object.fromEntries(
      evaluate('flattenRecursive({"a": {"b": [1, {"c": 2}]}})') as Map<string, unknown>,
    ),
    { "a.b.0": 1n, "a.b.1.c": 2n },
  );
  assertCompileError("flattenRecursive(1, 2)", /no matching overload/);
});

Deno.test("random returns a double in [0, 1) and takes no argument", () => {
  for (let i = 0; i < 20; i++) {
    const value = evaluate("random()");
    assert.equal(typeof value, "number");
    assert.ok((value as number) >= 0 && (value as number) < 1);
  }
  assert.equal(evaluate("random() >= 0.0 && random() < 1.0"), true);
  assertCompileError("random(1)", /no matching overload/);
});

Deno.test("cidr().containsIP() tests IPv4 addresses", () => {
  const source = { source: { address: "127.0.0.1" } };
  assert.equal(evaluate('cidr("127.0.0.1/8").containsIP(source.address)', source), true);
  assert.equal(evaluate('cidr("10.0.0.0/8").containsIP("10.255.0.1")'), true);
  assert.equal(evaluate('cidr("10.0.0.0/8").containsIP("11.0.0.1")'), false);
  assert.equal(evaluate('cidr("192.168.1.7/32").containsIP("192.168.1.7")'), true);
  assert.equal(evaluate('cidr("192.168.1.7/32").containsIP("192.168.1.8")'), false);
  assert.equal(evaluate('cidr("0.0.0.0/0").containsIP("8.8.8.8")'), true);
});

Deno.test("cidr().containsIP() tests IPv6 addresses, and never mixes families", () => {
  assert.equal(evaluate('cidr("2001:db8::/32").containsIP("2001:db8::1")'), true);
  assert.equal(evaluate('cidr("2001:db8::/32").containsIP("2001:db8:ffff:1::5")'), true);
  assert.equal(evaluate('cidr("2001:db8::/32").containsIP("2001:db9::1")'), false);
  assert.equal(evaluate('cidr("::1/128").containsIP("::1")'), true);
  assert.equal(evaluate('cidr("::1/128").containsIP("[::1]")'), true);
  assert.equal(evaluate('cidr("fe80::/10").containsIP("FE80::abcd")'), true);
  assert.equal(evaluate('cidr("::/0").containsIP("127.0.0.1")'), false);
  assert.equal(evaluate('cidr("0.0.0.0/0").containsIP("::1")'), false);
});

Deno.test("cidr() fails on a malformed network or address", () => {
  assertEvalError('cidr("bad")', /invalid cidr: "bad"/);
  assertEvalError('cidr("10.0.0.0")', /invalid cidr/);
  assertEvalError('cidr("10.0.0.0/33")', /invalid cidr/);
  assertEvalError('cidr("256.0.0.0/8")', /invalid cidr/);
  assertEvalError('cidr("2001:db8::/129")', /invalid cidr/);
  assertEvalError('cidr("1:2:3:4:5:6:7:8:9/64")', /invalid cidr/);
  assertEvalError('cidr("10.0.0.0/8").containsIP("10.0.0")', /invalid ip: "10.0.0"/);
  assertEvalError('cidr("::/0").containsIP("::g")', /invalid ip/);
  assertCompileError('cidr("10.0.0.0/8").containsIP(1)', /no matching overload/);
});

Deno.test("base64.encode and base64.decode round-trip strings and bytes", () => {
  assert.equal(evaluate('base64.encode("hello")'), "aGVsbG8=");
  assert.equal(evaluate('base64.encode(b"hello")'), "aGVsbG8=");
  assert.equal(evaluate('base64.encode("ü")'), "w7w=");
  assert.deepEqual(evaluate('base64.decode("aGVsbG8=")'), new TextEncoder().encode("hello"));
  assert.equal(evaluate('string(base64.decode("aGVsbG8="))'), "hello");
  // Missing padding and the URL-safe alphabet are accepted.
  assert.equal(evaluate('string(base64.decode("aGVsbG8"))'), "hello");
  assert.deepEqual(evaluate('base64.decode("aGk_")'), new Uint8Array([104, 105, 63]));
  assert.equal(evaluate('string(base64.decode(base64.encode("round trip")))'), "round trip");
});

Deno.test("base64.decode fails on text that is not base64", () => {
  assertEvalError('base64.decode("!!!")', /not valid base64/);
  assertCompileError("base64.encode(1)", /no matching overload/);
});

Deno.test("url.encode and url.decode percent-encode a URL component", () => {
  assert.equal(evaluate('url.encode("hello world/?x=1")'), "hello%20world%2F%3Fx%3D1");
  assert.equal(evaluate('url.encode("ü")'), "%C3%BC");
  assert.equal(evaluate('url.decode("hello%20world")'), "hello world");
  // `+` stays a plus (form.decode is agentgateway's for form data).
  assert.equal(evaluate('url.decode("a+b")'), "a+b");
});

Deno.test("url.decode fails on malformed percent-encoding", () => {
  assertEvalError('url.decode("%E0%A4%A")', /malformed percent-encoding/);
  assertEvalError('url.decode("%zz")', /malformed percent-encoding/);
});

Deno.test("sha256.encode hashes a string or bytes to lowercase hex", () => {
  const hello = "2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824";
  assert.equal(evaluate('sha256.encode("hello")'), hello);
  assert.equal(evaluate('sha256.encode(b"hello")'), hello);
  assert.equal(
    evaluate('sha256.encode("")'),
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
  );
  assertCompileError("sha256.encode(1)", /no matching overload/);
});

Deno.test("regexReplace replaces every match, with capture groups", () => {
  assert.equal(
    evaluate('"/id/1234/data".regexReplace("/id/[0-9]*/", "/id/{id}/")'),
    "/id/{id}/data",
  );
  assert.equal(evaluate('"aaa".regexReplace("a", "b")'), "bbb");
  assert.equal(evaluate('"abc".regexReplace("(b)", "[$1]")'), "a[b]c");
  assert.equal(evaluate('"abc".regexReplace("x", "y")'), "abc");
});

Deno.test("regexReplace fails on an invalid regex", () => {
  assertEvalError('"abc".regexReplace("(", "x")', /invalid regex "\("/);
  assertCompileError('regexReplace("a", "b")', /no matching overload/);
});

Deno.test("stripPrefix removes a leading prefix and leaves other strings alone", () => {
  assert.equal(evaluate('"/api/users".stripPrefix("/api")'), "/users");
  assert.equal(evaluate('"/users".stripPrefix("/api")'), "/users");
  assert.equal(evaluate('"/api".stripPrefix("/api")'), "");
  assertCompileError('"a".stripPrefix(1)', /no matching overload/);
});

Deno.test("uuid returns a new random UUIDv4 on each call", () => {
  const v4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
  const first = evaluate("uuid()") as string;
  assert.match(first, v4);
  assert.notEqual(evaluate("uuid()"), first);
  assert.equal(evaluate("uuid() != uuid()"), true);
  assertCompileError("uuid(1)", /no matching overload/);
});

Deno.test("fail fails the expression with its message", () => {
  assertEvalError('fail("no access")', /no access/);
  assertEvalError('request.path == "/x" ? fail("blocked") : true', /blocked/, {
    request: { path: "/x" },
  });
  assert.equal(
    evaluate('request.path == "/x" ? fail("blocked") : true', { request: { path: "/y" } }),
    true,
  );
  assertCompileError("fail()", /no matching overload/);
  assertCompileError("fail(1)", /no matching overload/);
});

Deno.test("standard CEL macros and string functions work on request values", () => {
  const activation = { request: { headers: { a: "1", b: "2" }, path: "/api/v1" } };
  assert.equal(evaluate('request.headers.exists(k, k == "a")', activation), true);
  assert.equal(
    evaluate('request.path.startsWith("/api") && request.path.matches("v[0-9]$")', activation),
    true,
  );
  assert.equal(evaluate("has(request.headers.a) && !has(request.headers.c)", activation), true);
  assert.equal(evaluate("cel.bind(p, request.path, p + p)", activation), "/api/v1/api/v1");
  assert.deepEqual(evaluate('"a,b".split(",")'), ["a", "b"]);
});
