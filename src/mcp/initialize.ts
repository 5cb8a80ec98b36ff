/**
 * A new session: `initialize` fanned out to every target and the answers merged.
 * @module
 */
import {
  ErrorCode,
  errorResponse,
  type JsonRpcRequest,
  type JsonRpcResponse,
  resultResponse,
} from "./jsonrpc.ts";
import { mergeInitialize, type TargetResult } from "./merge.ts";
import { negotiateRevision } from "./protocol.ts";
import { type RelayBackend, RelaySession } from "./relay.ts";
import type { SessionState } from "./session_codec.ts";
import type { CallScope, MessageSink, UpstreamConnection } from "./upstream/types.ts";

/**
 * Fans `initialize` out to every target, with the client's params. Under failClosed any failure
 * fails it; under failOpen the failed targets leave the session (unless all fail). The targets
 * hear `notifications/initialized` when the client sends it.
 */
export async function initializeSession(
  backend: RelayBackend,
  message: JsonRpcRequest,
  scope: CallScope,
  sink: MessageSink,
): Promise<{ response: JsonRpcResponse; session?: RelaySession }> {
  const params = message.params ?? {};
  const negotiated = negotiateRevision(params.protocolVersion).version;
  const links = new Map<string, UpstreamConnection>();
  const outcomes = await Promise.all(backend.targets.map(async (target) => {
    const link = backend.connect(target, undefined);
    try {
      const answer = await link.request(message, scope, sink);
      if (answer.error) return { target: target.name, link, error: answer.error.message };
      links.set(target.name, link);
      return { target: target.name, link, result: answer.result ?? {} };
    } catch (error) {
      return { target: target.name, link, error: (error as Error).message };
    }
  }));
  const failed = outcomes.filter((o) => o.error !== undefined);
  if (failed.length > 0 && (!backend.failOpen || failed.length === outcomes.length)) {
    await Promise.all(outcomes.map((o) => o.link.close(scope)));
    const first = failed[0]!;
    return {
      response: errorResponse(
        message.id,
        ErrorCode.InternalError,
        `failed to initialize target ${JSON.stringify(first.target)}: ${first.error}`,
      ),
    };
  }
  for (const o of failed) await o.link.close(scope);
  const results: TargetResult[] = outcomes.filter((o) => o.result !== undefined)
    .map((o) => ({ target: o.target, result: o.result! }));
  const merged = mergeInitialize(results, negotiated);
  const state: SessionState = {
    v: 1,
    pv: typeof merged.protocolVersion === "string" ? merged.protocolVersion : negotiated,
    c: {
      protocolVersion: params.protocolVersion ?? negotiated,
      capabilities: params.capabilities ?? {},
      clientInfo: params.clientInfo ?? { name: "unknown", version: "0" },
    },
    t: [...links.values()].map((link) => link.state()),
    r: crypto.randomUUID(),
  };
  const session = new RelaySession(backend, state, links);
  return { response: resultResponse(message.id, merged), session };
}
