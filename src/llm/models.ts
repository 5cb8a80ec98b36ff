/**
 * The `models` route: the models this backend serves, listed from config in the client's
 * format (OpenAI's `{object: "list"}` or Anthropic's `{data, has_more}`), or the provider's own
 * list when config names no model.
 * @module
 */
import type { BackendCall } from "../backends/mod.ts";
import type { RequestContext } from "../context/mod.ts";
import type { UpstreamResponse } from "../upstream/mod.ts";
import { aiPolicyOf } from "./body_policy.ts";
import { jsonResponse, sendToProvider } from "./provider_call.ts";
import type { CompiledProvider } from "./provider_target.ts";

/** Anthropic's SDK sends `anthropic-version` on every call; OpenAI's never does. */
export function clientFormatForModels(ctx: RequestContext): "completions" | "messages" {
  return ctx.request.headers.has("anthropic-version") ? "messages" : "completions";
}

/** Answers a models request. */
export function answerModels(
  call: BackendCall,
  provider: CompiledProvider,
): Promise<UpstreamResponse> {
  const names = new Set<string>();
  if (provider.spec.model !== undefined) names.add(provider.spec.model);
  for (const alias of aiPolicyOf(call.ctx)?.modelAliases.keys() ?? []) names.add(alias);
  if (names.size === 0 && provider.spec.supports("models")) {
    return sendToProvider(call, provider, {
      call: "models",
      model: "",
      stream: false,
      body: undefined,
      keepClientPath: true,
    });
  }
  const ids = [...names];
  // Config carries no dates: the epoch says "unknown" in both formats.
  if (clientFormatForModels(call.ctx) === "messages") {
    return Promise.resolve(jsonResponse(200, {
      data: ids.map((id) => ({
        type: "model",
        id,
        display_name: id,
        created_at: "1970-01-01T00:00:00Z",
      })),
      has_more: false,
      first_id: ids[0] ?? null,
      last_id: ids.at(-1) ?? null,
    }, undefined));
  }
  return Promise.resolve(jsonResponse(200, {
    object: "list",
    data: ids.map((id) => ({ id, object: "model", created: 0, owned_by: provider.spec.name })),
  }, undefined));
}
