/**
 * A Responses `POST /v1/responses` body → IrRequest. Every top-level field of the API reference
 * (https://platform.openai.com/docs/api-reference/responses/create) is handled here: carried into
 * the IR, dropped as a delivery hint (listed in responses.ts), or refused with a 400 naming it.
 * @module
 */
import { invalidRequest, type IrRequest, type ReasoningConfig } from "../ir.ts";
import { JsonFields } from "./responses_fields.ts";
import { decodeInput } from "./responses_input.ts";
import { decodeTextFormat, decodeToolChoice, decodeTools } from "./responses_tools.ts";

/** Top-level fields of the create request, as in the openai SDK's ResponseCreateParamsBase. */
const REQUEST_KEYS = new Set([
  "access_programs",
  "background",
  "background_options",
  "context_management",
  "conversation",
  "image",
  "include",
  "input",
  "instructions",
  "max_output_tokens",
  "max_tool_calls",
  "metadata",
  "model",
  "moderation",
  "parallel_tool_calls",
  "previous_response_id",
  "prompt",
  "prompt_cache_key",
  "prompt_cache_options",
  "prompt_cache_retention",
  "reasoning",
  "safety_identifier",
  "service_tier",
  "store",
  "stream",
  "stream_options",
  "temperature",
  "text",
  "tool_choice",
  "tools",
  "top_logprobs",
  "top_p",
  "truncation",
  "user",
]);

/**
 * `include` values with no effect on a translated answer: outputs of built-in tools (refused
 * anyway), input image URLs (agw stores no input items), and encrypted reasoning (always
 * returned when the provider gives it). Logprobs are not among them: they are a 400.
 */
const INCLUDE_HINTS = new Set([
  "file_search_call.results",
  "web_search_call.results",
  "web_search_call.action.sources",
  "message.input_image.image_url",
  "computer_call_output.output.image_url",
  "code_interpreter_call.outputs",
  "reasoning.encrypted_content",
]);

const EFFORTS = ["none", "minimal", "low", "medium", "high", "xhigh"] as const;
const SUMMARIES = ["auto", "concise", "detailed"] as const;

/** Decodes and validates a Responses request body. */
export function decodeResponsesRequest(body: unknown): IrRequest {
  const fields = new JsonFields(body, "");
  fields.rejectUnknown(REQUEST_KEYS);
  rejectServerState(fields);
  rejectUntranslatable(fields);

  const model = fields.string("model");
  if (model === "") throw fields.fail("model", "must not be empty");
  if (!fields.has("input")) throw fields.fail("input", "is required");

  const messages = decodeInput(fields.raw("input"));
  const instructions = fields.optionalString("instructions");
  if (instructions !== undefined) {
    messages.unshift({ role: "system", content: [{ type: "text", text: instructions }] });
  }

  const stream = fields.optionalBoolean("stream") ?? false;
  const request: IrRequest = { model, messages, stream };
  // Responses streams always end with usage in `response.completed`, so the provider must send it.
  if (stream) request.includeUsage = true;
  decodeStreamOptions(fields);

  const tools = decodeTools(fields);
  if (tools !== undefined) request.tools = tools;
  const toolChoice = decodeToolChoice(fields, request);
  if (toolChoice !== undefined) request.toolChoice = toolChoice;
  assign(request, "parallelToolCalls", fields.optionalBoolean("parallel_tool_calls"));
  assign(request, "maxTokens", fields.optionalPositiveInteger("max_output_tokens"));
  assign(request, "temperature", fields.optionalNumber("temperature"));
  assign(request, "topP", fields.optionalNumber("top_p"));
  assign(request, "metadata", fields.optionalStringRecord("metadata"));
  // `user` is deprecated in favour of `safety_identifier`; both name the end user for abuse
  // tracking. When both are set, `user`'s remaining role is cache bucketing, a hint.
  assign(
    request,
    "user",
    fields.optionalString("safety_identifier") ?? fields.optionalString("user"),
  );

  const text = fields.optionalObject("text");
  if (text !== undefined) {
    text.rejectUnknown(new Set(["format", "verbosity"]));
    assign(request, "responseFormat", decodeTextFormat(text));
    // Verbosity changes how long the answer is; no other format has it, so only the default
    // (medium) can be carried.
    const verbosity = text.optionalEnum("verbosity", ["low", "medium", "high"]);
    if (verbosity !== undefined && verbosity !== "medium") {
      throw text.fail("verbosity", `"${verbosity}" cannot be translated to another provider`);
    }
  }
  assign(request, "reasoning", decodeReasoning(fields));
  return request;
}

/** Sets an optional IR field only when it has a value (exactOptionalPropertyTypes). */
function assign<K extends keyof IrRequest>(
  request: IrRequest,
  key: K,
  value: IrRequest[K] | undefined,
): void {
  if (value !== undefined) request[key] = value;
}

/** Fields that need state agw does not keep: stored responses, conversations, prompts, jobs. */
function rejectServerState(fields: JsonFields): void {
  const stored = "agw does not store responses, so send the whole conversation in input";
  for (const key of ["previous_response_id", "conversation"]) {
    if (fields.has(key)) throw fields.fail(key, `cannot be translated: ${stored}`);
  }
  if (fields.has("prompt")) {
    throw fields.fail("prompt", "(a stored prompt template) cannot be translated: agw has none");
  }
  if (fields.optionalBoolean("background") === true) {
    throw fields.fail("background", "cannot be translated: agw answers within the request");
  }
  if (fields.has("background_options")) {
    throw fields.fail("background_options", "cannot be translated: agw runs no background jobs");
  }
  const contextManagement = fields.optionalArray("context_management");
  if (contextManagement !== undefined && contextManagement.length > 0) {
    throw fields.fail("context_management", "(server-side compaction) cannot be translated");
  }
}

/** Fields that change the answer and have no counterpart in any other format. */
function rejectUntranslatable(fields: JsonFields): void {
  for (const key of ["moderation", "access_programs"]) {
    if (fields.has(key)) throw fields.fail(key, "cannot be translated to another provider");
  }
  const topLogprobs = fields.optionalNumber("top_logprobs");
  if (topLogprobs !== undefined && topLogprobs > 0) {
    throw fields.fail("top_logprobs", "cannot be translated: agw does not carry logprobs");
  }
  // `auto` lets OpenAI drop the oldest input to fit the context window; no other provider does.
  const truncation = fields.optionalEnum("truncation", ["auto", "disabled"]);
  if (truncation === "auto") {
    throw fields.fail("truncation", '"auto" cannot be translated to another provider');
  }
  const image = fields.optionalObject("image");
  if (image !== undefined) {
    image.rejectUnknown(new Set(["context_compression"]));
    const compression = image.optionalEnum("context_compression", ["auto", "enabled", "disabled"]);
    if (compression !== undefined && compression !== "auto") {
      throw image.fail("context_compression", `"${compression}" cannot be translated`);
    }
  }
  const cacheOptions = fields.optionalObject("prompt_cache_options");
  if (cacheOptions?.optionalBoolean("prewarm") === true) {
    // A prewarm call generates no output at all: not a hint.
    throw cacheOptions.fail("prewarm", "cannot be translated to another provider");
  }
  const include = fields.optionalArray("include") ?? [];
  include.forEach((value, index) => {
    const path = `${fields.pathOf("include")}[${index}]`;
    if (typeof value !== "string") throw invalidRequest(path, `${path} must be a string`);
    if (!INCLUDE_HINTS.has(value)) {
      throw invalidRequest(path, `${path} "${value}" cannot be translated to another provider`);
    }
  });
}

/** `stream_options.include_obfuscation` only pads delta events: a delivery hint. */
function decodeStreamOptions(fields: JsonFields): void {
  const options = fields.optionalObject("stream_options");
  if (options === undefined) return;
  options.rejectUnknown(new Set(["include_obfuscation"]));
  options.optionalBoolean("include_obfuscation");
}

function decodeReasoning(fields: JsonFields): ReasoningConfig | undefined {
  const reasoning = fields.optionalObject("reasoning");
  if (reasoning === undefined) return undefined;
  reasoning.rejectUnknown(new Set(["effort", "summary", "generate_summary", "context", "mode"]));
  const config: ReasoningConfig = {};
  const effort = reasoning.optionalString("effort");
  if (effort !== undefined) {
    if (!(EFFORTS as readonly string[]).includes(effort)) {
      throw reasoning.fail("effort", `"${effort}" cannot be translated to another provider`);
    }
    config.effort = effort as NonNullable<ReasoningConfig["effort"]>;
  }
  // `generate_summary` is the deprecated name of `summary`.
  const summary = reasoning.optionalEnum("summary", SUMMARIES) ??
    reasoning.optionalEnum("generate_summary", SUMMARIES);
  if (summary !== undefined) config.summary = summary;
  const context = reasoning.optionalEnum("context", ["auto", "current_turn", "all_turns"]);
  if (context !== undefined && context !== "auto") {
    throw reasoning.fail("context", `"${context}" cannot be translated to another provider`);
  }
  const mode = reasoning.optionalString("mode");
  if (mode !== undefined && mode !== "standard") {
    throw reasoning.fail("mode", `"${mode}" cannot be translated to another provider`);
  }
  return config;
}
