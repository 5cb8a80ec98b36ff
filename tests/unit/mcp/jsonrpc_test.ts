import assert from "node:assert/strict";
import { checkMessage, idKey } from "../../../src/mcp/jsonrpc.ts";
import { negotiateRevision, revisionFromHeader } from "../../../src/mcp/protocol.ts";

Deno.test("checkMessage accepts requests, notifications and responses", () => {
  for (
    const value of [
      { jsonrpc: "2.0", id: 1, method: "ping" },
      { jsonrpc: "2.0", method: "notifications/initialized" },
      { jsonrpc: "2.0", id: "x", result: {} },
      { jsonrpc: "2.0", id: 2, error: { code: -1, message: "no" } },
    ]
  ) assert.equal(checkMessage(value).ok, true, JSON.stringify(value));
});

Deno.test("checkMessage rejects what is not JSON-RPC 2.0", () => {
  for (
    const value of [
      null,
      [],
      "x",
      { id: 1, method: "ping" },
      { jsonrpc: "2.0", id: null, method: "ping" },
      { jsonrpc: "2.0", id: {}, method: "ping" },
      { jsonrpc: "2.0", method: 3 },
      { jsonrpc: "2.0", id: 1, method: "x", params: "no" },
      { jsonrpc: "2.0", id: 1 },
    ]
  ) assert.equal(checkMessage(value).ok, false, JSON.stringify(value));
});

Deno.test("idKey keeps numeric and string ids apart", () => {
  assert.notEqual(idKey(1), idKey("1"));
});

Deno.test("negotiateRevision keeps a supported version and offers the latest otherwise", () => {
  assert.equal(negotiateRevision("2025-03-26").version, "2025-03-26");
  assert.equal(negotiateRevision("1999-01-01").version, "2025-11-25");
  assert.equal(negotiateRevision(undefined).version, "2025-11-25");
});

Deno.test("revisionFromHeader assumes 2025-03-26 without a header and refuses unknown ones", () => {
  assert.equal(revisionFromHeader(null, undefined)?.version, "2025-03-26");
  assert.equal(revisionFromHeader("2025-06-18", undefined)?.version, "2025-06-18");
  assert.equal(revisionFromHeader("2099-01-01", undefined), undefined);
});
