import { z } from "zod";
import type { CelExpression } from "../cel/mod.ts";
import type { RequestContext } from "../context/mod.ts";
import type { HeaderEditor } from "../http/mod.ts";
import {
  checkHeaderName,
  compilePolicyExpression,
  evaluateHeaderValue,
  evaluatePolicyExpression,
  NULL_BODY_STATUSES,
} from "./cel_support.ts";
import type { PolicyModule, ResponseParts } from "./types.ts";

const transformSchema = z.strictObject({
  add: z.record(z.string(), z.string()).optional().describe("Header name → CEL value, appended"),
  set: z.record(z.string(), z.string()).optional().describe("Header name → CEL value, replacing"),
  remove: z.array(z.string()).optional().describe("Header names to remove"),
  body: z.string().optional().describe("CEL producing the new body"),
});

const transformationsSchema = z.strictObject({
  request: transformSchema.optional(),
  response: transformSchema.optional(),
}).describe("CEL-computed header and body rewrites of the request sent upstream and the response");
type TransformationsConfig = z.infer<typeof transformationsSchema>;

interface CompiledTransform {
  add: (readonly [string, CelExpression])[];
  set: (readonly [string, CelExpression])[];
  remove: string[];
  body: CelExpression | undefined;
}

function compileTransform(
  config: z.infer<typeof transformSchema>,
  path: PropertyKey[],
): CompiledTransform {
  const pairs = (map: Record<string, string> | undefined, key: string) =>
    Object.entries(map ?? {}).map(([name, source]) =>
      [
        checkHeaderName(name, [...path, key, name]).toLowerCase(),
        compilePolicyExpression(source, [...path, key, name]),
      ] as const
    );
  return {
    add: pairs(config.add, "add"),
    set: pairs(config.set, "set"),
    remove: (config.remove ?? []).map((name, i) =>
      checkHeaderName(name, [...path, "remove", i]).toLowerCase()
    ),
    body: config.body === undefined
      ? undefined
      : compilePolicyExpression(config.body, [...path, "body"]),
  };
}

/** A CEL result as header or body text: strings as they are, other values as JSON. */
function asText(value: unknown): string | Uint8Array {
  if (typeof value === "string" || value instanceof Uint8Array) return value;
  if (typeof value === "bigint") return value.toString();
  return JSON.stringify(
    value,
    (_k, v) => typeof v === "bigint" ? Number(v) : v instanceof Map ? Object.fromEntries(v) : v,
  );
}

/** Applies header edits; a value that fails to evaluate (or is no header value) leaves that header alone. */
function applyHeaders(
  ctx: RequestContext,
  transform: CompiledTransform,
  headers: HeaderEditor,
): void {
  for (const [name, expression] of transform.add) {
    const value = evaluateHeaderValue(ctx, expression, "transformations", textOf);
    if (value !== undefined) headers.append(name, value);
  }
  for (const [name, expression] of transform.set) {
    const value = evaluateHeaderValue(ctx, expression, "transformations", textOf);
    if (value !== undefined) headers.set(name, value);
  }
  for (const name of transform.remove) headers.delete(name);
}

function textOf(value: unknown): string {
  const text = asText(value);
  return typeof text === "string" ? text : new TextDecoder().decode(text);
}

/**
 * Header and body rewrites computed by CEL. Expressions see the request (and, for `response`,
 * the response); referencing `request.body` or `response.body` makes agw read that body first.
 */
export const transformations = {
  name: "transformations",
  phases: ["route", "backend"],
  schema: transformationsSchema,
  compile(config: TransformationsConfig) {
    const request = config.request && compileTransform(config.request, ["request"]);
    const response = config.response && compileTransform(config.response, ["response"]);
    const expressions = [request, response].flatMap((t) =>
      t ? [...t.add.map((p) => p[1]), ...t.set.map((p) => p[1]), ...(t.body ? [t.body] : [])] : []
    );
    return {
      name: "transformations",
      expressions,
      ...(request && {
        onRequest(ctx: RequestContext) {
          applyHeaders(ctx, request, ctx.upstreamHeaders);
          if (request.body) {
            const result = evaluatePolicyExpression(ctx, request.body, "transformations");
            if (result.ok) {
              const text = asText(result.value);
              ctx.replacementBody = typeof text === "string"
                ? new TextEncoder().encode(text)
                : text;
              ctx.upstreamHeaders.delete("content-length");
            }
          }
          return undefined;
        },
      }),
      ...(response && {
        onResponse(ctx: RequestContext, parts: ResponseParts) {
          applyHeaders(ctx, response, parts.headers);
          // A 204 or 304 cannot carry a body: the rewrite is skipped rather than failing the response.
          if (response.body && !NULL_BODY_STATUSES.has(parts.status)) {
            const result = evaluatePolicyExpression(ctx, response.body, "transformations");
            if (result.ok) {
              parts.body = asText(result.value) as BodyInit;
              // The new body is neither the upstream's encoding nor its entity.
              for (const name of ["content-length", "content-encoding", "etag", "content-md5"]) {
                parts.headers.delete(name);
              }
            }
          }
        },
      }),
    };
  },
} satisfies PolicyModule<TransformationsConfig>;
