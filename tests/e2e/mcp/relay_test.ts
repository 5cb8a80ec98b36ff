/**
 * What flows besides request and response: progress and logging notifications, the GET stream,
 * sampling and elicitation requests relayed to the client and answered back, cancellation, and
 * pagination followed across targets.
 */
import assert from "node:assert/strict";
// @ts-types="@modelcontextprotocol/sdk/types"
import {
  CreateMessageRequestSchema,
  ElicitRequestSchema,
  LoggingMessageNotificationSchema,
} from "@modelcontextprotocol/sdk/types.js";
import { ANSWERING, connectStreamable, namesOf } from "../../support/mcp_client.ts";
import { startGateway } from "../../support/gateway_harness.ts";
import { type FixtureOptions, startMcpFixture } from "../../support/mcp_server.ts";

function config(targets: [string, string][], extra = ""): string {
  return `binds:
- port: 0
  listeners:
  - routes:
    - backends:
      - mcp:
${extra}          targets:
${
    targets.map(([n, u]) => `          - name: ${n}\n            mcp:\n              host: ${u}\n`)
      .join("")
  }`;
}

async function withAgw(
  labels: string[],
  run: (url: string) => Promise<void>,
  options: FixtureOptions = {},
): Promise<void> {
  const fixtures = await Promise.all(labels.map((label) => startMcpFixture(label, options)));
  const agw = await startGateway(config(labels.map((l, i) => [l, fixtures[i]!.url])));
  try {
    await run(`${agw.url()}/mcp`);
  } finally {
    await agw.close();
    await Promise.all(fixtures.map((f) => f.close()));
  }
}

Deno.test("mcp relays a target's progress notifications to the caller", async () => {
  await withAgw(["one"], async (url) => {
    const { client } = await connectStreamable(url);
    const seen: number[] = [];
    const result = await client.callTool({ name: "progress", arguments: {} }, undefined, {
      onprogress: (progress: { progress: number }) => seen.push(progress.progress),
    });
    assert.deepEqual(result.content, [{ type: "text", text: "done" }]);
    assert.deepEqual(seen, [1, 2]);
    await client.close();
  });
});

Deno.test("mcp relays logging on the request's stream and on the GET stream", async () => {
  await withAgw(["a", "b"], async (url) => {
    const { client } = await connectStreamable(url);
    const logged: string[] = [];
    const { promise: announced, resolve } = Promise.withResolvers<void>();
    client.setNotificationHandler(
      LoggingMessageNotificationSchema,
      (n: { params: { data: unknown } }) => {
        logged.push(String(n.params.data));
        if (String(n.params.data).includes("announces")) resolve();
      },
    );
    await client.callTool({ name: "a_log", arguments: {} });
    assert.deepEqual(logged, ["a logged"]);
    // `announce` logs outside the request: it reaches the client on its GET stream.
    await client.callTool({ name: "b_announce", arguments: {} });
    await announced;
    assert.ok(logged.includes("b announces"));
    await client.close();
  });
});

Deno.test("mcp relays sampling and elicitation to the client and routes the answers back", async () => {
  await withAgw(["a", "b"], async (url) => {
    const { client } = await connectStreamable(url, ANSWERING);
    client.setRequestHandler(
      CreateMessageRequestSchema,
      (request) => {
        const content = request.params.messages[0]?.content;
        const said = content && "text" in content ? content.text : "";
        return {
          role: "assistant" as const,
          model: "test-model",
          content: { type: "text" as const, text: `answer to ${said}` },
        };
      },
    );
    client.setRequestHandler(ElicitRequestSchema, () => ({
      action: "accept",
      content: { name: "Ada" },
    }));
    const sampled = await client.callTool({ name: "b_sample", arguments: { prompt: "hi" } });
    assert.deepEqual(sampled.content, [{ type: "text", text: "sampled: answer to hi" }]);
    const elicited = await client.callTool({ name: "a_elicit", arguments: {} });
    assert.deepEqual(elicited.content, [
      { type: "text", text: 'elicited: accept {"name":"Ada"}' },
    ]);
    await client.close();
  });
});

Deno.test("mcp passes a client's cancellation to the target running the request", async () => {
  const fixture = await startMcpFixture("one");
  const agw = await startGateway(config([["one", fixture.url]]));
  try {
    const { client } = await connectStreamable(`${agw.url()}/mcp`);
    const abort = new AbortController();
    const call = client.callTool({ name: "wait", arguments: {} }, undefined, {
      signal: abort.signal,
    });
    await fixture.waitForMessage((m) => (m.params as { name?: string })?.name === "wait");
    const callId = fixture.messages.find((m) =>
      (m.params as { name?: string })?.name === "wait"
    )!.id;
    abort.abort("changed my mind");
    await assert.rejects(call);
    await fixture.waitForMessage((m) =>
      m.method === "notifications/cancelled" &&
      (m.params as { requestId?: unknown }).requestId === callId
    );
    await client.close();
  } finally {
    await agw.close();
    await fixture.close();
  }
});

Deno.test("mcp follows every target's pagination and returns one merged page", async () => {
  await withAgw(["a", "b"], async (url) => {
    const { client } = await connectStreamable(url);
    const listed = await client.listTools();
    assert.equal(listed.nextCursor, undefined);
    assert.equal(listed.tools.length, 14);
    assert.ok(namesOf(listed.tools).includes("a_wait"));
    assert.ok(namesOf(listed.tools).includes("b_echo"));
    await client.close();
  }, { pageSize: 2 });
});

Deno.test("mcp routes prompts, resources and templates to their owner by prefix", async () => {
  await withAgw(["a", "b"], async (url) => {
    const { client } = await connectStreamable(url);
    assert.deepEqual(namesOf((await client.listPrompts()).prompts), ["a_greet", "b_greet"]);
    const prompt = await client.getPrompt({ name: "b_greet", arguments: { name: "Ada" } });
    assert.deepEqual(prompt.messages[0]?.content, { type: "text", text: "Hello Ada from b" });
    const resources = (await client.listResources()).resources.map((r: { uri: string }) => r.uri)
      .sort();
    assert.deepEqual(resources, ["a+mem://a/note", "b+mem://b/note"]);
    const read = await client.readResource({ uri: "a+mem://a/note" });
    assert.deepEqual(read.contents, [{ uri: "a+mem://a/note", text: "note of a" }]);
    const templates = (await client.listResourceTemplates()).resourceTemplates.map((
      t: { uriTemplate: string },
    ) => t.uriTemplate).sort();
    assert.deepEqual(templates, ["a+mem://a/item/{id}", "b+mem://b/item/{id}"]);
    const item = await client.readResource({ uri: "b+mem://b/item/7" });
    assert.deepEqual(item.contents, [{ uri: "b+mem://b/item/7", text: "item 7 of b" }]);
    await assert.rejects(
      client.readResource({ uri: "c+mem://x" }),
      /Resource c\+mem:\/\/x not found/,
    );
    await client.close();
  });
});

Deno.test("prefixMode never exposes names as they are and routes by looking them up", async () => {
  const a = await startMcpFixture("a");
  const b = await startMcpFixture("b");
  const agw = await startGateway(
    config([["a", a.url], ["b", b.url]], "          prefixMode: never\n"),
  );
  try {
    // A call before any list: agw lists to find the owner.
    const { client } = await connectStreamable(`${agw.url()}/mcp`);
    const fromB = await client.callTool({ name: "b_only", arguments: {} });
    assert.deepEqual(fromB.content, [{ type: "text", text: "b" }]);
    const names = namesOf((await client.listTools()).tools);
    assert.ok(names.includes("a_only") && names.includes("b_only") && names.includes("echo"));
    const fromA = await client.callTool({ name: "a_only", arguments: {} });
    assert.deepEqual(fromA.content, [{ type: "text", text: "a" }]);
    await client.close();
  } finally {
    await agw.close();
    await a.close();
    await b.close();
  }
});
