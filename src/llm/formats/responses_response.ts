/**
 * IR answer → the Responses `response` object (https://platform.openai.com/docs/api-reference/
 * responses/object), buffered or as the snapshot the stream's lifecycle events carry. Output
 * items: `reasoning` (summary text, `encrypted_content`), `message` (consecutive text parts as
 * `output_text` parts of one message) and `function_call`. The request parameters SDKs read back
 * (tools, tool_choice, text, reasoning, sampling) are echoed from the decoded request.
 * @module
 */
import type {
  IrRequest,
  IrResponse,
  ReasoningPart,
  StopReason,
  ToolCallPart,
  Usage,
} from "../ir.ts";
import { budgetToEffort } from "../reasoning.ts";
import type { EncodeOptions } from "./types.ts";
import { encodeReasoningProof } from "./responses_reasoning.ts";

/** One `output_text` content part. agw carries no citations or logprobs, so both are empty. */
export interface OutputText {
  type: "output_text";
  text: string;
  annotations: never[];
  logprobs: never[];
}

/** The status of an output item. */
export type ItemStatus = "in_progress" | "completed" | "incomplete";

/** An assistant message output item. */
export interface MessageItem {
  id: string;
  type: "message";
  status: ItemStatus;
  content: OutputText[];
  role: "assistant";
}

/** A reasoning output item. */
export interface ReasoningItem {
  id: string;
  type: "reasoning";
  summary: { type: "summary_text"; text: string }[];
  encrypted_content?: string;
}

/** A function call output item. */
export interface FunctionCallItem {
  id: string;
  type: "function_call";
  status: ItemStatus;
  arguments: string;
  call_id: string;
  name: string;
}

/** Any output item agw produces. */
export type OutputItem = MessageItem | ReasoningItem | FunctionCallItem;

/** The Responses usage object. */
export interface ResponsesUsage {
  input_tokens: number;
  input_tokens_details: { cached_tokens: number; cache_write_tokens: number };
  output_tokens: number;
  output_tokens_details: { reasoning_tokens: number };
  total_tokens: number;
}

/** The lifecycle state of a response. */
export interface ResponseOutcome {
  status: "in_progress" | "completed" | "incomplete" | "failed";
  incompleteDetails: { reason: "max_output_tokens" | "content_filter" } | null;
  error: { code: string; type: string; message: string; param: null } | null;
}

/** The Responses `response` object. */
export type ResponsesObject = Record<string, unknown> & { id: string; output: OutputItem[] };

/** OpenAI response ids start `resp_`; a provider's own id is kept behind that prefix. */
export function responseIdOf(providerId: string): string {
  return providerId.startsWith("resp_") ? providerId : `resp_${providerId}`;
}

/** A deterministic item id: the kind's prefix, the response id's tail and the output index. */
export function itemIdOf(
  kind: "msg" | "rs" | "fc",
  { responseId, outputIndex }: { responseId: string; outputIndex: number },
): string {
  return `${kind}_${responseId.slice("resp_".length)}_${outputIndex}`;
}

/** The reasoning item for an IR reasoning part (its own `rs_` id wins when it has one). */
export function reasoningItemOf(part: Omit<ReasoningPart, "type">, id: string): ReasoningItem {
  const item: ReasoningItem = {
    id: part.id ?? id,
    type: "reasoning",
    summary: part.text === "" ? [] : [{ type: "summary_text", text: part.text }],
  };
  const encrypted = encodeReasoningProof(part);
  if (encrypted !== undefined) item.encrypted_content = encrypted;
  return item;
}

/** The function call item for an IR tool call. */
export function functionCallItemOf(
  call: Omit<ToolCallPart, "type">,
  { id, status }: { id: string; status: ItemStatus },
): FunctionCallItem {
  return {
    id,
    type: "function_call",
    status,
    arguments: call.arguments,
    call_id: call.id,
    name: call.name,
  };
}

/** An `output_text` part. */
export function outputTextOf(text: string): OutputText {
  return { type: "output_text", text, annotations: [], logprobs: [] };
}

/** IR usage → Responses usage; IR input tokens already include cache reads and writes. */
export function usageOf(usage: Usage): ResponsesUsage {
  return {
    input_tokens: usage.inputTokens,
    input_tokens_details: {
      cached_tokens: usage.cacheReadTokens ?? 0,
      cache_write_tokens: usage.cacheWriteTokens ?? 0,
    },
    output_tokens: usage.outputTokens,
    output_tokens_details: { reasoning_tokens: usage.reasoningTokens ?? 0 },
    total_tokens: usage.inputTokens + usage.outputTokens,
  };
}

/**
 * Why the model stopped → the response's status. Responses has two incomplete reasons a
 * translated answer can have (max_output_tokens, content_filter); a refusal (Anthropic's
 * classifiers stopping the answer) is content filtering. Every other clean stop is `completed`:
 * the stop sequence itself has no field, as Responses requests cannot ask for stop sequences.
 */
export function outcomeOf(stopReason: StopReason): ResponseOutcome {
  switch (stopReason) {
    case "length":
      return {
        status: "incomplete",
        incompleteDetails: { reason: "max_output_tokens" },
        error: null,
      };
    case "contentFilter":
    case "refusal":
      return { status: "incomplete", incompleteDetails: { reason: "content_filter" }, error: null };
    case "error":
      return {
        status: "failed",
        incompleteDetails: null,
        error: {
          code: "server_error",
          type: "server_error",
          message: "the provider stopped with an error",
          param: null,
        },
      };
    default:
      return { status: "completed", incompleteDetails: null, error: null };
  }
}

/** The parts of a response object that change as it is generated. */
export interface ResponseState {
  id: string;
  createdAt: number;
  outcome: ResponseOutcome;
  output: OutputItem[];
  usage: ResponsesUsage | null;
}

/** The full response object, with the request's parameters echoed as OpenAI does. */
export function responseObjectOf(state: ResponseState, options: EncodeOptions): ResponsesObject {
  const { request } = options;
  return {
    id: state.id,
    object: "response",
    created_at: state.createdAt,
    status: state.outcome.status,
    background: false,
    completed_at: state.outcome.status === "completed" ? options.nowSeconds : null,
    error: state.outcome.error,
    incomplete_details: state.outcome.incompleteDetails,
    instructions: instructionsOf(request),
    max_output_tokens: request.maxTokens ?? null,
    max_tool_calls: null,
    metadata: request.metadata ?? {},
    model: options.model,
    output: state.output,
    parallel_tool_calls: request.parallelToolCalls ?? true,
    previous_response_id: null,
    reasoning: reasoningEchoOf(request),
    // agw answers statelessly: nothing is stored for later retrieval.
    store: false,
    temperature: request.temperature ?? null,
    text: { format: textFormatOf(request), verbosity: "medium" },
    tool_choice: toolChoiceOf(request),
    tools: (request.tools ?? []).map((tool) => ({
      type: "function",
      name: tool.name,
      description: tool.description ?? null,
      parameters: tool.parameters,
      strict: tool.strict ?? null,
    })),
    top_p: request.topP ?? null,
    truncation: "disabled",
    usage: state.usage,
  };
}

/** Encodes a buffered IR answer as a Responses object. */
export function encodeResponsesResponse(
  response: IrResponse,
  options: EncodeOptions,
): ResponsesObject {
  const id = responseIdOf(response.id);
  const output: OutputItem[] = [];
  let message: MessageItem | undefined;
  for (const part of response.content) {
    const outputIndex = output.length;
    if (part.type === "text") {
      if (message === undefined) {
        message = {
          id: itemIdOf("msg", { responseId: id, outputIndex }),
          type: "message",
          status: "completed",
          content: [],
          role: "assistant",
        };
        output.push(message);
      }
      message.content.push(outputTextOf(part.text));
      continue;
    }
    message = undefined;
    output.push(
      part.type === "reasoning"
        ? reasoningItemOf(part, itemIdOf("rs", { responseId: id, outputIndex }))
        : functionCallItemOf(part, {
          id: itemIdOf("fc", { responseId: id, outputIndex }),
          status: "completed",
        }),
    );
  }
  return responseObjectOf({
    id,
    createdAt: response.created ?? options.nowSeconds,
    outcome: outcomeOf(response.stopReason),
    output,
    usage: usageOf(response.usage),
  }, options);
}

/**
 * `instructions` as the client most likely sent them: the leading system message. The IR does
 * not record whether it came from `instructions` or a developer message in `input`.
 */
function instructionsOf(request: IrRequest): string | null {
  const first = request.messages[0];
  if (first?.role !== "system") return null;
  const texts = first.content.flatMap((part) => part.type === "text" ? [part.text] : []);
  return texts.join("\n\n");
}

function reasoningEchoOf(request: IrRequest): { effort: string | null; summary: string | null } {
  const reasoning = request.reasoning;
  const effort = reasoning?.effort ??
    (reasoning?.budgetTokens === undefined ? null : budgetToEffort(reasoning.budgetTokens));
  return { effort, summary: reasoning?.summary ?? null };
}

function textFormatOf(request: IrRequest): Record<string, unknown> {
  const format = request.responseFormat;
  if (format === undefined || format.type !== "json_schema") {
    return { type: format?.type ?? "text" };
  }
  const wire: Record<string, unknown> = {
    type: "json_schema",
    name: format.name,
    schema: format.schema,
    strict: format.strict ?? null,
  };
  if (format.description !== undefined) wire.description = format.description;
  return wire;
}

function toolChoiceOf(request: IrRequest): unknown {
  const choice = request.toolChoice ?? "auto";
  return typeof choice === "string" ? choice : { type: "function", name: choice.name };
}
