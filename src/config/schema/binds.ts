import { z } from "zod";
import { exactlyOne, port } from "../primitives.ts";
import { backendPoliciesSchema, routePoliciesSchema } from "../../policies/mod.ts";
import { aiBackendSchema } from "../../llm/schema.ts";
import { mcpBackendSchema } from "../../mcp/mod.ts";

const stringMatch = exactlyOne({ exact: z.string(), regex: z.string() });

/** `matches[]`: fields AND'ed; a route's matches are OR'ed. */
export const matchSchema = z.strictObject({
  path: exactlyOne({ exact: z.string(), pathPrefix: z.string(), regex: z.string() }).optional(),
  method: z.string().optional(),
  headers: z.array(z.strictObject({ name: z.string(), value: stringMatch })).optional(),
  query: z.array(z.strictObject({ name: z.string(), value: stringMatch })).optional(),
});
export type MatchConfig = z.infer<typeof matchSchema>;

/**
 * A backend reference on a route: an address, a named top-level backend, an LLM provider (`ai`)
 * or an MCP server set (`mcp`), with a weight.
 */
export const routeBackendSchema = exactlyOne({
  host: z.string(),
  backend: z.string(),
  ai: aiBackendSchema,
  mcp: mcpBackendSchema,
}, {
  weight: z.number().int().min(0).default(1),
  policies: backendPoliciesSchema.optional(),
});
export type RouteBackendConfig = z.infer<typeof routeBackendSchema>;

export const routeSchema = z.strictObject({
  name: z.string().optional(),
  namespace: z.string().optional(),
  ruleName: z.string().optional(),
  hostnames: z.array(z.string()).optional(),
  matches: z.array(matchSchema).optional(),
  policies: routePoliciesSchema.optional(),
  backends: z.array(routeBackendSchema).optional(),
});
export type RouteConfig = z.infer<typeof routeSchema>;

/** Listener protocols agentgateway has and agw does not serve yet. */
const UNSUPPORTED_PROTOCOLS: ReadonlySet<unknown> = new Set(["TLS", "TCP", "HBONE"]);

export const listenerSchema = z.strictObject({
  name: z.string().optional(),
  namespace: z.string().optional(),
  hostname: z.string().optional(),
  protocol: z.enum(["HTTP", "HTTPS"], {
    error: (issue) =>
      UNSUPPORTED_PROTOCOLS.has(issue.input)
        ? `protocol ${JSON.stringify(issue.input)} is not supported by agw yet`
        : undefined,
  }).default("HTTP"),
  tls: z.strictObject({ cert: z.string(), key: z.string() }).optional(),
  routes: z.array(routeSchema).optional(),
});
export type ListenerConfig = z.infer<typeof listenerSchema>;

export const bindSchema = z.strictObject({
  port,
  listeners: z.array(listenerSchema),
});
export type BindConfig = z.infer<typeof bindSchema>;

/** A named, reusable backend (`backends:` at top level). */
export const namedBackendSchema = exactlyOne({
  host: z.string(),
  ai: aiBackendSchema,
  mcp: mcpBackendSchema,
}, {
  name: z.string(),
  policies: backendPoliciesSchema.optional(),
});
export type NamedBackendConfig = z.infer<typeof namedBackendSchema>;
