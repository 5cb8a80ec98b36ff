/**
 * Policies: one module per YAML key, and the one place that knows their order (DESIGN.md §4).
 * A policy never reads another policy's config; the proxy flow never reads policy internals.
 * @module
 */
import { z } from "zod";
import { ai } from "./ai.ts";
import { backendAuth } from "./backend_auth.ts";
import { authorization } from "./authorization.ts";
import { backendTLS } from "./backend_tls.ts";
import { cors } from "./cors.ts";
import { directResponse } from "./direct_response.ts";
import { mcpAuthorization } from "./mcp_authorization.ts";
import { requestHeaderModifier } from "./request_header_modifier.ts";
import { requestMirror } from "./request_mirror.ts";
import { requestRedirect } from "./request_redirect.ts";
import { responseHeaderModifier } from "./response_header_modifier.ts";
import { retry } from "./retry.ts";
import { timeout } from "./timeout.ts";
import { transformations } from "./transformations.ts";
import {
  type CompileEnv,
  PolicyConfigError,
  type PolicyModule,
  type PolicyPhase,
  type PolicyStep,
} from "./types.ts";
import { urlRewrite } from "./url_rewrite.ts";

export type { CompileEnv, PolicyStep, ResponseParts, Verdict } from "./types.ts";
export { PolicyConfigError } from "./types.ts";
export type { CompiledMcpAuthorization } from "./mcp_authorization.ts";
export { AI_ROUTE_TYPES, type AiRouteType, type CompiledAiPolicy } from "./ai.ts";

// deno-lint-ignore no-explicit-any
type AnyPolicyModule = PolicyModule<any>;

/**
 * Route phase, in request order. CORS runs first so preflights short-circuit before auth and
 * rejections still carry CORS headers (agentgateway's apply_request_policies). Rewrites run
 * after header edits so a `Host` set by requestHeaderModifier can itself be rewritten, and
 * directResponse runs last so everything before it (auth, CORS) still applies.
 */
export const ROUTE_POLICIES: readonly AnyPolicyModule[] = [
  cors,
  authorization,
  mcpAuthorization,
  transformations,
  requestHeaderModifier,
  urlRewrite,
  requestRedirect,
  directResponse,
  // Settings for the upstream call; they have no request step.
  timeout,
  retry,
  requestMirror,
  // Backend-phase policies may also be set on the route, as defaults for its backends.
  backendAuth,
  backendTLS,
  responseHeaderModifier,
  // Read by the ai backend kind.
  ai,
];

/** Backend phase, in request order: credentials, then header edits, then transport settings. */
export const BACKEND_POLICIES: readonly AnyPolicyModule[] = [
  authorization,
  mcpAuthorization,
  backendAuth,
  transformations,
  requestHeaderModifier,
  requestRedirect,
  backendTLS,
  responseHeaderModifier,
  ai,
];

/**
 * Policies that a route may set as defaults for all its backends. A backend's own setting replaces
 * the route's whole policy (agentgateway), rather than both running.
 */
const BACKEND_DEFAULT_KEYS: ReadonlySet<string> = new Set([backendAuth.name, backendTLS.name]);

/** Whether `key` is a policy a backend's own setting replaces (rather than stacks with). */
export function isBackendDefaultKey(key: string): boolean {
  return BACKEND_DEFAULT_KEYS.has(key);
}

/** The route's backend defaults (backendAuth, backendTLS), to merge under each backend's policies. */
export function backendDefaultsOf(routePolicies: PoliciesConfig | undefined): PoliciesConfig {
  const defaults: PoliciesConfig = {};
  for (const key of BACKEND_DEFAULT_KEYS) {
    if (routePolicies?.[key] !== undefined) defaults[key] = routePolicies[key];
  }
  return defaults;
}

function policiesSchema(modules: readonly AnyPolicyModule[], phase: PolicyPhase) {
  const shape: Record<string, z.ZodType> = {};
  for (const module of modules) {
    if (module.phases.includes(phase)) shape[module.name] = module.schema.optional();
  }
  return z.strictObject(shape);
}

/** The `policies` block of a route. */
export const routePoliciesSchema = policiesSchema(ROUTE_POLICIES, "route");
/** The `policies` block of a backend. */
export const backendPoliciesSchema = policiesSchema(BACKEND_POLICIES, "backend");

/** A validated `policies` block: policy name → that policy's parsed config. */
export type PoliciesConfig = Record<string, unknown>;

/** A compiled chain: request steps in order, response steps in the order they run. */
export interface CompiledChain {
  readonly request: readonly PolicyStep[];
  /** Response steps run in reverse of their request order (onion order, agentgateway). */
  readonly response: readonly PolicyStep[];
  /** Every step, for reading their upstream settings. */
  readonly steps: readonly PolicyStep[];
}

/**
 * Compiles the configured policies of one route or backend, in chain order.
 * Throws PolicyConfigError with the path below `policies` on a bad value.
 */
export function compileChain(
  policies: PoliciesConfig | undefined,
  options: { phase: PolicyPhase; env: CompileEnv; onError?: (error: PolicyConfigError) => void },
): CompiledChain {
  const modules = options.phase === "route" ? ROUTE_POLICIES : BACKEND_POLICIES;
  const steps: PolicyStep[] = [];
  for (const module of modules) {
    const config = policies?.[module.name];
    if (config === undefined) continue;
    // Route-level defaults for backends run in the backend chain (see backendDefaultsOf).
    if (options.phase === "route" && BACKEND_DEFAULT_KEYS.has(module.name)) continue;
    try {
      steps.push(module.compile(config, options.env));
    } catch (error) {
      const wrapped = error instanceof PolicyConfigError
        ? new PolicyConfigError([module.name, ...error.path], error.message)
        : new PolicyConfigError([module.name], (error as Error).message);
      // With onError every policy's problem is reported, not only the first one's.
      if (!options.onError) throw wrapped;
      options.onError(wrapped);
    }
  }
  return {
    request: steps.filter((step) => step.onRequest),
    response: steps.filter((step) => step.onResponse).reverse(),
    steps,
  };
}

/** An empty chain, shared. */
export const EMPTY_CHAIN: CompiledChain = { request: [], response: [], steps: [] };
