/**
 * The downstream side of an `mcp` backend over Streamable HTTP (MCP spec 2025-06-18,
 * "Transports / Streamable HTTP"): POST carries JSON-RPC, answered as JSON; GET (no
 * server-to-client stream yet) is 405; DELETE ends the session (202). Sessions live in the
 * `Mcp-Session-Id` itself (session_codec.ts), so any agw instance serves any session.
 * @module
 */
import type { BackendCall } from "../backends/mod.ts";
import { readBody } from "../http/mod.ts";
import {
  checkMessage,
  ErrorCode,
  errorResponse,
  isNotification,
  isRequest,
  isResponse,
  type JsonRpcRequest,
  type JsonRpcResponse,
} from "./jsonrpc.ts";
import { Multiplexer } from "./multiplexer.ts";
import {
  negotiateRevision,
  revisionFromHeader,
  revisionOf,
  SUPPORTED_VERSIONS,
} from "./protocol.ts";
import type { SessionCodec, SessionState } from "./session_codec.ts";
import type { CallScope, CompiledTarget } from "./upstream/types.ts";
import type { TargetNames } from "./tool_names.ts";

/** The largest JSON-RPC body agw reads from a client. */
const REQUEST_LIMIT_BYTES = 4 * 1024 * 1024;

/** What a compiled backend hands each request. */
export interface McpBackendRuntime {
  readonly targets: readonly CompiledTarget[];
  readonly names: TargetNames;
  readonly codec: SessionCodec;
  readonly stateful: boolean;
  readonly failOpen: boolean;
  readonly dnsRebindingProtection: boolean;
}

/** Serves one downstream HTTP request. */
export async function handleMcpRequest(
  call: BackendCall,
  runtime: McpBackendRuntime,
): Promise<Response> {
  const headers = call.request.headers;
  if (runtime.dnsRebindingProtection && !isLocal(call.request.authority, headers.get("origin"))) {
    return plain(403, "Forbidden: Host or Origin is not local");
  }
  const scope: CallScope = {
    ctx: call.ctx,
    headers: dropSessionHeaders(call),
    send: call.send,
    deadlineMs: undefined,
  };
  const method = call.request.method.toUpperCase();
  if (method === "GET") return plain(405, "Method Not Allowed", { allow: "POST, DELETE" });
  if (method === "DELETE") {
    if (!runtime.stateful) return plain(405, "Method Not Allowed", { allow: "POST" });
    const session = await sessionOf(runtime, headers.get("mcp-session-id"));
    if (session instanceof Response) return session;
    if (!session) return plain(400, "Bad Request: Mcp-Session-Id header is required");
    await new Multiplexer(runtime, session).close(scope);
    return new Response(null, { status: 202 });
  }
  if (method !== "POST") return plain(405, "Method Not Allowed", { allow: "GET, POST, DELETE" });
  const accept = headers.get("accept") ?? "";
  if (!accept.includes("application/json") || !accept.includes("text/event-stream")) {
    return rpcError(406, "Not Acceptable: Accept must list application/json and text/event-stream");
  }
  if (!(headers.get("content-type") ?? "").includes("application/json")) {
    return rpcError(415, "Unsupported Media Type: Content-Type must be application/json");
  }
  const { text } = await readBody(
    call.request.body as Parameters<typeof readBody>[0],
    REQUEST_LIMIT_BYTES,
  );
  if (text === undefined) return rpcError(413, "Payload Too Large");
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return jsonAnswer(400, errorResponse(null, ErrorCode.ParseError, "Parse error"));
  }
  const checked = checkMessage(parsed);
  if (!checked.ok) {
    return jsonAnswer(400, errorResponse(null, ErrorCode.InvalidRequest, checked.why));
  }
  const message = checked.message;
  if (isRequest(message) && message.method === "initialize") {
    return await initialize(message, runtime, scope);
  }
  const session = await sessionOf(runtime, headers.get("mcp-session-id"));
  if (session instanceof Response) return session;
  if (runtime.stateful && !session) {
    return jsonAnswer(
      400,
      errorResponse(
        null,
        ErrorCode.InvalidRequest,
        "Bad Request: Mcp-Session-Id header is required",
      ),
    );
  }
  const versionHeader = headers.get("mcp-protocol-version");
  const sessionRevision = session ? revisionOf(session.pv) : undefined;
  if (!revisionFromHeader(versionHeader, sessionRevision)) {
    return jsonAnswer(
      400,
      errorResponse(
        null,
        ErrorCode.InvalidRequest,
        `Bad Request: unsupported MCP-Protocol-Version ${JSON.stringify(versionHeader)} ` +
          `(supported: ${SUPPORTED_VERSIONS.join(", ")})`,
      ),
    );
  }
  const mux = session
    ? new Multiplexer(runtime, session)
    : await Multiplexer.fresh(runtime, scope, {}, negotiateRevision(versionHeader).version);
  try {
    if (isNotification(message)) {
      await mux.notify(message, scope);
      return new Response(null, { status: 202 });
    }
    if (isResponse(message)) return new Response(null, { status: 202 });
    return jsonAnswer(200, await mux.request(message, scope));
  } finally {
    if (!runtime.stateful) await mux.close(scope);
  }
}

async function initialize(
  message: JsonRpcRequest,
  runtime: McpBackendRuntime,
  scope: CallScope,
): Promise<Response> {
  const params = message.params ?? {};
  const revision = negotiateRevision(params.protocolVersion);
  const started = await Multiplexer.start(runtime, scope, params, revision.version);
  if ("error" in started) return jsonAnswer(200, { ...started.error, id: message.id });
  const { mux, result } = started;
  const extra: Record<string, string> = {};
  if (runtime.stateful) extra["mcp-session-id"] = await runtime.codec.encode(mux.session);
  else await mux.close(scope);
  return jsonAnswer(200, { jsonrpc: "2.0", id: message.id, result }, extra);
}

/** The session a request names: undefined when none, a Response when it is bad or unknown. */
async function sessionOf(
  runtime: McpBackendRuntime,
  id: string | null,
): Promise<SessionState | Response | undefined> {
  if (id === null || !runtime.stateful) return undefined;
  const decoded = await runtime.codec.decode(id);
  if (decoded === "undecodable") return rpcError(400, "Bad Request: undecodable Mcp-Session-Id");
  if (decoded === "unauthentic") return rpcError(404, "Session not found");
  return decoded;
}

/** The client's headers minus the MCP ones agw sets itself towards each target. */
function dropSessionHeaders(call: BackendCall) {
  const headers = call.request.headers.clone();
  for (const name of ["mcp-session-id", "mcp-protocol-version", "content-length", "accept"]) {
    headers.delete(name);
  }
  return headers;
}

function isLocal(authority: string, origin: string | null): boolean {
  const local = (host: string) => /^(localhost|127\.0\.0\.1|\[::1\])(:\d+)?$/i.test(host);
  if (!local(authority)) return false;
  if (origin === null) return true;
  try {
    return local(new URL(origin).host);
  } catch {
    return false;
  }
}

function jsonAnswer(
  status: number,
  body: JsonRpcResponse,
  extra: Record<string, string> = {},
): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json", ...extra },
  });
}

function rpcError(status: number, message: string): Response {
  return jsonAnswer(status, errorResponse(null, ErrorCode.InvalidRequest, message));
}

function plain(status: number, text: string, extra: Record<string, string> = {}): Response {
  return new Response(text, { status, headers: { "content-type": "text/plain", ...extra } });
}
