/**
 * Bad input and limits: malformed JSON-RPC, unsupported protocol versions, batches where the
 * revision has none, a target that hangs (bounded by the route's timeout), DNS rebinding
 * protection, and the request metric.
 */
import assert from "node:assert/strict";
import { startGateway } from "../../support/gateway_harness.ts";
import { startMcpFixture } from "../../support/mcp_server.ts";

function config(url: string, policies = "", extra = ""): string {
  return `binds:
- port: 0
  listeners:
  - routes:
    - ${policies ? `policies:\n${policies}\n      ` : ""}backends:
      - mcp:
${extra}          targets:
          - name: ha
            mcp:
              host: ${url}
`;
}

const HEADERS = {
  accept: "application/json, text/event-stream",
  "content-type": "application/json",
};

async function post(
  base: string,
  body: string,
  headers: Record<string, string> = {},
): Promise<{ status: number; json: Record<string, unknown>; headers: Headers }> {
  const response = await fetch(`${base}/mcp`, {
    method: "POST",
    headers: { ...HEADERS, ...headers },
    body,
  });
  const text = await response.text();
  return { status: response.status, json: text ? JSON.parse(text) : {}, headers: response.headers };
}

async function session(base: string, version = "2025-11-25"): Promise<string> {
  const init = await post(
    base,
    JSON.stringify({
      jsonrpc: "2.0",
      id: 1,
      method: "initialize",
      params: {
        protocolVersion: version,
        capabilities: {},
        clientInfo: { name: "t", version: "1" },
      },
    }),
  );
  return init.headers.get("mcp-session-id")!;
}

Deno.test("mcp answers malformed JSON-RPC with parse and invalid-request errors", async () => {
  const upstream = await startMcpFixture("ha");
  const agw = await startGateway(config(upstream.url));
  try {
    const parse = await post(agw.url(), "{nope");
    assert.equal(parse.status, 400);
    assert.equal((parse.json.error as { code: number }).code, -32700);
    const invalid = await post(agw.url(), '{"id":1,"method":"tools/list"}');
    assert.equal(invalid.status, 400);
    assert.equal((invalid.json.error as { code: number }).code, -32600);
    const id = await session(agw.url());
    const unsupported = await post(agw.url(), '{"jsonrpc":"2.0","id":2,"method":"ping"}', {
      "mcp-session-id": id,
      "mcp-protocol-version": "1999-01-01",
    });
    assert.equal(unsupported.status, 400);
    const batch = await post(agw.url(), '[{"jsonrpc":"2.0","id":2,"method":"ping"}]', {
      "mcp-session-id": id,
      "mcp-protocol-version": "2025-11-25",
    });
    assert.equal(batch.status, 400);
    // Without a session id (a browser that cannot read it) the request gets a session of its own.
    const missing = await post(agw.url(), '{"jsonrpc":"2.0","id":2,"method":"ping"}');
    assert.equal(missing.status, 200);
    assert.deepEqual(missing.json.result, {});
    const unknownMethod = await post(agw.url(), '{"jsonrpc":"2.0","id":3,"method":"nope/nope"}', {
      "mcp-session-id": id,
    });
    assert.equal(unknownMethod.status, 200);
    assert.equal((unknownMethod.json.error as { code: number }).code, -32601);
  } finally {
    await agw.close();
    await upstream.close();
  }
});

Deno.test("mcp takes a JSON-RPC batch in a 2025-03-26 session", async () => {
  const upstream = await startMcpFixture("ha");
  const agw = await startGateway(config(upstream.url));
  try {
    const id = await session(agw.url(), "2025-03-26");
    const batch = await post(
      agw.url(),
      '[{"jsonrpc":"2.0","id":2,"method":"ping"},{"jsonrpc":"2.0","id":3,"method":"tools/list"}]',
      { "mcp-session-id": id },
    );
    assert.equal(batch.status, 200);
    const answers = batch.json as unknown as { id: number }[];
    assert.deepEqual(answers.map((a) => a.id).sort(), [2, 3]);
  } finally {
    await agw.close();
    await upstream.close();
  }
});

Deno.test("a target that hangs is bounded by the route's timeout and named in the error", async () => {
  const upstream = await startMcpFixture("ha");
  const agw = await startGateway(
    config(upstream.url, "        timeout:\n          requestTimeout: 500ms"),
  );
  try {
    const id = await session(agw.url());
    const call = await post(
      agw.url(),
      '{"jsonrpc":"2.0","id":9,"method":"tools/call","params":{"name":"wait","arguments":{}}}',
      { "mcp-session-id": id, "mcp-protocol-version": "2025-11-25" },
    );
    assert.equal(call.status, 200);
    const error = call.json.error as { code: number; message: string };
    assert.equal(error.code, -32001);
    assert.match(error.message, /target "ha": request timeout/);
  } finally {
    await agw.close();
    await upstream.close();
  }
});

Deno.test("dnsRebindingProtection refuses a foreign Origin with 403 and serves a local one", async () => {
  const upstream = await startMcpFixture("ha");
  const agw = await startGateway(
    config(upstream.url, "", "          dnsRebindingProtection: true\n"),
  );
  try {
    const body = '{"jsonrpc":"2.0","id":1,"method":"ping"}';
    const foreign = await fetch(`${agw.url()}/mcp`, {
      method: "POST",
      headers: { ...HEADERS, origin: "http://attacker.example" },
      body,
    });
    await foreign.body?.cancel();
    assert.equal(foreign.status, 403);
    const local = await session(agw.url());
    assert.ok(local);
  } finally {
    await agw.close();
    await upstream.close();
  }
});

Deno.test("agentgateway_mcp_requests_total counts requests by method, target and tool", async () => {
  const upstream = await startMcpFixture("ha");
  const agw = await startGateway(config(upstream.url));
  try {
    const id = await session(agw.url());
    await post(
      agw.url(),
      '{"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"echo","arguments":{"text":"m"}}}',
      { "mcp-session-id": id },
    );
    const text = agw.gateway.metrics.render();
    assert.match(
      text,
      /agentgateway_mcp_requests_total\{method="initialize",server="",tool=""\} 1/,
    );
    assert.match(
      text,
      /agentgateway_mcp_requests_total\{method="tools\/call",server="ha",tool="echo"\} 1/,
    );
  } finally {
    await agw.close();
    await upstream.close();
  }
});
