/**
 * Per-request state shared by the gateway flow, policies, backends and telemetry. It sits below
 * all of them and imports only `http/`: nothing here may know a policy, a backend kind or a
 * telemetry sink.
 * @module
 */
export { RequestContext, type RequestTrace, type RouteInfo } from "./request_context.ts";
export { type ErrorSource, ProxyError, type ProxyErrorKind, toResponse } from "./errors.ts";
