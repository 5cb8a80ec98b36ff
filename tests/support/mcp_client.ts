/**
 * The official MCP SDK client, connected through agw over Streamable HTTP or the legacy SSE
 * transport, with typed imports (the SDK's deep imports type as `any` otherwise).
 * @module
 */
// @ts-types="@modelcontextprotocol/sdk/client/index"
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
// @ts-types="@modelcontextprotocol/sdk/client/streamableHttp"
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
// @ts-types="@modelcontextprotocol/sdk/client/sse"
import { SSEClientTransport } from "@modelcontextprotocol/sdk/client/sse.js";

export { Client, SSEClientTransport, StreamableHTTPClientTransport };

/** Client capabilities for tests that answer sampling and elicitation. */
export const ANSWERING = { capabilities: { sampling: {}, elicitation: {} } } as const;

/** A client connected to `url` (…/mcp) over Streamable HTTP. */
export async function connectStreamable(
  url: string,
  options: { capabilities?: Record<string, unknown> } = {},
): Promise<{ client: Client; transport: StreamableHTTPClientTransport }> {
  const client = new Client({ name: "test", version: "1.0.0" }, {
    capabilities: options.capabilities ?? {},
  });
  const transport = new StreamableHTTPClientTransport(new URL(url));
  await client.connect(transport);
  return { client, transport };
}

/** A client connected to `url` (…/sse) over the legacy SSE transport. */
export async function connectLegacy(url: string): Promise<Client> {
  const client = new Client({ name: "test", version: "1.0.0" });
  await client.connect(new SSEClientTransport(new URL(url)));
  return client;
}

/** The names of a list result's items, sorted. */
export function namesOf(items: readonly { name: string }[]): string[] {
  return items.map((item) => item.name).sort();
}
