/**
 * Provider side: IR → a Converse / ConverseStream body
 * (https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_Converse.html). The model
 * id and whether the call streams go in the path (providers/bedrock.ts), not in the body.
 * Converse is one shape for every Bedrock model, but some settings exist only per model family
 * in `additionalModelRequestFields`; the family is read from the model id.
 * @module
 */
import type { IrRequest, Tool } from "../ir.ts";
import { invalidRequest } from "../ir.ts";
import { effortToBudget } from "../reasoning.ts";
import { encodeConversation, pushCachePoint, TARGET } from "./converse_content.ts";
import { type JsonObject, untranslatable } from "./provider_wire.ts";

/** Model families whose native request fields agw knows how to fill. */
type ModelFamily = "anthropic" | "nova" | "other";

/**
 * The family from the model id (`anthropic.claude-…`, `us.anthropic.claude-…`, an inference
 * profile ARN naming one). An application inference profile ARN hides the model: "other".
 */
function modelFamily(model: string): ModelFamily {
  if (/anthropic\.|claude/i.test(model)) return "anthropic";
  if (/amazon\.nova|(^|[./])nova-/i.test(model)) return "nova";
  return "other";
}

/** Encodes the IR as a Converse body; throws LlmError(400) naming what Converse cannot carry. */
export function encodeConverseRequest(request: IrRequest): JsonObject {
  refuseUnsupported(request);
  const conversation = encodeConversation(request.messages);
  const body: JsonObject = { messages: conversation.messages };
  if (conversation.system.length > 0) body.system = conversation.system;
  const inference = encodeInferenceConfig(request);
  if (Object.keys(inference).length > 0) body.inferenceConfig = inference;
  const toolConfig = encodeToolConfig(request, conversation.hasToolBlocks);
  if (toolConfig !== undefined) body.toolConfig = toolConfig;
  const additional = encodeModelFields(request, modelFamily(request.model));
  if (Object.keys(additional).length > 0) body.additionalModelRequestFields = additional;
  const format = request.responseFormat;
  if (format?.type === "json_schema") {
    // Structured outputs (https://docs.aws.amazon.com/bedrock/latest/userguide/structured-output.html):
    // the schema travels as a JSON string; Bedrock always holds the answer to it (strict).
    const jsonSchema: JsonObject = { schema: JSON.stringify(format.schema), name: format.name };
    if (format.description !== undefined) jsonSchema.description = format.description;
    body.outputConfig = {
      textFormat: { type: "json_schema", structure: { jsonSchema } },
    };
  }
  // requestMetadata tags the call in Bedrock's invocation logs, as OpenAI's metadata tags it.
  if (request.metadata !== undefined && Object.keys(request.metadata).length > 0) {
    body.requestMetadata = request.metadata;
  }
  return body;
}

function refuseUnsupported(request: IrRequest): void {
  const refuse = (field: string, what: string) => untranslatable(field, what, TARGET);
  if (request.seed !== undefined) throw refuse("seed", "a sampling seed");
  if (request.frequencyPenalty !== undefined) {
    throw refuse("frequency_penalty", "a frequency penalty");
  }
  if (request.presencePenalty !== undefined) throw refuse("presence_penalty", "a presence penalty");
  if (request.parallelToolCalls === false) {
    throw refuse("parallel_tool_calls", "turning parallel tool calls off");
  }
  if (request.responseFormat?.type === "json_object") {
    throw refuse("response_format", "JSON mode without a schema");
  }
}

function encodeInferenceConfig(request: IrRequest): JsonObject {
  const config: JsonObject = {};
  if (request.maxTokens !== undefined) config.maxTokens = request.maxTokens;
  if (request.temperature !== undefined) config.temperature = request.temperature;
  if (request.topP !== undefined) config.topP = request.topP;
  if (request.stop !== undefined && request.stop.length > 0) config.stopSequences = request.stop;
  return config;
}

/**
 * `toolChoice` is auto, any or one tool; Converse has no "none". A "none" withholds the tools,
 * which Converse allows only while the conversation holds no toolUse/toolResult block (it then
 * requires `toolConfig`): with such blocks, "none" is a 400.
 */
function encodeToolConfig(request: IrRequest, hasToolBlocks: boolean): JsonObject | undefined {
  const choice = request.toolChoice;
  const tools = request.tools ?? [];
  if (tools.length === 0) {
    if (choice === "required" || typeof choice === "object") {
      throw invalidRequest("tool_choice", "tool_choice: a required tool call needs tools");
    }
    return undefined;
  }
  if (choice === "none") {
    if (hasToolBlocks) {
      throw untranslatable(
        "tool_choice",
        'tool_choice "none" in a conversation with tool calls (Converse then needs the tools and cannot forbid calling them)',
        TARGET,
      );
    }
    return undefined;
  }
  const specs: JsonObject[] = [];
  tools.forEach((tool, i) => {
    specs.push({ toolSpec: encodeToolSpec(tool) });
    pushCachePoint(specs, tool.cacheControl, `tools[${i}]`);
  });
  const config: JsonObject = { tools: specs };
  if (choice === "auto") config.toolChoice = { auto: {} };
  else if (choice === "required") config.toolChoice = { any: {} };
  else if (typeof choice === "object") config.toolChoice = { tool: { name: choice.name } };
  return config;
}

function encodeToolSpec(tool: Tool): JsonObject {
  const spec: JsonObject = { name: tool.name };
  if (tool.description !== undefined) spec.description = tool.description;
  // The input schema must be an object schema; OpenAI allows a function without parameters.
  spec.inputSchema = {
    json: tool.parameters.type === undefined
      ? { type: "object", ...tool.parameters }
      : tool.parameters,
  };
  if (tool.strict !== undefined) spec.strict = tool.strict;
  return spec;
}

/**
 * Model-specific fields (`additionalModelRequestFields`): Claude takes Anthropic's `top_k` and
 * `thinking`; Nova takes `inferenceConfig.topK`. Other families, or a model id that does not say
 * its family, answer 400 for `top_k` and for reasoning that asks for thinking.
 */
function encodeModelFields(request: IrRequest, family: ModelFamily): JsonObject {
  const fields: JsonObject = {};
  if (request.topK !== undefined) {
    if (family === "anthropic") fields.top_k = request.topK;
    else if (family === "nova") fields.inferenceConfig = { topK: request.topK };
    else throw untranslatable("top_k", `top_k for model "${request.model}"`, TARGET);
  }
  const reasoning = request.reasoning;
  if (reasoning !== undefined) {
    const budget = reasoning.budgetTokens ??
      (reasoning.effort === undefined ? undefined : effortToBudget(reasoning.effort) ?? 0);
    if (budget !== undefined) {
      if (family === "anthropic") {
        fields.thinking = budget <= 0
          ? { type: "disabled" }
          : { type: "enabled", budget_tokens: budget };
      } else if (budget > 0) {
        throw untranslatable(
          "reasoning",
          `reasoning settings for model "${request.model}" (agw sets thinking on Bedrock for Anthropic Claude models)`,
          TARGET,
        );
      }
    }
  }
  return fields;
}
