/**
 * A fake Anthropic Messages API (`/v1/messages`, JSON and SSE). It checks requests as the real
 * API does: `x-api-key` and `anthropic-version` present, `max_tokens` required, `system` only
 * at the top level, roles alternating and starting with `user`, and every `tool_result`
 * answering a `tool_use` of the turn before. Errors use Anthropic's error JSON.
 * @module
 */
import {
  FakeApiError,
  type FakeProvider,
  type ReceivedLlmRequest,
  type ScriptedAnswer,
  sseResponse,
  startFakeProvider,
  textChunks,
} from "./fake_llm.ts";

/** Starts the fake. */
export function startFakeAnthropic(
  options: { tls?: { cert: string; key: string }; requireKey?: string } = {},
): Promise<FakeProvider> {
  return startFakeProvider((request, answer, url) => {
    try {
      if (!request.headers["x-api-key"]) {
        throw new FakeApiError(401, "x-api-key header is required");
      }
      if (options.requireKey && request.headers["x-api-key"] !== options.requireKey) {
        throw new FakeApiError(401, "invalid x-api-key");
      }
      if (!request.headers["anthropic-version"]) {
        throw new FakeApiError(400, "anthropic-version: header is required");
      }
      if (!url.pathname.endsWith("/v1/messages")) {
        throw new FakeApiError(404, `Not found: ${url.pathname}`);
      }
      return messages(request, answer);
    } catch (error) {
      if (!(error instanceof FakeApiError)) throw error;
      const type = error.status === 401
        ? "authentication_error"
        : error.status === 404
        ? "not_found_error"
        : "invalid_request_error";
      return Response.json(
        { type: "error", error: { type, message: error.message } },
        { status: error.status },
      );
    }
  }, options);
}

function validate(body: Record<string, unknown> | undefined): Record<string, unknown> {
  if (!body) throw new FakeApiError(400, "messages: Input should be a valid JSON object");
  if (typeof body.model !== "string") throw new FakeApiError(400, "model: Field required");
  if (typeof body.max_tokens !== "number") {
    throw new FakeApiError(400, "max_tokens: Field required");
  }
  const messages = body.messages;
  if (!Array.isArray(messages) || messages.length === 0) {
    throw new FakeApiError(400, "messages: Field required");
  }
  let previous: Record<string, unknown> | undefined;
  messages.forEach((message: Record<string, unknown>, i) => {
    if (message.role !== "user" && message.role !== "assistant") {
      throw new FakeApiError(
        400,
        `messages.${i}.role: Input should be 'user' or 'assistant'`,
      );
    }
    if (i === 0 && message.role !== "user") {
      throw new FakeApiError(400, 'messages: first message must use the "user" role');
    }
    if (previous && previous.role === message.role) {
      throw new FakeApiError(400, 'messages: roles must alternate between "user" and "assistant"');
    }
    const blocks = Array.isArray(message.content)
      ? message.content as Record<string, unknown>[]
      : [];
    const previousToolUses = new Set(
      (Array.isArray(previous?.content) ? previous.content as Record<string, unknown>[] : [])
        .filter((block) => block.type === "tool_use").map((block) => block.id),
    );
    for (const block of blocks) {
      if (block.type === "tool_result" && !previousToolUses.has(block.tool_use_id)) {
        throw new FakeApiError(
          400,
          `messages.${i}.content: unexpected tool_use_id found in tool_result blocks: ${block.tool_use_id}`,
        );
      }
    }
    previous = message;
  });
  return body;
}

function stopReason(answer: ScriptedAnswer): string {
  if (answer.stopReason === "length") return "max_tokens";
  if (answer.toolCalls?.length) return "tool_use";
  return "end_turn";
}

function messages(request: ReceivedLlmRequest, answer: ScriptedAnswer): Response {
  const body = validate(request.body);
  const model = answer.model ?? (body.model as string);
  const usage = answer.usage ?? { input: 12, output: 9 };
  const content: Record<string, unknown>[] = [];
  if (answer.reasoning) {
    content.push({
      type: "thinking",
      thinking: answer.reasoning.text,
      signature: answer.reasoning.signature ?? "sig-fake",
    });
  }
  if (answer.text !== undefined) content.push({ type: "text", text: answer.text });
  for (const call of answer.toolCalls ?? []) {
    content.push({
      type: "tool_use",
      id: call.id,
      name: call.name,
      input: JSON.parse(call.arguments),
    });
  }
  const usageBody = {
    input_tokens: usage.input - (usage.cacheRead ?? 0) - (usage.cacheWrite ?? 0),
    output_tokens: usage.output,
    cache_read_input_tokens: usage.cacheRead ?? 0,
    cache_creation_input_tokens: usage.cacheWrite ?? 0,
  };
  if (body.stream !== true) {
    return Response.json({
      id: "msg_fake1",
      type: "message",
      role: "assistant",
      model,
      content,
      stop_reason: stopReason(answer),
      stop_sequence: null,
      usage: usageBody,
    });
  }
  const event = (type: string, data: Record<string, unknown>) => ({
    event: type,
    data: JSON.stringify({ type, ...data }),
  });
  const events = [
    event("message_start", {
      message: {
        id: "msg_fake1",
        type: "message",
        role: "assistant",
        model,
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage: { ...usageBody, output_tokens: 1 },
      },
    }),
    event("ping", {}),
  ];
  let index = 0;
  if (answer.reasoning) {
    events.push(
      event("content_block_start", { index, content_block: { type: "thinking", thinking: "" } }),
      event("content_block_delta", {
        index,
        delta: { type: "thinking_delta", thinking: answer.reasoning.text },
      }),
      event("content_block_delta", {
        index,
        delta: { type: "signature_delta", signature: answer.reasoning.signature ?? "sig-fake" },
      }),
      event("content_block_stop", { index }),
    );
    index++;
  }
  if (answer.text !== undefined) {
    events.push(event("content_block_start", { index, content_block: { type: "text", text: "" } }));
    for (const text of textChunks(answer)) {
      events.push(event("content_block_delta", { index, delta: { type: "text_delta", text } }));
    }
    events.push(event("content_block_stop", { index }));
    index++;
  }
  for (const call of answer.toolCalls ?? []) {
    events.push(event("content_block_start", {
      index,
      content_block: { type: "tool_use", id: call.id, name: call.name, input: {} },
    }));
    const half = Math.ceil(call.arguments.length / 2);
    for (const part of [call.arguments.slice(0, half), call.arguments.slice(half)]) {
      if (part) {
        events.push(event("content_block_delta", {
          index,
          delta: { type: "input_json_delta", partial_json: part },
        }));
      }
    }
    events.push(event("content_block_stop", { index }));
    index++;
  }
  events.push(
    event("message_delta", {
      delta: { stop_reason: stopReason(answer), stop_sequence: null },
      usage: { output_tokens: usage.output },
    }),
    event("message_stop", {}),
  );
  return sseResponse(events, answer.cutAfterEvents);
}
