/**
 * HTTP building blocks shared by the gateway, policies and upstream clients.
 * @module
 */
export { type HeaderEditor, HeaderMap } from "./header_map.ts";
export { isFieldName, isFieldValue } from "./field_syntax.ts";
export { HOP_BY_HOP, hopByHopNames } from "./hop_by_hop.ts";
export { BODY_BUFFER_LIMIT_BYTES, captureBody, readBody } from "./read_body.ts";
