/**
 * agw's streaming pipelines in-process, without sockets: one 65-token stream of the fake
 * provider's frames (one read per frame, as they arrive over the network) through the
 * passthrough inspector and through the Anthropic → Chat Completions translator, read to the
 * end. The time per stream over 65 is src/llm's own cost per token, free of the noise a shared
 * machine puts into the load benchmark.
 *
 * Usage: deno bench --allow-read bench/llm_stream_pipeline_bench.ts
 * @module
 */
import { CLIENT_FORMATS, PROVIDER_FORMATS, type SseEvent } from "../src/llm/formats/mod.ts";
import { LlmObservation } from "../src/llm/observation.ts";
import { inspectStream, providerFrames, translateStream } from "../src/llm/stream.ts";
import { streamFrames } from "./fake_llm_upstream.ts";
import { chatRequestBody } from "./llm_phases.ts";

const chat = CLIENT_FORMATS.get("completions")!;
const openAiFrames = streamFrames("openai", undefined, true);
const anthropicFrames = streamFrames("anthropic");

/** A provider body that yields one frame per read. */
function providerBody(frames: readonly Uint8Array[]): ReadableStream<Uint8Array> {
  let next = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      const frame = frames[next++];
      if (frame === undefined) controller.close();
      else controller.enqueue(frame);
    },
  }, { highWaterMark: 0 });
}

async function drain(stream: ReadableStream<Uint8Array>): Promise<void> {
  for await (const _ of stream) {
    // Reading is the work.
  }
}

/** The usage-only chunk agw drops when the client did not ask for usage. */
function isUsageOnly(event: SseEvent): boolean {
  return event.data.includes('"choices":[]');
}

Deno.bench("passthrough: Chat Completions stream, 65 tokens", async () => {
  const observation = new LlmObservation("openai", "chat", 0);
  await drain(
    inspectStream(
      providerBody(openAiFrames),
      PROVIDER_FORMATS.get("completions")!.createStreamDecoder(),
      observation,
      { skip: isUsageOnly, cutEvents: () => [], onEnd: () => {} },
    ),
  );
});

Deno.bench("translate: Messages stream to Chat Completions, 65 tokens", async () => {
  const observation = new LlmObservation("anthropic", "chat", 0);
  const request = chat.decodeRequest(JSON.parse(chatRequestBody(true)));
  await drain(
    translateStream(
      providerFrames(providerBody(anthropicFrames), "sse"),
      PROVIDER_FORMATS.get("messages")!.createStreamDecoder(),
      chat.createStreamEncoder({ model: "claude-bench", request, nowSeconds: 0 }),
      observation,
      () => {},
      { id: "bench", model: "claude-bench" },
    ),
  );
});
