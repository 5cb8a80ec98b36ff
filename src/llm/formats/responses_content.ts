/**
 * Responses content parts → IR parts: `input_text`, `input_image`, `input_file` (user turns and
 * tool outputs), `output_text` and `refusal` (assistant turns). Which parts a role may hold
 * follows the API reference; anything else is a 400 naming the part.
 * @module
 */
import {
  type CacheControl,
  type FilePart,
  type ImagePart,
  invalidRequest,
  type TextPart,
} from "../ir.ts";
import type { JsonFields } from "./responses_fields.ts";

/** Who a content part belongs to: decides which part types are allowed. */
export type PartRole = "user" | "assistant" | "system" | "tool";

const ALLOWED_TYPES: Record<PartRole, readonly string[]> = {
  user: ["input_text", "input_image", "input_file"],
  system: ["input_text"],
  // Earlier assistant turns come back as `output_text`/`refusal`; EasyInputMessage also lets a
  // client write an assistant turn with `input_text`.
  assistant: ["output_text", "refusal", "input_text"],
  // function_call_output content (ResponseFunctionCallOutputItem); files are refused below.
  tool: ["input_text", "input_image", "input_file"],
};

const PART_KEYS: Record<string, ReadonlySet<string>> = {
  input_text: new Set(["type", "text", "prompt_cache_breakpoint"]),
  input_image: new Set(["type", "image_url", "file_id", "detail", "prompt_cache_breakpoint"]),
  input_file: new Set([
    "type",
    "file_data",
    "file_id",
    "file_url",
    "filename",
    "detail",
    "prompt_cache_breakpoint",
  ]),
  output_text: new Set(["type", "text", "annotations", "logprobs"]),
  refusal: new Set(["type", "refusal"]),
};

/** Media types of documents sent as bare base64 (no data: URL), by file extension. */
const MEDIA_TYPES_BY_EXTENSION: Record<string, string> = {
  pdf: "application/pdf",
  txt: "text/plain",
  md: "text/markdown",
  csv: "text/csv",
  html: "text/html",
  json: "application/json",
};

/** Decodes one content part of a message (or of a function call's output). */
export function decodeContentPart(
  fields: JsonFields,
  role: PartRole,
): TextPart | ImagePart | FilePart {
  const type = fields.string("type");
  if (!ALLOWED_TYPES[role].includes(type)) {
    throw fields.fail("type", `"${type}" cannot appear in ${describeRole(role)}`);
  }
  const keys = PART_KEYS[type];
  if (keys !== undefined) fields.rejectUnknown(keys);
  switch (type) {
    case "input_text":
      return withCache({ type: "text", text: fields.string("text") }, fields);
    case "output_text":
      // Annotations are citations of OpenAI's built-in tools and logprobs describe sampling:
      // neither is shown to the model on a later turn, so only the text carries meaning.
      return { type: "text", text: fields.string("text") };
    case "refusal":
      // A refusal is what the assistant said in that turn; other formats hold it as text.
      return { type: "text", text: fields.string("refusal") };
    case "input_image":
      return withCache(decodeImage(fields), fields);
    default:
      if (role === "tool") {
        throw fields.fail("type", "(a file in a function call output) cannot be translated");
      }
      return withCache(decodeFile(fields), fields);
  }
}

function describeRole(role: PartRole): string {
  if (role === "tool") return "a function_call_output";
  return `a ${role === "system" ? "system or developer" : role} message`;
}

/**
 * `prompt_cache_breakpoint` marks the end of a cacheable prefix, as Anthropic's `cache_control`
 * does; it travels as the IR's cache marker. Its `ttl` (`30m`/`12h`) has no counterpart among
 * Anthropic's lifetimes and is a cost hint only, so it is not carried.
 */
function withCache<T extends TextPart | ImagePart | FilePart>(part: T, fields: JsonFields): T {
  const breakpoint = fields.optionalObject("prompt_cache_breakpoint");
  if (breakpoint === undefined) return part;
  breakpoint.rejectUnknown(new Set(["mode", "ttl"]));
  breakpoint.optionalEnum("mode", ["explicit"]);
  breakpoint.optionalEnum("ttl", ["30m", "12h"]);
  const cacheControl: CacheControl = { type: "ephemeral" };
  return { ...part, cacheControl };
}

function decodeImage(fields: JsonFields): ImagePart {
  if (fields.has("file_id")) throw fileIdError(fields);
  const url = fields.optionalString("image_url");
  if (url === undefined) throw fields.fail("image_url", "is required");
  const image: ImagePart = { type: "image", source: sourceOf(url, fields.pathOf("image_url")) };
  const detail = fields.optionalEnum("detail", ["auto", "low", "high", "original"]);
  if (detail !== undefined) image.detail = detail;
  return image;
}

function decodeFile(fields: JsonFields): FilePart {
  if (fields.has("file_id")) throw fileIdError(fields);
  // `detail` picks the rendering quality of a document: only the default has a counterpart.
  const detail = fields.optionalEnum("detail", ["auto", "low", "high"]);
  if (detail !== undefined && detail !== "auto") {
    throw fields.fail("detail", `"${detail}" cannot be translated to another provider`);
  }
  const filename = fields.optionalString("filename");
  const data = fields.optionalString("file_data");
  const url = fields.optionalString("file_url");
  let source: FilePart["source"];
  if (data !== undefined) {
    source = data.startsWith("data:")
      ? parseDataUrl(data, fields.pathOf("file_data"))
      : { kind: "base64", mediaType: mediaTypeOf(filename, fields), data };
  } else if (url !== undefined) {
    source = { kind: "url", url };
  } else {
    throw fields.fail("file_data", "or file_url is required");
  }
  const file: FilePart = { type: "file", source };
  if (filename !== undefined) file.filename = filename;
  return file;
}

function fileIdError(fields: JsonFields) {
  return fields.fail(
    "file_id",
    "cannot be translated: agw has no file store, so send the content inline or by URL",
  );
}

function sourceOf(url: string, path: string): ImagePart["source"] {
  return url.startsWith("data:") ? parseDataUrl(url, path) : { kind: "url", url };
}

/** RFC 2397 `data:<media type>;base64,<data>`; only base64 payloads are accepted. */
function parseDataUrl(
  url: string,
  path: string,
): { kind: "base64"; mediaType: string; data: string } {
  const match = /^data:([^;,]+)(?:;[^;,=]+=[^;,]*)*;base64,(.*)$/s.exec(url);
  if (match === null || match[1] === undefined || match[2] === undefined) {
    throw invalidRequest(path, `${path} must be a base64 data URL (data:<type>;base64,<data>)`);
  }
  return { kind: "base64", mediaType: match[1], data: match[2] };
}

function mediaTypeOf(filename: string | undefined, fields: JsonFields): string {
  const extension = filename?.split(".").pop()?.toLowerCase();
  const mediaType = extension === undefined ? undefined : MEDIA_TYPES_BY_EXTENSION[extension];
  if (mediaType === undefined) {
    throw fields.fail(
      "file_data",
      "must be a data URL (data:<type>;base64,<data>) unless filename names a known document type",
    );
  }
  return mediaType;
}
