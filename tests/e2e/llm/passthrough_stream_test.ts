/**
 * A passed-through stream whose provider sends what SSE allows but agw does not forward as is:
 * comments, fields a client must ignore, a length header. The client gets every event and a
 * body whose framing matches what agw actually sent.
 */
import assert from "node:assert/strict";
import { startUpstream } from "../../support/fake_upstream.ts";
import { startGateway } from "../../support/gateway_harness.ts";

const chunk = (content: string) =>
  JSON.stringify({
    id: "c1",
    object: "chat.completion.chunk",
    created: 1,
    model: "m",
    choices: [{ index: 0, delta: { content }, finish_reason: null }],
  });

Deno.test("a passthrough stream with comments and unknown fields reaches the client whole", async () => {
  // A string body: Deno.serve sends a content-length for exactly these bytes.
  const body = `: keepalive\n\ndata:${chunk("Hel")}\n\nfoo: bar\nretry: soon\n\ndata: ${
    chunk("lo")
  }\n\ndata: [DONE]\n\n`;
  const upstream = await startUpstream(() =>
    new Response(body, { headers: { "content-type": "text/event-stream" } })
  );
  const gw = await startGateway(`binds:
- port: 0
  listeners:
  - routes:
    - backends:
      - ai:
          name: compat
          hostOverride: ${upstream.address}
          provider:
            openAI: {}
`);
  try {
    const response = await fetch(`${gw.url()}/v1/chat/completions`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        model: "m",
        stream: true,
        messages: [{ role: "user", content: "x" }],
      }),
    });
    assert.equal(response.status, 200);
    const length = response.headers.get("content-length");
    const text = await response.text();
    if (length !== null) assert.equal(Number(length), new TextEncoder().encode(text).length);
    const contents = text.split("\n").filter((line) => line.startsWith("data: {"))
      .map((line) => JSON.parse(line.slice(6)).choices[0].delta.content);
    assert.deepEqual(contents, ["Hel", "lo"]);
    assert.match(text, /data: \[DONE\]\n\n$/);
    assert.ok(!gw.logs.some((line) => line.includes("gen_ai.error")), gw.logs.join("\n"));
  } finally {
    await gw.close();
    await upstream.close();
  }
});
