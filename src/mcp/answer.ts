/**
 * How agw answers a client's POST (Streamable HTTP, "Sending Messages to the Server"): as one
 * JSON body when only the response comes, or as an event stream as soon as anything comes
 * first — a progress or logging notification, a sampling or elicitation request — so those
 * reach the client while the request is still open. The choice is made at the first event.
 * @module
 */
import type { JsonRpcMessage, JsonRpcResponse } from "./jsonrpc.ts";
import { messageEvent, SSE_HEADERS, SseWriter } from "./sse_events.ts";
import type { MessageSink } from "./upstream/types.ts";

/** Answers with JSON unless messages arrive before the response; then with SSE. */
export function answerRequest(
  work: (sink: MessageSink) => Promise<JsonRpcResponse>,
  headers: Record<string, string> = {},
): Promise<Response> {
  const { promise, resolve, reject } = Promise.withResolvers<Response>();
  let writer: SseWriter | undefined;
  let answered = false;
  const sink = (message: JsonRpcMessage) => {
    if (answered && !writer) return;
    if (!writer) {
      writer = new SseWriter();
      resolve(new Response(writer.body, { status: 200, headers: { ...SSE_HEADERS, ...headers } }));
    }
    writer.write(messageEvent(message));
  };
  work(sink).then((response) => {
    answered = true;
    if (writer) {
      writer.write(messageEvent(response));
      writer.close();
    } else resolve(jsonResponse(200, response, headers));
  }, (error) => {
    answered = true;
    if (writer) writer.close();
    reject(error);
  });
  return promise;
}

/** One JSON-RPC message as a JSON body. */
export function jsonResponse(
  status: number,
  body: JsonRpcResponse | JsonRpcResponse[],
  headers: Record<string, string> = {},
): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: { "content-type": "application/json", ...headers },
  });
}

/** A plain-text HTTP error (what the MCP SDK's servers answer for transport-level problems). */
export function plainResponse(
  status: number,
  text: string,
  headers: Record<string, string> = {},
): Response {
  return new Response(text, { status, headers: { "content-type": "text/plain", ...headers } });
}
