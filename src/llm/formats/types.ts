/**
 * The codec contracts. A client format (what an SDK speaks to agw) decodes requests into the IR
 * and encodes answers back; a provider format (what agw speaks to a provider) does the reverse.
 * Codecs are pure: no I/O, no clock, no randomness except ids passed in through options.
 * @module
 */
import type { IrRequest, IrResponse, LlmErrorBody, StreamEvent, Usage } from "../ir.ts";

/** The wire formats agw knows. */
export type FormatName = "completions" | "messages" | "responses" | "gemini" | "converse";

/** One server-sent event as it arrived or will be sent (`event:` is optional). */
export interface SseEvent {
  event?: string;
  data: string;
}

/** One decoded frame of a provider stream: an SSE event, or an AWS event-stream message. */
export type StreamFrame =
  | { kind: "sse"; event: SseEvent }
  /** Bedrock: `:event-type` header (`messageStart`, `contentBlockDelta`, …) and the JSON payload. */
  | { kind: "eventstream"; eventType: string; messageType: string; payload: unknown };

/** Turns provider frames into IR events; keeps whatever state the format needs across frames. */
export interface StreamDecoder {
  /** Events for one frame (often none or one). Throws LlmError(502) on a frame it cannot read. */
  push(frame: StreamFrame): StreamEvent[];
  /** Called once when the provider's stream ended cleanly: any events still owed. */
  end(): StreamEvent[];
}

/** Turns IR events into the client's SSE events; keeps block/index state across events. */
export interface StreamEncoder {
  /** SSE events to send for one IR event (possibly none). */
  encode(event: StreamEvent): SseEvent[];
  /**
   * The final events once the stream is over (OpenAI's `data: [DONE]`, Anthropic's
   * `message_stop` if not yet sent). `error` set: the stream was cut or the provider failed
   * mid-way, and the client must see an error event in its own format, not a clean end.
   */
  end(error?: LlmErrorBody): SseEvent[];
}

/** Options a client codec needs to build answers. */
export interface EncodeOptions {
  /** The model name the client should see (the provider's answer, or the request's). */
  model: string;
  /** The client's request, decoded (for `include_usage`, echoed parameters, …). */
  request: IrRequest;
  /** Unix seconds for `created` fields the provider did not supply (passed in: codecs are pure). */
  nowSeconds: number;
}

/** A format SDKs speak to agw: OpenAI Chat Completions, OpenAI Responses, Anthropic Messages. */
export interface ClientFormat {
  readonly name: FormatName;
  /**
   * Parses and validates the client's JSON body. Throws LlmError(400) naming the field when the
   * body is invalid, or a field has no IR counterpart (see DESIGN.md §5b for what is dropped).
   */
  decodeRequest(body: unknown): IrRequest;
  encodeResponse(response: IrResponse, options: EncodeOptions): unknown;
  createStreamEncoder(options: EncodeOptions): StreamEncoder;
  /** The error body in this format; the status is kept by the caller. */
  encodeError(error: LlmErrorBody, status: number): unknown;
}

/** A format agw speaks to a provider: Chat Completions, Messages, Gemini, Bedrock Converse. */
export interface ProviderFormat {
  readonly name: FormatName;
  /**
   * The provider's JSON body for `request`, with `model` already resolved. Throws LlmError(400)
   * naming the IR field when the provider cannot express it. Formats that put the model in the
   * URL (Gemini, Converse) leave it out of the body.
   */
  encodeRequest(request: IrRequest): unknown;
  /** Reads a buffered answer. Throws LlmError(502) when the body is not what the format says. */
  decodeResponse(body: unknown): IrResponse;
  createStreamDecoder(): StreamDecoder;
  /** Reads a provider error body (JSON if it parsed, else the text) into the neutral form. */
  decodeError(status: number, body: unknown): LlmErrorBody;
}

/**
 * What agw reads from an answer it passes through unchanged (same format on both sides): the
 * usage and model for telemetry and token limits, without re-encoding anything.
 */
export interface UsageInfo {
  model?: string;
  usage?: Usage;
}
