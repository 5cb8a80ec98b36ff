/**
 * Client side: a Messages request body → IR (https://platform.claude.com/docs/en/api/messages).
 * Every top-level field is either carried, dropped as a delivery hint (listed in messages.ts), or
 * refused with a 400 naming it; an unknown field is refused too.
 * @module
 */
import type {
  IrRequest,
  Message,
  ReasoningConfig,
  ResponseFormat,
  Tool,
  ToolChoice,
} from "../ir.ts";
import { invalidRequest } from "../ir.ts";
import { decodeMessages, decodeSystemText } from "./messages_content_decode.ts";
import {
  checkKnownKeys,
  fieldPath,
  type JsonObject,
  optional,
  readArray,
  readBoolean,
  readCacheControl,
  readCount,
  readNumber,
  readObject,
  readString,
  untranslatable,
  wrongType,
} from "./messages_json.ts";

/** Delivery hints with no effect on the answer: accepted and dropped. */
const HINT_FIELDS: ReadonlySet<string> = new Set([
  "service_tier",
  "speed",
  "diagnostics",
  "anthropic_version",
]);

/** Anthropic-only features: each changes what the model does, and no other format has it. */
const REFUSED_FIELDS: ReadonlyMap<string, string> = new Map([
  ["container", "a code-execution container"],
  ["mcp_servers", "the MCP connector (mcp_servers)"],
  ["context_management", "context management"],
  ["compaction", "server-side compaction"],
  ["thread", "a server-side thread"],
  ["fallbacks", "server-side model fallbacks"],
  ["safeguards", "safeguards"],
  // A residency constraint agw cannot guarantee on another provider.
  ["inference_geo", "an inference region"],
]);

const CARRIED_FIELDS: ReadonlySet<string> = new Set([
  "model",
  "max_tokens",
  "messages",
  "system",
  "metadata",
  "stop_sequences",
  "stream",
  "temperature",
  "top_p",
  "top_k",
  "tools",
  "tool_choice",
  "thinking",
  "output_config",
  "output_format",
  "cache_control",
]);

const TOOL_KEYS: ReadonlySet<string> = new Set([
  "type",
  "name",
  "description",
  "input_schema",
  "cache_control",
  "strict",
  "eager_input_streaming",
  "defer_loading",
  "input_examples",
  "allowed_callers",
]);

/** Decodes a client's Messages body; throws LlmError(400) naming the field it cannot carry. */
export function decodeMessagesRequest(body: unknown): IrRequest {
  const root = readObject(body, "body");
  for (const key of Object.keys(root)) {
    const refused = REFUSED_FIELDS.get(key);
    if (refused !== undefined && optional(root, key) !== undefined) {
      throw untranslatable(key, refused);
    }
    if (!CARRIED_FIELDS.has(key) && !HINT_FIELDS.has(key) && refused === undefined) {
      throw invalidRequest(key, `${key}: unknown Messages API field`);
    }
  }
  if (root.max_tokens === undefined) {
    throw invalidRequest("max_tokens", "max_tokens: field required");
  }
  if (root.messages === undefined) throw invalidRequest("messages", "messages: field required");
  const request: IrRequest = {
    model: readString(root.model, "model"),
    messages: [...decodeSystem(root), ...decodeMessages(root.messages)],
    maxTokens: readCount(root.max_tokens, "max_tokens"),
    stream: optional(root, "stream") === undefined ? false : readBoolean(root.stream, "stream"),
  };
  decodeSampling(root, request);
  decodeTools(root, request);
  decodeOutput(root, request);
  const thinking = optional(root, "thinking");
  if (thinking !== undefined) request.reasoning = decodeThinking(thinking, request.reasoning);
  const metadata = optional(root, "metadata");
  if (metadata !== undefined) {
    const object = readObject(metadata, "metadata");
    checkKnownKeys(object, new Set(["user_id"]), "metadata");
    const user = optional(object, "user_id");
    if (user !== undefined) request.user = readString(user, "metadata.user_id");
  }
  const cache = optional(root, "cache_control");
  if (cache !== undefined) markLastCacheable(request, readCacheControl(cache, "cache_control"));
  return request;
}

function decodeSystem(root: JsonObject): Message[] {
  const system = optional(root, "system");
  if (system === undefined) return [];
  if (typeof system === "string") {
    return [{ role: "system", content: [{ type: "text", text: system }] }];
  }
  const blocks = readArray(system, "system").map((block, i) =>
    decodeSystemText(readObject(block, `system[${i}]`), `system[${i}]`)
  );
  return [{ role: "system", content: blocks }];
}

function decodeSampling(root: JsonObject, request: IrRequest): void {
  const temperature = optional(root, "temperature");
  if (temperature !== undefined) request.temperature = readNumber(temperature, "temperature");
  const topP = optional(root, "top_p");
  if (topP !== undefined) request.topP = readNumber(topP, "top_p");
  const topK = optional(root, "top_k");
  if (topK !== undefined) request.topK = readCount(topK, "top_k");
  const stop = optional(root, "stop_sequences");
  if (stop !== undefined) {
    request.stop = readArray(stop, "stop_sequences").map((item, i) =>
      readString(item, `stop_sequences[${i}]`)
    );
  }
}

function decodeTools(root: JsonObject, request: IrRequest): void {
  const tools = optional(root, "tools");
  if (tools !== undefined) {
    request.tools = readArray(tools, "tools").map((tool, i) => decodeTool(tool, `tools[${i}]`));
  }
  const choice = optional(root, "tool_choice");
  if (choice === undefined) return;
  const object = readObject(choice, "tool_choice");
  const type = object.type;
  const keys = type === "none"
    ? ["type"]
    : type === "tool"
    ? ["type", "name", "disable_parallel_tool_use"]
    : ["type", "disable_parallel_tool_use"];
  checkKnownKeys(object, new Set(keys), "tool_choice");
  const choices: Record<string, ToolChoice> = { auto: "auto", any: "required", none: "none" };
  if (type === "tool") {
    request.toolChoice = { name: readString(object.name, "tool_choice.name") };
  } else if (typeof type === "string" && choices[type] !== undefined) {
    request.toolChoice = choices[type];
  } else {
    throw wrongType("tool_choice.type", '"auto", "any", "tool" or "none"');
  }
  const disable = optional(object, "disable_parallel_tool_use");
  if (
    disable !== undefined && readBoolean(disable, "tool_choice.disable_parallel_tool_use")
  ) request.parallelToolCalls = false;
}

function decodeTool(value: unknown, path: string): Tool {
  const object = readObject(value, path);
  const type = optional(object, "type") ?? "custom";
  if (type !== "custom") {
    const name = typeof type === "string" ? `the server tool "${type}"` : "a server tool";
    throw untranslatable(path, name);
  }
  checkKnownKeys(object, TOOL_KEYS, path);
  const tool: Tool = {
    name: readString(object.name, fieldPath(path, "name")),
    parameters: readObject(object.input_schema, fieldPath(path, "input_schema")),
  };
  const description = optional(object, "description");
  if (description !== undefined) {
    tool.description = readString(description, fieldPath(path, "description"));
  }
  const strict = optional(object, "strict");
  if (strict !== undefined) tool.strict = readBoolean(strict, fieldPath(path, "strict"));
  const cache = optional(object, "cache_control");
  if (cache !== undefined) {
    tool.cacheControl = readCacheControl(cache, fieldPath(path, "cache_control"));
  }
  // eager_input_streaming only changes how tool input is chunked on the wire: dropped.
  if (optional(object, "defer_loading") === true) {
    throw untranslatable(fieldPath(path, "defer_loading"), "deferred tool loading");
  }
  const examples = optional(object, "input_examples");
  if (examples !== undefined && readArray(examples, fieldPath(path, "input_examples")).length > 0) {
    throw untranslatable(fieldPath(path, "input_examples"), "tool input examples");
  }
  const callers = optional(object, "allowed_callers");
  if (
    callers !== undefined &&
    readArray(callers, fieldPath(path, "allowed_callers")).some((caller) => caller !== "direct")
  ) throw untranslatable(fieldPath(path, "allowed_callers"), "programmatic tool calling");
  return tool;
}

const EFFORTS: ReadonlySet<string> = new Set(["low", "medium", "high", "xhigh"]);

/**
 * `output_config` (GA structured outputs and effort) and the older `output_format` (beta header
 * `structured-outputs-2025-11-13`): both hold `{type: "json_schema", schema}`.
 * https://platform.claude.com/docs/en/build-with-claude/structured-outputs
 */
function decodeOutput(root: JsonObject, request: IrRequest): void {
  const config = optional(root, "output_config");
  const legacy = optional(root, "output_format");
  if (legacy !== undefined) request.responseFormat = decodeJsonFormat(legacy, "output_format");
  if (config === undefined) return;
  const object = readObject(config, "output_config");
  checkKnownKeys(object, new Set(["effort", "format", "task_budget"]), "output_config");
  if (optional(object, "task_budget") !== undefined) {
    throw untranslatable("output_config.task_budget", "a task budget");
  }
  const format = optional(object, "format");
  if (format !== undefined) {
    if (legacy !== undefined) {
      throw invalidRequest(
        "output_format",
        "output_format: give output_config.format or output_format, not both",
      );
    }
    request.responseFormat = decodeJsonFormat(format, "output_config.format");
  }
  const effort = optional(object, "effort");
  if (effort !== undefined) {
    const value = readString(effort, "output_config.effort");
    if (!EFFORTS.has(value)) throw untranslatable("output_config.effort", `effort "${value}"`);
    request.reasoning = {
      ...request.reasoning,
      effort: value as ReasoningConfig["effort"] & string,
    };
  }
}

function decodeJsonFormat(value: unknown, path: string): ResponseFormat {
  const object = readObject(value, path);
  checkKnownKeys(object, new Set(["type", "schema"]), path);
  if (object.type !== "json_schema") throw wrongType(fieldPath(path, "type"), '"json_schema"');
  // Anthropic's format has no name and is always enforced: the IR needs a name for OpenAI.
  return {
    type: "json_schema",
    name: "response",
    schema: readObject(object.schema, fieldPath(path, "schema")),
    strict: true,
  };
}

/**
 * `thinking` (https://platform.claude.com/docs/en/build-with-claude/extended-thinking):
 * `enabled` carries its budget, `disabled` is effort "none", `adaptive` leaves the amount to the
 * model (an empty reasoning config: each provider's default). `display: "summarized"` asks for
 * the summary OpenAI calls `summary: "auto"`; `"omitted"` is the IR default of no summary.
 */
function decodeThinking(value: unknown, previous: ReasoningConfig | undefined): ReasoningConfig {
  const object = readObject(value, "thinking");
  const type = object.type;
  const reasoning: ReasoningConfig = { ...previous };
  if (type === "disabled") {
    checkKnownKeys(object, new Set(["type"]), "thinking");
    return { ...reasoning, effort: "none" };
  }
  if (type === "between_tools") throw untranslatable("thinking.type", 'thinking "between_tools"');
  if (type !== "enabled" && type !== "adaptive") {
    throw wrongType("thinking.type", '"enabled", "adaptive" or "disabled"');
  }
  const keys = type === "enabled" ? ["type", "budget_tokens", "display"] : ["type", "display"];
  checkKnownKeys(object, new Set(keys), "thinking");
  if (type === "enabled") {
    if (object.budget_tokens === undefined) {
      throw invalidRequest("thinking.budget_tokens", "thinking.budget_tokens: field required");
    }
    reasoning.budgetTokens = readCount(object.budget_tokens, "thinking.budget_tokens");
  }
  const display = optional(object, "display");
  if (display !== undefined) {
    const value = readString(display, "thinking.display");
    if (value === "summarized") reasoning.summary = "auto";
    else if (value !== "omitted") throw untranslatable("thinking.display", `display "${value}"`);
  }
  return reasoning;
}

/**
 * Top-level `cache_control` marks "the last cacheable block in the request": the IR keeps
 * markers per part, so it lands on the last part that can hold one.
 */
function markLastCacheable(request: IrRequest, cache: NonNullable<Tool["cacheControl"]>): void {
  for (let i = request.messages.length - 1; i >= 0; i--) {
    const content = request.messages[i]?.content ?? [];
    for (let j = content.length - 1; j >= 0; j--) {
      const part = content[j];
      if (part === undefined || part.type === "toolCall" || part.type === "reasoning") continue;
      part.cacheControl ??= cache;
      return;
    }
  }
  const lastTool = request.tools?.at(-1);
  if (lastTool !== undefined) lastTool.cacheControl ??= cache;
}
