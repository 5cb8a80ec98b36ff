/**
 * The downstream side of an `mcp` backend over Streamable HTTP (MCP spec 2025-11-25,
 * "Transports / Streamable HTTP"): POST carries one JSON-RPC message (a batch in 2025-03-26),
 * answered as JSON or, when the targets send anything before the response, as an event
 * stream; GET opens the session's server-to-client stream; DELETE ends the session (202). The
 * legacy HTTP+SSE transport is legacy_sse.ts; both drive the same relay.
 * @module
 */
import type { BackendCall } from "../backends/mod.ts";
import { readBody } from "../http/mod.ts";
import { answerRequest, jsonResponse, plainResponse } from "./answer.ts";
import {
  checkMessage,
  ErrorCode,
  errorResponse,
  isNotification,
  isRequest,
  type JsonRpcMessage,
  type JsonRpcRequest,
  type JsonRpcResponse,
} from "./jsonrpc.ts";
import type { LegacySseSessions } from "./legacy_sse.ts";
import {
  type ProtocolRevision,
  revisionFromHeader,
  revisionOf,
  SUPPORTED_VERSIONS,
} from "./protocol.ts";
import { recordMcpRequest, type RelayBackend, RelayFailure, RelaySession } from "./relay.ts";
import { initializeSession } from "./initialize.ts";
import type { SessionRegistry } from "./session.ts";
import { messageEvent, SSE_HEADERS, SseWriter } from "./sse_events.ts";
import type { CallScope } from "./upstream/types.ts";

/** The largest JSON-RPC body agw reads from a client. */
export const REQUEST_LIMIT_BYTES = 4 * 1024 * 1024;

/** What a compiled backend hands each request. */
export interface McpRuntime {
  readonly backend: RelayBackend;
  readonly sessions: SessionRegistry;
  readonly legacy: LegacySseSessions;
  readonly stateful: boolean;
  readonly dnsRebindingProtection: boolean;
  /** The route's request timeout: how long a target may take to answer. */
  readonly requestTimeoutMs: number | undefined;
}

/** Serves one downstream HTTP request. */
export async function handleMcpRequest(call: BackendCall, runtime: McpRuntime): Promise<Response> {
  const headers = call.request.headers;
  // MCP spec, "Security Warning": a local server checks Origin (and here Host) against DNS rebinding.
  if (runtime.dnsRebindingProtection && !isLocal(call.ctx.clientAuthority, headers.get("origin"))) {
    return plainResponse(403, "Forbidden: Host or Origin is not local");
  }
  const scope = scopeOf(call, runtime);
  const method = call.request.method.toUpperCase();
  const url = call.ctx.url;
  if (url.pathname.startsWith("/.well-known/")) return plainResponse(404, "Not Found");
  if (method === "GET" && url.pathname.endsWith("/sse")) return runtime.legacy.open(scope);
  if (method === "POST" && url.searchParams.has("sessionId")) {
    return await runtime.legacy.post(scope, url.searchParams.get("sessionId")!, call.request.body);
  }
  switch (method) {
    case "POST":
      return await post(call, runtime, scope);
    case "GET":
      return await listen(call, runtime, scope);
    case "DELETE":
      return await remove(call, runtime, scope);
    default:
      return plainResponse(405, "Method Not Allowed", {
        allow: runtime.stateful ? "GET, POST, DELETE" : "POST",
      });
  }
}

/** The scope of every target call this request makes: its headers, sender and deadline. */
export function scopeOf(call: BackendCall, runtime: McpRuntime): CallScope {
  const timeout = runtime.requestTimeoutMs;
  return {
    ctx: call.ctx,
    headers: call.request.headers,
    send: call.send,
    metrics: call.metrics,
    deadlineMs: timeout === undefined ? undefined : call.ctx.startMs + timeout,
  };
}

async function post(call: BackendCall, runtime: McpRuntime, scope: CallScope): Promise<Response> {
  const headers = call.request.headers;
  const accept = headers.get("accept") ?? "";
  if (!accept.includes("application/json") || !accept.includes("text/event-stream")) {
    return rpcError(
      406,
      "Not Acceptable: Client must accept both application/json and text/event-stream",
    );
  }
  if (!(headers.get("content-type") ?? "").toLowerCase().includes("application/json")) {
    return rpcError(415, "Unsupported Media Type: Content-Type must be application/json");
  }
  const parsed = await parseBody(call.request.body);
  if (parsed instanceof Response) return parsed;
  if (!Array.isArray(parsed)) {
    const checked = checkMessage(parsed);
    if (!checked.ok) return jsonResponse(400, invalid(checked.why));
    const message = checked.message;
    if (isRequest(message) && message.method === "initialize") {
      return await initialize(message, runtime, scope);
    }
    const found = await sessionFor(call, runtime, scope);
    if (found instanceof Response) return found;
    return await deliver(message, found, runtime, scope);
  }
  // JSON-RPC batches existed only in 2025-03-26 (and the legacy era); later revisions refuse them.
  const found = await sessionFor(call, runtime, scope);
  if (found instanceof Response) return found;
  if (!found.revision.allowsBatches || parsed.length === 0) {
    return jsonResponse(400, invalid(`batches are not allowed in ${found.revision.version}`));
  }
  return await deliverBatch(parsed, found, runtime, scope);
}

interface FoundSession {
  readonly session: RelaySession;
  readonly revision: ProtocolRevision;
  /** Stateless mode: a session made for this request, closed after it. */
  readonly ephemeral: boolean;
}

/** The request's session (or, stateless, a fresh one), or the HTTP error to answer with. */
async function sessionFor(
  call: BackendCall,
  runtime: McpRuntime,
  scope: CallScope,
): Promise<FoundSession | Response> {
  const headers = call.request.headers;
  const versionHeader = headers.get("mcp-protocol-version");
  if (!runtime.stateful) {
    const revision = revisionFromHeader(versionHeader, undefined);
    if (!revision) return unsupportedVersion(versionHeader);
    return { session: statelessSession(runtime, revision.version), revision, ephemeral: true };
  }
  const id = headers.get("mcp-session-id");
  if (id === null) {
    // A browser client cannot read Mcp-Session-Id unless CORS exposes it (the user's config of
    // issue #8 does not), so it sends none: rather than the spec's optional 400, serve the
    // request in a session of its own, as stateless mode does.
    if (call.request.method.toUpperCase() !== "POST") {
      return rpcError(400, "Bad Request: Mcp-Session-Id header is required");
    }
    const revision = revisionFromHeader(versionHeader, undefined);
    if (!revision) return unsupportedVersion(versionHeader);
    return { session: statelessSession(runtime, revision.version), revision, ephemeral: true };
  }
  const session = await runtime.sessions.find(id, scope);
  if (session === "undecodable") return rpcError(400, "Bad Request: invalid Mcp-Session-Id");
  if (typeof session === "string") return rpcError(404, "Session not found");
  const revision = revisionFromHeader(versionHeader, revisionOf(session.state.pv));
  if (!revision) return unsupportedVersion(versionHeader);
  return { session, revision, ephemeral: false };
}

/** A stateless request's session: every target initialized for it alone. */
function statelessSession(runtime: McpRuntime, version: string): RelaySession {
  return new RelaySession(runtime.backend, {
    v: 1,
    pv: version,
    c: { protocolVersion: version, capabilities: {}, clientInfo: { name: "agw", version: "0" } },
    t: runtime.backend.targets.map((t) => ({ n: t.name })),
    r: crypto.randomUUID(),
  });
}

async function initialize(
  message: JsonRpcRequest,
  runtime: McpRuntime,
  scope: CallScope,
): Promise<Response> {
  recordMcpRequest(scope, message.method);
  let sessionId: string | undefined;
  const headers: Record<string, string> = {};
  return await answerRequest(async (sink) => {
    const { response, session } = await initializeSession(
      runtime.backend,
      message,
      scope,
      sink,
    );
    if (session) {
      if (runtime.stateful) {
        sessionId = await runtime.sessions.add(session, scope);
        headers["mcp-session-id"] = sessionId;
      } else await session.close(scope);
    }
    return response;
  }, headers);
}

/** One message in a session: requests are answered, notifications and responses accepted (202). */
async function deliver(
  message: JsonRpcMessage,
  found: FoundSession,
  runtime: McpRuntime,
  scope: CallScope,
): Promise<Response> {
  const { session } = found;
  try {
    if (isRequest(message)) {
      return await answerRequest(async (sink) => {
        try {
          return await session.request(message, scope, sink);
        } finally {
          // Stateless: the upstream sessions end as soon as the answer is known.
          if (found.ephemeral) void session.close(scope);
        }
      });
    }
    if (isNotification(message)) await session.notify(message, scope);
    else await session.reply(message as JsonRpcResponse, scope);
    if (found.ephemeral) void session.close(scope);
    return new Response(null, { status: 202 });
  } catch (error) {
    return await failed(error, found, runtime, scope);
  }
}

async function deliverBatch(
  messages: unknown[],
  found: FoundSession,
  runtime: McpRuntime,
  scope: CallScope,
): Promise<Response> {
  const answers: JsonRpcResponse[] = [];
  try {
    await Promise.all(messages.map(async (value) => {
      const checked = checkMessage(value);
      if (!checked.ok) return answers.push(invalid(checked.why));
      const message = checked.message;
      if (isRequest(message)) answers.push(await found.session.request(message, scope, () => {}));
      else if (isNotification(message)) await found.session.notify(message, scope);
      else await found.session.reply(message as JsonRpcResponse, scope);
    }));
  } catch (error) {
    return await failed(error, found, runtime, scope);
  } finally {
    if (found.ephemeral) void found.session.close(scope);
  }
  return answers.length === 0 ? new Response(null, { status: 202 }) : jsonResponse(200, answers);
}

/** A target lost the session (404): the client must start a new one, as the spec says. */
async function failed(
  error: unknown,
  found: FoundSession,
  runtime: McpRuntime,
  scope: CallScope,
): Promise<Response> {
  if (!(error instanceof RelayFailure)) throw error;
  if (found.session.id !== undefined) await runtime.sessions.end(found.session.id, scope);
  return rpcError(error.status ?? 500, error.status === 404 ? "Session not found" : error.message);
}

/** GET: the session's server-to-client stream, fed by every target's own. */
async function listen(call: BackendCall, runtime: McpRuntime, scope: CallScope): Promise<Response> {
  if (!runtime.stateful) return plainResponse(405, "Method Not Allowed", { allow: "POST" });
  if (!(call.request.headers.get("accept") ?? "").includes("text/event-stream")) {
    return rpcError(406, "Not Acceptable: Client must accept text/event-stream");
  }
  if (call.request.headers.get("mcp-session-id") === null) {
    // No session to listen to (see sessionFor): the client then goes on without a stream.
    return plainResponse(405, "Method Not Allowed: no session", { allow: "POST, DELETE" });
  }
  const found = await sessionFor(call, runtime, scope);
  if (found instanceof Response) return found;
  const writer = closingWithClient(new SseWriter(), call.ctx.request.signal);
  try {
    const opened = await found.session.listen(
      scope,
      (message) => writer.write(messageEvent(message)),
      writer.closed,
      () => writer.close(),
    );
    if (!opened) {
      writer.close();
      return plainResponse(405, "Method Not Allowed: no target offers a server-to-client stream", {
        allow: "POST, DELETE",
      });
    }
  } catch (error) {
    writer.close();
    return await failed(error, found, runtime, scope);
  }
  return new Response(writer.body, { status: 200, headers: SSE_HEADERS });
}

/** A client that leaves (even before the stream's head went out) ends the stream. */
export function closingWithClient(writer: SseWriter, signal: AbortSignal): SseWriter {
  if (signal.aborted) writer.close();
  else signal.addEventListener("abort", () => writer.close(), { once: true });
  return writer;
}

/** DELETE: ends the session and each target's (Streamable HTTP, "Session Management"). */
async function remove(call: BackendCall, runtime: McpRuntime, scope: CallScope): Promise<Response> {
  if (!runtime.stateful) return plainResponse(405, "Method Not Allowed", { allow: "POST" });
  const found = await sessionFor(call, runtime, scope);
  if (found instanceof Response) return found;
  await runtime.sessions.end(found.session.id!, scope);
  return new Response(null, { status: 202 });
}

/** The body as JSON, or the error response: parse error 400, too large 413. */
async function parseBody(body: BackendCall["request"]["body"]): Promise<unknown> {
  const { text } = await readBody(body as Parameters<typeof readBody>[0], REQUEST_LIMIT_BYTES);
  if (text === undefined) return rpcError(413, "Payload Too Large");
  try {
    return JSON.parse(text);
  } catch {
    return jsonResponse(400, errorResponse(null, ErrorCode.ParseError, "Parse error"));
  }
}

function unsupportedVersion(header: string | null): Response {
  return rpcError(
    400,
    `Bad Request: Unsupported protocol version ${JSON.stringify(header)} (supported versions: ${
      SUPPORTED_VERSIONS.join(", ")
    })`,
  );
}

function invalid(why: string): JsonRpcResponse {
  return errorResponse(null, ErrorCode.InvalidRequest, `Invalid Request: ${why}`);
}

function rpcError(status: number, message: string): Response {
  return jsonResponse(status, errorResponse(null, ErrorCode.InvalidRequest, message));
}

/** Whether Host (and Origin, when sent) name this machine. */
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
