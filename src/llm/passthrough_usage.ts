/**
 * Reading usage from answers agw passes through unchanged. Provider formats have stream
 * decoders that already do it; OpenAI Responses is a client-only format here (agw never
 * translates into it), so its passthrough gets a small reader of the events that carry usage.
 * @module
 */
import type { FormatName, ProviderFormat, StreamDecoder, StreamFrame } from "./formats/mod.ts";
import type { StreamEvent, Usage } from "./ir.ts";

/** A decoder used only to observe a passed-through stream (its events never reach a client). */
export function passthroughDecoder(
  format: FormatName,
  providerFormat: ProviderFormat | undefined,
): StreamDecoder {
  if (providerFormat) return providerFormat.createStreamDecoder();
  if (format === "responses") return responsesUsageReader();
  return { push: () => [], end: () => [] };
}

interface ResponsesUsage {
  input_tokens?: number;
  output_tokens?: number;
  input_tokens_details?: { cached_tokens?: number };
  output_tokens_details?: { reasoning_tokens?: number };
}

/** `response.output_text.delta` marks the first token; `response.completed` carries usage. */
function responsesUsageReader(): StreamDecoder {
  return {
    push(frame: StreamFrame): StreamEvent[] {
      if (frame.kind !== "sse") return [];
      const type = frame.event.event;
      if (type === "response.output_text.delta") {
        const delta = JSON.parse(frame.event.data) as { delta?: string };
        return [{ type: "textDelta", index: 0, text: delta.delta ?? "" }];
      }
      if (
        type !== "response.completed" && type !== "response.incomplete" &&
        type !== "response.failed"
      ) return [];
      const body = JSON.parse(frame.event.data) as {
        response?: { model?: string; id?: string; usage?: ResponsesUsage };
      };
      const events: StreamEvent[] = [];
      const response = body.response;
      if (response?.model) {
        events.push({ type: "start", id: response.id ?? "", model: response.model });
      }
      if (response?.usage) events.push({ type: "usage", usage: responsesUsage(response.usage) });
      return events;
    },
    end: () => [],
  };
}

function responsesUsage(usage: ResponsesUsage): Usage {
  const out: Usage = {
    inputTokens: usage.input_tokens ?? 0,
    outputTokens: usage.output_tokens ?? 0,
  };
  const cached = usage.input_tokens_details?.cached_tokens;
  if (cached !== undefined) out.cacheReadTokens = cached;
  const reasoning = usage.output_tokens_details?.reasoning_tokens;
  if (reasoning !== undefined) out.reasoningTokens = reasoning;
  return out;
}
