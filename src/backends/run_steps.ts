import type { RequestContext } from "../context/mod.ts";
import type { CompiledChain } from "../policies/mod.ts";
import type { OutgoingRequest } from "../upstream/mod.ts";

/**
 * Runs a kind's own policy chain (an LLM provider's, an MCP target's `policies`) on a copy of
 * `request`: the steps edit the context as they do in the flow, the context is put back after.
 * Returns the request as the steps left it, or the Response a step answered with.
 */
export async function runKindSteps(
  ctx: RequestContext,
  chain: CompiledChain,
  request: OutgoingRequest,
): Promise<OutgoingRequest | Response> {
  if (chain.request.length === 0) return request;
  const saved = {
    headers: ctx.upstreamHeaders,
    authority: ctx.authority,
    path: ctx.pathAndQuery,
    replacementBody: ctx.replacementBody,
  };
  ctx.upstreamHeaders = request.headers.clone();
  ctx.authority = request.authority;
  ctx.pathAndQuery = request.pathAndQuery;
  ctx.replacementBody = undefined;
  try {
    for (const step of chain.request) {
      const verdict = await step.onRequest!(ctx);
      if (verdict) return verdict;
    }
    return {
      method: request.method,
      pathAndQuery: ctx.pathAndQuery,
      authority: ctx.authority,
      headers: ctx.upstreamHeaders,
      body: ctx.replacementBody ?? request.body,
    };
  } finally {
    ctx.upstreamHeaders = saved.headers;
    ctx.authority = saved.authority;
    ctx.pathAndQuery = saved.path;
    ctx.replacementBody = saved.replacementBody;
  }
}
