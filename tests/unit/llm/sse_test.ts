import assert from "node:assert/strict";
import { formatSse, SseReader } from "../../../src/llm/sse.ts";

const bytes = (text: string) => new TextEncoder().encode(text);

Deno.test("SseReader returns the events each read completes, an event cut between reads included", () => {
  const sse = new SseReader();
  assert.deepEqual(sse.push(bytes('event: message_start\ndata: {"a"')), []);
  assert.deepEqual(sse.push(bytes(":1}\n\ndata: two\n\ndata: thr")), [
    { event: "message_start", data: '{"a":1}' },
    { data: "two" },
  ]);
  assert.deepEqual(sse.push(bytes("ee\r\n\r\n")), [{ data: "three" }]);
});

Deno.test("SseReader drops the default event type and joins multi-line data", () => {
  const sse = new SseReader();
  assert.deepEqual(sse.push(bytes("event: message\ndata: a\ndata: b\n\n")), [{ data: "a\nb" }]);
});

Deno.test("SseReader decodes a UTF-8 character split between reads", () => {
  const sse = new SseReader();
  const all = bytes("data: é\n\n");
  assert.deepEqual(sse.push(all.slice(0, 7)), []);
  assert.deepEqual(sse.push(all.slice(7)), [{ data: "é" }]);
});

Deno.test("SseReader throws on a line that is not SSE framing", () => {
  const sse = new SseReader();
  assert.throws(() => sse.push(bytes("<html>oops</html>\n\n")));
});

Deno.test("formatSse writes what SseReader reads back", () => {
  const events = [{ event: "ping", data: "{}" }, { data: "line 1\nline 2" }];
  assert.deepEqual(new SseReader().push(bytes(formatSse(events))), events);
});
