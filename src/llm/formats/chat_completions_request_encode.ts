/**
 * IrRequest → a Chat Completions request body (provider side: OpenAI, Azure OpenAI and the
 * OpenAI-compatible servers). The choices made here are explained in chat_completions.ts.
 * Reference: https://platform.openai.com/docs/api-reference/chat/create
 * @module
 */
import type {
  ContentPart,
  ImagePart,
  IrRequest,
  Message,
  ResponseFormat,
  TextPart,
  ToolResultPart,
} from "../ir.ts";
import { invalidRequest } from "../ir.ts";
import { budgetToEffort } from "../reasoning.ts";
import { type JsonObject, toDataUrl } from "./chat_completions_json.ts";

const TARGET = "OpenAI Chat Completions";

/** The provider body for `request`, with `model` already resolved. */
export function encodeChatRequest(request: IrRequest): JsonObject {
  if (request.topK !== undefined) {
    throw invalidRequest(
      "top_k",
      `top_k cannot be translated to ${TARGET}, which has no top-k sampling`,
    );
  }
  const body: JsonObject = { model: request.model, messages: encodeMessages(request.messages) };
  if (request.tools) {
    body.tools = request.tools.map((tool) => {
      const fn: JsonObject = { name: tool.name };
      if (tool.description !== undefined) fn.description = tool.description;
      fn.parameters = tool.parameters;
      if (tool.strict !== undefined) fn.strict = tool.strict;
      return { type: "function", function: fn };
    });
  }
  if (request.toolChoice !== undefined) {
    body.tool_choice = typeof request.toolChoice === "string"
      ? request.toolChoice
      : { type: "function", function: { name: request.toolChoice.name } };
  }
  if (request.parallelToolCalls !== undefined) {
    body.parallel_tool_calls = request.parallelToolCalls;
  }
  // OpenAI deprecated max_tokens and refuses it for reasoning models; Azure OpenAI, vLLM, Groq
  // and the other current servers read max_completion_tokens.
  if (request.maxTokens !== undefined) body.max_completion_tokens = request.maxTokens;
  if (request.temperature !== undefined) body.temperature = request.temperature;
  if (request.topP !== undefined) body.top_p = request.topP;
  if (request.stop !== undefined) body.stop = request.stop;
  if (request.seed !== undefined) body.seed = request.seed;
  if (request.frequencyPenalty !== undefined) body.frequency_penalty = request.frequencyPenalty;
  if (request.presencePenalty !== undefined) body.presence_penalty = request.presencePenalty;
  if (request.responseFormat) body.response_format = encodeResponseFormat(request.responseFormat);
  const effort = request.reasoning?.effort ??
    (request.reasoning?.budgetTokens === undefined
      ? undefined
      : budgetToEffort(request.reasoning.budgetTokens));
  if (effort !== undefined) body.reasoning_effort = effort;
  if (request.user !== undefined) body.user = request.user;
  // `metadata` is left out: OpenAI takes it only with `store: true`, and agw does not ask OpenAI
  // to store a completion; it tags stored objects and never changes the answer.
  // `reasoning.summary` is left out: Chat Completions returns no reasoning summaries, and the
  // answer is the same without one (Codex sends `summary: "auto"` by default).
  if (request.stream) {
    body.stream = true;
    // agw meters every stream; the client-side encoder hides the usage chunk when not asked.
    body.stream_options = { include_usage: true };
  }
  return body;
}

function encodeResponseFormat(format: ResponseFormat): JsonObject {
  if (format.type !== "json_schema") return { type: format.type };
  const spec: JsonObject = { name: format.name };
  if (format.description !== undefined) spec.description = format.description;
  spec.schema = format.schema;
  if (format.strict !== undefined) spec.strict = format.strict;
  return { type: "json_schema", json_schema: spec };
}

function encodeMessages(messages: Message[]): JsonObject[] {
  const out: JsonObject[] = [];
  messages.forEach((message, i) => {
    const path = `messages[${i}]`;
    switch (message.role) {
      case "system":
        out.push(named({ role: "system", content: encodeText(message.content, path) }, message));
        break;
      case "user":
        encodeUser(message, path, out);
        break;
      case "assistant":
        out.push(named(encodeAssistant(message.content, path), message));
        break;
      case "tool":
        message.content.forEach((part, j) => {
          if (part.type !== "toolResult") {
            throw invalidRequest(`${path}.content[${j}]`, `a tool message holds only tool results`);
          }
          out.push(encodeToolResult(part, `${path}.content[${j}]`));
        });
        break;
    }
  });
  return out;
}

function named(encoded: JsonObject, message: Message): JsonObject {
  if (message.name !== undefined) encoded.name = message.name;
  return encoded;
}

/** System content is text only; a lone text part is sent as a plain string. */
function encodeText(parts: ContentPart[], path: string): string | JsonObject[] {
  const texts = parts.map((part, j) => {
    if (part.type !== "text") {
      throw invalidRequest(
        `${path}.content[${j}]`,
        `a ${part.type} part in a system message cannot be translated to ${TARGET}`,
      );
    }
    return part;
  });
  return texts.length === 1 && texts[0] ? texts[0].text : texts.map(textPart);
}

function textPart(part: TextPart): JsonObject {
  return { type: "text", text: part.text };
}

/** User content; tool results found in a user turn become `tool` messages, in order. */
function encodeUser(message: Message, path: string, out: JsonObject[]): void {
  let pending: JsonObject[] = [];
  const flush = () => {
    if (pending.length === 0) return;
    const only = pending.length === 1 && pending[0]?.type === "text" ? pending[0] : undefined;
    out.push(named({ role: "user", content: only ? only.text : pending }, message));
    pending = [];
  };
  message.content.forEach((part, j) => {
    const partPath = `${path}.content[${j}]`;
    if (part.type === "toolResult") {
      flush();
      out.push(encodeToolResult(part, partPath));
    } else if (part.type === "text") pending.push(textPart(part));
    else if (part.type === "image") pending.push(imagePart(part));
    else if (part.type === "file") {
      if (part.source.kind === "url") {
        throw invalidRequest(partPath, `a file by URL cannot be translated to ${TARGET}`);
      }
      const file: JsonObject = { file_data: toDataUrl(part.source.mediaType, part.source.data) };
      if (part.filename !== undefined) file.filename = part.filename;
      pending.push({ type: "file", file });
    } else {
      throw invalidRequest(partPath, `a ${part.type} part in a user message cannot be translated`);
    }
  });
  if (pending.length > 0 || message.content.length === 0) {
    if (pending.length === 0) pending.push({ type: "text", text: "" });
    flush();
  }
}

function imagePart(part: ImagePart): JsonObject {
  const url = part.source.kind === "url"
    ? part.source.url
    : toDataUrl(part.source.mediaType, part.source.data);
  const image: JsonObject = { url };
  if (part.detail !== undefined) image.detail = part.detail;
  return { type: "image_url", image_url: image };
}

/**
 * Assistant history: text, and tool calls. Earlier reasoning is not sent: Chat Completions has
 * no input field for it (OpenAI refuses unknown message fields), and the model never reads its
 * earlier reasoning there, so leaving it out does not change the answer.
 */
function encodeAssistant(parts: ContentPart[], path: string): JsonObject {
  const texts: TextPart[] = [];
  const toolCalls: JsonObject[] = [];
  parts.forEach((part, j) => {
    if (part.type === "text") texts.push(part);
    else if (part.type === "toolCall") {
      toolCalls.push({
        id: part.id,
        type: "function",
        function: { name: part.name, arguments: part.arguments },
      });
    } else if (part.type !== "reasoning") {
      throw invalidRequest(
        `${path}.content[${j}]`,
        `a ${part.type} part in an assistant message cannot be translated to ${TARGET}`,
      );
    }
  });
  const encoded: JsonObject = { role: "assistant" };
  if (texts.length === 1 && texts[0]) encoded.content = texts[0].text;
  else if (texts.length > 1) encoded.content = texts.map(textPart);
  else encoded.content = toolCalls.length > 0 ? null : "";
  if (toolCalls.length > 0) encoded.tool_calls = toolCalls;
  return encoded;
}

/**
 * A tool result as a `tool` message: text only, as OpenAI's tool messages take. `isError` has no
 * field there and is left out: the result text says what failed, and refusing it would break
 * every agent whose tool fails. The function name is not needed (`tool_call_id` links it).
 */
function encodeToolResult(part: ToolResultPart, path: string): JsonObject {
  const texts = part.content.map((item, k) => {
    if (item.type !== "text") {
      throw invalidRequest(
        `${path}.content[${k}]`,
        `an image in a tool result cannot be translated to ${TARGET}, whose tool messages take text only`,
      );
    }
    return item;
  });
  const content = texts.length === 1 && texts[0] ? texts[0].text : texts.map(textPart);
  return {
    role: "tool",
    tool_call_id: part.toolCallId,
    content: texts.length === 0 ? "" : content,
  };
}
