/**
 * Anthropic Messages (`POST /v1/messages`, https://platform.claude.com/docs/en/api/messages), as
 * a client format (Claude Code, @anthropic-ai/sdk, @ai-sdk/anthropic) and as a provider format
 * (Anthropic, Vertex AI Anthropic publisher models). The halves live in messages_*.ts.
 *
 * Vertex: `encodeRequest` keeps `model` in the body; the Vertex provider module removes it and
 * adds `anthropic_version: "vertex-2023-10-16"` in `finishBody`, so passthrough bodies (which
 * never reach a codec) are fixed the same way. Structured outputs go out as the GA
 * `output_config.format` (no beta header); the beta `output_format` (header
 * `structured-outputs-2025-11-13`) is read too.
 *
 * Dropped as delivery hints (no effect on the answer):
 * - request `service_tier`, `speed`, `diagnostics`, `anthropic_version` (body copy of a header)
 * - tool `eager_input_streaming` (how tool input is chunked on the wire)
 * - `cache_control` on a `tool_use` block (the IR tool call has no marker; other blocks keep it)
 * - top-level `cache_control` is carried: it marks the last cacheable part, as the API does
 * - towards Anthropic: IR `metadata` (OpenAI stored-completion tags), image `detail`,
 *   reasoning `summary` (Anthropic returns summarized thinking anyway), reasoning from another
 *   provider without an Anthropic signature (Anthropic cannot verify it and strips earlier
 *   turns' thinking itself), empty text parts (the API refuses empty text blocks)
 * - towards a Messages client: another provider's opaque reasoning (OpenAI `encrypted_content`)
 *
 * Refused with a 400 naming the field: `container`, `mcp_servers`, `context_management`,
 * `compaction`, `thread`, `fallbacks`, `safeguards`, `inference_geo`, `output_config.task_budget`,
 * effort `max`, thinking `between_tools` and display other than summarized/omitted, server tools
 * (`web_search_*`, `bash_*`, `text_editor_*`, `computer_*`, `code_execution_*`, …), tool
 * `defer_loading`/`input_examples`/non-direct `allowed_callers`, server-side blocks
 * (`search_result`, `server_tool_use`, `*_tool_result`, `container_upload`, …), citations,
 * document `context`, image `transformations`, Files API sources, unknown fields. Towards
 * Anthropic: `seed`, `frequency_penalty`, `presence_penalty`, JSON mode without a schema, a
 * schema description, temperature above 1, a participant `name`, a system message after the
 * first turn.
 * @module
 */
import type { ClientFormat, ProviderFormat } from "./types.ts";
import { decodeMessagesRequest } from "./messages_request_decode.ts";
import { encodeMessagesRequest } from "./messages_request_encode.ts";
import { decodeMessagesResponse, encodeMessagesResponse } from "./messages_response.ts";
import { createMessagesStreamDecoder } from "./messages_stream_decode.ts";
import { createMessagesStreamEncoder } from "./messages_stream_encode.ts";
import { decodeMessagesError, encodeErrorBody } from "./messages_errors.ts";

export { DEFAULT_MAX_TOKENS } from "./messages_request_encode.ts";

/** The Anthropic Messages format, both as a client format and as a provider format. */
export const messages = {
  name: "messages",
  decodeRequest: decodeMessagesRequest,
  encodeResponse: encodeMessagesResponse,
  createStreamEncoder: createMessagesStreamEncoder,
  encodeError: (error) => encodeErrorBody(error),
  encodeRequest: encodeMessagesRequest,
  decodeResponse: decodeMessagesResponse,
  createStreamDecoder: createMessagesStreamDecoder,
  decodeError: decodeMessagesError,
} satisfies ClientFormat & ProviderFormat as ClientFormat & ProviderFormat;
