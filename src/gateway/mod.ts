/**
 * The gateway: binds, listeners, route matching and the per-request proxy flow.
 * Invariant: a request reads the config snapshot once, at its start.
 * @module
 */
export { Gateway, type GatewayOptions } from "./gateway.ts";
export { ProxyError } from "../context/mod.ts";
export { buildSnapshot, type Snapshot } from "./snapshot.ts";
