import assert from "node:assert/strict";
import { loadConfig } from "../../../src/config/mod.ts";
import {
  anthropicMessageBody,
  COMPLETION_BYTES,
  createFakeLlmHandler,
  openAiCompletionBody,
  streamFrames,
  TOKEN_TEXT,
} from "../../../bench/fake_llm_upstream.ts";
import { llmAgwConfig, readLlmSettings } from "../../../bench/llm_bench.ts";
import { chatRequestBody, rotated, roundsFor, wrkPostScript } from "../../../bench/llm_phases.ts";
import { parseProcStatCpuSeconds, parseProcStatus } from "../../../bench/llm_processes.ts";
import { percentile, TokenCounter } from "../../../bench/llm_stream_probe.ts";

const envOf = (values: Record<string, string>) => ({ get: (key: string) => values[key] });

Deno.test("the fake provider's buffered answers are exactly 1 KiB of valid JSON", () => {
  for (const body of [openAiCompletionBody(), anthropicMessageBody()]) {
    assert.equal(body.byteLength, COMPLETION_BYTES);
    JSON.parse(new TextDecoder().decode(body));
  }
});

Deno.test("the fake provider's streams carry one token per frame, usage only when asked", () => {
  const text = (frames: Uint8Array[]) => frames.map((f) => new TextDecoder().decode(f)).join("");
  const count = (frames: Uint8Array[]) => text(frames).split(TOKEN_TEXT).length - 1;
  assert.equal(count(streamFrames("openai")), 65);
  assert.equal(count(streamFrames("anthropic")), 65);
  assert.doesNotMatch(text(streamFrames("openai")), /"choices":\[\],"usage"/);
  assert.match(text(streamFrames("openai", undefined, true)), /"choices":\[\],"usage"/);
  assert.match(text(streamFrames("anthropic")), /event: message_stop\n/);
});

Deno.test("the fake provider answers each API's path and refuses others", async () => {
  const handle = createFakeLlmHandler();
  const post = (path: string) =>
    handle(new Request(`http://fake${path}`, { method: "POST", body: chatRequestBody(false) }));
  const openAi = await post("/v1/chat/completions");
  assert.equal((await openAi.json()).object, "chat.completion");
  const anthropic = await post("/v1/messages");
  assert.equal((await anthropic.json()).type, "message");
  const other = await post("/v1/embeddings");
  assert.equal(other.status, 404);
  await other.body?.cancel();
});

Deno.test("llmAgwConfig gives configs agw loads, for each agw target", () => {
  for (const target of ["core", "passthrough", "translate"] as const) {
    loadConfig(llmAgwConfig(3100, 3200, target), {
      source: `${target}.yaml`,
      env: () => undefined,
    });
  }
});

Deno.test("readLlmSettings defaults to short runs of both phases and refuses unknown phases", () => {
  assert.deepEqual(readLlmSettings(envOf({})), {
    seconds: 6,
    phases: ["load", "stream"],
    cpuProfileDir: undefined,
  });
  assert.deepEqual(readLlmSettings(envOf({ BENCH_LLM_PHASES: "stream" })).phases, ["stream"]);
  assert.throws(() => readLlmSettings(envOf({ BENCH_LLM_PHASES: "soak" })), /unknown phase/);
  assert.throws(() => readLlmSettings(envOf({ BENCH_SECONDS: "0" })), /BENCH_SECONDS/);
});

Deno.test("rounds rotate the targets and split the seconds into 2 s rounds", () => {
  assert.deepEqual(rotated(["a", "b", "c"], 1), ["b", "c", "a"]);
  assert.equal(roundsFor(6), 3);
  assert.equal(roundsFor(1), 1);
});

Deno.test("wrkPostScript embeds the body as a long Lua string", () => {
  assert.match(wrkPostScript('{"a":1}'), /^wrk.method = "POST"\nwrk.body = \[\[\{"a":1\}\]\]/);
});

Deno.test("TokenCounter counts tokens split across reads", () => {
  const counter = new TokenCounter("tk_ ");
  const bytes = new TextEncoder().encode('data: {"c":"tk_ "}\n\ndata: {"c":"tk_ "}\n\n');
  assert.equal(counter.push(bytes.slice(0, 14)), 0);
  assert.equal(counter.push(bytes.slice(14)), 2);
  assert.equal(counter.tokens, 2);
});

Deno.test("percentile is nearest-rank and NaN for no samples", () => {
  assert.equal(percentile([5, 1, 4, 2, 3], 50), 3);
  assert.equal(percentile([1, 2, 3, 4], 99), 4);
  assert.ok(Number.isNaN(percentile([], 50)));
});

Deno.test("the /proc parsers read resident memory and CPU time", () => {
  assert.deepEqual(parseProcStatus("Name:\tdeno\nVmHWM:\t  204800 kB\nVmRSS:\t  102400 kB\n"), {
    rssMiB: 100,
    peakRssMiB: 200,
  });
  const stat = "42 (deno (main)) S 1 42 42 0 -1 4194560 100 0 0 0 250 50 0 0 20 0 9 0 100";
  assert.equal(parseProcStatCpuSeconds(stat), 3);
});
