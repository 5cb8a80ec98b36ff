/**
 * What every fake LLM provider shares: a scripted answer, the record of what it received, and
 * a server on 127.0.0.1 port 0 (plain or TLS). Each provider's wire format lives in its own
 * fake_<provider>.ts.
 * @module
 */

/** What a fake provider answers, whatever its wire format. */
export interface ScriptedAnswer {
  text?: string;
  reasoning?: { text: string; signature?: string };
  toolCalls?: { id: string; name: string; arguments: string }[];
  stopReason?: "stop" | "length" | "toolUse";
  usage?: { input: number; output: number; cacheRead?: number; cacheWrite?: number };
  model?: string;
  /** Stream: split the text into this many deltas (default: one per word). */
  chunks?: number;
  /** Stream: the connection drops after this many events (a cut stream). */
  cutAfterEvents?: number;
  /** Stream: after this many events the provider reports an error in its own framing and ends (the Gemini and Bedrock fakes). */
  streamError?: { afterEvents: number; type: string; message: string };
  /** An error answer instead: status, the provider-shaped body and any headers it adds. */
  error?: { status: number; body: unknown; headers?: Record<string, string> };
  /** Answer with this raw text and content type (garbage, a non-JSON 200). */
  raw?: { status: number; body: string; contentType: string };
}

/** One request the fake received. */
export interface ReceivedLlmRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  /** The JSON body, or undefined when there was none or it was not JSON. */
  body: Record<string, unknown> | undefined;
  /** The body as sent (what a signature covers). */
  bodyText: string;
}

/** A running fake provider. */
export interface FakeProvider {
  readonly port: number;
  /** `127.0.0.1:PORT`, for a hostOverride. */
  readonly address: string;
  readonly received: ReceivedLlmRequest[];
  /** Changes what later requests get. */
  script(answer: AnswerScript): void;
  close(): Promise<void>;
}

/** Chooses the answer to a request from its JSON body (and, when it matters, the rest of it). */
export type AnswerScript = (
  body: Record<string, unknown>,
  request: ReceivedLlmRequest,
) => ScriptedAnswer;

/** A request the fake refuses as the real API would; the fake's format shapes the body. */
export class FakeApiError extends Error {
  readonly status: number;
  readonly param: string | undefined;
  constructor(status: number, message: string, param?: string) {
    super(message);
    this.status = status;
    this.param = param;
  }
}

/** Starts a fake provider whose `handle` turns a request and a scripted answer into a Response. */
export function startFakeProvider(
  handle: (
    request: ReceivedLlmRequest,
    answer: ScriptedAnswer,
    url: URL,
  ) => Response | Promise<Response>,
  options: {
    tls?: { cert: string; key: string };
    answer?: AnswerScript;
  } = {},
): Promise<FakeProvider> {
  const received: ReceivedLlmRequest[] = [];
  let answer: AnswerScript = options.answer ??
    (() => ({ text: "Hello! How can I help you today?" }));
  return new Promise((resolve) => {
    const server = Deno.serve({
      hostname: "127.0.0.1",
      port: 0,
      ...(options.tls ?? {}),
      onListen: ({ port }) =>
        resolve({
          port,
          address: `127.0.0.1:${port}`,
          received,
          script: (next) => answer = next,
          close: () => server.shutdown(),
        }),
    }, async (request) => {
      const url = new URL(request.url);
      const text = await request.text();
      let body: Record<string, unknown> | undefined;
      try {
        body = text === "" ? undefined : JSON.parse(text);
      } catch {
        body = undefined;
      }
      const entry: ReceivedLlmRequest = {
        method: request.method,
        path: url.pathname + url.search,
        headers: Object.fromEntries(request.headers),
        body,
        bodyText: text,
      };
      received.push(entry);
      const scripted = answer(body ?? {}, entry);
      if (scripted.raw) {
        return new Response(scripted.raw.body, {
          status: scripted.raw.status,
          headers: { "content-type": scripted.raw.contentType },
        });
      }
      if (scripted.error) {
        return Response.json(scripted.error.body, {
          status: scripted.error.status,
          ...(scripted.error.headers ? { headers: scripted.error.headers } : {}),
        });
      }
      return await handle(entry, scripted, url);
    });
  });
}

/** The text split into stream deltas. */
export function textChunks(answer: ScriptedAnswer): string[] {
  const text = answer.text ?? "";
  if (text === "") return [];
  if (answer.chunks) {
    const size = Math.ceil(text.length / answer.chunks);
    const out: string[] = [];
    for (let i = 0; i < text.length; i += size) out.push(text.slice(i, i + size));
    return out;
  }
  return text.match(/\S+\s*/g) ?? [text];
}

/**
 * An SSE response from a list of events, cut (the connection reset, no clean end) after
 * `cutAfter` events when set. `lineEnd` is `\r\n` for providers that frame SSE so (Gemini).
 */
export function sseResponse(
  events: { event?: string; data: string }[],
  cutAfter?: number,
  options: { lineEnd?: "\n" | "\r\n" } = {},
): Response {
  const end = options.lineEnd ?? "\n";
  const encoder = new TextEncoder();
  let sent = 0;
  return new Response(
    new ReadableStream<Uint8Array>({
      pull(controller) {
        if (cutAfter !== undefined && sent >= cutAfter) {
          controller.error(new Error("fake provider cut the stream"));
          return;
        }
        const event = events[sent++];
        if (!event) {
          controller.close();
          return;
        }
        controller.enqueue(
          encoder.encode(
            `${event.event ? `event: ${event.event}${end}` : ""}data: ${event.data}${end}${end}`,
          ),
        );
      },
    }),
    { headers: { "content-type": "text/event-stream" } },
  );
}
