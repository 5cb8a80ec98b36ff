import assert from "node:assert/strict";
import { Logger } from "../../../src/telemetry/mod.ts";

function capture(options: Parameters<Logger["configure"]>[0] = {}) {
  const logger = new Logger();
  const lines: string[] = [];
  logger.setSink({ write: (text) => lines.push(text) });
  logger.configure(options);
  return { logger, lines };
}

Deno.test("Logger writes time, level, message and key=value fields on one text line", () => {
  const { logger, lines } = capture();
  logger.info("listening", { bind: "bind/80", port: 80, tls: false, skipped: undefined });
  assert.equal(lines.length, 1);
  assert.match(
    lines[0]!,
    /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z\tinfo\tlistening bind=bind\/80 port=80 tls=false\n$/,
  );
});

Deno.test("Logger quotes a text value that has spaces, quotes or an equals sign", () => {
  const { logger, lines } = capture();
  logger.warn("x", { a: "two words", b: 'say "hi"', c: "k=v", d: "", e: "plain" });
  assert.ok(
    lines[0]!.endsWith(` a="two words" b="say \\"hi\\"" c="k=v" d="" e=plain\n`),
    String(lines[0]),
  );
});

Deno.test("Logger keeps an event on one line when its message or a field has line breaks", () => {
  const { logger, lines } = capture();
  logger.error("first\nsecond", { error: "a\nb" });
  assert.equal(lines.length, 1);
  assert.equal(lines[0]!.split("\n").length, 2, "one newline, at the end");
  assert.match(lines[0]!, /\terror\tfirst\\nsecond error="a\\nb"\n$/);
});

Deno.test("Logger drops lines below the configured level, and reads a per-target level list", () => {
  const { logger, lines } = capture({ level: "warn" });
  logger.info("hidden");
  logger.debug("hidden");
  logger.warn("shown");
  logger.error("shown");
  assert.equal(lines.length, 2);
  assert.equal(logger.isEnabled("info"), false);
  logger.configure({ level: ["rmcp=trace", "debug"] });
  assert.equal(logger.isEnabled("debug"), true);
  assert.equal(logger.isEnabled("trace"), false);
  logger.configure({ level: "nonsense" });
  assert.equal(logger.isEnabled("info"), true);
  assert.equal(logger.isEnabled("debug"), false);
});

Deno.test("Logger in JSON format writes one parseable object per line without undefined fields", () => {
  const { logger, lines } = capture({ format: "json" });
  logger.info("request", { "http.status": 200, "http.path": "/a b", error: undefined });
  logger.error("multi\nline");
  const records = lines.map((line) => {
    assert.ok(line.endsWith("\n") && line.indexOf("\n") === line.length - 1);
    return JSON.parse(line);
  });
  assert.deepEqual(Object.keys(records[0]), [
    "time",
    "level",
    "message",
    "http.status",
    "http.path",
  ]);
  assert.equal(records[0]["http.status"], 200);
  assert.equal(records[1].message, "multi\nline");
});
