import type { CompiledChain } from "../policies/mod.ts";
import type { UpstreamClient } from "./http_client_pool.ts";
import type { UpstreamSettings } from "./settings.ts";

/** A backend of a route, ready for calls. */
export interface CompiledBackend {
  /** `endpoint` in logs: the backend's name, or its address. */
  readonly name: string;
  readonly client: UpstreamClient;
  /** Backend-level policies (backendAuth, header edits). */
  readonly chain: CompiledChain;
  readonly settings: UpstreamSettings;
  readonly weight: number;
}

/** Weighted random choice; backends of weight 0 are never chosen. Undefined when none can be. */
export function selectBackend(backends: readonly CompiledBackend[]): CompiledBackend | undefined {
  if (backends.length === 1) return backends[0]!.weight > 0 ? backends[0] : undefined;
  let total = 0;
  for (const backend of backends) total += backend.weight;
  if (total === 0) return undefined;
  let pick = Math.random() * total;
  for (const backend of backends) {
    pick -= backend.weight;
    if (pick < 0) return backend;
  }
  return backends.findLast((backend) => backend.weight > 0);
}
