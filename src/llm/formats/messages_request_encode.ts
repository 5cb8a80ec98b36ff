/**
 * Provider side: IR → a Messages request body (https://platform.claude.com/docs/en/api/messages).
 * `model` stays in the body; the Vertex provider module removes it and adds
 * `anthropic_version: "vertex-2023-10-16"` (its `finishBody`), which also covers passthrough.
 * @module
 */
import type { ContentPart, IrRequest, Message, ReasoningPart, Tool } from "../ir.ts";
import { invalidRequest } from "../ir.ts";
import { effortToBudget } from "../reasoning.ts";
import { isObject, type JsonObject, untranslatable, writeCacheControl } from "./messages_json.ts";

/**
 * Anthropic requires `max_tokens`; when the client gave none, agw sends agentgateway's default
 * (crates/agentgateway/src/llm/types/completions.rs `Request::max_tokens`).
 */
export const DEFAULT_MAX_TOKENS = 4096;

const TARGET = "Anthropic Messages";

/** Encodes the IR as a Messages body; throws LlmError(400) naming a field Messages cannot carry. */
export function encodeMessagesRequest(request: IrRequest): JsonObject {
  refuseUnsupported(request);
  const thinking = encodeThinking(request);
  const budget = typeof thinking?.budget_tokens === "number" ? thinking.budget_tokens : 0;
  // budget_tokens must stay below max_tokens: without a client limit, leave the default for text.
  const maxTokens = request.maxTokens ??
    (budget >= DEFAULT_MAX_TOKENS ? budget + DEFAULT_MAX_TOKENS : DEFAULT_MAX_TOKENS);
  const body: JsonObject = { model: request.model, max_tokens: maxTokens };
  const { system, turns } = encodeConversation(request.messages);
  if (system.length > 0) body.system = system;
  body.messages = turns;
  if (request.tools !== undefined) body.tools = request.tools.map(encodeTool);
  const toolChoice = encodeToolChoice(request);
  if (toolChoice !== undefined) body.tool_choice = toolChoice;
  if (request.temperature !== undefined) body.temperature = request.temperature;
  if (request.topP !== undefined) body.top_p = request.topP;
  if (request.topK !== undefined) body.top_k = request.topK;
  if (request.stop !== undefined) body.stop_sequences = request.stop;
  if (thinking !== undefined) body.thinking = thinking;
  if (request.responseFormat?.type === "json_schema") {
    body.output_config = { format: { type: "json_schema", schema: request.responseFormat.schema } };
  }
  if (request.user !== undefined) body.metadata = { user_id: request.user };
  if (request.stream) body.stream = true;
  return body;
}

function refuseUnsupported(request: IrRequest): void {
  const refuse = (field: string, what: string) =>
    invalidRequest(field, `${field}: ${what} cannot be translated to ${TARGET}`);
  if (request.seed !== undefined) throw refuse("seed", "a sampling seed");
  if (request.frequencyPenalty !== undefined) {
    throw refuse("frequency_penalty", "a frequency penalty");
  }
  if (request.presencePenalty !== undefined) throw refuse("presence_penalty", "a presence penalty");
  if (request.responseFormat?.type === "json_object") {
    throw refuse("response_format", "JSON mode without a schema");
  }
  if (request.responseFormat?.type === "json_schema" && request.responseFormat.description) {
    throw refuse("response_format.json_schema.description", "a response format description");
  }
  // https://platform.claude.com/docs/en/api/messages: "Ranges from 0.0 to 1.0".
  if (request.temperature !== undefined && (request.temperature < 0 || request.temperature > 1)) {
    throw refuse("temperature", `temperature ${request.temperature} (Anthropic takes 0 to 1)`);
  }
}

/**
 * The leading run of system messages becomes `system`; tool messages join the user turn as
 * `tool_result` blocks; consecutive same-role turns merge, because Anthropic alternates roles.
 */
function encodeConversation(messages: Message[]): { system: JsonObject[]; turns: JsonObject[] } {
  const system: JsonObject[] = [];
  const turns: { role: "user" | "assistant"; results: JsonObject[]; blocks: JsonObject[] }[] = [];
  messages.forEach((message, i) => {
    if (message.role === "system") {
      if (turns.length > 0) {
        throw invalidRequest(
          `messages[${i}]`,
          `messages[${i}]: a system message after the conversation has started cannot be translated to ${TARGET}, which takes one system prompt`,
        );
      }
      message.content.forEach((part, j) => {
        if (part.type !== "text") {
          throw untranslatable(
            `messages[${i}].content[${j}]`,
            `a ${part.type} part in a system message`,
          );
        }
        if (part.text !== "") {
          system.push(withCache({ type: "text", text: part.text }, part.cacheControl));
        }
      });
      return;
    }
    if (message.name !== undefined) {
      throw invalidRequest(
        `messages[${i}].name`,
        `messages[${i}].name: a participant name cannot be translated to ${TARGET}`,
      );
    }
    const role = message.role === "assistant" ? "assistant" : "user";
    const results: JsonObject[] = [];
    const blocks: JsonObject[] = [];
    message.content.forEach((part, j) => {
      const block = encodePart(part, `messages[${i}].content[${j}]`, role);
      if (block === undefined) return;
      // The API wants a user turn's tool_result blocks before its other blocks.
      if (part.type === "toolResult") results.push(block);
      else blocks.push(block);
    });
    // A message with nothing to send must not split the turns around it.
    if (results.length === 0 && blocks.length === 0) return;
    const turn = turns.at(-1);
    if (turn?.role === role) {
      turn.results.push(...results);
      turn.blocks.push(...blocks);
    } else turns.push({ role, results, blocks });
  });
  return {
    system,
    turns: turns
      .map(({ role, results, blocks }) => ({ role, content: [...results, ...blocks] })),
  };
}

/** One IR part as a content block; undefined for parts Anthropic has no use for (see below). */
function encodePart(
  part: ContentPart,
  path: string,
  role: "user" | "assistant",
): JsonObject | undefined {
  switch (part.type) {
    case "text":
      // The API refuses empty text blocks; an empty one says nothing.
      if (part.text === "") return undefined;
      return withCache({ type: "text", text: part.text }, part.cacheControl);
    case "image":
      return withCache(
        { type: "image", source: encodeImageSource(part.source) },
        part.cacheControl,
      );
    case "file":
      return encodeFile(part, path);
    case "toolCall":
      if (role !== "assistant") {
        throw invalidRequest(path, `${path}: a tool call belongs in an assistant message`);
      }
      return {
        type: "tool_use",
        id: part.id,
        name: part.name,
        input: parseArguments(part.arguments, path),
      };
    case "toolResult": {
      if (role !== "user") {
        throw invalidRequest(path, `${path}: a tool result belongs in a tool message`);
      }
      const block: JsonObject = { type: "tool_result", tool_use_id: part.toolCallId };
      const content = part.content.map((item, k) =>
        encodePart(item, `${path}.content[${k}]`, "user")
      )
        .filter((item) => item !== undefined);
      const only = part.content[0];
      if (content.length === 1 && only?.type === "text" && only.cacheControl === undefined) {
        block.content = only.text;
      } else if (content.length > 0) block.content = content;
      if (part.isError !== undefined) block.is_error = part.isError;
      return withCache(block, part.cacheControl);
    }
    case "reasoning":
      if (role !== "assistant") {
        throw invalidRequest(path, `${path}: reasoning belongs in an assistant message`);
      }
      return encodeReasoning(part);
  }
}

/**
 * Anthropic verifies thinking it gets back: a signed block or a redacted one passes; reasoning
 * from another provider (no signature) cannot be verified and is left out, as Anthropic itself
 * strips earlier turns' thinking from the context.
 */
function encodeReasoning(part: ReasoningPart): JsonObject | undefined {
  if (part.signature !== undefined && part.signature !== "") {
    return { type: "thinking", thinking: part.text, signature: part.signature };
  }
  if (part.encrypted !== undefined && part.id === undefined && part.text === "") {
    return { type: "redacted_thinking", data: part.encrypted };
  }
  return undefined;
}

function encodeImageSource(source: Extract<ContentPart, { type: "image" }>["source"]): JsonObject {
  if (source.kind === "base64") {
    return { type: "base64", media_type: source.mediaType, data: source.data };
  }
  // OpenAI clients send inline images as data: URLs; Anthropic wants them as base64 sources.
  const inline = /^data:([^;,]+);base64,(.*)$/s.exec(source.url);
  if (inline !== null) return { type: "base64", media_type: inline[1], data: inline[2] };
  return { type: "url", url: source.url };
}

function encodeFile(part: Extract<ContentPart, { type: "file" }>, path: string): JsonObject {
  let source: JsonObject;
  if (part.source.kind === "url") {
    source = { type: "url", url: part.source.url };
  } else if (part.source.mediaType === "application/pdf") {
    source = { type: "base64", media_type: "application/pdf", data: part.source.data };
  } else if (part.source.mediaType === "text/plain") {
    source = { type: "text", media_type: "text/plain", data: base64ToUtf8(part.source.data) };
  } else {
    throw untranslatable(
      path,
      `a "${part.source.mediaType}" file (Anthropic documents are PDF or plain text)`,
    );
  }
  const block: JsonObject = { type: "document", source };
  if (part.filename !== undefined) block.title = part.filename;
  return withCache(block, part.cacheControl);
}

function encodeTool(tool: Tool): JsonObject {
  // input_schema must be an object schema; OpenAI allows a function without parameters.
  const schema = tool.parameters.type === undefined
    ? { type: "object", ...tool.parameters }
    : tool.parameters;
  const out: JsonObject = { name: tool.name };
  if (tool.description !== undefined) out.description = tool.description;
  out.input_schema = schema;
  if (tool.strict !== undefined) out.strict = tool.strict;
  return withCache(out, tool.cacheControl);
}

function encodeToolChoice(request: IrRequest): JsonObject | undefined {
  const choice = request.toolChoice;
  const serial = request.parallelToolCalls === false;
  if (choice === "none") return { type: "none" };
  const out: JsonObject | undefined = choice === undefined
    ? (serial ? { type: "auto" } : undefined)
    : choice === "auto"
    ? { type: "auto" }
    : choice === "required"
    ? { type: "any" }
    : { type: "tool", name: choice.name };
  if (out !== undefined && serial) out.disable_parallel_tool_use = true;
  return out;
}

/** Anthropic's smallest thinking budget (https://platform.claude.com/docs/en/build-with-claude/extended-thinking). */
const MIN_THINKING_BUDGET = 1024;

/**
 * Budget from the IR's tokens, or from its effort via the shared table (reasoning.ts). A budget
 * agw derived from an effort stays below the client's own token limit, which (as OpenAI's
 * `max_completion_tokens`) bounds reasoning and answer together; the budget is a ceiling the
 * model may think up to, not an amount it must spend.
 */
function encodeThinking(request: IrRequest): JsonObject | undefined {
  const reasoning = request.reasoning;
  if (reasoning === undefined) return undefined;
  if (reasoning.budgetTokens !== undefined) {
    return reasoning.budgetTokens <= 0
      ? { type: "disabled" }
      : { type: "enabled", budget_tokens: reasoning.budgetTokens };
  }
  if (reasoning.effort === undefined) return undefined;
  const budget = effortToBudget(reasoning.effort);
  if (budget === undefined) return { type: "disabled" };
  if (request.maxTokens === undefined || budget < request.maxTokens) {
    return { type: "enabled", budget_tokens: budget };
  }
  if (request.maxTokens <= MIN_THINKING_BUDGET) {
    throw invalidRequest(
      "reasoning_effort",
      `reasoning_effort: a token limit of ${request.maxTokens} leaves no room for Anthropic's smallest thinking budget (${MIN_THINKING_BUDGET} tokens)`,
    );
  }
  return { type: "enabled", budget_tokens: request.maxTokens - 1 };
}

/** tool_use `input` is the arguments object; anything else is refused naming the part. */
function parseArguments(text: string, path: string): JsonObject {
  if (text.trim() === "") return {};
  let input: unknown;
  try {
    input = JSON.parse(text);
  } catch {
    input = undefined;
  }
  if (!isObject(input)) {
    throw invalidRequest(
      `${path}.arguments`,
      `${path}.arguments: tool call arguments are not a JSON object`,
    );
  }
  return input;
}

function withCache(block: JsonObject, cache: Tool["cacheControl"]): JsonObject {
  if (cache !== undefined) block.cache_control = writeCacheControl(cache);
  return block;
}

function base64ToUtf8(data: string): string {
  const binary = atob(data);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return new TextDecoder().decode(bytes);
}
