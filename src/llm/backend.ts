/**
 * The `ai` backend kind: compiles the providers at load, and per attempt picks a provider, runs
 * its own policies, works out the route type from the path (`ai.routes`) and dispatches.
 * @module
 */
import {
  type BackendCall,
  type BackendCompileEnv,
  type BackendHandler,
  runKindSteps,
} from "../backends/mod.ts";
import type { AiRouteType } from "../policies/mod.ts";
import { selectBackend, type UpstreamResponse } from "../upstream/mod.ts";
import { aiPolicyOf } from "./body_policy.ts";
import { handleChat } from "./chat.ts";
import { CLIENT_FORMATS } from "./formats/mod.ts";
import { LlmError } from "./ir.ts";
import { answerModels, clientFormatForModels } from "./models.ts";
import { clientError, sendToProvider } from "./provider_call.ts";
import { type CompiledProvider, compileProvider } from "./provider_target.ts";
import type { AiBackendConfig } from "./schema.ts";

/**
 * Route types by path suffix when no `ai.routes` is configured: the endpoints SDKs call. Any
 * other path is `completions`, as agentgateway treats unmatched paths.
 */
const DEFAULT_ROUTES: readonly (readonly [string, AiRouteType])[] = [
  ["/messages/count_tokens", "anthropicTokenCount"],
  ["/chat/completions", "completions"],
  ["/embeddings", "embeddings"],
  ["/responses", "responses"],
  ["/messages", "messages"],
  ["/models", "models"],
];

/** Compiles an `ai` backend into its handler. */
export function compileAiBackend(
  config: AiBackendConfig,
  env: BackendCompileEnv,
  path: PropertyKey[],
): BackendHandler {
  // agentgateway's groups are priority tiers; agw load-balances the first tier.
  // TODO(#7): fail over to later groups when every provider of a tier fails.
  const named = "groups" in config
    ? config.groups[0]!.providers.map((p, i) => ({
      config: p,
      path: [...path, "groups", 0, "providers", i],
    }))
    : [{ config, path }];
  const providers = named.flatMap(({ config, path }) => {
    const compiled = compileProvider(config, env, path);
    return compiled ? [{ provider: compiled, weight: 1 }] : [];
  });
  return {
    kind: "ai",
    handle(call: BackendCall) {
      const picked = selectBackend(providers);
      if (!picked) return Promise.resolve(new Response("no valid backends", { status: 500 }));
      return handleLlm(call, picked.provider);
    },
  };
}

/** The route type for a path: the longest configured suffix, `"*"`, else `completions`. */
export function routeTypeFor(
  path: string,
  routes: readonly (readonly [string, AiRouteType])[] | undefined,
  fallback: AiRouteType | undefined,
): AiRouteType {
  for (const [suffix, type] of routes ?? DEFAULT_ROUTES) {
    if (path.endsWith(suffix)) return type;
  }
  return fallback ?? "completions";
}

async function handleLlm(
  original: BackendCall,
  provider: CompiledProvider,
): Promise<UpstreamResponse | Response> {
  const request = await runKindSteps(original.ctx, provider.chain, original.request);
  if (request instanceof Response) return request;
  const call: BackendCall = { ...original, request };
  const policy = aiPolicyOf(call.ctx);
  const at = request.pathAndQuery.indexOf("?");
  const path = at < 0 ? request.pathAndQuery : request.pathAndQuery.slice(0, at);
  const type = policy?.routes.length || policy?.fallbackRoute
    ? routeTypeFor(path, policy.routes, policy.fallbackRoute)
    : routeTypeFor(path, undefined, undefined);
  switch (type) {
    case "completions":
    case "messages":
    case "responses":
      return handleChat(call, provider, type);
    case "passthrough":
    case "detect":
      // The request as the client sent it, to the provider's address with its credential.
      return sendToProvider(call, provider, {
        call: "passthrough",
        model: "",
        stream: false,
        body: undefined,
        keepClientPath: true,
      });
    case "models":
      return answerModels(call, provider);
    case "embeddings":
    case "anthropicTokenCount":
      return forwardNative(call, provider, type === "embeddings" ? "embeddings" : "countTokens");
    default: {
      const client = CLIENT_FORMATS.get(clientFormatForModels(call.ctx))!;
      return clientError(
        client,
        new LlmError(404, {
          kind: "notFound",
          message: `route type ${JSON.stringify(type)} is not supported by agw yet`,
        }),
      );
    }
  }
}

/**
 * Embeddings and token counting: the client's request unchanged, to the provider's endpoint
 * for it. TODO(#7): resolve the model (aliases, the provider's model) as chat routes do.
 */
function forwardNative(
  call: BackendCall,
  provider: CompiledProvider,
  kind: "embeddings" | "countTokens",
): Promise<UpstreamResponse> {
  const client = CLIENT_FORMATS.get(kind === "embeddings" ? "completions" : "messages")!;
  if (!provider.spec.supports(kind)) {
    return Promise.resolve(clientError(
      client,
      new LlmError(404, {
        kind: "notFound",
        message: `${provider.spec.name} has no ${
          kind === "embeddings" ? "embeddings" : "token counting"
        } endpoint`,
      }),
    ));
  }
  return sendToProvider(call, provider, {
    call: kind,
    model: provider.spec.model ?? "",
    stream: false,
    body: undefined,
    keepClientPath: true,
  });
}
