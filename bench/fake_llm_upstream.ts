/**
 * Fake LLM provider for the LLM benchmark: OpenAI Chat Completions at `/v1/chat/completions`
 * and Anthropic Messages at `/v1/messages`, each buffered (a 1 KiB answer) or streamed (the
 * first token after `firstTokenMs`, then `tokens` more, `gapMs` apart). Answers are encoded
 * once at start, so the fake costs as little as possible and the proxies are what differs.
 *
 * Usage: deno run --allow-net bench/fake_llm_upstream.ts [PORT]   (0 or absent: pick a free one)
 * @module
 */

/** Exact size of a buffered answer: roughly a short completion. */
export const COMPLETION_BYTES = 1024;
/** The text of every streamed token; the bench's stream client counts tokens by it. */
export const TOKEN_TEXT = "tk_ ";

/** When streamed tokens go out. */
export interface StreamTiming {
  firstTokenMs: number;
  /** Tokens after the first one. */
  tokens: number;
  gapMs: number;
}

/** The streaming case: first token after 25 ms, then 64 tokens 5 ms apart. */
export const DEFAULT_TIMING: StreamTiming = { firstTokenMs: 25, tokens: 64, gapMs: 5 };

const PROMPT_TOKENS = 24;
const FILLER = "The quick brown fox jumps over the lazy dog. ";
const encoder = new TextEncoder();

/** A JSON body of exactly `size` bytes: `build(text)` with the text padded to fit. */
function paddedJson(size: number, build: (text: string) => unknown): Uint8Array<ArrayBuffer> {
  const empty = JSON.stringify(build("")).length;
  const text = FILLER.repeat(Math.ceil(size / FILLER.length)).slice(0, size - empty);
  return encoder.encode(JSON.stringify(build(text)));
}

/** OpenAI `chat.completion` (API reference: "The chat completion object"), 1 KiB. */
export function openAiCompletionBody(): Uint8Array<ArrayBuffer> {
  return paddedJson(COMPLETION_BYTES, (content) => ({
    id: "chatcmpl-bench",
    object: "chat.completion",
    created: 1_700_000_000,
    model: "gpt-bench",
    choices: [{
      index: 0,
      message: { role: "assistant", content, refusal: null },
      logprobs: null,
      finish_reason: "stop",
    }],
    usage: { prompt_tokens: PROMPT_TOKENS, completion_tokens: 200, total_tokens: 224 },
  }));
}

/** Anthropic `message` (Messages API: "Response"), 1 KiB. */
export function anthropicMessageBody(): Uint8Array<ArrayBuffer> {
  return paddedJson(COMPLETION_BYTES, (text) => ({
    id: "msg_bench",
    type: "message",
    role: "assistant",
    model: "claude-bench",
    content: [{ type: "text", text }],
    stop_reason: "end_turn",
    stop_sequence: null,
    usage: { input_tokens: PROMPT_TOKENS, output_tokens: 200 },
  }));
}

function sse(event: string | undefined, data: unknown): Uint8Array<ArrayBuffer> {
  const head = event === undefined ? "" : `event: ${event}\n`;
  return encoder.encode(
    `${head}data: ${typeof data === "string" ? data : JSON.stringify(data)}\n\n`,
  );
}

/** The frames of one stream: sent at once, one per token (timed), and the closing ones. */
interface StreamScript {
  opening: Uint8Array<ArrayBuffer>[];
  firstToken: Uint8Array<ArrayBuffer>;
  token: Uint8Array<ArrayBuffer>;
  closing: Uint8Array<ArrayBuffer>[];
}

/**
 * OpenAI `chat.completion.chunk`s. With `stream_options.include_usage` every chunk carries
 * `usage: null` and a last chunk with `choices: []` carries the usage (API reference,
 * "stream_options").
 */
function openAiStreamScript(timing: StreamTiming, includeUsage: boolean): StreamScript {
  const base = { id: "chatcmpl-bench", object: "chat.completion.chunk", created: 1_700_000_000 };
  const chunk = (choice: unknown) => ({
    ...base,
    model: "gpt-bench",
    choices: [choice],
    ...(includeUsage ? { usage: null } : {}),
  });
  const closing = [sse(undefined, chunk({ index: 0, delta: {}, finish_reason: "stop" }))];
  const completionTokens = timing.tokens + 1;
  if (includeUsage) {
    closing.push(sse(undefined, {
      ...base,
      model: "gpt-bench",
      choices: [],
      usage: {
        prompt_tokens: PROMPT_TOKENS,
        completion_tokens: completionTokens,
        total_tokens: PROMPT_TOKENS + completionTokens,
      },
    }));
  }
  closing.push(sse(undefined, "[DONE]"));
  return {
    opening: [],
    // The role comes with the first delta only.
    firstToken: sse(
      undefined,
      chunk({ index: 0, delta: { role: "assistant", content: TOKEN_TEXT }, finish_reason: null }),
    ),
    token: sse(undefined, chunk({ index: 0, delta: { content: TOKEN_TEXT }, finish_reason: null })),
    closing,
  };
}

/** Anthropic Messages stream events (Messages API: "Streaming Messages"). */
function anthropicStreamScript(timing: StreamTiming): StreamScript {
  const token = sse("content_block_delta", {
    type: "content_block_delta",
    index: 0,
    delta: { type: "text_delta", text: TOKEN_TEXT },
  });
  return {
    opening: [
      sse("message_start", {
        type: "message_start",
        message: {
          id: "msg_bench",
          type: "message",
          role: "assistant",
          model: "claude-bench",
          content: [],
          stop_reason: null,
          stop_sequence: null,
          usage: { input_tokens: PROMPT_TOKENS, output_tokens: 1 },
        },
      }),
      sse("content_block_start", {
        type: "content_block_start",
        index: 0,
        content_block: { type: "text", text: "" },
      }),
    ],
    firstToken: token,
    token,
    closing: [
      sse("content_block_stop", { type: "content_block_stop", index: 0 }),
      sse("message_delta", {
        type: "message_delta",
        delta: { stop_reason: "end_turn", stop_sequence: null },
        usage: { output_tokens: timing.tokens + 1 },
      }),
      sse("message_stop", { type: "message_stop" }),
    ],
  };
}

/**
 * Streams `script`. Each token is due at a fixed offset from the start (not from the previous
 * timer), so timer lateness does not accumulate and the provider's cadence stays the same
 * whoever reads it.
 */
function timedStream(script: StreamScript, timing: StreamTiming): ReadableStream<Uint8Array> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  return new ReadableStream<Uint8Array>({
    start(controller) {
      const startMs = performance.now();
      for (const frame of script.opening) controller.enqueue(frame);
      let sent = 0;
      const sendNext = () => {
        controller.enqueue(sent === 0 ? script.firstToken : script.token);
        sent++;
        if (sent > timing.tokens) {
          for (const frame of script.closing) controller.enqueue(frame);
          controller.close();
          return;
        }
        const dueMs = startMs + timing.firstTokenMs + sent * timing.gapMs;
        timer = setTimeout(sendNext, Math.max(0, dueMs - performance.now()));
      };
      timer = setTimeout(sendNext, timing.firstTokenMs);
    },
    cancel() {
      clearTimeout(timer);
    },
  });
}

/** Every frame of one stream, in order, as the fake sends them (one write each). */
export function streamFrames(
  format: "openai" | "anthropic",
  timing: StreamTiming = DEFAULT_TIMING,
  includeUsage = false,
): Uint8Array<ArrayBuffer>[] {
  const script = format === "openai"
    ? openAiStreamScript(timing, includeUsage)
    : anthropicStreamScript(timing);
  const tokens = Array.from({ length: timing.tokens }, () => script.token);
  return [...script.opening, script.firstToken, ...tokens, ...script.closing];
}

const SSE_HEADERS = { "content-type": "text/event-stream", "cache-control": "no-cache" };
const JSON_HEADERS = { "content-type": "application/json" };

/** The request handler: route by path, stream when the body says `"stream": true`. */
export function createFakeLlmHandler(
  timing: StreamTiming = DEFAULT_TIMING,
): (request: Request) => Promise<Response> {
  const openAiBody = openAiCompletionBody();
  const anthropicBody = anthropicMessageBody();
  const anthropicScript = anthropicStreamScript(timing);
  const openAiScripts = [openAiStreamScript(timing, false), openAiStreamScript(timing, true)];
  return async (request) => {
    const path = new URL(request.url).pathname;
    const isOpenAi = path.endsWith("/chat/completions");
    if (request.method !== "POST" || (!isOpenAi && !path.endsWith("/messages"))) {
      return new Response(JSON.stringify({ error: { message: `no route ${path}` } }), {
        status: 404,
        headers: JSON_HEADERS,
      });
    }
    const body = await request.json() as {
      stream?: boolean;
      stream_options?: { include_usage?: boolean };
    };
    if (body.stream !== true) {
      return new Response(isOpenAi ? openAiBody : anthropicBody, { headers: JSON_HEADERS });
    }
    const script = isOpenAi
      ? openAiScripts[body.stream_options?.include_usage === true ? 1 : 0]!
      : anthropicScript;
    return new Response(timedStream(script, timing), { headers: SSE_HEADERS });
  };
}

function main(args: string[]): void {
  const port = Number(args[0] ?? "0");
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`usage: fake_llm_upstream.ts [PORT]  (got ${JSON.stringify(args[0])})`);
    Deno.exit(2);
  }
  Deno.serve({
    hostname: "127.0.0.1",
    port,
    onListen: ({ port }) => console.log(`fake LLM provider listening on 127.0.0.1:${port}`),
  }, createFakeLlmHandler());
}

if (import.meta.main) main(Deno.args);
