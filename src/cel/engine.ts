/**
 * The CEL engine wrapper: one shared environment with agw's functions, compile at load (syntax
 * and type errors become config errors), evaluate per request. Engine choice: docs/architecture.md.
 * @module
 */
import {
  type ASTNode,
  Environment,
  ParseError,
  TypeError as CelTypeError,
} from "@marcbachmann/cel-js";
import { registerFunctions } from "./functions.ts";

/** CEL has no loops, but nested comprehensions over big lists multiply: bound the nesting at load. */
const MAX_COMPREHENSION_DEPTH = 2;
const MAX_EXPRESSION_LENGTH = 16 * 1024;
const COMPREHENSIONS = new Set(["all", "exists", "exists_one", "map", "filter"]);
/** Constants the environment provides (`base64.encode(…)`, `cel.bind(…)`): not request roots. */
const NAMESPACES = new Set(["base64", "url", "sha256", "cel"]);

/**
 * The variables agentgateway's CEL context has (its schema/cel.md). Any other top-level name is a
 * typo or a function agw lacks (`sha1.encode`), caught at load instead of failing every request.
 */
const KNOWN_ROOTS = new Set([
  "request",
  "response",
  "source",
  "destination",
  "backend",
  "proxy",
  "env",
  "jwt",
  "apiKey",
  "basicAuth",
  "llm",
  "llmRequest",
  "mcp",
  "mcpGuardrails",
  "extauthz",
  "extproc",
  "metadata",
]);

const environment = registerFunctions(
  new Environment({
    unlistedVariablesAreDyn: true,
    homogeneousAggregateLiterals: false,
    limits: { maxAstNodes: 10_000, maxDepth: 64 },
  }),
);

/** An expression that failed to compile; the message says where in the expression. */
export class CelCompileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "CelCompileError";
  }
}

/** An expression compiled at load. */
export interface CelExpression {
  readonly source: string;
  /** Top-level variables it reads: `request`, `llm`, … (only those are built per request). */
  readonly roots: ReadonlySet<string>;
  /** Dotted member paths it reads, such as `request.body` (to know what to buffer). */
  readonly paths: ReadonlySet<string>;
  /** Evaluates against an activation; throws on a runtime error (missing key, wrong type). */
  evaluate(activation: Record<string, unknown>): unknown;
}

/**
 * Compiles one expression. Throws CelCompileError with a one-line message. Config expressions
 * pass `onlyKnownRoots`, so a misspelt variable is a load error rather than a failure per request.
 */
export function compileExpression(
  source: string,
  options: { onlyKnownRoots?: boolean } = {},
): CelExpression {
  if (source.length > MAX_EXPRESSION_LENGTH) {
    throw new CelCompileError(`expression is longer than ${MAX_EXPRESSION_LENGTH} characters`);
  }
  let parsed;
  try {
    parsed = environment.parse(source);
  } catch (error) {
    throw new CelCompileError(describe(error));
  }
  const checked = parsed.check();
  if (!checked.valid) throw new CelCompileError(describe(checked.error));
  const roots = new Set<string>();
  const paths = new Set<string>();
  const depth = walk(parsed.ast, roots, paths, new Set());
  for (const root of options.onlyKnownRoots ? roots : []) {
    if (!KNOWN_ROOTS.has(root)) {
      throw new CelCompileError(
        `unknown variable or function namespace "${root}" (known: ${[...KNOWN_ROOTS].join(", ")})`,
      );
    }
  }
  if (depth > MAX_COMPREHENSION_DEPTH) {
    throw new CelCompileError(
      `comprehensions nest ${depth} deep; at most ${MAX_COMPREHENSION_DEPTH} are allowed so evaluation stays bounded`,
    );
  }
  return {
    source,
    roots,
    paths,
    evaluate(activation) {
      // Errors are values on this path (`default()` turns a missing key into a fallback), so
      // skip capturing stack traces nobody reads: that capture costs more than the evaluation.
      const limit = Error.stackTraceLimit;
      Error.stackTraceLimit = 0;
      try {
        return parsed(activation);
      } finally {
        Error.stackTraceLimit = limit;
      }
    },
  };
}

function describe(error: unknown): string {
  if (error instanceof ParseError || error instanceof CelTypeError) {
    const at = error.range ? ` at column ${error.range.start + 1}` : "";
    return `invalid CEL expression${at}: ${firstLine(error.message)}`;
  }
  return `invalid CEL expression: ${firstLine(String((error as Error)?.message ?? error))}`;
}

function firstLine(text: string): string {
  return text.split("\n")[0] ?? text;
}

/**
 * Collects root variables and member paths; returns the deepest comprehension nesting.
 * Names bound by comprehensions (`c` in `list.map(c, …)`) are not roots.
 */
function walk(
  node: ASTNode,
  roots: Set<string>,
  paths: Set<string>,
  bound: ReadonlySet<string>,
): number {
  switch (node.op) {
    case "id":
      if (!bound.has(node.args) && !NAMESPACES.has(node.args)) roots.add(node.args);
      return 0;
    case "value":
      return 0;
    case ".":
    case ".?": {
      const path = memberPath(node);
      if (path && !bound.has(path.split(".")[0]!)) paths.add(path);
      return walk(node.args[0], roots, paths, bound);
    }
    case "[]":
    case "[?]": {
      // `request["headers"]` reads the same field as `request.headers`.
      const path = memberPath(node);
      if (path && !bound.has(path.split(".")[0]!)) paths.add(path);
      return Math.max(
        walk(node.args[0], roots, paths, bound),
        walk(node.args[1], roots, paths, bound),
      );
    }
    case "rcall": {
      const [name, receiver, args] = node.args;
      if (
        name === "bind" && receiver.op === "id" && receiver.args === "cel" && args[0]?.op === "id"
      ) {
        // cel.bind(name, init, body): `name` is bound in `body` only.
        return Math.max(
          walk(args[1]!, roots, paths, bound),
          walk(args[2]!, roots, paths, new Set([...bound, args[0].args])),
        );
      }
      let inner = bound;
      let own = 0;
      if (COMPREHENSIONS.has(name) && args[0]?.op === "id") {
        inner = new Set([...bound, args[0].args]);
        own = 1;
      } else if (name === "with" && args[0]?.op === "id") {
        inner = new Set([...bound, args[0].args]);
      }
      const receiverDepth = walk(receiver, roots, paths, bound);
      const argDepth = Math.max(
        0,
        ...args.map((arg, i) => i === 0 && inner !== bound ? 0 : walk(arg, roots, paths, inner)),
      );
      return Math.max(receiverDepth, own + argDepth);
    }
    case "call":
      return Math.max(0, ...node.args[1].map((arg) => walk(arg, roots, paths, bound)));
    case "list":
      return Math.max(0, ...node.args.map((arg) => walk(arg, roots, paths, bound)));
    case "map":
      return Math.max(
        0,
        ...node.args.flatMap((
          [k, v],
        ) => [walk(k, roots, paths, bound), walk(v, roots, paths, bound)]),
      );
    case "!_":
    case "-_":
      return walk(node.args, roots, paths, bound);
    default: {
      const args = node.args as unknown;
      if (Array.isArray(args)) {
        return Math.max(0, ...args.map((arg) => isNode(arg) ? walk(arg, roots, paths, bound) : 0));
      }
      return 0;
    }
  }
}

function isNode(value: unknown): value is ASTNode {
  return typeof value === "object" && value !== null && "op" in value;
}

/** `request.headers.x` → "request.headers.x"; undefined when the chain does not start at a name. */
function memberPath(node: ASTNode): string | undefined {
  if (node.op === "id") return node.args;
  if (node.op === "." || node.op === ".?") {
    const base = memberPath(node.args[0]);
    return base === undefined ? undefined : `${base}.${node.args[1]}`;
  }
  if ((node.op === "[]" || node.op === "[?]") && node.args[1].op === "value") {
    const key = node.args[1].args;
    const base = memberPath(node.args[0]);
    return base === undefined || typeof key !== "string" ? undefined : `${base}.${key}`;
  }
  return undefined;
}
