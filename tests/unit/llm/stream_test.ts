import assert from "node:assert/strict";
import { CLIENT_FORMATS, PROVIDER_FORMATS, type SseEvent } from "../../../src/llm/formats/mod.ts";
import { LlmObservation } from "../../../src/llm/observation.ts";
import { inspectStream, providerFrames, translateStream } from "../../../src/llm/stream.ts";

const encoder = new TextEncoder();

/** A provider body that yields `reads` one per read, then closes or fails. */
function body(reads: string[], failAtEnd = false): ReadableStream<Uint8Array> {
  let next = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      const read = reads[next++];
      if (read !== undefined) controller.enqueue(encoder.encode(read));
      else if (failAtEnd) controller.error(new Error("connection reset"));
      else controller.close();
    },
  }, { highWaterMark: 0 });
}

/** Every write the client gets, as text. */
async function writes(stream: ReadableStream<Uint8Array>): Promise<string[]> {
  const out: string[] = [];
  for await (const chunk of stream) out.push(new TextDecoder().decode(chunk));
  return out;
}

const chunk = (content: string) =>
  `data: ${
    JSON.stringify({
      id: "c1",
      object: "chat.completion.chunk",
      created: 1,
      model: "gpt-4o",
      choices: [{ index: 0, delta: { content }, finish_reason: null }],
    })
  }\n\n`;
const usage = `data: ${
  JSON.stringify({
    id: "c1",
    object: "chat.completion.chunk",
    created: 1,
    model: "gpt-4o",
    choices: [],
    usage: { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 },
  })
}\n\n`;

Deno.test("inspectStream writes once per provider read, skips what it is told to and reads usage", async () => {
  const observation = new LlmObservation("openai", "chat", 0);
  const ends: string[] = [];
  const out = await writes(inspectStream(
    body([chunk("Hel") + chunk("lo"), usage, "data: [DONE]\n\n"]),
    PROVIDER_FORMATS.get("completions")!.createStreamDecoder(),
    observation,
    {
      skip: (event: SseEvent) => event.data.includes('"choices":[]'),
      cutEvents: () => [],
      onEnd: (outcome) => ends.push(outcome),
    },
  ));
  assert.deepEqual(out, [chunk("Hel") + chunk("lo"), "data: [DONE]\n\n"]);
  assert.deepEqual(ends, ["complete"]);
  assert.equal(observation.usage?.inputTokens, 3);
  assert.equal(observation.usage?.outputTokens, 2);
  assert.notEqual(observation.firstTokenMs, undefined);
});

Deno.test("inspectStream ends a cut stream with the cut events, dropping a half-sent event", async () => {
  const observation = new LlmObservation("openai", "chat", 0);
  const ends: string[] = [];
  const out = await writes(inspectStream(
    body([chunk("Hi"), 'data: {"id":"c1","cho'], true),
    PROVIDER_FORMATS.get("completions")!.createStreamDecoder(),
    observation,
    {
      cutEvents: (error) => [{ event: "error", data: JSON.stringify({ message: error.message }) }],
      onEnd: (outcome) => ends.push(outcome),
    },
  ));
  assert.equal(out.length, 2);
  assert.equal(out[0], chunk("Hi"));
  assert.match(out[1]!, /^event: error\ndata: .*connection reset/);
  assert.deepEqual(ends, ["failed"]);
  assert.match(observation.error ?? "", /connection reset/);
});

Deno.test("translateStream turns several Messages events of one read into one write", async () => {
  const client = CLIENT_FORMATS.get("completions")!;
  const request = client.decodeRequest({
    model: "claude",
    messages: [{ role: "user", content: "Hi" }],
    stream: true,
  });
  const event = (type: string, data: Record<string, unknown>) =>
    `event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`;
  const reads = [
    event("message_start", {
      message: {
        id: "msg_1",
        type: "message",
        role: "assistant",
        model: "claude",
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage: { input_tokens: 3, output_tokens: 1 },
      },
    }) + event("content_block_start", { index: 0, content_block: { type: "text", text: "" } }),
    event("content_block_delta", { index: 0, delta: { type: "text_delta", text: "Hi" } }),
    event("content_block_stop", { index: 0 }) +
    event("message_delta", {
      delta: { stop_reason: "end_turn", stop_sequence: null },
      usage: { output_tokens: 2 },
    }) + event("message_stop", {}),
  ];
  const observation = new LlmObservation("anthropic", "chat", 0);
  const ends: string[] = [];
  const out = await writes(translateStream(
    providerFrames(body(reads), "sse"),
    PROVIDER_FORMATS.get("messages")!.createStreamDecoder(),
    client.createStreamEncoder({ model: "claude", request, nowSeconds: 1 }),
    observation,
    (outcome) => ends.push(outcome),
    { id: "agw-1", model: "claude" },
  ));
  // One write per provider read (the role chunk, the text, the finish), then `[DONE]` at the end.
  assert.equal(out.length, 4);
  assert.match(out[0]!, /"role":"assistant"/);
  assert.match(out[1]!, /"content":"Hi"/);
  assert.match(out[2]!, /"finish_reason":"stop"/);
  assert.equal(out[3], "data: [DONE]\n\n");
  assert.deepEqual(ends, ["complete"]);
  assert.equal(observation.usage?.outputTokens, 2);
});

Deno.test("translateStream ends, cancels the provider and reports when an encoder throws", async () => {
  let cancelled = false;
  const provider = new ReadableStream<Uint8Array>({
    pull(controller) {
      controller.enqueue(encoder.encode(chunk("Hi")));
    },
    cancel() {
      cancelled = true;
    },
  }, { highWaterMark: 0 });
  const outcomes: string[] = [];
  const stream = translateStream(
    providerFrames(provider, "sse"),
    PROVIDER_FORMATS.get("completions")!.createStreamDecoder(),
    {
      encode: () => {
        throw new Error("encoder bug");
      },
      end: () => [],
    },
    new LlmObservation("openai", "chat", performance.now()),
    (outcome) => outcomes.push(outcome),
    { id: "x", model: "m" },
  );
  assert.deepEqual(await writes(stream), []);
  assert.deepEqual(outcomes, ["failed"]);
  assert.ok(cancelled, "the provider's stream is cancelled");
});
