/**
 * IR messages → Converse `system` and `messages`
 * (https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_ContentBlock.html):
 * content blocks, tool results in the user turn, and `cachePoint` blocks where the client marked
 * a cache breakpoint (Bedrock caches the prefix up to each cache point).
 * @module
 */
import type { CacheControl, ContentPart, FilePart, ImagePart, Message } from "../ir.ts";
import { invalidRequest } from "../ir.ts";
import {
  type JsonObject,
  mediaTypeFromUrl,
  parseDataUrl,
  parseToolArguments,
  untranslatable,
} from "./provider_wire.ts";

/** How error messages name the format. */
export const TARGET = "Bedrock Converse";

/** The conversation as Converse wants it, and whether it holds tool blocks (see toolConfig). */
export interface ConverseConversation {
  system: JsonObject[];
  messages: JsonObject[];
  hasToolBlocks: boolean;
}

/**
 * The leading run of system messages becomes `system`; tool messages join the user turn;
 * consecutive same-role turns merge, because Converse alternates user and assistant.
 */
export function encodeConversation(messages: Message[]): ConverseConversation {
  const system: JsonObject[] = [];
  const turns: { role: "user" | "assistant"; content: JsonObject[] }[] = [];
  let hasToolBlocks = false;
  messages.forEach((message, i) => {
    if (message.role === "system") {
      if (turns.length > 0) {
        throw invalidRequest(
          `messages[${i}]`,
          `messages[${i}]: a system message after the conversation has started cannot be translated to ${TARGET}, which takes one system prompt`,
        );
      }
      message.content.forEach((part, j) => {
        const path = `messages[${i}].content[${j}]`;
        if (part.type !== "text") {
          throw untranslatable(path, `a ${part.type} part in a system message`, TARGET);
        }
        if (part.text === "") return;
        system.push({ text: part.text });
        pushCachePoint(system, part.cacheControl, path);
      });
      return;
    }
    if (message.name !== undefined) {
      throw untranslatable(`messages[${i}].name`, "a participant name", TARGET);
    }
    const role = message.role === "assistant" ? "assistant" : "user";
    const content: JsonObject[] = [];
    message.content.forEach((part, j) => {
      if (part.type === "toolCall" || part.type === "toolResult") hasToolBlocks = true;
      encodePart(part, `messages[${i}].content[${j}]`, role, content);
    });
    if (content.length === 0) return;
    const last = turns.at(-1);
    if (last?.role === role) last.content.push(...content);
    else turns.push({ role, content });
  });
  return { system, messages: turns, hasToolBlocks };
}

/** Appends the blocks for one IR part (none, one, or one plus its cache point). */
function encodePart(
  part: ContentPart,
  path: string,
  role: "user" | "assistant",
  out: JsonObject[],
): void {
  switch (part.type) {
    case "text":
      // Converse refuses blank text blocks; an empty one says nothing.
      if (part.text === "") return;
      out.push({ text: part.text });
      break;
    case "image":
      out.push({ image: encodeImage(part, path) });
      break;
    case "file":
      out.push({ document: encodeDocument(part, path) });
      break;
    case "toolCall":
      if (role !== "assistant") {
        throw invalidRequest(path, `${path}: a tool call belongs in an assistant message`);
      }
      out.push({
        toolUse: {
          toolUseId: part.id,
          name: part.name,
          input: parseToolArguments(part.arguments, path),
        },
      });
      return;
    case "toolResult": {
      if (role !== "user") {
        throw invalidRequest(path, `${path}: a tool result belongs in a tool message`);
      }
      const content: JsonObject[] = [];
      part.content.forEach((item, k) => {
        if (item.type === "text") {
          if (item.text !== "") content.push({ text: item.text });
        } else content.push({ image: encodeImage(item, `${path}.content[${k}]`) });
      });
      const result: JsonObject = { toolUseId: part.toolCallId, content };
      // `status` is only read by some models (Claude); success is what its absence means.
      if (part.isError === true) result.status = "error";
      out.push({ toolResult: result });
      break;
    }
    case "reasoning": {
      if (role !== "assistant") {
        throw invalidRequest(path, `${path}: reasoning belongs in an assistant message`);
      }
      const block = encodeReasoning(part);
      if (block !== undefined) out.push({ reasoningContent: block });
      return;
    }
  }
  pushCachePoint(out, part.cacheControl, path);
}

/**
 * Signed reasoning and redacted reasoning go back as the model sent them; unsigned reasoning
 * (from another provider, or a summary) cannot be verified by Claude and is left out, as
 * Anthropic itself strips earlier turns' thinking.
 */
function encodeReasoning(
  part: Extract<ContentPart, { type: "reasoning" }>,
): JsonObject | undefined {
  if (part.signature !== undefined && part.signature !== "") {
    return { reasoningText: { text: part.text, signature: part.signature } };
  }
  if (part.encrypted !== undefined && part.id === undefined && part.text === "") {
    return { redactedContent: part.encrypted };
  }
  return undefined;
}

/** `cachePoint` after a marked block: Bedrock's prompt caching marker (`ttl` 5m or 1h). */
export function pushCachePoint(
  out: JsonObject[],
  cache: CacheControl | undefined,
  path: string,
): void {
  if (cache === undefined) return;
  const point: JsonObject = { type: "default" };
  if (cache.ttl !== undefined) {
    if (cache.ttl !== "5m" && cache.ttl !== "1h") {
      throw untranslatable(
        `${path}.cache_control.ttl`,
        `a cache ttl of "${cache.ttl}" (Bedrock takes 5m or 1h)`,
        TARGET,
      );
    }
    point.ttl = cache.ttl;
  }
  out.push({ cachePoint: point });
}

const IMAGE_FORMATS: Readonly<Record<string, string>> = {
  "image/png": "png",
  "image/jpeg": "jpeg",
  "image/jpg": "jpeg",
  "image/gif": "gif",
  "image/webp": "webp",
};

const DOCUMENT_FORMATS: Readonly<Record<string, string>> = {
  "application/pdf": "pdf",
  "text/csv": "csv",
  "application/msword": "doc",
  "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
  "application/vnd.ms-excel": "xls",
  "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
  "text/html": "html",
  "text/plain": "txt",
  "text/markdown": "md",
};

/** Where the bytes are: inline (`bytes`, base64 in JSON) or an `s3://` location. */
function encodeSource(
  source: ImagePart["source"],
  path: string,
  what: string,
): { mediaType: string | undefined; source: JsonObject } {
  if (source.kind === "base64") {
    return { mediaType: source.mediaType, source: { bytes: source.data } };
  }
  const inline = parseDataUrl(source.url);
  if (inline !== undefined) return { mediaType: inline.mediaType, source: { bytes: inline.data } };
  if (source.url.startsWith("s3://")) {
    return { mediaType: mediaTypeFromUrl(source.url), source: { s3Location: { uri: source.url } } };
  }
  throw untranslatable(
    path,
    `${what} by URL (Converse takes the bytes or an s3:// location)`,
    TARGET,
  );
}

function encodeImage(part: ImagePart, path: string): JsonObject {
  const { mediaType, source } = encodeSource(part.source, path, "an image");
  const format = mediaType === undefined ? undefined : IMAGE_FORMATS[mediaType];
  if (format === undefined) {
    throw untranslatable(
      path,
      `an image of type "${mediaType ?? "unknown"}" (Converse takes png, jpeg, gif and webp)`,
      TARGET,
    );
  }
  return { format, source };
}

/**
 * A document needs a `name` of letters, digits, single spaces, hyphens, parentheses and square
 * brackets: the filename without its extension, cleaned, or a name from the part's position.
 */
function encodeDocument(part: FilePart, path: string): JsonObject {
  const { mediaType, source } = encodeSource(part.source, path, "a file");
  const format = mediaType === undefined ? undefined : DOCUMENT_FORMATS[mediaType];
  if (format === undefined) {
    throw untranslatable(
      path,
      `a file of type "${
        mediaType ?? "unknown"
      }" (Converse documents are pdf, csv, doc, docx, xls, xlsx, html, txt or md)`,
      TARGET,
    );
  }
  const cleaned = (part.filename ?? "")
    .replace(/\.[A-Za-z0-9]+$/, "")
    .replace(/[^A-Za-z0-9\s\-()[\]]/g, "-")
    .replace(/\s+/g, " ")
    .trim();
  const name = cleaned !== "" ? cleaned : `document ${path.replace(/[^0-9]+/g, " ").trim()}`;
  return { format, name, source };
}
