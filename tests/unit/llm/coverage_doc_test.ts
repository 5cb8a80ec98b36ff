/**
 * docs/llm.md's feature × format table is made from the golden files, so it cannot drift: each
 * request fixture is a feature, each provider format a column, and a cell says whether the
 * translation carries it (✓) or answers 400 naming the field. Answers and streams get a row per
 * fixture and client format. `deno task golden:update` (UPDATE_GOLDEN=1) rewrites the table.
 */
import assert from "node:assert/strict";

const root = new URL("../../fixtures/llm/", import.meta.url);
const doc = new URL("../../../docs/llm.md", import.meta.url);
const BEGIN = "<!-- coverage:begin (generated from tests/fixtures/llm by coverage_doc_test.ts) -->";
const END = "<!-- coverage:end -->";

function names(dir: URL): string[] {
  try {
    return [...Deno.readDirSync(dir)].filter((e) => e.isFile).map((e) => e.name).sort();
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return [];
    throw error;
  }
}

function cell(url: URL): string {
  let golden: { error?: { status: number; body: { param?: string } } };
  try {
    golden = JSON.parse(Deno.readTextFileSync(url));
  } catch {
    return "–";
  }
  if (golden && typeof golden === "object" && "error" in golden && golden.error) {
    const param = golden.error.body.param;
    return param ? `${golden.error.status} \`${param}\`` : String(golden.error.status);
  }
  return "✓";
}

/** One markdown table: rows are `<format>/<case>`, columns are the other side's formats. */
function table(kind: "requests" | "responses" | "streams", columns: string[]): string {
  const lines = [
    `| ${kind === "requests" ? "client request" : "provider answer"} | ${columns.join(" | ")} |`,
    `| --- | ${columns.map(() => "---").join(" | ")} |`,
  ];
  for (const format of formatsOf(kind)) {
    const dir = new URL(`${kind}/${format}/`, root);
    for (const file of names(dir).filter((name) => /^[^.]+\.json$/.test(name))) {
      const name = file.slice(0, -".json".length);
      const cells = columns.map((column) =>
        column === format ? "passthrough" : cell(new URL(`${name}.${column}.json`, dir))
      );
      lines.push(`| ${format}/${name} | ${cells.join(" | ")} |`);
    }
  }
  return lines.join("\n");
}

function formatsOf(kind: string): string[] {
  return [...Deno.readDirSync(new URL(`${kind}/`, root))].filter((e) => e.isDirectory)
    .map((e) => e.name).sort();
}

function generated(): string {
  const providers = ["completions", "messages", "gemini", "converse"];
  const clients = ["completions", "messages", "responses"];
  return [
    BEGIN,
    "",
    "Requests (client format → what agw sends each provider format):",
    "",
    table("requests", providers),
    "",
    "Buffered answers (provider format → what each client format gets):",
    "",
    table("responses", clients),
    "",
    "Streamed answers (provider format → the events each client format gets):",
    "",
    table("streams", clients),
    "",
    END,
  ].join("\n");
}

function normalize(text: string): string {
  return text.split("\n").map((line) =>
    line.startsWith("|")
      ? line.split("|").map((cell) => cell.trim().replace(/^-+$/, "---")).join("|")
      : line.trim()
  ).filter((line) => line !== "").join("\n");
}

Deno.test("docs/llm.md's coverage table matches the golden fixtures", () => {
  const text = Deno.readTextFileSync(doc);
  const start = text.indexOf(BEGIN);
  const end = text.indexOf(END);
  assert.ok(start >= 0 && end > start, "docs/llm.md lacks the coverage markers");
  const current = text.slice(start, end + END.length);
  const fresh = generated();
  if (Deno.env.get("UPDATE_GOLDEN") === "1") {
    Deno.writeTextFileSync(doc, text.slice(0, start) + fresh + text.slice(end + END.length));
    return;
  }
  // deno fmt pads the table: compare cells, not spacing.
  assert.equal(
    normalize(current),
    normalize(fresh),
    "run deno task golden:update and review docs/llm.md",
  );
});
