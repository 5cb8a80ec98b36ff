/**
 * A Chat Completions request body (client side) → IrRequest. Each top-level field of
 * `POST /v1/chat/completions` is carried, dropped as a delivery hint, or refused with a 400
 * naming it; chat_completions.ts lists which is which.
 * Reference: https://platform.openai.com/docs/api-reference/chat/create
 * @module
 */
import type { IrRequest, ReasoningConfig, ResponseFormat, Tool, ToolChoice } from "../ir.ts";
import { invalidRequest } from "../ir.ts";
import {
  type JsonObject,
  missing,
  optionalBoolean,
  optionalInteger,
  optionalNumber,
  optionalString,
  readArray,
  readObject,
  readString,
  rejectUnknownKeys,
  untranslatable,
  wrongType,
} from "./chat_completions_json.ts";
import { decodeMessages } from "./chat_completions_messages.ts";

const CARRIED = [
  "model",
  "messages",
  "tools",
  "tool_choice",
  "parallel_tool_calls",
  "max_tokens",
  "max_completion_tokens",
  "temperature",
  "top_p",
  "top_k",
  "stop",
  "seed",
  "frequency_penalty",
  "presence_penalty",
  "response_format",
  "reasoning_effort",
  "user",
  "safety_identifier",
  "metadata",
  "stream",
  "stream_options",
];
const DELIVERY_HINTS = [
  "store",
  "service_tier",
  "prompt_cache_key",
  "prompt_cache_options",
  "prompt_cache_retention",
];
/** Fields with a meaning agw cannot carry: each has its own check in rejectUntranslatable. */
const REFUSED = [
  "n",
  "logprobs",
  "top_logprobs",
  "logit_bias",
  "audio",
  "modalities",
  "prediction",
  "web_search_options",
  "moderation",
  "verbosity",
  "functions",
  "function_call",
];
const TOP_LEVEL_KEYS = new Set([...CARRIED, ...DELIVERY_HINTS, ...REFUSED]);
const EFFORTS = new Set(["none", "minimal", "low", "medium", "high", "xhigh"]);

/** Parses and validates a Chat Completions request body into the IR. */
export function decodeChatRequest(body: unknown): IrRequest {
  const root = readObject(body, "body");
  rejectUnknownKeys(root, TOP_LEVEL_KEYS, "");
  rejectUntranslatable(root);
  if (root.model == null) throw missing("model");
  if (root.messages == null) throw missing("messages");
  const request: IrRequest = {
    model: readString(root.model, "model"),
    messages: decodeMessages(readArray(root.messages, "messages")),
    stream: optionalBoolean(root, "stream", "") ?? false,
  };
  if (root.tools != null) request.tools = decodeTools(readArray(root.tools, "tools"));
  if (root.tool_choice != null) request.toolChoice = decodeToolChoice(root.tool_choice);
  assign(request, "parallelToolCalls", optionalBoolean(root, "parallel_tool_calls", ""));
  assign(request, "maxTokens", decodeMaxTokens(root));
  assign(request, "temperature", optionalNumber(root, "temperature", ""));
  assign(request, "topP", optionalNumber(root, "top_p", ""));
  // `top_k` is not OpenAI's, but vLLM, OpenRouter and Together take it on this endpoint.
  assign(request, "topK", optionalInteger(root, "top_k", ""));
  assign(request, "stop", decodeStop(root.stop));
  assign(request, "seed", optionalInteger(root, "seed", ""));
  assign(request, "frequencyPenalty", optionalNumber(root, "frequency_penalty", ""));
  assign(request, "presencePenalty", optionalNumber(root, "presence_penalty", ""));
  if (root.response_format != null) {
    request.responseFormat = decodeResponseFormat(root.response_format);
  }
  assign(request, "reasoning", decodeReasoningEffort(root));
  // `safety_identifier` replaces `user` for abuse tracking; both are one IR field.
  assign(
    request,
    "user",
    optionalString(root, "safety_identifier", "") ?? optionalString(root, "user", ""),
  );
  if (root.metadata != null) request.metadata = decodeMetadata(root.metadata);
  if (request.stream && root.stream_options != null) {
    const options = readObject(root.stream_options, "stream_options");
    rejectUnknownKeys(options, new Set(["include_usage", "include_obfuscation"]), "stream_options");
    assign(request, "includeUsage", optionalBoolean(options, "include_usage", "stream_options"));
  }
  return request;
}

/** Sets `target[key]` only when there is a value (exactOptionalPropertyTypes). */
function assign<Key extends keyof IrRequest>(
  target: IrRequest,
  key: Key,
  value: IrRequest[Key] | undefined,
): void {
  if (value !== undefined) target[key] = value;
}

function rejectUntranslatable(root: JsonObject): void {
  const n = optionalInteger(root, "n", "");
  if (n !== undefined && n !== 1) throw untranslatable("n", "more than one choice");
  if (optionalBoolean(root, "logprobs", "")) throw untranslatable("logprobs", "log probabilities");
  if (root.top_logprobs != null) throw untranslatable("top_logprobs", "log probabilities");
  if (root.logit_bias != null) {
    const bias = readObject(root.logit_bias, "logit_bias");
    if (Object.keys(bias).length > 0) throw untranslatable("logit_bias", "token biases");
  }
  if (root.audio != null) throw untranslatable("audio", "audio output");
  if (root.modalities != null) {
    readArray(root.modalities, "modalities").forEach((modality, i) => {
      if (modality !== "text") throw untranslatable(`modalities[${i}]`, "a non-text output");
    });
  }
  if (root.prediction != null) throw untranslatable("prediction", "a predicted output");
  if (root.web_search_options != null) {
    throw untranslatable("web_search_options", "OpenAI's built-in web search");
  }
  if (root.moderation != null) throw untranslatable("moderation", "OpenAI's moderation");
  if (root.verbosity != null) throw untranslatable("verbosity", "an output verbosity");
  if (root.functions != null) throw untranslatable("functions", "legacy functions (use tools)");
  if (root.function_call != null) {
    throw untranslatable("function_call", "a legacy function_call (use tool_choice)");
  }
}

/** `max_completion_tokens` replaced `max_tokens`; both mean the output limit. */
function decodeMaxTokens(root: JsonObject): number | undefined {
  const legacy = optionalInteger(root, "max_tokens", "");
  const current = optionalInteger(root, "max_completion_tokens", "");
  if (legacy !== undefined && current !== undefined && legacy !== current) {
    throw invalidRequest(
      "max_tokens",
      `max_tokens (${legacy}) and max_completion_tokens (${current}) disagree: send one of them`,
    );
  }
  return current ?? legacy;
}

function decodeStop(stop: unknown): string[] | undefined {
  if (stop == null) return undefined;
  if (typeof stop === "string") return [stop];
  const list = readArray(stop, "stop").map((item, i) => readString(item, `stop[${i}]`));
  return list.length > 0 ? list : undefined;
}

function decodeTools(list: unknown[]): Tool[] {
  return list.map((raw, i) => {
    const path = `tools[${i}]`;
    const tool = readObject(raw, path);
    if (tool.type !== "function") {
      throw untranslatable(`${path}.type`, `a '${String(tool.type)}' tool`);
    }
    // `cache_control` on a tool: LiteLLM's Anthropic-style marker.
    rejectUnknownKeys(tool, new Set(["type", "function", "cache_control"]), path);
    const fnPath = `${path}.function`;
    const fn = readObject(tool.function, fnPath);
    rejectUnknownKeys(fn, new Set(["name", "description", "parameters", "strict"]), fnPath);
    if (fn.name == null) throw missing(`${fnPath}.name`);
    // "Omitting `parameters` defines a function with an empty parameter list."
    const parameters = fn.parameters == null
      ? { type: "object", properties: {} }
      : readObject(fn.parameters, `${fnPath}.parameters`);
    const decoded: Tool = { name: readString(fn.name, `${fnPath}.name`), parameters };
    const description = optionalString(fn, "description", fnPath);
    if (description !== undefined) decoded.description = description;
    const strict = optionalBoolean(fn, "strict", fnPath);
    if (strict !== undefined) decoded.strict = strict;
    if (tool.cache_control != null) {
      const cache = readObject(tool.cache_control, `${path}.cache_control`);
      if (cache.type !== "ephemeral") throw wrongType(`${path}.cache_control.type`, "'ephemeral'");
      decoded.cacheControl = typeof cache.ttl === "string"
        ? { type: "ephemeral", ttl: cache.ttl }
        : { type: "ephemeral" };
    }
    return decoded;
  });
}

function decodeToolChoice(raw: unknown): ToolChoice {
  if (raw === "auto" || raw === "none" || raw === "required") return raw;
  if (typeof raw === "string") {
    throw invalidRequest("tool_choice", `Invalid value for 'tool_choice': '${raw}'`);
  }
  const choice = readObject(raw, "tool_choice");
  if (choice.type === "allowed_tools") {
    throw untranslatable("tool_choice.allowed_tools", "a restricted set of allowed tools");
  }
  if (choice.type !== "function") {
    throw untranslatable("tool_choice.type", `a '${String(choice.type)}' tool choice`);
  }
  rejectUnknownKeys(choice, new Set(["type", "function"]), "tool_choice");
  const fn = readObject(choice.function, "tool_choice.function");
  if (fn.name == null) throw missing("tool_choice.function.name");
  return { name: readString(fn.name, "tool_choice.function.name") };
}

function decodeResponseFormat(raw: unknown): ResponseFormat {
  const format = readObject(raw, "response_format");
  if (format.type === "text" || format.type === "json_object") {
    rejectUnknownKeys(format, new Set(["type"]), "response_format");
    return { type: format.type };
  }
  if (format.type !== "json_schema") {
    throw untranslatable("response_format.type", `a '${String(format.type)}' response format`);
  }
  rejectUnknownKeys(format, new Set(["type", "json_schema"]), "response_format");
  const path = "response_format.json_schema";
  const spec = readObject(format.json_schema, path);
  rejectUnknownKeys(spec, new Set(["name", "description", "schema", "strict"]), path);
  if (spec.name == null) throw missing(`${path}.name`);
  const decoded: ResponseFormat = {
    type: "json_schema",
    name: readString(spec.name, `${path}.name`),
    schema: spec.schema == null ? {} : readObject(spec.schema, `${path}.schema`),
  };
  const description = optionalString(spec, "description", path);
  if (description !== undefined) decoded.description = description;
  const strict = optionalBoolean(spec, "strict", path);
  if (strict !== undefined) decoded.strict = strict;
  return decoded;
}

function decodeReasoningEffort(root: JsonObject): ReasoningConfig | undefined {
  const effort = optionalString(root, "reasoning_effort", "");
  if (effort === undefined) return undefined;
  if (effort === "max") throw untranslatable("reasoning_effort", "the effort 'max'");
  if (!EFFORTS.has(effort)) {
    throw invalidRequest("reasoning_effort", `Invalid value for 'reasoning_effort': '${effort}'`);
  }
  return { effort: effort as NonNullable<ReasoningConfig["effort"]> };
}

function decodeMetadata(raw: unknown): Record<string, string> {
  const metadata = readObject(raw, "metadata");
  const decoded: Record<string, string> = {};
  for (const [key, value] of Object.entries(metadata)) {
    decoded[key] = readString(value, `metadata.${key}`);
  }
  return decoded;
}
