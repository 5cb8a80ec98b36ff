/**
 * Client side: Messages `messages[]` turns and their content blocks → IR messages
 * (https://platform.claude.com/docs/en/api/messages, "messages" and content block params).
 * A user turn's `tool_result` blocks become IR `tool` messages, in place, so every IR format
 * sees results where it expects them.
 * @module
 */
import type {
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
  checkKnownKeys,
  fieldPath,
  isObject,
  type JsonObject,
  optional,
  readArray,
  readBoolean,
  readCacheControl,
  readObject,
  readString,
  untranslatable,
  wrongType,
} from "./messages_json.ts";

const MESSAGE_KEYS: ReadonlySet<string> = new Set(["role", "content"]);
const TEXT_KEYS: ReadonlySet<string> = new Set(["type", "text", "cache_control", "citations"]);
const IMAGE_KEYS: ReadonlySet<string> = new Set([
  "type",
  "source",
  "cache_control",
  "transformations",
]);
const DOCUMENT_KEYS: ReadonlySet<string> = new Set([
  "type",
  "source",
  "cache_control",
  "citations",
  "context",
  "title",
]);
const TOOL_USE_KEYS: ReadonlySet<string> = new Set([
  "type",
  "id",
  "name",
  "input",
  "cache_control",
  "caller",
  "toolset_name",
]);
const TOOL_RESULT_KEYS: ReadonlySet<string> = new Set([
  "type",
  "tool_use_id",
  "content",
  "is_error",
  "cache_control",
  "toolset_name",
]);
const THINKING_KEYS: ReadonlySet<string> = new Set(["type", "thinking", "signature"]);
const REDACTED_KEYS: ReadonlySet<string> = new Set(["type", "data"]);

/**
 * Blocks of server tools, search results, containers and context management: each is the
 * output or input of a feature only Anthropic runs, so no other format can carry it.
 */
const SERVER_SIDE_BLOCKS: ReadonlySet<string> = new Set([
  "search_result",
  "server_tool_use",
  "web_search_tool_result",
  "web_fetch_tool_result",
  "code_execution_tool_result",
  "bash_code_execution_tool_result",
  "text_editor_code_execution_tool_result",
  "tool_search_tool_result",
  "tool_reference",
  "container_upload",
  "mcp_tool_use",
  "mcp_tool_result",
  "compaction",
  "browser_state",
]);

/** Decodes `messages`. */
export function decodeMessages(value: unknown): Message[] {
  const out: Message[] = [];
  readArray(value, "messages").forEach((item, i) =>
    out.push(...decodeTurn(item, `messages[${i}]`))
  );
  return out;
}

function decodeTurn(value: unknown, path: string): Message[] {
  const turn = readObject(value, path);
  checkKnownKeys(turn, MESSAGE_KEYS, path);
  const role = turn.role;
  if (role !== "user" && role !== "assistant" && role !== "system") {
    throw wrongType(fieldPath(path, "role"), '"user", "assistant" or "system"');
  }
  const blocks = readContent(turn.content, fieldPath(path, "content"));
  if (role === "system") {
    return [{ role, content: blocks.map(([block, at]) => decodeSystemText(block, at)) }];
  }
  if (role === "assistant") {
    return [{ role, content: blocks.map(([block, at]) => decodeAssistantBlock(block, at)) }];
  }
  // A user turn: runs of tool_result blocks become tool messages, the rest user messages.
  const out: Message[] = [];
  for (const [block, at] of blocks) {
    const part = decodeUserBlock(block, at);
    const role = part.type === "toolResult" ? "tool" : "user";
    const last = out.at(-1);
    if (last?.role === role) last.content.push(part);
    else out.push({ role, content: [part] });
  }
  return out.length > 0 ? out : [{ role: "user", content: [] }];
}

/** Content as `[block, path]` pairs; a string is one text block. */
function readContent(value: unknown, path: string): [JsonObject, string][] {
  if (typeof value === "string") return [[{ type: "text", text: value }, path]];
  if (!Array.isArray(value)) throw wrongType(path, "a string or an array of content blocks");
  return value.map((block, j) => [readObject(block, `${path}[${j}]`), `${path}[${j}]`]);
}

/** The system prompt's blocks (top-level `system` and `role: "system"` turns): text only. */
export function decodeSystemText(block: JsonObject, path: string): TextPart {
  if (block.type !== "text") throw wrongType(fieldPath(path, "type"), '"text"');
  return decodeText(block, path);
}

function decodeUserBlock(block: JsonObject, path: string): ContentPart {
  switch (block.type) {
    case "text":
      return decodeText(block, path);
    case "image":
      return decodeImage(block, path);
    case "document":
      return decodeDocument(block, path);
    case "tool_result":
      return decodeToolResult(block, path);
    default:
      throw misplaced(block, path, "user");
  }
}

function decodeAssistantBlock(block: JsonObject, path: string): ContentPart {
  switch (block.type) {
    case "text":
      return decodeText(block, path);
    case "tool_use":
      return decodeToolUse(block, path);
    case "thinking":
      return decodeThinking(block, path);
    case "redacted_thinking":
      return decodeRedactedThinking(block, path);
    default:
      throw misplaced(block, path, "assistant");
  }
}

function misplaced(block: JsonObject, path: string, role: string) {
  const type = block.type;
  if (typeof type !== "string") return wrongType(fieldPath(path, "type"), "a block type string");
  if (SERVER_SIDE_BLOCKS.has(type)) return untranslatable(path, `a "${type}" block`);
  const known = ["text", "image", "document", "tool_result", "tool_use", "thinking"];
  if (known.includes(type) || type === "redacted_thinking") {
    return invalidRequest(path, `${path}: a "${type}" block is not allowed in a ${role} turn`);
  }
  const at = fieldPath(path, "type");
  return invalidRequest(at, `${at}: unknown content block type "${type}"`);
}

function decodeText(block: JsonObject, path: string): TextPart {
  checkKnownKeys(block, TEXT_KEYS, path);
  const citations = optional(block, "citations");
  if (citations !== undefined && readArray(citations, fieldPath(path, "citations")).length > 0) {
    throw untranslatable(fieldPath(path, "citations"), "text citations");
  }
  const part: TextPart = { type: "text", text: readString(block.text, fieldPath(path, "text")) };
  return withCache(part, block, path);
}

function decodeImage(block: JsonObject, path: string): ImagePart {
  checkKnownKeys(block, IMAGE_KEYS, path);
  const transformations = optional(block, "transformations");
  if (
    transformations !== undefined &&
    Object.keys(readObject(transformations, fieldPath(path, "transformations"))).length > 0
  ) {
    throw untranslatable(fieldPath(path, "transformations"), "image transformations");
  }
  const at = fieldPath(path, "source");
  const source = readObject(block.source, at);
  if (source.type === "base64") {
    const part: ImagePart = {
      type: "image",
      source: {
        kind: "base64",
        mediaType: readString(source.media_type, fieldPath(at, "media_type")),
        data: readString(source.data, fieldPath(at, "data")),
      },
    };
    return withCache(part, block, path);
  }
  if (source.type === "url") {
    const url = readString(source.url, fieldPath(at, "url"));
    const part: ImagePart = { type: "image", source: { kind: "url", url } };
    return withCache(part, block, path);
  }
  if (source.type === "file") throw untranslatable(at, "a Files API file_id");
  throw wrongType(fieldPath(at, "type"), '"base64" or "url"');
}

function decodeDocument(block: JsonObject, path: string): FilePart {
  checkKnownKeys(block, DOCUMENT_KEYS, path);
  const citations = optional(block, "citations");
  if (isObject(citations) && citations.enabled === true) {
    throw untranslatable(fieldPath(path, "citations"), "document citations");
  }
  if (optional(block, "context") !== undefined) {
    throw untranslatable(fieldPath(path, "context"), "document context");
  }
  const at = fieldPath(path, "source");
  const source = readObject(block.source, at);
  let part: FilePart;
  if (source.type === "base64") {
    part = {
      type: "file",
      source: {
        kind: "base64",
        mediaType: readString(source.media_type, fieldPath(at, "media_type")),
        data: readString(source.data, fieldPath(at, "data")),
      },
    };
  } else if (source.type === "text") {
    // Plain text travels as base64 like every other inline file in the IR.
    const text = readString(source.data, fieldPath(at, "data"));
    part = {
      type: "file",
      source: { kind: "base64", mediaType: "text/plain", data: utf8ToBase64(text) },
    };
  } else if (source.type === "url") {
    part = {
      type: "file",
      source: { kind: "url", url: readString(source.url, fieldPath(at, "url")) },
    };
  } else if (source.type === "file") {
    throw untranslatable(at, "a Files API file_id");
  } else if (source.type === "content") {
    throw untranslatable(at, "a custom content document");
  } else {
    throw wrongType(fieldPath(at, "type"), '"base64", "text" or "url"');
  }
  const title = optional(block, "title");
  if (title !== undefined) part.filename = readString(title, fieldPath(path, "title"));
  return withCache(part, block, path);
}

function decodeToolUse(block: JsonObject, path: string): ToolCallPart {
  checkKnownKeys(block, TOOL_USE_KEYS, path);
  const caller = optional(block, "caller");
  if (caller !== undefined && !(isObject(caller) && caller.type === "direct")) {
    throw untranslatable(fieldPath(path, "caller"), "a tool call made by a server tool");
  }
  if (optional(block, "toolset_name") !== undefined) {
    throw untranslatable(fieldPath(path, "toolset_name"), "a server toolset call");
  }
  // `cache_control` on a tool_use block is a delivery hint the IR tool call has no room for.
  return {
    type: "toolCall",
    id: readString(block.id, fieldPath(path, "id")),
    name: readString(block.name, fieldPath(path, "name")),
    arguments: JSON.stringify(readObject(block.input, fieldPath(path, "input"))),
  };
}

function decodeToolResult(block: JsonObject, path: string): ToolResultPart {
  checkKnownKeys(block, TOOL_RESULT_KEYS, path);
  if (optional(block, "toolset_name") !== undefined) {
    throw untranslatable(fieldPath(path, "toolset_name"), "a server toolset result");
  }
  const part: ToolResultPart = {
    type: "toolResult",
    toolCallId: readString(block.tool_use_id, fieldPath(path, "tool_use_id")),
    content: [],
  };
  const content = optional(block, "content");
  if (content !== undefined) {
    for (const [item, at] of readContent(content, fieldPath(path, "content"))) {
      if (item.type === "text") part.content.push(decodeText(item, at));
      else if (item.type === "image") part.content.push(decodeImage(item, at));
      else if (typeof item.type === "string") {
        throw untranslatable(at, `a "${item.type}" block inside a tool result`);
      } else throw wrongType(fieldPath(at, "type"), '"text" or "image"');
    }
  }
  const isError = optional(block, "is_error");
  if (isError !== undefined) part.isError = readBoolean(isError, fieldPath(path, "is_error"));
  return withCache(part, block, path);
}

function decodeThinking(block: JsonObject, path: string): ReasoningPart {
  checkKnownKeys(block, THINKING_KEYS, path);
  return {
    type: "reasoning",
    text: readString(block.thinking, fieldPath(path, "thinking")),
    signature: readString(block.signature, fieldPath(path, "signature")),
  };
}

function decodeRedactedThinking(block: JsonObject, path: string): ReasoningPart {
  checkKnownKeys(block, REDACTED_KEYS, path);
  return {
    type: "reasoning",
    text: "",
    encrypted: readString(block.data, fieldPath(path, "data")),
  };
}

function withCache<T extends { cacheControl?: TextPart["cacheControl"] }>(
  part: T,
  block: JsonObject,
  path: string,
): T {
  const cache = optional(block, "cache_control");
  if (cache !== undefined) {
    part.cacheControl = readCacheControl(cache, fieldPath(path, "cache_control"));
  }
  return part;
}

function utf8ToBase64(text: string): string {
  const bytes = new TextEncoder().encode(text);
  let binary = "";
  // Chunked so a large document does not overflow the argument list of fromCharCode.
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(binary);
}
