/**
 * Sessions in the id itself: encrypted under `config.session.key` and resumed by a second
 * instance with the same key; a tampered, ended or unknown session is 404, never a crash.
 */
import assert from "node:assert/strict";
import { startGateway } from "../../support/gateway_harness.ts";
import { startMcpFixture } from "../../support/mcp_server.ts";

const KEY = "6b1c0f2a9e4d8b7c3a5f1e0d2c4b6a8f9e7d5c3b1a0f2e4d6c8b0a1f3e5d7c9b";

function config(url: string, key?: string): string {
  const session = key ? `  session:\n    key: ${key}\n` : "";
  return `config:
  adminAddr: "off"
  statsAddr: "off"
  readinessAddr: "off"
${session}binds:
- port: 0
  listeners:
  - routes:
    - backends:
      - mcp:
          targets:
          - name: ha
            mcp:
              host: ${url}
`;
}

const HEADERS = {
  accept: "application/json, text/event-stream",
  "content-type": "application/json",
};

async function initialize(base: string): Promise<string> {
  const response = await fetch(`${base}/mcp`, {
    method: "POST",
    headers: HEADERS,
    body: JSON.stringify({
      jsonrpc: "2.0",
      id: 1,
      method: "initialize",
      params: {
        protocolVersion: "2025-11-25",
        capabilities: {},
        clientInfo: { name: "t", version: "1" },
      },
    }),
  });
  const body = await response.json() as { result: { protocolVersion: string } };
  assert.equal(body.result.protocolVersion, "2025-11-25");
  const id = response.headers.get("mcp-session-id");
  assert.ok(id);
  return id;
}

function listTools(base: string, session: string): Promise<Response> {
  return fetch(`${base}/mcp`, {
    method: "POST",
    headers: { ...HEADERS, "mcp-session-id": session, "mcp-protocol-version": "2025-11-25" },
    body: '{"jsonrpc":"2.0","id":2,"method":"tools/list"}',
  });
}

Deno.test("session ids are encrypted under config.session.key; a second instance with the key resumes", async () => {
  const upstream = await startMcpFixture("ha");
  const first = await startGateway(config(upstream.url, KEY));
  const second = await startGateway(config(upstream.url, KEY));
  try {
    const session = await initialize(first.url());
    const resumed = await listTools(second.url(), session);
    assert.equal(resumed.status, 200);
    const upstreamSession = upstream.requests.find((r) => r.headers["mcp-session-id"])
      ?.headers["mcp-session-id"];
    assert.ok(typeof upstreamSession === "string", "the second instance used the upstream session");
    const decoded = atob(session.replace(/-/g, "+").replace(/_/g, "/"));
    assert.ok(!decoded.includes(upstreamSession), "the upstream session id is not readable");
    const body = await resumed.json() as { result: { tools: unknown[] } };
    assert.ok(body.result.tools.length > 0);
  } finally {
    await first.close();
    await second.close();
    await upstream.close();
  }
});

Deno.test("a session id tampered with under config.session.key is 404", async () => {
  const upstream = await startMcpFixture("ha");
  const agw = await startGateway(config(upstream.url, KEY));
  try {
    const session = await initialize(agw.url());
    const at = Math.floor(session.length / 2);
    const tampered = session.slice(0, at) + (session[at] === "A" ? "B" : "A") +
      session.slice(at + 1);
    const response = await listTools(agw.url(), tampered);
    await response.body?.cancel();
    assert.equal(response.status, 404);
    // Another key, same format: also not ours.
    const other = await startGateway(config(upstream.url, KEY.replace(/a/g, "0")));
    try {
      const foreign = await listTools(other.url(), session);
      await foreign.body?.cancel();
      assert.equal(foreign.status, 404);
    } finally {
      await other.close();
    }
  } finally {
    await agw.close();
    await upstream.close();
  }
});

Deno.test("an ended session is 404, and so is one its upstream no longer knows", async () => {
  const upstream = await startMcpFixture("ha");
  const agw = await startGateway(config(upstream.url));
  try {
    const session = await initialize(agw.url());
    const ended = await fetch(`${agw.url()}/mcp`, {
      method: "DELETE",
      headers: { ...HEADERS, "mcp-session-id": session },
    });
    await ended.body?.cancel();
    assert.equal(ended.status, 202);
    const after = await listTools(agw.url(), session);
    await after.body?.cancel();
    assert.equal(after.status, 404);
    // A well-formed id naming an upstream session that does not exist.
    const forged = btoa(JSON.stringify({
      v: 1,
      pv: "2025-11-25",
      c: {},
      t: [{ n: "ha", s: "no-such-session", pv: "2025-11-25" }],
      r: "x",
    })).replace(/=+$/, "").replace(/\+/g, "-").replace(/\//g, "_");
    const unknown = await listTools(agw.url(), forged);
    await unknown.body?.cancel();
    assert.equal(unknown.status, 404);
  } finally {
    await agw.close();
    await upstream.close();
  }
});
