/**
 * An MCP server built with the official SDK that implements what the server scenarios of
 * `@modelcontextprotocol/conformance` call (tools `test_*`, prompts `test_*`, resources
 * `test://…`), over stateful Streamable HTTP with an event store (resumable streams, SEP-1699)
 * and localhost-only Host/Origin checks. Conformance runs against it directly and through agw.
 * @module
 */
import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
// @ts-types="@modelcontextprotocol/sdk/server/mcp"
import { McpServer, ResourceTemplate } from "@modelcontextprotocol/sdk/server/mcp.js";
// @ts-types="@modelcontextprotocol/sdk/server/completable"
import { completable } from "@modelcontextprotocol/sdk/server/completable.js";
// @ts-types="@modelcontextprotocol/sdk/server/streamableHttp"
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
// @ts-types="@modelcontextprotocol/sdk/types"
import {
  CreateMessageResultSchema,
  ElicitResultSchema,
  type JSONRPCMessage,
  SubscribeRequestSchema,
  UnsubscribeRequestSchema,
} from "@modelcontextprotocol/sdk/types.js";
// @ts-types="@modelcontextprotocol/sdk/shared/protocol"
import type { RequestHandlerExtra } from "@modelcontextprotocol/sdk/shared/protocol.js";
import type { ServerNotification, ServerRequest } from "@modelcontextprotocol/sdk/types.js";
import { z } from "zod";

type Extra = RequestHandlerExtra<ServerRequest, ServerNotification>;
type NoArgs = Record<string, never>;

/** A 1×1 red PNG. */
const PNG =
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==";
/** A minimal WAV header with no samples. */
const WAV = "UklGRiQAAABXQVZFZm10IBAAAAABAAEAQB8AAIA+AAACABAAZGF0YQAAAAA=";

const text = (value: string) => ({ content: [{ type: "text" as const, text: value }] });
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Keeps every event, so a client (or agw) reconnecting with Last-Event-ID gets the rest. */
class MemoryEventStore {
  readonly #events: { id: string; stream: string; message: JSONRPCMessage }[] = [];

  storeEvent(stream: string, message: JSONRPCMessage): Promise<string> {
    const id = `${stream}_${this.#events.length}`;
    this.#events.push({ id, stream, message });
    return Promise.resolve(id);
  }

  getStreamIdForEventId(id: string): Promise<string | undefined> {
    return Promise.resolve(this.#events.find((e) => e.id === id)?.stream);
  }

  async replayEventsAfter(
    lastEventId: string,
    { send }: { send: (id: string, message: JSONRPCMessage) => Promise<void> },
  ): Promise<string> {
    const at = this.#events.findIndex((e) => e.id === lastEventId);
    const stream = this.#events[at]?.stream ?? "";
    for (const event of this.#events.slice(at + 1)) {
      if (event.stream === stream) await send(event.id, event.message);
    }
    return stream;
  }
}

function buildServer(): McpServer {
  const server = new McpServer({ name: "conformance-fixture", version: "1.0.0" }, {
    capabilities: { logging: {}, resources: { subscribe: true }, completions: {} },
  });
  const tool = (name: string, description: string, run: (extra: Extra) => unknown) =>
    server.registerTool(
      name,
      { description, inputSchema: {} },
      (_: NoArgs, extra: Extra) => run(extra) as never,
    );
  tool(
    "test_simple_text",
    "Simple text",
    () => text("This is a simple text response for testing."),
  );
  tool("test_image_content", "An image", () => ({
    content: [{ type: "image", data: PNG, mimeType: "image/png" }],
  }));
  tool("test_audio_content", "Audio", () => ({
    content: [{ type: "audio", data: WAV, mimeType: "audio/wav" }],
  }));
  tool("test_embedded_resource", "An embedded resource", () => ({
    content: [{
      type: "resource",
      resource: {
        uri: "test://embedded-resource",
        mimeType: "text/plain",
        text: "This is an embedded resource content.",
      },
    }],
  }));
  tool("test_multiple_content_types", "Several content types", () => ({
    content: [
      { type: "text", text: "Multiple content types test:" },
      { type: "image", data: PNG, mimeType: "image/png" },
      {
        type: "resource",
        resource: {
          uri: "test://mixed-content-resource",
          mimeType: "application/json",
          text: JSON.stringify({ test: "data", value: 123 }),
        },
      },
    ],
  }));
  tool("test_tool_with_logging", "Logs while it runs", async (extra) => {
    for (
      const [i, data] of [
        "Tool execution started",
        "Tool processing data",
        "Tool execution completed",
      ].entries()
    ) {
      if (i > 0) await pause(50);
      await extra.sendNotification({
        method: "notifications/message",
        params: { level: "info", data },
      });
    }
    return text("Tool with logging executed successfully");
  });
  tool("test_error_handling", "Always fails", () => ({
    isError: true,
    content: [{ type: "text", text: "This tool intentionally returns an error for testing" }],
  }));
  tool("test_tool_with_progress", "Reports progress", async (extra) => {
    const token = extra._meta?.progressToken;
    for (const [i, progress] of [0, 50, 100].entries()) {
      if (i > 0) await pause(50);
      if (token !== undefined) {
        await extra.sendNotification({
          method: "notifications/progress",
          params: { progressToken: token, progress, total: 100 },
        });
      }
    }
    return text("Progress tool executed successfully");
  });
  tool("test_reconnection", "Closes its stream mid-call (SEP-1699)", async (extra) => {
    await pause(100);
    extra.closeSSEStream?.();
    await pause(200);
    return text("Reconnection test completed");
  });
  server.registerTool("test_sampling", {
    description: "Asks the client's model",
    inputSchema: { prompt: z.string() },
  }, async ({ prompt }: { prompt: string }, extra: Extra) => {
    const result = await extra.sendRequest({
      method: "sampling/createMessage",
      params: {
        messages: [{ role: "user", content: { type: "text", text: prompt } }],
        maxTokens: 100,
      },
    }, CreateMessageResultSchema);
    const content = result.content as { text?: string };
    return text(`LLM response: ${content.text ?? ""}`);
  });
  server.registerTool("test_elicitation", {
    description: "Asks the user",
    inputSchema: { message: z.string() },
  }, async ({ message }: { message: string }, extra: Extra) => {
    const result = await extra.sendRequest({
      method: "elicitation/create",
      params: {
        message,
        requestedSchema: {
          type: "object",
          properties: {
            username: { type: "string", description: "User's response" },
            email: { type: "string", description: "User's email address" },
          },
          required: ["username", "email"],
        },
      },
    }, ElicitResultSchema);
    return text(
      `User response: action=${result.action}, content=${JSON.stringify(result.content ?? {})}`,
    );
  });
  const elicitTool = (name: string, properties: Record<string, unknown>) =>
    tool(name, `Elicitation (${name})`, async (extra) => {
      const result = await extra.sendRequest({
        method: "elicitation/create",
        // The SDK types the schema narrowly; the scenarios send exactly these shapes.
        params: {
          message: "Please review",
          requestedSchema: { type: "object", properties } as never,
        },
      }, ElicitResultSchema);
      return text(
        `Elicitation completed: action=${result.action}, content=${
          JSON.stringify(result.content ?? {})
        }`,
      );
    });
  elicitTool("test_elicitation_sep1034_defaults", {
    name: { type: "string", default: "John Doe" },
    age: { type: "integer", default: 30 },
    score: { type: "number", default: 95.5 },
    status: { type: "string", enum: ["active", "inactive", "pending"], default: "active" },
    verified: { type: "boolean", default: true },
  });
  elicitTool("test_elicitation_sep1330_enums", {
    untitledSingle: { type: "string", enum: ["option1", "option2", "option3"] },
    titledSingle: {
      type: "string",
      oneOf: [
        { const: "value1", title: "First Option" },
        { const: "value2", title: "Second Option" },
        { const: "value3", title: "Third Option" },
      ],
    },
    legacyEnum: {
      type: "string",
      enum: ["opt1", "opt2", "opt3"],
      enumNames: ["Option One", "Option Two", "Option Three"],
    },
    untitledMulti: {
      type: "array",
      items: { type: "string", enum: ["option1", "option2", "option3"] },
    },
    titledMulti: {
      type: "array",
      items: {
        anyOf: [
          { const: "value1", title: "First Choice" },
          { const: "value2", title: "Second Choice" },
          { const: "value3", title: "Third Choice" },
        ],
      },
    },
  });
  server.registerPrompt("test_simple_prompt", { description: "A simple prompt" }, () => ({
    messages: [{
      role: "user",
      content: { type: "text", text: "This is a simple prompt for testing." },
    }],
  }));
  server.registerPrompt("test_prompt_with_arguments", {
    description: "A prompt with arguments",
    argsSchema: {
      arg1: completable(
        z.string(),
        (value: string) => ["paris", "park", "party"].filter((v) => v.startsWith(value)),
      ),
      arg2: z.string(),
    },
  }, ({ arg1, arg2 }: { arg1: string; arg2: string }) => ({
    messages: [{
      role: "user",
      content: { type: "text", text: `Prompt with arguments: arg1='${arg1}', arg2='${arg2}'` },
    }],
  }));
  server.registerPrompt("test_prompt_with_embedded_resource", {
    description: "A prompt with an embedded resource",
    argsSchema: { resourceUri: z.string() },
  }, ({ resourceUri }: { resourceUri: string }) => ({
    messages: [
      {
        role: "user",
        content: {
          type: "resource",
          resource: {
            uri: resourceUri,
            mimeType: "text/plain",
            text: "Embedded resource content for testing.",
          },
        },
      },
      {
        role: "user",
        content: { type: "text", text: "Please process the embedded resource above." },
      },
    ],
  }));
  server.registerPrompt(
    "test_prompt_with_image",
    { description: "A prompt with an image" },
    () => ({
      messages: [
        { role: "user", content: { type: "image", data: PNG, mimeType: "image/png" } },
        { role: "user", content: { type: "text", text: "Please analyze the image above." } },
      ],
    }),
  );
  server.registerResource("static-text", "test://static-text", {
    description: "Static text",
    mimeType: "text/plain",
  }, () => ({
    contents: [{
      uri: "test://static-text",
      mimeType: "text/plain",
      text: "This is the content of the static text resource.",
    }],
  }));
  server.registerResource("static-binary", "test://static-binary", {
    description: "Static binary",
    mimeType: "image/png",
  }, () => ({ contents: [{ uri: "test://static-binary", mimeType: "image/png", blob: PNG }] }));
  server.registerResource(
    "watched-resource",
    "test://watched-resource",
    {
      description: "A resource to subscribe to",
      mimeType: "text/plain",
    },
    () => ({
      contents: [{ uri: "test://watched-resource", mimeType: "text/plain", text: "watched" }],
    }),
  );
  server.registerResource(
    "template",
    new ResourceTemplate("test://template/{id}/data", { list: undefined }),
    { description: "A template", mimeType: "application/json" },
    (uri: URL, { id }: Record<string, unknown>) => ({
      contents: [{
        uri: uri.href,
        mimeType: "application/json",
        text: JSON.stringify({ id, templateTest: true, data: `Data for ID: ${id}` }),
      }],
    }),
  );
  server.server.setRequestHandler(SubscribeRequestSchema, () => ({}));
  server.server.setRequestHandler(UnsubscribeRequestSchema, () => ({}));
  server.registerTool("json_schema_2020_12_tool", {
    description: "Tool with JSON Schema 2020-12 features",
    inputSchema: { name: z.string().optional() },
  }, () => text("ok"));
  // The SDK would rewrite the schema: list it as the scenario writes it.
  const list = server.server["_requestHandlers"] as Map<
    string,
    (r: unknown, e: unknown) => Promise<{ tools: { name: string }[] }>
  >;
  const listTools = list.get("tools/list")!;
  list.set("tools/list", async (request, extra) => {
    const result = await listTools(request, extra);
    for (const tool of result.tools) {
      if (tool.name === "json_schema_2020_12_tool") {
        (tool as Record<string, unknown>).inputSchema = {
          $schema: "https://json-schema.org/draft/2020-12/schema",
          type: "object",
          $defs: {
            address: {
              type: "object",
              properties: { street: { type: "string" }, city: { type: "string" } },
            },
          },
          properties: { name: { type: "string" }, address: { $ref: "#/$defs/address" } },
          additionalProperties: false,
        };
      }
    }
    return result;
  });
  return server;
}

const LOCAL = /^(localhost|127\.0\.0\.1|\[::1\])(:\d+)?$/i;

function isLocal(req: IncomingMessage): boolean {
  if (!LOCAL.test(req.headers.host ?? "")) return false;
  const origin = req.headers.origin;
  if (origin === undefined) return true;
  try {
    return LOCAL.test(new URL(origin).host);
  } catch {
    return false;
  }
}

/** A running conformance fixture at `url` (…/mcp). */
export interface ConformanceFixture {
  readonly url: string;
  close(): Promise<void>;
}

/** Starts the conformance fixture on 127.0.0.1. */
export async function startConformanceFixture(): Promise<ConformanceFixture> {
  const transports = new Map<string, StreamableHTTPServerTransport>();
  const http = createServer(async (req, res) => {
    if (!isLocal(req)) {
      res.writeHead(403).end("Forbidden: non-local Host or Origin");
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
        eventStore: new MemoryEventStore(),
        retryInterval: 100,
        onsessioninitialized: (sid: string) => void transports.set(sid, transport!),
        onsessionclosed: (sid: string) => void transports.delete(sid),
      });
      await buildServer().connect(transport);
    }
    await transport.handleRequest(req, res);
  });
  await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
  const port = (http.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/mcp`,
    async close() {
      await Promise.all([...transports.values()].map((t) => t.close()));
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}
