/**
 * A fake OpenAI: `/v1/chat/completions` (JSON and SSE, usage chunk only with
 * `stream_options.include_usage`), `/v1/responses` (JSON and SSE), `/v1/models`,
 * `/v1/embeddings`. It checks requests as the API does (a bearer key, `model`, `messages` with
 * known roles, tool messages answering a tool call) and refuses bad ones with OpenAI's error JSON.
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

const ROLES = new Set(["system", "developer", "user", "assistant", "tool"]);

/** Starts the fake. */
export function startFakeOpenAi(
  options: { tls?: { cert: string; key: string }; requireKey?: string } = {},
): Promise<FakeProvider> {
  return startFakeProvider((request, answer, url) => {
    try {
      if (options.requireKey && request.headers.authorization !== `Bearer ${options.requireKey}`) {
        throw new FakeApiError(401, "Incorrect API key provided");
      }
      if (url.pathname.endsWith("/models")) {
        return Response.json({ object: "list", data: [{ id: "gpt-test", object: "model" }] });
      }
      if (url.pathname.endsWith("/chat/completions")) return chat(request, answer);
      if (url.pathname.endsWith("/responses")) return responses(request, answer);
      if (url.pathname.endsWith("/embeddings")) {
        return Response.json({
          object: "list",
          data: [{ object: "embedding", index: 0, embedding: [0.1, 0.2] }],
          model: request.body?.model,
          usage: { prompt_tokens: 3, total_tokens: 3 },
        });
      }
      throw new FakeApiError(404, `Invalid URL (${request.method} ${url.pathname})`);
    } catch (error) {
      if (!(error instanceof FakeApiError)) throw error;
      return Response.json({
        error: {
          message: error.message,
          type: error.status === 401 ? "authentication_error" : "invalid_request_error",
          param: error.param ?? null,
          code: null,
        },
      }, { status: error.status });
    }
  }, options);
}

function validateChat(body: Record<string, unknown> | undefined): Record<string, unknown> {
  if (!body) throw new FakeApiError(400, "We could not parse the JSON body of your request.");
  if (typeof body.model !== "string") {
    throw new FakeApiError(400, "you must provide a model parameter", "model");
  }
  const messages = body.messages;
  if (!Array.isArray(messages) || messages.length === 0) {
    throw new FakeApiError(400, "'messages' must be a non-empty array", "messages");
  }
  const callIds = new Set<string>();
  messages.forEach((message: Record<string, unknown>, i) => {
    if (!ROLES.has(message.role as string)) {
      throw new FakeApiError(400, `Invalid value for 'messages[${i}].role'`, `messages[${i}].role`);
    }
    for (const call of (message.tool_calls as { id: string }[] | undefined) ?? []) {
      callIds.add(call.id);
    }
    if (message.role === "tool" && !callIds.has(message.tool_call_id as string)) {
      throw new FakeApiError(
        400,
        "messages with role 'tool' must be a response to a preceeding message with 'tool_calls'",
        `messages[${i}]`,
      );
    }
  });
  return body;
}

function usageOf(answer: ScriptedAnswer) {
  const usage = answer.usage ?? { input: 12, output: 9 };
  return {
    prompt_tokens: usage.input,
    completion_tokens: usage.output,
    total_tokens: usage.input + usage.output,
    prompt_tokens_details: { cached_tokens: usage.cacheRead ?? 0 },
    completion_tokens_details: { reasoning_tokens: 0 },
  };
}

function finishReason(answer: ScriptedAnswer): string {
  if (answer.stopReason === "length") return "length";
  if (answer.toolCalls?.length) return "tool_calls";
  return "stop";
}

function chat(request: ReceivedLlmRequest, answer: ScriptedAnswer): Response {
  const body = validateChat(request.body);
  const model = answer.model ?? `${body.model}-2026-01-01`;
  const id = "chatcmpl-fake1";
  const toolCalls = answer.toolCalls?.map((call) => ({
    id: call.id,
    type: "function",
    function: { name: call.name, arguments: call.arguments },
  }));
  if (body.stream !== true) {
    return Response.json({
      id,
      object: "chat.completion",
      created: 1767225600,
      model,
      choices: [{
        index: 0,
        message: {
          role: "assistant",
          content: answer.text ?? null,
          ...(toolCalls ? { tool_calls: toolCalls } : {}),
          refusal: null,
        },
        finish_reason: finishReason(answer),
        logprobs: null,
      }],
      usage: usageOf(answer),
    });
  }
  const chunk = (delta: unknown, finish: string | null = null) =>
    JSON.stringify({
      id,
      object: "chat.completion.chunk",
      created: 1767225600,
      model,
      choices: [{ index: 0, delta, finish_reason: finish, logprobs: null }],
    });
  const events: { data: string }[] = [{ data: chunk({ role: "assistant", content: "" }) }];
  for (const text of textChunks(answer)) events.push({ data: chunk({ content: text }) });
  answer.toolCalls?.forEach((call, index) => {
    events.push({
      data: chunk({
        tool_calls: [{
          index,
          id: call.id,
          type: "function",
          function: { name: call.name, arguments: "" },
        }],
      }),
    });
    const half = Math.ceil(call.arguments.length / 2);
    for (const part of [call.arguments.slice(0, half), call.arguments.slice(half)]) {
      if (part) {
        events.push({ data: chunk({ tool_calls: [{ index, function: { arguments: part } }] }) });
      }
    }
  });
  events.push({ data: chunk({}, finishReason(answer)) });
  const options = body.stream_options as { include_usage?: boolean } | undefined;
  if (options?.include_usage) {
    events.push({
      data: JSON.stringify({
        id,
        object: "chat.completion.chunk",
        created: 1767225600,
        model,
        choices: [],
        usage: usageOf(answer),
      }),
    });
  }
  events.push({ data: "[DONE]" });
  return sseResponse(events, answer.cutAfterEvents);
}

function responses(request: ReceivedLlmRequest, answer: ScriptedAnswer): Response {
  const body = request.body;
  if (!body || typeof body.model !== "string") {
    throw new FakeApiError(400, "Missing required parameter: 'model'.", "model");
  }
  if (body.input === undefined) {
    throw new FakeApiError(400, "Missing required parameter: 'input'.", "input");
  }
  const usage = answer.usage ?? { input: 12, output: 9 };
  const response = {
    id: "resp_fake1",
    object: "response",
    created_at: 1767225600,
    status: "completed",
    model: answer.model ?? body.model,
    output: [{
      id: "msg_fake1",
      type: "message",
      role: "assistant",
      status: "completed",
      content: [{ type: "output_text", text: answer.text ?? "", annotations: [] }],
    }],
    usage: {
      input_tokens: usage.input,
      input_tokens_details: { cached_tokens: usage.cacheRead ?? 0 },
      output_tokens: usage.output,
      output_tokens_details: { reasoning_tokens: 0 },
      total_tokens: usage.input + usage.output,
    },
  };
  if (body.stream !== true) return Response.json(response);
  let sequence = 0;
  const event = (type: string, data: Record<string, unknown>) => ({
    event: type,
    data: JSON.stringify({ type, sequence_number: sequence++, ...data }),
  });
  const events = [
    event("response.created", { response: { ...response, status: "in_progress", output: [] } }),
    ...textChunks(answer).map((delta) =>
      event("response.output_text.delta", {
        item_id: "msg_fake1",
        output_index: 0,
        content_index: 0,
        delta,
      })
    ),
    event("response.completed", { response }),
  ];
  return sseResponse(events, answer.cutAfterEvents);
}
