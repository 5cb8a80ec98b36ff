/**
 * An MCP server built with the official SDK (McpServer + StreamableHTTPServerTransport, stateful)
 * on node:http at 127.0.0.1:0, recording the headers of every request it gets. Tools: `echo`,
 * and `<label>_only`, so multiplexing tests see whose tool is whose.
 * @module
 */
import { createServer, type IncomingMessage } from "node:http";
import type { AddressInfo } from "node:net";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import { z } from "zod";

/** What a test sees of a running fixture. */
export interface McpFixture {
  /** `http://127.0.0.1:PORT/api/mcp` */
  readonly url: string;
  /** Method and headers of each request, in arrival order. */
  readonly requests: { method: string; headers: IncomingMessage["headers"] }[];
  close(): Promise<void>;
}

function buildServer(label: string): McpServer {
  const server = new McpServer({ name: `fixture-${label}`, version: "1.0.0" });
  server.registerTool("echo", {
    description: "Echoes its text",
    inputSchema: { text: z.string() },
  }, ({ text }: { text: string }) => ({ content: [{ type: "text", text: `${label}: ${text}` }] }));
  server.registerTool(`${label}_only`, { description: `Only on ${label}` }, () => ({
    content: [{ type: "text", text: label }],
  }));
  return server;
}

/** Starts a stateful Streamable HTTP fixture serving `/api/mcp`. */
export async function startMcpFixture(label = "one"): Promise<McpFixture> {
  const transports = new Map<string, StreamableHTTPServerTransport>();
  const requests: McpFixture["requests"] = [];
  const http = createServer(async (req, res) => {
    requests.push({ method: req.method ?? "", headers: req.headers });
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
      });
      await buildServer(label).connect(transport);
    }
    await transport.handleRequest(req, res);
  });
  await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
  const port = (http.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/api/mcp`,
    requests,
    async close() {
      await Promise.all([...transports.values()].map((t) => t.close()));
      http.closeAllConnections();
      await new Promise<void>((resolve) => http.close(() => resolve()));
    },
  };
}
