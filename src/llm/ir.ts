/**
 * The internal representation every LLM translation goes through: a client format decodes into
 * it, a provider format encodes from it (and the reverse for responses and streams). One codec
 * per format instead of one converter per pair: 3 client formats × 4 provider formats would be
 * 12 pairwise converters, each with its streaming half; with the IR it is 5 codecs.
 *
 * The IR is deliberately small: it holds what changes what the model does or returns. A field
 * with no IR home is either a delivery hint (dropped, listed in docs/llm.md, DESIGN.md §5b) or a
 * 400 naming the field, raised by the decoder of the client's format. Passthrough (same format on
 * both sides) never goes through the IR.
 * @module
 */

/** Plain text. `cacheControl` is Anthropic's prompt-caching marker, kept when the target has it. */
export interface TextPart {
  type: "text";
  text: string;
  cacheControl?: CacheControl;
}

/** Anthropic's `cache_control` (`{type: "ephemeral", ttl?}`); other providers cache implicitly. */
export interface CacheControl {
  type: "ephemeral";
  ttl?: string;
}

/** An image by URL or inline base64 data. */
export interface ImagePart {
  type: "image";
  source:
    | { kind: "url"; url: string }
    | { kind: "base64"; mediaType: string; data: string };
  /** OpenAI's `detail` (`auto` | `low` | `high`). */
  detail?: string;
  cacheControl?: CacheControl;
}

/** A document (PDF, text) given inline as base64 or by URL. */
export interface FilePart {
  type: "file";
  source:
    | { kind: "url"; url: string }
    | { kind: "base64"; mediaType: string; data: string };
  filename?: string;
  cacheControl?: CacheControl;
}

/** A call the model made to a client-defined function tool. */
export interface ToolCallPart {
  type: "toolCall";
  id: string;
  name: string;
  /** The arguments as JSON text, exactly as the model produced them. */
  arguments: string;
}

/** The client's answer to a tool call. */
export interface ToolResultPart {
  type: "toolResult";
  toolCallId: string;
  /** Gemini matches results by function name, not id: decoders fill it when they know it. */
  name?: string;
  content: (TextPart | ImagePart)[];
  isError?: boolean;
  cacheControl?: CacheControl;
}

/**
 * Reasoning ("thinking") the model did. `signature` (Anthropic) or `encrypted` (OpenAI
 * Responses `encrypted_content`, Anthropic `redacted_thinking` data) must be sent back unchanged
 * in a later turn for the provider to accept it.
 */
export interface ReasoningPart {
  type: "reasoning";
  text: string;
  signature?: string;
  /** Opaque reasoning the provider returned encrypted or redacted. */
  encrypted?: string;
  /** Provider-assigned id (OpenAI Responses `rs_…`). */
  id?: string;
}

/** Anything that can appear in a message. */
export type ContentPart =
  | TextPart
  | ImagePart
  | FilePart
  | ToolCallPart
  | ToolResultPart
  | ReasoningPart;

/**
 * One turn. `system` messages carry instructions (OpenAI `system`/`developer`, Anthropic's
 * top-level `system`, Responses `instructions`); formats with a single top-level system prompt
 * take the leading run of system messages and answer 400 for a later one. `tool` messages hold
 * only toolResult parts; formats that put results in a user turn merge them on encode.
 */
export interface Message {
  role: "system" | "user" | "assistant" | "tool";
  content: ContentPart[];
  /** OpenAI's optional participant `name`. */
  name?: string;
}

/** A client-defined function tool. */
export interface Tool {
  name: string;
  description?: string;
  /** JSON Schema of the arguments (an object schema). */
  parameters: Record<string, unknown>;
  /** OpenAI's strict schema adherence. */
  strict?: boolean;
  cacheControl?: CacheControl;
}

/** Which tool the model must or may call. */
export type ToolChoice = "auto" | "none" | "required" | { name: string };

/** The shape of the answer. */
export type ResponseFormat =
  | { type: "text" }
  | { type: "json_object" }
  | {
    type: "json_schema";
    name: string;
    schema: Record<string, unknown>;
    strict?: boolean;
    description?: string;
  };

/** Reasoning settings: OpenAI's effort, or an explicit token budget (Anthropic, Gemini). */
export interface ReasoningConfig {
  effort?: "none" | "minimal" | "low" | "medium" | "high" | "xhigh";
  budgetTokens?: number;
  /** OpenAI Responses `reasoning.summary` (`auto` | `concise` | `detailed`). */
  summary?: string;
}

/** A chat request in the IR. */
export interface IrRequest {
  model: string;
  messages: Message[];
  tools?: Tool[];
  toolChoice?: ToolChoice;
  /** false: at most one tool call per turn (OpenAI `parallel_tool_calls`, Anthropic's inverse). */
  parallelToolCalls?: boolean;
  /** The output token limit, whatever the format calls it (`max_tokens`, `max_completion_tokens`, `max_output_tokens`). */
  maxTokens?: number;
  temperature?: number;
  topP?: number;
  topK?: number;
  stop?: string[];
  seed?: number;
  frequencyPenalty?: number;
  presencePenalty?: number;
  responseFormat?: ResponseFormat;
  reasoning?: ReasoningConfig;
  /** An end-user id for abuse tracking (OpenAI `user`, Anthropic `metadata.user_id`). */
  user?: string;
  /** Free-form request metadata (OpenAI `metadata`): only formats that have it carry it. */
  metadata?: Record<string, string>;
  stream: boolean;
  /** The client asked for usage in the stream (OpenAI `stream_options.include_usage`). */
  includeUsage?: boolean;
}

/** Why the model stopped. */
export type StopReason =
  | "stop"
  | "length"
  | "toolUse"
  | "stopSequence"
  | "contentFilter"
  | "pauseTurn"
  | "refusal"
  | "error";

/**
 * Token counts. `inputTokens` includes cache reads and writes, as agentgateway reports them
 * (Anthropic's `input_tokens` excludes them: its codec adds them in and takes them out again).
 */
export interface Usage {
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens?: number;
  cacheWriteTokens?: number;
  reasoningTokens?: number;
}

/** A buffered (non-streaming) answer. `content` holds text, toolCall and reasoning parts. */
export interface IrResponse {
  id: string;
  model: string;
  content: (TextPart | ToolCallPart | ReasoningPart)[];
  stopReason: StopReason;
  /** The stop sequence that ended the answer, when the provider says which. */
  stopSequence?: string;
  usage: Usage;
  /** Unix seconds, when the provider says. */
  created?: number;
}

/**
 * One step of a streamed answer. `index` numbers the content parts of the answer in order
 * (text, reasoning and tool calls share one sequence), so an encoder can open and close blocks.
 * A decoder emits `start` first, then part events, `usage` whenever counts arrive (possibly
 * several times, the last wins), `finish` once, and `error` if the provider reported one.
 */
export type StreamEvent =
  | { type: "start"; id: string; model: string; created?: number }
  | { type: "textDelta"; index: number; text: string }
  | { type: "reasoningDelta"; index: number; text?: string; signature?: string; encrypted?: string }
  | { type: "toolCallStart"; index: number; id: string; name: string }
  | { type: "toolCallDelta"; index: number; arguments: string }
  | { type: "partEnd"; index: number }
  | { type: "usage"; usage: Usage }
  | { type: "finish"; stopReason: StopReason; stopSequence?: string }
  | { type: "error"; error: LlmErrorBody };

/** The error a provider returned or agw raised, before it is shaped for the client's format. */
export interface LlmErrorBody {
  /** agw's neutral kind; each format maps it to its own `type` string. */
  kind: LlmErrorKind;
  message: string;
  /** The request field at fault, for 400s (`messages[2].content`). */
  param?: string;
  /** The provider's own error type or code, when it had one. */
  providerType?: string;
}

/** Error kinds, after Anthropic's and OpenAI's taxonomies (both map onto these). */
export type LlmErrorKind =
  | "invalidRequest"
  | "authentication"
  | "permission"
  | "notFound"
  | "requestTooLarge"
  | "rateLimit"
  | "api"
  | "overloaded"
  | "timeout";

/** An error with its HTTP status: thrown by codecs, shaped into the client's format by the flow. */
export class LlmError extends Error {
  readonly status: number;
  readonly body: LlmErrorBody;
  constructor(status: number, body: LlmErrorBody) {
    super(body.message);
    this.name = "LlmError";
    this.status = status;
    this.body = body;
  }
}

/** A 400 for a field the translation cannot carry, or a client request that is invalid. */
export function invalidRequest(param: string, message: string): LlmError {
  return new LlmError(400, { kind: "invalidRequest", message, param });
}
