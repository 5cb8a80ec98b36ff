/**
 * The OpenAI Chat Completions codec (`POST /v1/chat/completions`), client side and provider side
 * (OpenAI, Azure OpenAI and every OpenAI-compatible server).
 * Reference: https://platform.openai.com/docs/api-reference/chat
 *
 * Dropped as delivery hints (DESIGN.md §5b: no effect on what the model does or returns):
 * - `store`, `service_tier`, `prompt_cache_key`, `prompt_cache_options`, `prompt_cache_retention`
 * - `stream_options.include_obfuscation` (and all of `stream_options` when `stream` is not true)
 * - the `ttl` of OpenAI's `prompt_cache_breakpoint` (the breakpoint itself is kept as a cache
 *   marker); `cache_control` towards a Chat Completions provider (OpenAI caches by itself)
 * - `annotations` on an assistant message the client echoes back (citations of an earlier answer)
 * - `user` when `safety_identifier` is also given (both are the one IR abuse-tracking id)
 * - towards a Chat Completions provider: reasoning parts of earlier assistant turns (the field
 *   does not exist there and the model never reads old reasoning), `metadata` (OpenAI takes it
 *   only with `store: true`), `reasoning.summary` (no reasoning summaries in this format), a tool
 *   result's `isError` (no such flag; the result text carries the failure)
 *
 * Refused with 400 naming the field: `n` > 1, `logprobs`, `top_logprobs`, a non-empty
 * `logit_bias`, `audio`, `modalities` other than text, `prediction`, `web_search_options`,
 * `moderation`, `verbosity`, legacy `functions`/`function_call` and the `function` role,
 * `input_audio` parts, `file.file_id`, custom tools and tool calls, `tool_choice.allowed_tools`,
 * `reasoning_effort: "max"`, and any field this codec does not know. Towards a Chat Completions
 * provider: `top_k`, images in tool results, files by URL.
 *
 * Decisions:
 * - Reasoning reaches a Chat client as `reasoning_content` (DeepSeek's field, also vLLM's,
 *   SGLang's, llama.cpp's and LiteLLM's, and the one LangChain and OpenAI-compatible SDKs read),
 *   with LiteLLM's `thinking_blocks` beside it when a part is signed or redacted, so an echoed
 *   message carries Anthropic's signature back. Both are read again on input.
 * - The provider gets `max_completion_tokens` (OpenAI deprecated `max_tokens` and refuses it for
 *   reasoning models), `system` messages (OpenAI reads them as `developer` for reasoning models,
 *   and older compatible servers do not know `developer`), and a stream always asks
 *   `include_usage` (agw meters every stream; the client side hides the chunk if not asked).
 * - A refusal is kept as text with the IR stop reason `refusal`, which a Chat client sees as
 *   `finish_reason: "content_filter"`.
 * @module
 */
import type { ClientFormat, ProviderFormat } from "./types.ts";
import { decodeChatError, encodeChatError } from "./chat_completions_error.ts";
import { decodeChatRequest } from "./chat_completions_request.ts";
import { encodeChatRequest } from "./chat_completions_request_encode.ts";
import { decodeChatResponse, encodeChatResponse } from "./chat_completions_response.ts";
import { createChatStreamDecoder } from "./chat_completions_stream_decode.ts";
import { createChatStreamEncoder } from "./chat_completions_stream_encode.ts";

/** The completions format. */
export const completions = {
  name: "completions",
  decodeRequest: decodeChatRequest,
  encodeResponse: encodeChatResponse,
  createStreamEncoder: createChatStreamEncoder,
  encodeError: encodeChatError,
  encodeRequest: encodeChatRequest,
  decodeResponse: decodeChatResponse,
  createStreamDecoder: createChatStreamDecoder,
  decodeError: decodeChatError,
} satisfies ClientFormat & ProviderFormat as ClientFormat & ProviderFormat;
