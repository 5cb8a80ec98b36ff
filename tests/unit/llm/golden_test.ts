/**
 * Golden tests for every client-format × provider-format pair (STYLE.md §8.8):
 *
 * - `fixtures/llm/requests/<client>/<case>.json`: a client request; `<case>.<provider>.json` is
 *   the body agw sends that provider (or `{"error": {status, body}}` when agw answers 400).
 * - `fixtures/llm/responses/<provider>/<case>.json`: a provider's buffered answer;
 *   `<case>.<client>.json` is what the client gets.
 * - `fixtures/llm/streams/<provider>/<case>.json`: `{frames, includeUsage?, cut?}`, the frames a
 *   provider streams; `<case>.<client>.json` is the SSE events the client gets (`cut`: the stream
 *   broke off after the frames, and the client must see an error event).
 *
 * Same-format pairs are passthrough and never translated, so they have no golden file.
 * `deno task golden:update` (UPDATE_GOLDEN=1) rewrites the expected files; review the diff.
 * @module
 */
import assert from "node:assert/strict";
import { CLIENT_FORMATS, PROVIDER_FORMATS, type SseEvent } from "../../../src/llm/formats/mod.ts";
import type { IrRequest, StreamEvent } from "../../../src/llm/ir.ts";
import { LlmError } from "../../../src/llm/ir.ts";

const root = new URL("../../fixtures/llm/", import.meta.url);
const update = Deno.env.get("UPDATE_GOLDEN") === "1";
/** A fixed clock, so `created` fields are stable. */
const NOW_SECONDS = 1767225600;

function cases(dir: URL): string[] {
  try {
    return [...Deno.readDirSync(dir)]
      .filter((entry) => entry.isFile && /^[^.]+\.json$/.test(entry.name))
      .map((entry) => entry.name.slice(0, -".json".length))
      .sort();
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return [];
    throw error;
  }
}

function readJson(url: URL): unknown {
  return JSON.parse(Deno.readTextFileSync(url));
}

function checkGolden(url: URL, actual: unknown): void {
  const text = JSON.stringify(actual, null, 2) + "\n";
  if (update) {
    Deno.writeTextFileSync(url, text);
    return;
  }
  let expected: string;
  try {
    expected = Deno.readTextFileSync(url);
  } catch {
    assert.fail(`missing golden ${url.pathname}: run deno task golden:update and review it`);
  }
  assert.deepEqual(JSON.parse(text), JSON.parse(expected), url.pathname);
}

function errorOutcome(error: unknown): unknown {
  if (error instanceof LlmError) return { error: { status: error.status, body: error.body } };
  throw error;
}

const streamingRequest = (includeUsage: boolean): IrRequest => ({
  model: "fixture-model",
  messages: [{ role: "user", content: [{ type: "text", text: "Hi" }] }],
  stream: true,
  includeUsage,
});

for (const [clientName, client] of CLIENT_FORMATS) {
  const dir = new URL(`requests/${clientName}/`, root);
  for (const name of cases(dir)) {
    Deno.test(`golden request ${clientName}/${name} translates to every provider format`, () => {
      const input = readJson(new URL(`${name}.json`, dir));
      for (const [providerName, provider] of PROVIDER_FORMATS) {
        if (providerName === clientName) continue;
        let outcome: unknown;
        try {
          outcome = provider.encodeRequest(client.decodeRequest(structuredClone(input)));
        } catch (error) {
          outcome = errorOutcome(error);
        }
        checkGolden(new URL(`${name}.${providerName}.json`, dir), outcome);
      }
    });
  }
}

for (const [providerName, provider] of PROVIDER_FORMATS) {
  const responseDir = new URL(`responses/${providerName}/`, root);
  for (const name of cases(responseDir)) {
    Deno.test(`golden response ${providerName}/${name} reaches every client format`, () => {
      const input = readJson(new URL(`${name}.json`, responseDir));
      for (const [clientName, client] of CLIENT_FORMATS) {
        if (clientName === providerName) continue;
        let outcome: unknown;
        try {
          const response = provider.decodeResponse(structuredClone(input));
          outcome = client.encodeResponse(response, {
            model: response.model,
            request: { ...streamingRequest(false), stream: false },
            nowSeconds: NOW_SECONDS,
          });
        } catch (error) {
          outcome = errorOutcome(error);
        }
        checkGolden(new URL(`${name}.${clientName}.json`, responseDir), outcome);
      }
    });
  }

  const streamDir = new URL(`streams/${providerName}/`, root);
  for (const name of cases(streamDir)) {
    Deno.test(`golden stream ${providerName}/${name} reaches every client format`, () => {
      const input = readJson(new URL(`${name}.json`, streamDir)) as {
        frames: Parameters<ReturnType<typeof provider.createStreamDecoder>["push"]>[0][];
        includeUsage?: boolean;
        cut?: boolean;
      };
      for (const [clientName, client] of CLIENT_FORMATS) {
        if (clientName === providerName) continue;
        const decoder = provider.createStreamDecoder();
        const events: StreamEvent[] = [];
        for (const frame of input.frames) events.push(...decoder.push(frame));
        if (!input.cut) events.push(...decoder.end());
        const encoder = client.createStreamEncoder({
          model: "fixture-model",
          request: streamingRequest(input.includeUsage ?? false),
          nowSeconds: NOW_SECONDS,
        });
        const out: SseEvent[] = [];
        for (const event of events) out.push(...encoder.encode(event));
        out.push(
          ...encoder.end(
            input.cut
              ? { kind: "api", message: "upstream stream ended before the answer was complete" }
              : undefined,
          ),
        );
        checkGolden(new URL(`${name}.${clientName}.json`, streamDir), out);
      }
    });
  }
}
