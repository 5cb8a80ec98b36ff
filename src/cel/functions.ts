/**
 * agentgateway's CEL functions beyond standard CEL, registered on the engine. docs/cel.md lists
 * each with an example. Handlers are synchronous: an async one would make every evaluation async.
 * @module
 */
import { createHash } from "node:crypto";
import { type Environment, EvaluationError } from "@marcbachmann/cel-js";
import { Cidr } from "./ip.ts";

// The engine's macro hooks receive its internal checker, evaluator and scope objects, which its
// type declarations leave untyped; these are the members `default` and `with` use (the same
// ones the engine's own `cel.bind` and `has` use). The engine version is pinned and
// tests/unit/cel guards them.
interface AstNode {
  readonly op: string;
  readonly args: unknown;
}
interface MacroScope {
  forkWithVariable(name: string, type: unknown): MacroScope;
  reuse(parent: MacroScope): MacroScope;
  setIterValue(value: unknown, evaluator: MacroEvaluator): MacroScope;
}
interface MacroChecker {
  check(node: AstNode, scope: MacroScope): unknown;
  getType(name: string): unknown;
}
interface MacroEvaluator {
  run(node: AstNode, scope: MacroScope): unknown;
  /** Like run(), but returns a thrown error instead of throwing it. */
  tryEval(node: AstNode, scope: MacroScope): unknown;
}
interface MacroInput {
  args: AstNode[];
  receiver: AstNode | null;
}

/** Namespace values, so `base64.encode(x)` resolves as a method call on a constant. */
class Base64Namespace {}
class UrlNamespace {}
class Sha256Namespace {}

/** JSON integers become CEL ints (bigint), so `json(body).n + 1` type-checks as int + int. */
function jsonReviver(_key: string, value: unknown): unknown {
  return typeof value === "number" && Number.isSafeInteger(value) ? BigInt(value) : value;
}

/** A CEL value back to plain JSON-able data: bigints to numbers, Maps to objects, bytes to base64. */
export function toPlain(value: unknown): unknown {
  if (typeof value === "bigint") return Number(value);
  if (value instanceof Uint8Array) return encodeBase64(value);
  // Timestamps as RFC 3339 text and durations as "1.5s", as agentgateway's JSON has them.
  if (value instanceof Date) return value.toISOString();
  if (Object.prototype.toString.call(value) === "[object google.protobuf.Duration]") {
    return String(value);
  }
  if (value instanceof Map) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of value) out[String(k)] = toPlain(v);
    return out;
  }
  if (Array.isArray(value)) return value.map(toPlain);
  if (value && typeof value === "object") {
    if (typeof (value as { valueOf(): unknown }).valueOf() !== "object") {
      return toPlain((value as { valueOf(): unknown }).valueOf());
    }
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = toPlain(v);
    return out;
  }
  return value;
}

function entriesOf(value: unknown): [string, unknown][] | undefined {
  if (value instanceof Map) return [...value].map(([k, v]) => [String(k), v]);
  if (Array.isArray(value)) return value.map((v, i) => [String(i), v]);
  if (value && typeof value === "object" && !(value instanceof Uint8Array)) {
    return Object.entries(value as Record<string, unknown>);
  }
  return undefined;
}

/**
 * The result of flatten()/flattenRecursive(): a map that log and trace fields expand into one
 * field per key (`headers.user-agent=…`), as agentgateway does.
 */
export class FlattenedMap extends Map<string, unknown> {}

/** One level: `{a: {b: 1}}` → `{"a": {b: 1}}`; a list → `{"0": …, "1": …}`. */
function flattenOnce(value: unknown): Map<string, unknown> {
  return new FlattenedMap(entriesOf(value) ?? []);
}

/** Every level: `{a: {b: 1}, c: [2]}` → `{"a.b": 1, "c.0": 2}`. */
function flattenRecursive(
  value: unknown,
  prefix = "",
  out: Map<string, unknown> = new FlattenedMap(),
): Map<string, unknown> {
  const entries = entriesOf(value);
  if (!entries) {
    out.set(prefix, value);
    return out;
  }
  for (const [key, inner] of entries) {
    flattenRecursive(inner, prefix ? `${prefix}.${key}` : key, out);
  }
  return out;
}

function encodeBase64(bytes: Uint8Array): string {
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
}

function decodeBase64(text: string): Uint8Array {
  try {
    return Uint8Array.from(
      atob(text.replace(/-/g, "+").replace(/_/g, "/")),
      (c) => c.charCodeAt(0),
    );
  } catch {
    throw new EvaluationError("base64.decode: input is not valid base64");
  }
}

function regexOf(source: string): RegExp {
  try {
    return new RegExp(source, "g");
  } catch (error) {
    throw new EvaluationError(
      `invalid regex ${JSON.stringify(source)}: ${(error as Error).message}`,
    );
  }
}

/** Registers every agw function on `env`. */
export function registerFunctions(env: Environment): Environment {
  const bytesOrString = (value: string | Uint8Array) =>
    typeof value === "string" ? new TextEncoder().encode(value) : value;
  return env
    .registerFunction("json(string): dyn", (text: string) => parseJson(text))
    .registerFunction(
      "json(bytes): dyn",
      (bytes: Uint8Array) => parseJson(new TextDecoder().decode(bytes)),
    )
    .registerFunction("toJson(dyn): string", (value: unknown) => JSON.stringify(toPlain(value)))
    .registerFunction("uuid(): string", () => crypto.randomUUID())
    .registerFunction("random(): double", () => Math.random())
    .registerFunction("flatten(dyn): dyn", (value: unknown) => flattenOnce(value))
    .registerFunction("flattenRecursive(dyn): dyn", (value: unknown) => flattenRecursive(value))
    .registerFunction(
      "string.regexReplace(string, string): string",
      (text: string, pattern: string, replacement: string) =>
        text.replace(regexOf(pattern), replacement),
    )
    .registerFunction(
      "string.stripPrefix(string): string",
      (text: string, prefix: string) => text.startsWith(prefix) ? text.slice(prefix.length) : text,
    )
    .registerType("Base64Namespace", Base64Namespace)
    .registerConstant("base64", "Base64Namespace", new Base64Namespace())
    .registerFunction(
      "Base64Namespace.encode(string): string",
      (_ns: unknown, s: string) => encodeBase64(bytesOrString(s)),
    )
    .registerFunction(
      "Base64Namespace.encode(bytes): string",
      (_ns: unknown, b: Uint8Array) => encodeBase64(b),
    )
    .registerFunction(
      "Base64Namespace.decode(string): bytes",
      (_ns: unknown, s: string) => decodeBase64(s),
    )
    .registerType("UrlNamespace", UrlNamespace)
    .registerConstant("url", "UrlNamespace", new UrlNamespace())
    .registerFunction(
      "UrlNamespace.encode(string): string",
      (_ns: unknown, s: string) => encodeURIComponent(s),
    )
    .registerFunction("UrlNamespace.decode(string): string", (_ns: unknown, s: string) => {
      try {
        return decodeURIComponent(s);
      } catch {
        throw new EvaluationError("url.decode: malformed percent-encoding");
      }
    })
    .registerType("Sha256Namespace", Sha256Namespace)
    .registerConstant("sha256", "Sha256Namespace", new Sha256Namespace())
    .registerFunction(
      "Sha256Namespace.encode(string): string",
      (_ns: unknown, s: string) => createHash("sha256").update(s).digest("hex"),
    )
    .registerFunction(
      "Sha256Namespace.encode(bytes): string",
      (_ns: unknown, b: Uint8Array) => createHash("sha256").update(b).digest("hex"),
    )
    .registerType("net.CIDR", Cidr)
    .registerFunction("cidr(string): net.CIDR", (text: string) => cidrOf(text))
    .registerFunction(
      "net.CIDR.containsIP(string): bool",
      (cidr: Cidr, ip: string) => cidr.containsIP(ip),
    )
    .registerFunction("fail(string): dyn", (message: string) => {
      throw new EvaluationError(message);
    })
    // default(expr, fallback): the fallback when `expr` fails (missing key or variable, bad type).
    .registerFunction("default(ast, ast): dyn", ({ args }: MacroInput) => ({
      expr: args[0]!,
      fallback: args[1]!,
      typeCheck(
        checker: MacroChecker,
        macro: { expr: AstNode; fallback: AstNode },
        scope: MacroScope,
      ) {
        checker.check(macro.expr, scope);
        checker.check(macro.fallback, scope);
        return checker.getType("dyn");
      },
      evaluate(
        evaluator: MacroEvaluator,
        macro: { expr: AstNode; fallback: AstNode },
        scope: MacroScope,
      ) {
        // The common case, `default(map["key"], x)` with the key absent, is answered without
        // raising and catching an engine error (which costs more than the whole evaluation).
        if (isMissingKey(evaluator, macro.expr, scope)) return evaluator.run(macro.fallback, scope);
        const value = evaluator.tryEval(macro.expr, scope);
        return value instanceof Error || value === null || value === undefined
          ? evaluator.run(macro.fallback, scope)
          : value;
      },
    }))
    // x.with(name, body): binds x to `name` inside `body`, like cel.bind.
    .registerFunction("dyn.with(ast, ast): dyn", ({ receiver, args }: MacroInput) => {
      const name = args[0]!;
      if (name.op !== "id") throw new EvaluationError("with(): the first argument must be a name");
      return {
        receiver: receiver!,
        name: name.args as string,
        body: args[1]!,
        bindScope: undefined as MacroScope | undefined,
        typeCheck(
          checker: MacroChecker,
          macro: { receiver: AstNode; name: string; body: AstNode; bindScope?: MacroScope },
          scope: MacroScope,
        ) {
          macro.bindScope = scope.forkWithVariable(
            macro.name,
            checker.check(macro.receiver, scope),
          );
          return checker.check(macro.body, macro.bindScope);
        },
        evaluate(
          evaluator: MacroEvaluator,
          macro: { receiver: AstNode; body: AstNode; bindScope?: MacroScope },
          scope: MacroScope,
        ) {
          const bound = macro.bindScope!.reuse(scope).setIterValue(
            evaluator.run(macro.receiver, scope),
            evaluator,
          );
          return evaluator.run(macro.body, bound);
        },
      };
    });
}

/**
 * Whether `node` is `container[key]` (or `container.key`) on a plain map that lacks the key.
 * Only a literal key on a variable or field chain is checked (re-reading those when the key
 * exists is cheap, unlike a call such as `json(body)`); any doubt answers false.
 */
function isMissingKey(evaluator: MacroEvaluator, node: AstNode, scope: MacroScope): boolean {
  let key: unknown;
  let containerNode: AstNode;
  if (node.op === "[]") {
    const [container, index] = node.args as [AstNode, AstNode];
    if (index.op !== "value" || typeof index.args !== "string") return false;
    key = index.args;
    containerNode = container;
  } else if (node.op === ".") {
    const [container, field] = node.args as [AstNode, string];
    key = field;
    containerNode = container;
  } else {
    return false;
  }
  if (!isMemberChain(containerNode)) return false;
  const container = evaluator.tryEval(containerNode, scope);
  if (container instanceof Map) return !container.has(key);
  if (container === null || typeof container !== "object" || Array.isArray(container)) return false;
  if (container instanceof Error || container instanceof Uint8Array) return false;
  return Object.getPrototypeOf(container) === Object.prototype &&
    !Object.hasOwn(container, key as string);
}

function isMemberChain(node: AstNode): boolean {
  if (node.op === "id") return true;
  return node.op === "." && isMemberChain((node.args as [AstNode, string])[0]);
}

/** `cidr("10.0.0.0/8")` is nearly always a literal: parse each distinct network once. */
const cidrCache = new Map<string, Cidr>();
function cidrOf(text: string): Cidr {
  let cidr = cidrCache.get(text);
  if (!cidr) {
    cidr = new Cidr(text);
    if (cidrCache.size < 1024) cidrCache.set(text, cidr);
  }
  return cidr;
}

/**
 * serde_json's recursion limit, which agentgateway's json() has. Deeper documents would overflow
 * the stack later, in toJson(), a log field or a rewritten body, where a client could turn it
 * into a 500.
 */
const MAX_JSON_DEPTH = 128;

/** Whether arrays and objects in `text` nest deeper than MAX_JSON_DEPTH (brackets in strings skipped). */
function nestsTooDeep(text: string): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c) i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > MAX_JSON_DEPTH) return true;
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return false;
}

function parseJson(text: string): unknown {
  if (text.length > MAX_JSON_DEPTH && nestsTooDeep(text)) {
    throw new EvaluationError(`json(): nested deeper than ${MAX_JSON_DEPTH} levels`);
  }
  try {
    return JSON.parse(text, jsonReviver);
  } catch (error) {
    throw new EvaluationError(`json(): ${(error as Error).message}`);
  }
}
