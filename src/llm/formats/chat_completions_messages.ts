/**
 * Chat Completions `messages[]` (client side) → IR messages. Every message field is either
 * carried, dropped as a delivery hint (listed in chat_completions.ts), or a 400 naming its path.
 * Reference: https://platform.openai.com/docs/api-reference/chat/create#chat-create-messages
 * @module
 */
import type {
  CacheControl,
  ContentPart,
  FilePart,
  ImagePart,
  Message,
  ReasoningPart,
  TextPart,
  ToolCallPart,
  ToolResultPart,
} from "../ir.ts";
import { invalidRequest } from "../ir.ts";
import {
  fieldPath,
  type JsonObject,
  missing,
  optionalString,
  parseDataUrl,
  readArray,
  readObject,
  readString,
  rejectUnknownKeys,
  untranslatable,
  wrongType,
} from "./chat_completions_json.ts";

const SYSTEM_KEYS = new Set(["role", "content", "name", "cache_control"]);
const USER_KEYS = SYSTEM_KEYS;
// `annotations` (web-search citations) comes back when a client echoes an answer: output
// metadata, dropped. `reasoning_content`/`reasoning`/`thinking_blocks`: see chat_completions.ts.
const ASSISTANT_KEYS = new Set([
  "role",
  "content",
  "name",
  "refusal",
  "tool_calls",
  "function_call",
  "audio",
  "annotations",
  "reasoning_content",
  "reasoning",
  "thinking_blocks",
  "cache_control",
]);
// `name` is not in OpenAI's tool message, but LangChain and others send the function name.
const TOOL_KEYS = new Set(["role", "content", "tool_call_id", "name", "cache_control"]);
const PART_CACHE_KEYS = ["cache_control", "prompt_cache_breakpoint"];
const TEXT_PART_KEYS = new Set(["type", "text", ...PART_CACHE_KEYS]);
const IMAGE_PART_KEYS = new Set(["type", "image_url", ...PART_CACHE_KEYS]);
const FILE_PART_KEYS = new Set(["type", "file", ...PART_CACHE_KEYS]);
const TOOL_CALL_KEYS = new Set(["id", "type", "function"]);

/** Decodes `messages`; tool results learn their function name from the earlier tool call. */
export function decodeMessages(list: unknown[]): Message[] {
  const toolNames = new Map<string, string>();
  return list.map((raw, i) => decodeMessage(raw, `messages[${i}]`, toolNames));
}

function decodeMessage(raw: unknown, path: string, toolNames: Map<string, string>): Message {
  const message = readObject(raw, path);
  if (message.role == null) throw missing(`${path}.role`);
  const role = readString(message.role, `${path}.role`);
  let decoded: Message;
  switch (role) {
    case "system":
    case "developer":
      rejectUnknownKeys(message, SYSTEM_KEYS, path);
      decoded = { role: "system", content: decodeTextOnly(requiredContent(message, path), path) };
      break;
    case "user":
      rejectUnknownKeys(message, USER_KEYS, path);
      decoded = { role: "user", content: decodeUserContent(requiredContent(message, path), path) };
      break;
    case "assistant":
      rejectUnknownKeys(message, ASSISTANT_KEYS, path);
      decoded = { role: "assistant", content: decodeAssistant(message, path, toolNames) };
      break;
    case "tool":
      rejectUnknownKeys(message, TOOL_KEYS, path);
      decoded = { role: "tool", content: [decodeToolResult(message, path, toolNames)] };
      break;
    case "function":
      throw untranslatable(`${path}.role`, "the legacy 'function' role (use 'tool' messages)");
    default:
      throw invalidRequest(
        `${path}.role`,
        `Invalid value for '${path}.role': '${role}' is not one of system, developer, user, assistant, tool`,
      );
  }
  const name = role === "tool" ? undefined : optionalString(message, "name", path);
  if (name !== undefined) decoded.name = name;
  const cache = message.cache_control;
  if (cache != null) {
    markLastPart(decoded.content, readCacheControl(cache, `${path}.cache_control`));
  }
  return decoded;
}

function requiredContent(message: JsonObject, path: string): unknown {
  if (message.content === undefined) throw missing(`${path}.content`);
  return message.content;
}

/** System and developer content: a string or text parts only. */
function decodeTextOnly(content: unknown, path: string): TextPart[] {
  if (typeof content === "string") return [{ type: "text", text: content }];
  return readArray(content, `${path}.content`).map((raw, j) => {
    const partPath = `${path}.content[${j}]`;
    const part = readObject(raw, partPath);
    if (part.type !== "text") throw wrongType(`${partPath}.type`, "'text'");
    return decodeTextPart(part, partPath);
  });
}

function decodeUserContent(content: unknown, path: string): (TextPart | ImagePart | FilePart)[] {
  if (typeof content === "string") return [{ type: "text", text: content }];
  return readArray(content, `${path}.content`).map((raw, j) =>
    decodeUserPart(raw, `${path}.content[${j}]`)
  );
}

function decodeUserPart(raw: unknown, path: string): TextPart | ImagePart | FilePart {
  const part = readObject(raw, path);
  if (part.type == null) throw missing(`${path}.type`);
  const type = readString(part.type, `${path}.type`);
  switch (type) {
    case "text":
      return decodeTextPart(part, path);
    case "image_url":
      return decodeImagePart(part, path);
    case "file":
      return decodeFilePart(part, path);
    case "input_audio":
      throw untranslatable(path, "audio input");
    default:
      throw untranslatable(`${path}.type`, `a '${type}' content part`);
  }
}

function decodeTextPart(part: JsonObject, path: string): TextPart {
  rejectUnknownKeys(part, TEXT_PART_KEYS, path);
  if (part.text === undefined) throw missing(`${path}.text`);
  const text: TextPart = { type: "text", text: readString(part.text, `${path}.text`) };
  return withPartCache(text, part, path);
}

function decodeImagePart(part: JsonObject, path: string): ImagePart {
  rejectUnknownKeys(part, IMAGE_PART_KEYS, path);
  const imagePath = `${path}.image_url`;
  const image = readObject(part.image_url, imagePath);
  rejectUnknownKeys(image, new Set(["url", "detail"]), imagePath);
  if (image.url === undefined) throw missing(`${imagePath}.url`);
  const url = readString(image.url, `${imagePath}.url`);
  const inline = parseDataUrl(url);
  const decoded: ImagePart = {
    type: "image",
    source: inline ? { kind: "base64", ...inline } : { kind: "url", url },
  };
  const detail = optionalString(image, "detail", imagePath);
  if (detail !== undefined) decoded.detail = detail;
  return withPartCache(decoded, part, path);
}

// OpenAI file inputs: https://platform.openai.com/docs/guides/pdf-files (base64 as a data URL).
function decodeFilePart(part: JsonObject, path: string): FilePart {
  rejectUnknownKeys(part, FILE_PART_KEYS, path);
  const filePath = `${path}.file`;
  const file = readObject(part.file, filePath);
  rejectUnknownKeys(file, new Set(["file_data", "file_id", "filename"]), filePath);
  if (file.file_id != null) {
    throw untranslatable(`${filePath}.file_id`, "a file uploaded to OpenAI's Files API");
  }
  const filename = optionalString(file, "filename", filePath);
  const data = optionalString(file, "file_data", filePath);
  if (data === undefined) throw missing(`${filePath}.file_data`);
  const inline = parseDataUrl(data) ?? { mediaType: mediaTypeOf(filename), data };
  const decoded: FilePart = { type: "file", source: { kind: "base64", ...inline } };
  if (filename !== undefined) decoded.filename = filename;
  return withPartCache(decoded, part, path);
}

/** A bare base64 `file_data` names its type only through the file name. */
function mediaTypeOf(filename: string | undefined): string {
  const extension = filename?.toLowerCase().split(".").pop();
  if (extension === "txt") return "text/plain";
  if (extension === "md") return "text/markdown";
  return "application/pdf";
}

function decodeAssistant(
  message: JsonObject,
  path: string,
  toolNames: Map<string, string>,
): ContentPart[] {
  if (message.function_call != null) {
    throw untranslatable(`${path}.function_call`, "a legacy function_call (use tool_calls)");
  }
  if (message.audio != null) {
    throw untranslatable(`${path}.audio`, "a reference to an earlier audio answer");
  }
  const parts: ContentPart[] = decodeReasoning(message, path);
  const content = message.content;
  if (typeof content === "string") {
    // SDKs send `content: ""` beside tool calls; an empty string there carries nothing.
    if (content !== "" || message.tool_calls == null) parts.push({ type: "text", text: content });
  } else if (content != null) {
    readArray(content, `${path}.content`).forEach((raw, j) => {
      const partPath = `${path}.content[${j}]`;
      const part = readObject(raw, partPath);
      if (part.type === "text") parts.push(decodeTextPart(part, partPath));
      else if (part.type === "refusal") {
        rejectUnknownKeys(part, new Set(["type", "refusal"]), partPath);
        parts.push({ type: "text", text: readString(part.refusal, `${partPath}.refusal`) });
      } else throw wrongType(`${partPath}.type`, "'text' or 'refusal'");
    });
  }
  // An earlier refusal is what the assistant said: it stays in the history as text.
  const refusal = optionalString(message, "refusal", path);
  if (refusal !== undefined) parts.push({ type: "text", text: refusal });
  if (message.tool_calls != null) {
    readArray(message.tool_calls, `${path}.tool_calls`).forEach((raw, k) => {
      parts.push(decodeToolCall(raw, `${path}.tool_calls[${k}]`, toolNames));
    });
  }
  return parts;
}

/**
 * Reasoning a client echoes back: LiteLLM's `thinking_blocks` (text with its signature, or
 * redacted data) when present, else `reasoning_content` (DeepSeek, vLLM) or `reasoning`.
 */
function decodeReasoning(message: JsonObject, path: string): ReasoningPart[] {
  if (message.thinking_blocks != null) {
    return readArray(message.thinking_blocks, `${path}.thinking_blocks`).map((raw, k) => {
      const blockPath = `${path}.thinking_blocks[${k}]`;
      const block = readObject(raw, blockPath);
      if (block.type === "redacted_thinking") {
        return {
          type: "reasoning",
          text: "",
          encrypted: readString(block.data, `${blockPath}.data`),
        };
      }
      if (block.type !== "thinking") {
        throw wrongType(`${blockPath}.type`, "'thinking' or 'redacted_thinking'");
      }
      const part: ReasoningPart = {
        type: "reasoning",
        text: readString(block.thinking ?? "", `${blockPath}.thinking`),
      };
      const signature = optionalString(block, "signature", blockPath);
      if (signature) part.signature = signature;
      return part;
    });
  }
  const text = optionalString(message, "reasoning_content", path) ??
    optionalString(message, "reasoning", path);
  return text ? [{ type: "reasoning", text }] : [];
}

function decodeToolCall(raw: unknown, path: string, toolNames: Map<string, string>): ToolCallPart {
  const call = readObject(raw, path);
  if (call.type != null && call.type !== "function") {
    throw untranslatable(`${path}.type`, `a '${String(call.type)}' tool call`);
  }
  rejectUnknownKeys(call, TOOL_CALL_KEYS, path);
  if (call.id === undefined) throw missing(`${path}.id`);
  const id = readString(call.id, `${path}.id`);
  const fn = readObject(call.function, `${path}.function`);
  rejectUnknownKeys(fn, new Set(["name", "arguments"]), `${path}.function`);
  if (fn.name === undefined) throw missing(`${path}.function.name`);
  const name = readString(fn.name, `${path}.function.name`);
  const args = fn.arguments == null ? "{}" : readString(fn.arguments, `${path}.function.arguments`);
  toolNames.set(id, name);
  return { type: "toolCall", id, name, arguments: args };
}

function decodeToolResult(
  message: JsonObject,
  path: string,
  toolNames: Map<string, string>,
): ToolResultPart {
  if (message.tool_call_id === undefined) throw missing(`${path}.tool_call_id`);
  const toolCallId = readString(message.tool_call_id, `${path}.tool_call_id`);
  const raw = requiredContent(message, path);
  // OpenAI's tool messages take text only; an image here is carried for providers that take it
  // (Anthropic, Gemini), and the Chat Completions encoder answers 400 for it.
  const content: (TextPart | ImagePart)[] = typeof raw === "string"
    ? [{ type: "text", text: raw }]
    : readArray(raw, `${path}.content`).map((item, j) => {
      const partPath = `${path}.content[${j}]`;
      const part = readObject(item, partPath);
      if (part.type === "text") return decodeTextPart(part, partPath);
      if (part.type === "image_url") return decodeImagePart(part, partPath);
      throw wrongType(`${partPath}.type`, "'text' or 'image_url'");
    });
  const result: ToolResultPart = { type: "toolResult", toolCallId, content };
  const name = toolNames.get(toolCallId) ?? optionalString(message, "name", path);
  if (name !== undefined) result.name = name;
  return result;
}

/**
 * A part's cache marker: `cache_control` (Anthropic-style, as LiteLLM and OpenRouter accept it)
 * or OpenAI's `prompt_cache_breakpoint`, whose lifetimes (30m, 12h) have no Anthropic
 * counterpart, so only the breakpoint itself is kept.
 */
function withPartCache<Part extends TextPart | ImagePart | FilePart>(
  decoded: Part,
  part: JsonObject,
  path: string,
): Part {
  if (part.cache_control != null) {
    decoded.cacheControl = readCacheControl(part.cache_control, `${path}.cache_control`);
  } else if (part.prompt_cache_breakpoint != null) {
    readObject(part.prompt_cache_breakpoint, `${path}.prompt_cache_breakpoint`);
    decoded.cacheControl = { type: "ephemeral" };
  }
  return decoded;
}

function readCacheControl(raw: unknown, path: string): CacheControl {
  const cache = readObject(raw, path);
  rejectUnknownKeys(cache, new Set(["type", "ttl"]), path);
  if (cache.type !== "ephemeral") throw wrongType(fieldPath(path, "type"), "'ephemeral'");
  const ttl = optionalString(cache, "ttl", path);
  return ttl === undefined ? { type: "ephemeral" } : { type: "ephemeral", ttl };
}

/** A message-level `cache_control` (LiteLLM) marks the message's last cacheable part. */
function markLastPart(parts: ContentPart[], cache: CacheControl): void {
  for (let i = parts.length - 1; i >= 0; i--) {
    const part = parts[i];
    if (part && part.type !== "toolCall" && part.type !== "reasoning") {
      part.cacheControl = cache;
      return;
    }
  }
}
