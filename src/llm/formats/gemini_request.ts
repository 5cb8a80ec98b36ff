/**
 * Provider side: IR → a `generateContent` body (https://ai.google.dev/api/generate-content), the
 * same body the Gemini API and Vertex AI's Gemini publisher models take. The model and whether
 * the call streams go in the URL (providers/gemini.ts, providers/vertex.ts), not in the body.
 * @module
 */
import type { ContentPart, FilePart, ImagePart, IrRequest, Message, Tool } from "../ir.ts";
import { invalidRequest } from "../ir.ts";
import { effortToBudget } from "../reasoning.ts";
import { isSynthesizedCallId } from "./gemini_response.ts";
import {
  type JsonObject,
  mediaTypeFromUrl,
  parseDataUrl,
  parseToolArguments,
  untranslatable,
} from "./provider_wire.ts";

const TARGET = "Gemini";

/** Encodes the IR as a `generateContent` body; throws LlmError(400) naming what Gemini lacks. */
export function encodeGeminiRequest(request: IrRequest): JsonObject {
  refuseUnsupported(request);
  const { system, contents } = encodeConversation(request.messages);
  const body: JsonObject = { contents };
  if (system.length > 0) body.systemInstruction = { parts: system };
  if (request.tools !== undefined && request.tools.length > 0) {
    body.tools = [{ functionDeclarations: request.tools.map(encodeTool) }];
  }
  const toolConfig = encodeToolConfig(request);
  if (toolConfig !== undefined) body.toolConfig = toolConfig;
  const generationConfig = encodeGenerationConfig(request);
  if (Object.keys(generationConfig).length > 0) body.generationConfig = generationConfig;
  return body;
}

function refuseUnsupported(request: IrRequest): void {
  // Gemini may answer with several function calls at once and has no switch to stop it.
  if (request.parallelToolCalls === false) {
    throw untranslatable("parallel_tool_calls", "turning parallel tool calls off", TARGET);
  }
  const format = request.responseFormat;
  if (format?.type === "json_schema" && format.description !== undefined) {
    const own = format.schema.description;
    if (own !== undefined && own !== format.description) {
      throw untranslatable(
        "response_format.json_schema.description",
        "a response format description beside a schema with its own description",
        TARGET,
      );
    }
  }
}

/**
 * The leading run of system messages becomes `systemInstruction`; assistant turns are `model`
 * contents, tool results join the `user` content; consecutive same-role contents merge so that
 * the results of parallel calls travel together, as Gemini's function-calling guide sends them.
 */
function encodeConversation(messages: Message[]): { system: JsonObject[]; contents: JsonObject[] } {
  const system: JsonObject[] = [];
  const contents: { role: "user" | "model"; parts: JsonObject[] }[] = [];
  // Gemini answers a function by name; IR results may carry only the call id.
  const callNames = new Map<string, string>();
  let started = false;
  messages.forEach((message, i) => {
    if (message.role === "system") {
      if (started) {
        throw invalidRequest(
          `messages[${i}]`,
          `messages[${i}]: a system message after the conversation has started cannot be translated to ${TARGET}, which takes one systemInstruction`,
        );
      }
      system.push(...encodeSystemParts(message, i));
      return;
    }
    started = true;
    if (message.name !== undefined) {
      throw untranslatable(`messages[${i}].name`, "a participant name", TARGET);
    }
    const role = message.role === "assistant" ? "model" : "user";
    const parts = role === "model"
      ? encodeModelParts(message.content, i, callNames)
      : encodeUserParts(message.content, i, callNames);
    if (parts.length === 0) return;
    const last = contents.at(-1);
    if (last?.role === role) last.parts.push(...parts);
    else contents.push({ role, parts });
  });
  return { system, contents };
}

function encodeSystemParts(message: Message, i: number): JsonObject[] {
  const parts: JsonObject[] = [];
  message.content.forEach((part, j) => {
    if (part.type !== "text") {
      throw untranslatable(
        `messages[${i}].content[${j}]`,
        `a ${part.type} part in a system message`,
        TARGET,
      );
    }
    if (part.text !== "") parts.push({ text: part.text });
  });
  return parts;
}

/**
 * A model turn. Gemini's thought signatures sit on the part they belong to
 * (https://ai.google.dev/gemini-api/docs/thought-signatures): the decoder carries a signature on
 * a text or functionCall part as an empty reasoning part just before it, and this puts it back.
 * Signed thoughts go back as thought parts; unsigned reasoning (Gemini's own summaries, or
 * another provider's) is left out: Gemini reads earlier reasoning only through signatures.
 */
function encodeModelParts(
  content: ContentPart[],
  i: number,
  callNames: Map<string, string>,
): JsonObject[] {
  const parts: JsonObject[] = [];
  let pendingSignature: string | undefined;
  const flushPending = () => {
    if (pendingSignature === undefined) return;
    parts.push({ text: "", thought: true, thoughtSignature: pendingSignature });
    pendingSignature = undefined;
  };
  content.forEach((part, j) => {
    const path = `messages[${i}].content[${j}]`;
    let encoded: JsonObject | undefined;
    switch (part.type) {
      case "reasoning":
        if (part.signature === undefined || part.signature === "") return;
        if (part.text === "") {
          flushPending();
          pendingSignature = part.signature;
          return;
        }
        flushPending();
        parts.push({ text: part.text, thought: true, thoughtSignature: part.signature });
        return;
      case "toolCall": {
        callNames.set(part.id, part.name);
        const call: JsonObject = {
          name: part.name,
          args: parseToolArguments(part.arguments, path),
        };
        if (!isSynthesizedCallId(part.id)) call.id = part.id;
        encoded = { functionCall: call };
        break;
      }
      case "toolResult":
        throw invalidRequest(path, `${path}: a tool result belongs in a tool message`);
      default:
        encoded = encodeContentPart(part);
    }
    if (encoded === undefined) return;
    if (pendingSignature !== undefined) {
      encoded.thoughtSignature = pendingSignature;
      pendingSignature = undefined;
    }
    parts.push(encoded);
  });
  if (pendingSignature !== undefined) {
    // A trailing signature belongs to the last part (Gemini signs the last part of a turn).
    const last = parts.at(-1);
    if (last !== undefined && last.thoughtSignature === undefined) {
      last.thoughtSignature = pendingSignature;
    } else flushPending();
  }
  return parts;
}

function encodeUserParts(
  content: ContentPart[],
  i: number,
  callNames: Map<string, string>,
): JsonObject[] {
  const parts: JsonObject[] = [];
  content.forEach((part, j) => {
    const path = `messages[${i}].content[${j}]`;
    switch (part.type) {
      case "toolCall":
        throw invalidRequest(path, `${path}: a tool call belongs in an assistant message`);
      case "reasoning":
        throw invalidRequest(path, `${path}: reasoning belongs in an assistant message`);
      case "toolResult": {
        const name = part.name ?? callNames.get(part.toolCallId);
        if (name === undefined) {
          throw invalidRequest(
            `${path}.toolCallId`,
            `${path}.toolCallId: Gemini answers a function call by name, and no earlier tool call has id "${part.toolCallId}"`,
          );
        }
        parts.push({ functionResponse: encodeFunctionResponse(part, name) });
        return;
      }
      default: {
        const encoded = encodeContentPart(part);
        if (encoded !== undefined) parts.push(encoded);
      }
    }
  });
  return parts;
}

/**
 * `response` is an object: Gemini reads the `output` key as the function's output and `error` as
 * its failure. Text parts are concatenated, as OpenAI reads a tool message's text parts; images
 * travel in `parts` (multimodal function responses, Gemini 3).
 */
function encodeFunctionResponse(
  part: Extract<ContentPart, { type: "toolResult" }>,
  name: string,
): JsonObject {
  const text = part.content.flatMap((item) => item.type === "text" ? [item.text] : []).join("");
  const media = part.content.flatMap((item) => item.type === "image" ? [encodeMedia(item)] : []);
  const response: JsonObject = {
    name,
    response: part.isError === true ? { error: text } : { output: text },
  };
  if (!isSynthesizedCallId(part.toolCallId)) response.id = part.toolCallId;
  if (media.length > 0) response.parts = media;
  return response;
}

/** Text, image and file parts, which look the same in user and model turns. */
function encodeContentPart(part: ContentPart): JsonObject | undefined {
  switch (part.type) {
    case "text":
      // Gemini refuses an empty text part; an empty one says nothing.
      return part.text === "" ? undefined : { text: part.text };
    case "image":
    case "file":
      return encodeMedia(part);
    default:
      return undefined;
  }
}

/**
 * Inline data as `inlineData`; a URL as `fileData` with the media type its extension names.
 * Gemini fetches only some URIs: Files API URIs and YouTube links on the Gemini API, `gs://`
 * and public HTTP(S) URLs on Vertex AI (which also insists on the media type).
 */
function encodeMedia(part: ImagePart | FilePart): JsonObject {
  const source = part.source;
  if (source.kind === "base64") {
    return { inlineData: { mimeType: source.mediaType, data: source.data } };
  }
  const inline = parseDataUrl(source.url);
  if (inline !== undefined) {
    return { inlineData: { mimeType: inline.mediaType, data: inline.data } };
  }
  const mimeType = mediaTypeFromUrl(source.url);
  return {
    fileData: mimeType === undefined ? { fileUri: source.url } : { mimeType, fileUri: source.url },
  };
}

/**
 * `parametersJsonSchema` takes the client's JSON Schema as it is; the older `parameters` field
 * takes only an OpenAPI 3.0 subset and would need a lossy conversion.
 */
function encodeTool(tool: Tool): JsonObject {
  const out: JsonObject = { name: tool.name };
  if (tool.description !== undefined) out.description = tool.description;
  // The schema must describe an object; OpenAI allows a function without parameters.
  out.parametersJsonSchema = tool.parameters.type === undefined
    ? { type: "object", ...tool.parameters }
    : tool.parameters;
  return out;
}

/**
 * `tool_choice` as `functionCallingConfig.mode`: auto → AUTO, none → NONE, required → ANY, one
 * function → ANY limited to it. A strict tool under auto asks for VALIDATED, Gemini's mode that
 * holds calls to their schemas while still allowing a text answer.
 */
function encodeToolConfig(request: IrRequest): JsonObject | undefined {
  const choice = request.toolChoice;
  const hasTools = request.tools !== undefined && request.tools.length > 0;
  if (!hasTools) {
    if (choice === "required" || typeof choice === "object") {
      throw invalidRequest("tool_choice", "tool_choice: a required tool call needs tools");
    }
    return undefined;
  }
  const strict = request.tools?.some((tool) => tool.strict === true) ?? false;
  let config: JsonObject;
  if (choice === "none") config = { mode: "NONE" };
  else if (choice === "required") config = { mode: "ANY" };
  else if (typeof choice === "object") {
    config = { mode: "ANY", allowedFunctionNames: [choice.name] };
  } else if (strict) config = { mode: "VALIDATED" };
  else if (choice === "auto") config = { mode: "AUTO" };
  else return undefined;
  return { functionCallingConfig: config };
}

function encodeGenerationConfig(request: IrRequest): JsonObject {
  const config: JsonObject = {};
  if (request.maxTokens !== undefined) config.maxOutputTokens = request.maxTokens;
  if (request.temperature !== undefined) config.temperature = request.temperature;
  if (request.topP !== undefined) config.topP = request.topP;
  if (request.topK !== undefined) config.topK = request.topK;
  if (request.stop !== undefined && request.stop.length > 0) config.stopSequences = request.stop;
  if (request.seed !== undefined) config.seed = request.seed;
  if (request.frequencyPenalty !== undefined) config.frequencyPenalty = request.frequencyPenalty;
  if (request.presencePenalty !== undefined) config.presencePenalty = request.presencePenalty;
  const format = request.responseFormat;
  if (format?.type === "json_object") config.responseMimeType = "application/json";
  if (format?.type === "json_schema") {
    config.responseMimeType = "application/json";
    // responseJsonSchema takes full JSON Schema (responseSchema only the OpenAPI subset). The
    // schema's name is only a label, and Gemini always holds the answer to the schema (strict).
    config.responseJsonSchema = format.description === undefined
      ? format.schema
      : { ...format.schema, description: format.description };
  }
  const thinking = encodeThinkingConfig(request);
  if (thinking !== undefined) config.thinkingConfig = thinking;
  return config;
}

/**
 * A budget from the IR's tokens, or from its effort via the shared table (reasoning.ts); 0 turns
 * thinking off where the model allows it. Thinking asked for is also shown (`includeThoughts`),
 * so the client gets the reasoning summaries back.
 */
function encodeThinkingConfig(request: IrRequest): JsonObject | undefined {
  const reasoning = request.reasoning;
  if (reasoning === undefined) return undefined;
  const budget = reasoning.budgetTokens ??
    (reasoning.effort === undefined ? undefined : effortToBudget(reasoning.effort) ?? 0);
  if (budget === undefined) return undefined;
  return budget <= 0 ? { thinkingBudget: 0 } : { thinkingBudget: budget, includeThoughts: true };
}
