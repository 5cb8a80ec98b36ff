/**
 * MCP servers built with the official SDK (McpServer) on node:http at 127.0.0.1:0, recording
 * every HTTP request and JSON-RPC message they get. One server factory, three transports:
 * Streamable HTTP stateful (`startMcpFixture`), Streamable HTTP stateless (`{stateless: true}`)
 * and the legacy HTTP+SSE transport (`startLegacySseFixture`).
 *
 * Tools: `echo`, `<label>_only`, `progress` (progress notifications), `log` (a logging message
 * on the request's stream), `announce` (a logging message on the GET stream), `sample`
 * (sampling/createMessage to the client), `elicit` (elicitation/create), `wait` (until
 * cancelled). Prompt `greet`; resource `mem://<label>/note`; template `mem://<label>/item/{id}`.
 * With `pageSize`, tools/list pages.
 * @module
 */
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
// @ts-types="@modelcontextprotocol/sdk/server/mcp"
import { McpServer, ResourceTemplate } from "@modelcontextprotocol/sdk/server/mcp.js";
// @ts-types="@modelcontextprotocol/sdk/server/streamableHttp"
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
// @ts-types="@modelcontextprotocol/sdk/server/sse"
import { SSEServerTransport } from "@modelcontextprotocol/sdk/server/sse.js";
// @ts-types="@modelcontextprotocol/sdk/types"
import {
  CreateMessageResultSchema,
  ElicitResultSchema,
  ListToolsRequestSchema,
} from "@modelcontextprotocol/sdk/types.js";
// @ts-types="@modelcontextprotocol/sdk/shared/protocol"
import type { RequestHandlerExtra } from "@modelcontextprotocol/sdk/shared/protocol.js";
import type { ServerNotification, ServerRequest } from "@modelcontextprotocol/sdk/types.js";
import { z } from "zod";

/** What a test sees of a running fixture. */
export interface McpFixture {
  /** `http://127.0.0.1:PORT/api/mcp` (the legacy fixture: `…/sse`). */
  readonly url: string;
  /** Method and headers of each HTTP request, in arrival order. */
  readonly requests: { method: string; headers: IncomingMessage["headers"] }[];
  /** Each JSON-RPC message posted to the fixture, in arrival order. */
  readonly messages: Record<string, unknown>[];
  /** Resolves once a posted message satisfies `test` (already received ones count). */
  waitForMessage(test: (message: Record<string, unknown>) => boolean): Promise<void>;
  /** Resolves once an HTTP request satisfies `test`. */
  waitForRequest(test: (request: McpFixture["requests"][number]) => boolean): Promise<void>;
  close(): Promise<void>;
}

/** Options for a fixture. */
export interface FixtureOptions {
  /** Streamable HTTP without sessions (a new server per request). */
  stateless?: boolean;
  /** tools/list returns this many tools per page. */
  pageSize?: number;
}

type Extra = RequestHandlerExtra<ServerRequest, ServerNotification>;
type Args = Record<string, never>;

const text = (value: string) => ({ content: [{ type: "text" as const, text: value }] });

function buildServer(label: string, options: FixtureOptions): McpServer {
  const server = new McpServer({ name: `fixture-${label}`, version: "1.0.0" }, {
    capabilities: { logging: {} },
  });
  server.registerTool("echo", {
    description: "Echoes its text",
    inputSchema: { text: z.string() },
  }, ({ text: said }: { text: string }) => text(`${label}: ${said}`));
  server.registerTool(`${label}_only`, { description: `Only on ${label}` }, () => text(label));
  server.registerTool(
    "progress",
    { description: "Reports progress twice", inputSchema: {} },
    async (
      _args: Args,
      extra: Extra,
    ) => {
      const token = extra._meta?.progressToken;
      if (token !== undefined) {
        for (const progress of [1, 2]) {
          await extra.sendNotification({
            method: "notifications/progress",
            params: { progressToken: token, progress, total: 2 },
          });
        }
      }
      return text("done");
    },
  );
  server.registerTool(
    "log",
    { description: "Logs on the request's stream", inputSchema: {} },
    async (
      _args: Args,
      extra: Extra,
    ) => {
      await extra.sendNotification({
        method: "notifications/message",
        params: { level: "info", data: `${label} logged` },
      });
      return text("logged");
    },
  );
  server.registerTool("announce", { description: "Logs on the GET stream" }, async () => {
    await server.server.sendLoggingMessage({ level: "info", data: `${label} announces` });
    return text("announced");
  });
  server.registerTool("sample", {
    description: "Asks the client's model",
    inputSchema: { prompt: z.string() },
  }, async ({ prompt }: { prompt: string }, extra: Extra) => {
    const result = await extra.sendRequest({
      method: "sampling/createMessage",
      params: {
        messages: [{ role: "user", content: { type: "text", text: prompt } }],
        maxTokens: 10,
      },
    }, CreateMessageResultSchema);
    const content = result.content as { text?: string };
    return text(`sampled: ${content.text}`);
  });
  server.registerTool("elicit", { description: "Asks the user", inputSchema: {} }, async (
    _args: Args,
    extra: Extra,
  ) => {
    const result = await extra.sendRequest({
      method: "elicitation/create",
      params: {
        message: "Your name?",
        requestedSchema: { type: "object", properties: { name: { type: "string" } } },
      },
    }, ElicitResultSchema);
    return text(`elicited: ${result.action} ${JSON.stringify(result.content ?? {})}`);
  });
  server.registerTool("wait", { description: "Waits until cancelled", inputSchema: {} }, (
    _args: Args,
    extra: Extra,
  ) =>
    new Promise((resolve) => {
      extra.signal.addEventListener("abort", () => resolve(text("cancelled")));
    }));
  server.registerPrompt("greet", {
    description: "Greets",
    argsSchema: { name: z.string() },
  }, ({ name }: { name: string }) => ({
    messages: [{ role: "user", content: { type: "text", text: `Hello ${name} from ${label}` } }],
  }));
  server.registerResource("note", `mem://${label}/note`, { mimeType: "text/plain" }, (
    uri: URL,
  ) => ({ contents: [{ uri: uri.href, text: `note of ${label}` }] }));
  server.registerResource(
    "item",
    new ResourceTemplate(`mem://${label}/item/{id}`, { list: undefined }),
    { mimeType: "text/plain" },
    (uri: URL, variables: Record<string, unknown>) => ({
      contents: [{ uri: uri.href, text: `item ${variables.id} of ${label}` }],
    }),
  );
  if (options.pageSize) paginateTools(server, options.pageSize);
  return server;
}

/** Replaces the SDK's tools/list with one that pages (cursor = the next index). */
function paginateTools(server: McpServer, pageSize: number): void {
  const names = ["echo", "progress", "log", "announce", "sample", "elicit", "wait"];
  server.server.setRequestHandler(
    ListToolsRequestSchema,
    (request: { params?: { cursor?: string | undefined } | undefined }) => {
      const start = Number(request.params?.cursor ?? 0);
      const page = names.slice(start, start + pageSize).map((name) => ({
        name,
        inputSchema: { type: "object" as const },
      }));
      const next = start + pageSize;
      return next < names.length ? { tools: page, nextCursor: String(next) } : { tools: page };
    },
  );
}

interface Recorder {
  requests: McpFixture["requests"];
  messages: McpFixture["messages"];
  waiters: (() => void)[];
}

function recorder(): Recorder {
  return { requests: [], messages: [], waiters: [] };
}

function notify(recorder: Recorder): void {
  for (const waiter of [...recorder.waiters]) waiter();
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Uint8Array[] = [];
  for await (const chunk of req) chunks.push(chunk as Uint8Array);
  const body = new TextDecoder().decode(
    chunks.length === 1 ? chunks[0] : new Uint8Array(chunks.flatMap((c) => [...c])),
  );
  return body === "" ? undefined : JSON.parse(body);
}

function record(recorder: Recorder, body: unknown): void {
  for (const message of Array.isArray(body) ? body : body === undefined ? [] : [body]) {
    recorder.messages.push(message as Record<string, unknown>);
  }
  notify(recorder);
}

async function listen(
  http: Server,
  recorder: Recorder,
  path: string,
  onClose: () => Promise<void>,
) {
  await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
  const port = (http.address() as AddressInfo).port;
  const waitFor = <T>(items: T[], test: (item: T) => boolean) =>
    new Promise<void>((resolve) => {
      const check = () => {
        if (!items.some(test)) return;
        recorder.waiters.splice(recorder.waiters.indexOf(check), 1);
        resolve();
      };
      recorder.waiters.push(check);
      check();
    });
  return {
    url: `http://127.0.0.1:${port}${path}`,
    requests: recorder.requests,
    messages: recorder.messages,
    waitForMessage: (test: (m: Record<string, unknown>) => boolean) =>
      waitFor(recorder.messages, test),
    waitForRequest: (test: (r: McpFixture["requests"][number]) => boolean) =>
      waitFor(recorder.requests, test),
    async close() {
      await onClose();
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  } satisfies McpFixture;
}

/** Starts a Streamable HTTP fixture serving `/api/mcp` (stateful unless `stateless`). */
export async function startMcpFixture(
  label = "one",
  options: FixtureOptions = {},
): Promise<McpFixture> {
  const transports = new Map<string, StreamableHTTPServerTransport>();
  const log = recorder();
  const http = createServer(async (req, res) => {
    log.requests.push({ method: req.method ?? "", headers: req.headers });
    notify(log);
    const body = req.method === "POST" ? await readJson(req) : undefined;
    record(log, body);
    if (options.stateless) {
      const transport = new StreamableHTTPServerTransport({});
      const server = buildServer(label, options);
      res.on("close", () => void transport.close());
      await server.connect(transport);
      await transport.handleRequest(req, res, body);
      return;
    }
    const id = req.headers["mcp-session-id"];
    let transport = typeof id === "string" ? transports.get(id) : undefined;
    if (!transport) {
      if (typeof id === "string") {
        res.writeHead(404).end();
        return;
      }
      transport = new StreamableHTTPServerTransport({
        sessionIdGenerator: () => crypto.randomUUID(),
        onsessioninitialized: (sid: string) => void transports.set(sid, transport!),
        onsessionclosed: (sid: string) => void transports.delete(sid),
      });
      await buildServer(label, options).connect(transport);
    }
    await transport.handleRequest(req, res, body);
  });
  return await listen(http, log, "/api/mcp", async () => {
    await Promise.all([...transports.values()].map((t) => t.close()));
  });
}

/** Starts a legacy HTTP+SSE fixture: `GET /sse`, then `POST /messages?sessionId=…`. */
export async function startLegacySseFixture(label = "legacy"): Promise<McpFixture> {
  const transports = new Map<string, SSEServerTransport>();
  const log = recorder();
  const http = createServer(async (req, res) => {
    log.requests.push({ method: req.method ?? "", headers: req.headers });
    notify(log);
    const url = new URL(req.url ?? "/", "http://fixture");
    if (req.method === "GET" && url.pathname === "/sse") {
      const transport = new SSEServerTransport("/messages", res);
      transports.set(transport.sessionId, transport);
      res.on("close", () => transports.delete(transport.sessionId));
      await buildServer(label, {}).connect(transport);
      return;
    }
    const transport = transports.get(url.searchParams.get("sessionId") ?? "");
    if (req.method !== "POST" || !transport) {
      res.writeHead(404).end();
      return;
    }
    const body = await readJson(req);
    record(log, body);
    await transport.handlePostMessage(req, res, body);
  });
  return await listen(http, log, "/sse", async () => {
    await Promise.all([...transports.values()].map((t) => t.close()));
  });
}
