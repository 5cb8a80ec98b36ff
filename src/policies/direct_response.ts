import { z } from "zod";
import { type CelExpression, toPlain } from "../cel/mod.ts";
import type { RequestContext } from "../context/mod.ts";
import {
  checkHeaderName,
  compilePolicyExpression,
  evaluateHeaderValue,
  evaluatePolicyExpression,
  NULL_BODY_STATUSES,
} from "./cel_support.ts";
import type { PolicyModule, Verdict } from "./types.ts";

const responseShape = {
  body: z.string().optional(),
  bodyExpression: z.string().optional().describe("CEL producing the body (a string or bytes)"),
  headers: z.record(z.string(), z.string()).optional().describe(
    "Header name → CEL producing its value",
  ),
  status: z.number().int().min(100).max(599),
};

const directResponseSchema = z.union([
  z.strictObject(responseShape),
  z.strictObject({
    conditional: z.array(z.strictObject({ condition: z.string().optional(), ...responseShape })),
  }),
]).describe(
  "Answers from the gateway with a fixed status and body, optionally only when a CEL condition holds",
);
type DirectResponseConfig = z.infer<typeof directResponseSchema>;
type ResponseConfig = z.infer<z.ZodObject<typeof responseShape>>;

interface CompiledResponse {
  condition: CelExpression | undefined;
  status: number;
  body: Uint8Array<ArrayBuffer> | null;
  bodyExpression: CelExpression | undefined;
  headers: (readonly [string, CelExpression])[];
}

function compileResponse(
  config: ResponseConfig,
  path: PropertyKey[],
  condition?: string,
): CompiledResponse {
  return {
    condition: condition === undefined
      ? undefined
      : compilePolicyExpression(condition, [...path, "condition"]),
    status: config.status,
    // Encoded once at load; each request gets a new Response over the same bytes.
    body: config.body === undefined ? null : new TextEncoder().encode(config.body),
    bodyExpression: config.bodyExpression === undefined
      ? undefined
      : compilePolicyExpression(config.bodyExpression, [...path, "bodyExpression"]),
    headers: Object.entries(config.headers ?? {}).map(([name, source]) =>
      [
        checkHeaderName(name, [...path, "headers", name]),
        compilePolicyExpression(source, [...path, "headers", name]),
      ] as const
    ),
  };
}

/** Whether any expression reads `request.body`: the flow then reads the body first. */
function expressionsOf(responses: CompiledResponse[]): CelExpression[] {
  return responses.flatMap((r) =>
    [r.condition, r.bodyExpression, ...r.headers.map(([, e]) => e)].filter((e) => e !== undefined)
  );
}

/** A CEL result as header text, as transformations write it: bytes as UTF-8, others as JSON. */
function headerText(value: unknown): string {
  if (typeof value === "string") return value;
  if (value instanceof Uint8Array) return new TextDecoder().decode(value);
  if (typeof value === "bigint") return value.toString();
  return JSON.stringify(toPlain(value));
}

function respond(ctx: RequestContext, compiled: CompiledResponse): Response {
  let body: BodyInit | null = compiled.body;
  // A 204 or 304 cannot carry a body: it is left out rather than failing the response.
  if (NULL_BODY_STATUSES.has(compiled.status)) body = null;
  else if (compiled.bodyExpression) {
    const result = evaluatePolicyExpression(ctx, compiled.bodyExpression, "directResponse");
    if (result.ok) {
      // Other values as JSON text, as transformations write them.
      body = typeof result.value === "string" || result.value instanceof Uint8Array
        ? result.value as BodyInit
        : JSON.stringify(toPlain(result.value));
    }
  }
  if (compiled.headers.length === 0) return new Response(body, { status: compiled.status });
  const headers = new Headers();
  for (const [name, expression] of compiled.headers) {
    const value = evaluateHeaderValue(ctx, expression, "directResponse", headerText);
    if (value !== undefined) headers.set(name, value);
  }
  return new Response(body, { status: compiled.status, headers });
}

/**
 * A response from the gateway itself. The `conditional` form answers with the first entry whose
 * CEL condition holds (an entry without one always does); when none holds the request continues.
 * A condition that cannot be evaluated does not hold.
 */
export const directResponse = {
  name: "directResponse",
  phases: ["route"],
  schema: directResponseSchema,
  compile(config: DirectResponseConfig) {
    if (!("conditional" in config)) {
      const compiled = compileResponse(config, []);
      return {
        name: "directResponse",
        expressions: expressionsOf([compiled]),
        onRequest: (ctx: RequestContext): Verdict => respond(ctx, compiled),
      };
    }
    const entries = config.conditional.map((entry, i) =>
      compileResponse(entry, ["conditional", i], entry.condition)
    );
    return {
      name: "directResponse",
      expressions: expressionsOf(entries),
      onRequest(ctx: RequestContext): Verdict {
        for (const entry of entries) {
          if (entry.condition) {
            const result = evaluatePolicyExpression(ctx, entry.condition, "directResponse");
            if (!result.ok || result.value !== true) continue;
          }
          return respond(ctx, entry);
        }
        return undefined;
      },
    };
  },
} satisfies PolicyModule<DirectResponseConfig>;
