/**
 * The OpenAI Responses API as a client format (`POST /v1/responses`, what the openai SDK's
 * `client.responses.create()` and the Vercel AI SDK's `openai(modelId)` send). agw translates it
 * to the provider formats through the IR; it is never a provider format itself.
 *
 * Carried: model, input (messages of every role, function calls and their outputs, reasoning
 * items), instructions, function tools, tool_choice (including allowed_tools),
 * parallel_tool_calls, max_output_tokens, temperature, top_p, text.format, reasoning effort and
 * summary, metadata, safety_identifier/user, stream. `prompt_cache_breakpoint` on a content part
 * becomes the IR cache marker.
 *
 * Dropped as delivery hints (no effect on the answer; DESIGN.md §5b):
 * - `store` (agw stores nothing; answers echo `store: false`), `service_tier`,
 *   `prompt_cache_key`, `prompt_cache_retention`, `prompt_cache_options` (mode, ttl,
 *   comparison_response_id; `prewarm: true` is a 400), `prompt_cache_breakpoint.ttl`;
 * - `stream_options.include_obfuscation`;
 * - `include` entries for built-in tool outputs, `message.input_image.image_url` and
 *   `reasoning.encrypted_content` (encrypted reasoning is always returned when there is some);
 * - `max_tool_calls` (it limits built-in tool calls only, and those are refused);
 * - `user` when `safety_identifier` is also set (both name the end user; `user` is deprecated);
 * - defaults only: `truncation: "disabled"`, `background: false`, `text.verbosity: "medium"`,
 *   `image.context_compression: "auto"`, `reasoning.context: "auto"`,
 *   `reasoning.mode: "standard"`, function tools' `allowed_callers: ["direct"]`,
 *   `defer_loading: false`, `async: false`, `input_file.detail: "auto"`, `top_logprobs: 0`;
 * - per item: `id` and `status` of input items, an assistant message's `phase` (only OpenAI's
 *   codex models read it), and `annotations`/`logprobs` of earlier `output_text` parts (citations
 *   and sampling data the model does not see again).
 *
 * Refused with 400 naming the field: `previous_response_id`, `conversation`, `prompt`,
 * `background: true`, `background_options`, `context_management`, `moderation`,
 * `access_programs`, `truncation: "auto"`, `top_logprobs > 0`, `include` of
 * `message.output_text.logprobs`, `text.verbosity` low/high, `reasoning.effort: "max"`, other
 * reasoning context/mode values, built-in tools and tool_choice types, `item_reference` and
 * built-in tool items in input, `file_id` (agw has no file store), files in function outputs,
 * tool namespaces and programmatic callers, and any field the API does not define.
 * @module
 */
import type { ClientFormat } from "./types.ts";
import { openAiErrorOf } from "./responses_error.ts";
import { decodeResponsesRequest } from "./responses_request.ts";
import { encodeResponsesResponse } from "./responses_response.ts";
import { createResponsesStreamEncoder } from "./responses_stream.ts";

/** The Responses client format. */
export const responses: ClientFormat = {
  name: "responses",
  decodeRequest: decodeResponsesRequest,
  encodeResponse: encodeResponsesResponse,
  createStreamEncoder: createResponsesStreamEncoder,
  encodeError: (error) => ({ error: openAiErrorOf(error) }),
};
