/**
 * Amazon Bedrock Converse / ConverseStream
 * (https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_Converse.html), a
 * provider format. The model id goes in the path (`/model/{modelId}/converse` or
 * `/converse-stream`), not the body; streams are AWS event-stream messages, unframed in
 * ../stream.ts. The halves live in converse_*.ts.
 *
 * Decisions:
 * - Cache breakpoints (`cacheControl`) become `cachePoint` blocks after the marked system text,
 *   content block or tool (`ttl` 5m or 1h carried).
 * - `top_k` and reasoning are model-specific (`additionalModelRequestFields`): Claude takes
 *   `top_k` and `thinking` (budget from the IR, or from its effort via the shared table), Nova
 *   takes `inferenceConfig.topK`; the family is read from the model id.
 * - `response_format` json_schema goes out as `outputConfig.textFormat` (structured outputs).
 * - `tool_choice: "none"` withholds the tools (Converse has no "none").
 * - `metadata` becomes `requestMetadata` (tags for Bedrock's invocation logs).
 * - Usage: IR input = `inputTokens` + cache reads + cache writes (Bedrock's `inputTokens` counts
 *   neither). Answers carry no id or model: a buffered answer's id is a digest of its output, a
 *   stream's start event has an empty id and model for the flow to fill.
 * - A document needs a name: the filename without its extension, cleaned to the characters
 *   Bedrock allows, or one made from the part's position.
 *
 * Dropped as delivery hints (no effect on the answer): `user` (Converse has no end-user field),
 * image `detail`, reasoning `summary`, the json_schema `strict` (Bedrock always holds the answer
 * to the schema), a reasoning part's `id`, unsigned reasoning in the history (Claude cannot
 * verify it and strips earlier turns' thinking itself), empty text parts (Converse refuses blank
 * text), `includeUsage` (Converse always reports usage), `reasoning.effort: "none"` towards a
 * model other than Claude (thinking is off by default).
 *
 * Refused with a 400 naming the field: `seed`, `frequency_penalty`, `presence_penalty`,
 * `parallel_tool_calls: false`, JSON mode without a schema, `tool_choice: "none"` in a
 * conversation that already has tool calls, `top_k` or thinking for a model family agw cannot
 * tell, an image or file by http(s) URL (Converse takes bytes or `s3://`), image types other than
 * png/jpeg/gif/webp, document types other than pdf/csv/doc/docx/xls/xlsx/html/txt/md, a cache
 * ttl other than 5m/1h, a participant `name`, a system message after the first turn, tool call
 * arguments that are not a JSON object, a required tool choice without tools.
 *
 * Answers: blocks other than text, toolUse and reasoningContent (citations, images, …) and
 * unknown stream events are a 502 naming them.
 * @module
 */
import { decodeConverseError } from "./converse_errors.ts";
import { encodeConverseRequest } from "./converse_request.ts";
import { decodeConverseResponse } from "./converse_response.ts";
import { createConverseStreamDecoder } from "./converse_stream.ts";
import type { ProviderFormat } from "./types.ts";

/** The Bedrock Converse format, a provider format. */
export const converse = {
  name: "converse",
  encodeRequest: encodeConverseRequest,
  decodeResponse: decodeConverseResponse,
  createStreamDecoder: createConverseStreamDecoder,
  decodeError: decodeConverseError,
} satisfies ProviderFormat as ProviderFormat;
