/**
 * Gemini `generateContent` / `streamGenerateContent?alt=sse`
 * (https://ai.google.dev/api/generate-content), a provider format: the Gemini API and Vertex
 * AI's Gemini publisher models. The model goes in the URL, not the body. The halves live in
 * gemini_*.ts.
 *
 * Decisions:
 * - Tool schemas go out as `parametersJsonSchema` and structured output as `responseJsonSchema`
 *   (full JSON Schema, on both the Gemini API and Vertex AI), not the OpenAPI-subset
 *   `parameters` / `responseSchema`, which would need a lossy conversion.
 * - Function calls without a Gemini `id` get `call_gemini_<responseId>_<n>`; such ids are not
 *   sent back, Gemini's own ids are. A tool result finds its function name from the earlier call
 *   with its id (Gemini answers functions by name).
 * - Thought signatures: a signed thought is reasoning with its signature; a signature on a text or
 *   functionCall part travels as an empty signed reasoning part just before it, and is put back
 *   on that part when the history returns (https://ai.google.dev/gemini-api/docs/thought-signatures).
 * - Usage: output = `candidatesTokenCount` + `thoughtsTokenCount` (candidates exclude thoughts),
 *   reasoning = thoughts; input = `promptTokenCount` (cached content included) + tool-use prompt.
 * - A strict tool under `tool_choice: auto` asks for mode VALIDATED (calls held to the schema).
 * - Reasoning effort becomes `thinkingConfig.thinkingBudget` via the shared table (`none` → 0),
 *   with `includeThoughts` so the summaries come back.
 * - URL images and files go as `fileData`; Gemini fetches Files API URIs and YouTube links
 *   (Gemini API), `gs://` and public HTTP(S) URLs (Vertex AI, which also needs the media type,
 *   guessed from the extension).
 *
 * Dropped as delivery hints (no effect on the answer): `cacheControl` on any part or tool (Gemini
 * caches implicitly), `user` and `metadata` (Gemini has no end-user field; Vertex's `labels` are
 * billing tags the Gemini API refuses), image `detail`, a file's `filename`, reasoning `summary`,
 * the json_schema `name` (a label) and `strict` (Gemini always holds the answer to the schema),
 * unsigned reasoning in the history (Gemini's own summaries or another provider's thinking:
 * Gemini reads earlier reasoning only through signatures) and opaque reasoning from another
 * provider (`encrypted`), empty text parts (Gemini refuses them), `includeUsage` (Gemini always
 * reports usage).
 *
 * Refused with a 400 naming the field: `parallel_tool_calls: false` (Gemini has no switch), a
 * participant `name`, a system message after the first turn or with non-text parts, a json_schema
 * description beside a schema with a different one, tool call arguments that are not a JSON
 * object, a tool result whose call id matches no earlier call (and that carries no name), a
 * required tool choice without tools.
 *
 * Answers: parts other than text, thought and functionCall (`inlineData`, `executableCode`, …)
 * are a 502 naming the kind.
 * @module
 */
import { decodeGeminiError } from "./gemini_errors.ts";
import { encodeGeminiRequest } from "./gemini_request.ts";
import { decodeGeminiResponse } from "./gemini_response.ts";
import { createGeminiStreamDecoder } from "./gemini_stream.ts";
import type { ProviderFormat } from "./types.ts";

/** The Gemini format, a provider format. */
export const gemini = {
  name: "gemini",
  encodeRequest: encodeGeminiRequest,
  decodeResponse: decodeGeminiResponse,
  createStreamDecoder: createGeminiStreamDecoder,
  decodeError: decodeGeminiError,
} satisfies ProviderFormat as ProviderFormat;
