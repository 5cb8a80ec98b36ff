/**
 * Sending one call to a provider and reading what comes back: the path, Host, credential and
 * framing headers the provider wants, and the shapes agw answers the client with.
 * @module
 */
import type { BackendCall } from "../backends/mod.ts";
import { readBody } from "../http/mod.ts";
import type { UpstreamResponse } from "../upstream/mod.ts";
import type { ClientFormat } from "./formats/mod.ts";
import type { LlmError } from "./ir.ts";
import type { CompiledProvider } from "./provider_target.ts";
import type { ProviderCall } from "./providers/types.ts";

/** The largest provider answer agw reads whole (a buffered completion, an error body). */
const PROVIDER_RESPONSE_LIMIT_BYTES = 64 * 1024 * 1024;

const encoder = new TextEncoder();

/** What to send. `body` is JSON; `keepClientPath` is true when passing through. */
export interface ProviderRequest {
  call: ProviderCall;
  model: string;
  stream: boolean;
  body: Record<string, unknown> | undefined;
  keepClientPath: boolean;
}

/** The upstream path: pathOverride, else the client's (passthrough to a hostOverride), else the provider's. */
export function providerPath(
  provider: CompiledProvider,
  clientPath: string,
  request: ProviderRequest,
): string {
  if (provider.pathOverride !== undefined) return provider.pathOverride;
  if (request.call === "passthrough") return clientPath;
  if (
    request.keepClientPath && provider.hostOverride && provider.pathPrefix === undefined &&
    !provider.spec.pathNamesModel
  ) {
    return clientPath;
  }
  return provider.spec.path(request.call, request.model, request.stream, provider.pathPrefix);
}

/** Sends `request` to the provider through its pooled client under the attempt's limits. */
export async function sendToProvider(
  call: BackendCall,
  provider: CompiledProvider,
  request: ProviderRequest,
): Promise<UpstreamResponse> {
  const headers = call.request.headers.clone();
  let body: Uint8Array | null = null;
  if (request.body !== undefined) {
    provider.spec.finishBody?.(request.body, request.call as never);
    body = encoder.encode(JSON.stringify(request.body));
    headers.delete("content-length");
    headers.delete("content-encoding");
    headers.set("content-type", "application/json");
    // agw reads usage from every answer it parsed the request of: ask for it uncompressed.
    headers.set("accept-encoding", "identity");
  }
  provider.spec.prepareHeaders(headers);
  // A Host a policy set (urlRewrite, a header modifier) is sent; otherwise the provider's own.
  const authority = call.request.authority !== call.ctx.clientAuthority
    ? call.request.authority
    : provider.client.target.authority;
  const outgoing = {
    method: request.body === undefined ? call.request.method : "POST",
    pathAndQuery: providerPath(provider, call.request.pathAndQuery, request),
    authority,
    headers,
    body: request.body === undefined ? call.request.body : body,
  };
  if (provider.signer) await provider.signer.sign(outgoing, provider.client.target);
  return call.send(provider.client, outgoing);
}

/** Reads a provider's answer whole (bounded) and parses it when it is JSON. */
export async function readUpstreamJson(
  upstream: UpstreamResponse,
): Promise<{ bytes: Uint8Array<ArrayBuffer>; json: unknown }> {
  const { text, body } = await readBody(upstream.body, PROVIDER_RESPONSE_LIMIT_BYTES);
  if (text === undefined) {
    if (body instanceof ReadableStream) await body.cancel();
    return { bytes: new Uint8Array(0), json: undefined };
  }
  const bytes = body instanceof Uint8Array ? body : new Uint8Array(0);
  try {
    return { bytes, json: JSON.parse(text) };
  } catch {
    return { bytes, json: undefined };
  }
}

/** Headers describing the provider's body, which agw replaces when it writes the answer. */
const BODY_HEADERS: ReadonlySet<string> = new Set([
  "content-type",
  "content-length",
  "content-encoding",
  "transfer-encoding",
]);

/** The provider's headers worth keeping on an answer agw rewrote (request ids, rate limits). */
export function providerHeaders(upstream: UpstreamResponse): [string, string][] {
  return upstream.headers.filter(([name]) => !BODY_HEADERS.has(name.toLowerCase()));
}

/** A JSON answer agw wrote, keeping the provider's other headers. */
export function jsonResponse(
  status: number,
  value: unknown,
  upstream: UpstreamResponse | undefined,
): UpstreamResponse {
  const headers: [string, string][] = upstream ? providerHeaders(upstream) : [];
  headers.push(["content-type", "application/json"]);
  return { status, headers, body: encoder.encode(JSON.stringify(value)) };
}

/** An error in the client's API format, with its status. */
export function clientError(client: ClientFormat, error: LlmError): UpstreamResponse {
  return jsonResponse(error.status, client.encodeError(error.body, error.status), undefined);
}
