/**
 * The `host` backend kind: forward the request to one address through its pooled client.
 * @module
 */
import type { UpstreamClient } from "../upstream/mod.ts";
import type { BackendCall, BackendHandler } from "./types.ts";

/** A handler that sends every attempt to `client` unchanged. */
export function hostBackend(client: UpstreamClient): BackendHandler {
  return {
    kind: "host",
    client,
    handle: (call: BackendCall) => call.send(client, call.request),
  };
}
