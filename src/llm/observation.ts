/**
 * What agw learns about one LLM call as it happens (models, parameters, prompt, usage, time to
 * first token, completion, outcome), and how that becomes the CEL `llm` value, the `gen_ai.*`
 * access-log fields and the GenAI metrics, once the answer is complete.
 * @module
 */
import type { RequestContext } from "../context/mod.ts";
import type { GenAiLabels, Metrics } from "../telemetry/mod.ts";
import type { IrRequest, StreamEvent, Usage } from "./ir.ts";

/** The completion text kept for `llm.completion` is capped, like captured bodies. */
const COMPLETION_LIMIT_CHARS = 1024 * 1024;

/** One LLM call's facts, filled as the request and answer pass. */
export class LlmObservation {
  readonly provider: string;
  readonly operation: string;
  readonly startMs: number;
  requestModel = "";
  responseModel: string | undefined = undefined;
  streaming = false;
  usage: Usage | undefined = undefined;
  firstTokenMs: number | undefined = undefined;
  params: Record<string, unknown> = {};
  prompt: { role: string; content: string }[] | undefined = undefined;
  #completion = "";
  /** Set when the answer failed part-way (a cut stream) or the provider returned an error. */
  error: string | undefined = undefined;

  constructor(provider: string, operation: string, startMs: number) {
    this.provider = provider;
    this.operation = operation;
    this.startMs = startMs;
  }

  /** Records the request's model, parameters and prompt (from the IR, whatever the format). */
  observeRequest(request: IrRequest): void {
    this.streaming = request.stream;
    const params: Record<string, unknown> = {};
    if (request.temperature !== undefined) params.temperature = request.temperature;
    if (request.topP !== undefined) params.top_p = request.topP;
    // CEL integers are BigInt; agentgateway types these two as integers.
    if (request.maxTokens !== undefined) params.max_tokens = BigInt(request.maxTokens);
    if (request.frequencyPenalty !== undefined) {
      params.frequency_penalty = request.frequencyPenalty;
    }
    if (request.presencePenalty !== undefined) params.presence_penalty = request.presencePenalty;
    if (request.seed !== undefined) params.seed = BigInt(request.seed);
    this.params = params;
    this.prompt = request.messages.map((message) => ({
      role: message.role,
      content: message.content.map((part) => "text" in part ? part.text : "").join(""),
    }));
  }

  /** Records one streamed event. */
  observeEvent(event: StreamEvent): void {
    switch (event.type) {
      case "start":
        if (event.model) this.responseModel = event.model;
        return;
      case "textDelta":
        this.#firstToken();
        if (this.#completion.length < COMPLETION_LIMIT_CHARS) this.#completion += event.text;
        return;
      case "reasoningDelta":
      case "toolCallStart":
      case "toolCallDelta":
        this.#firstToken();
        return;
      case "usage":
        this.usage = event.usage;
        return;
      case "error":
        this.error = event.error.message;
        return;
      default:
        return;
    }
  }

  /** Records a buffered answer's text. */
  observeCompletion(text: string): void {
    this.#completion = text.slice(0, COMPLETION_LIMIT_CHARS);
  }

  #firstToken(): void {
    this.firstTokenMs ??= performance.now();
  }

  /**
   * Publishes the call: the CEL `llm` slot, `gen_ai.*` log fields and the GenAI metrics.
   * Called once, when the answer is complete (or failed).
   */
  finish(ctx: RequestContext, metrics: Metrics): void {
    const usage = this.usage;
    const input = usage?.inputTokens;
    const output = usage?.outputTokens;
    ctx.extensions.llm = {
      provider: this.provider,
      requestModel: this.requestModel,
      responseModel: this.responseModel ?? this.requestModel,
      streaming: this.streaming,
      inputTokens: input === undefined ? undefined : BigInt(input),
      outputTokens: output === undefined ? undefined : BigInt(output),
      totalTokens: input === undefined && output === undefined
        ? undefined
        : BigInt((input ?? 0) + (output ?? 0)),
      cachedInputTokens: usage?.cacheReadTokens === undefined
        ? undefined
        : BigInt(usage.cacheReadTokens),
      cacheCreationInputTokens: usage?.cacheWriteTokens === undefined
        ? undefined
        : BigInt(usage.cacheWriteTokens),
      reasoningTokens: usage?.reasoningTokens === undefined
        ? undefined
        : BigInt(usage.reasoningTokens),
      params: this.params,
      prompt: this.prompt,
      completion: this.#completion === "" ? [] : [this.#completion],
    };
    const fields: [string, string | number | boolean][] = [
      ["gen_ai.operation.name", this.operation],
      ["gen_ai.provider.name", this.provider],
      ["gen_ai.request.model", this.requestModel],
      ["gen_ai.response.model", this.responseModel ?? this.requestModel],
    ];
    if (input !== undefined) fields.push(["gen_ai.usage.input_tokens", input]);
    if (output !== undefined) fields.push(["gen_ai.usage.output_tokens", output]);
    if (this.error) fields.push(["gen_ai.error", this.error]);
    ctx.logFields = [...(ctx.logFields ?? []), ...fields];
    const labels: GenAiLabels = {
      operation: this.operation,
      system: this.provider,
      requestModel: this.requestModel,
      responseModel: this.responseModel ?? this.requestModel,
    };
    const tokens: { input?: number; output?: number } = {};
    if (input !== undefined) tokens.input = input;
    if (output !== undefined) tokens.output = output;
    metrics.recordTokenUsage(labels, tokens);
    const now = performance.now();
    metrics.recordGenAiTiming(
      labels,
      (now - this.startMs) / 1000,
      this.streaming && this.firstTokenMs !== undefined
        ? (this.firstTokenMs - this.startMs) / 1000
        : undefined,
    );
  }
}
