import { isMap, isSeq, LineCounter, parseDocument } from "yaml";
import type { Document, Node, YAMLError } from "yaml";
import { ConfigError } from "./errors.ts";

/** Parsed config data plus a way to find where a path came from in the text. */
export interface ParsedText {
  data: unknown;
  /** 1-based line and column of the node at `path`, or of its closest existing ancestor. */
  locate(path: readonly PropertyKey[]): { line: number; column: number } | undefined;
}

/** Parses YAML or JSON (JSON is YAML 1.2) keeping node positions for error messages. */
export function parseText(text: string, source: string): ParsedText {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new ConfigError(
      source,
      // Only the first: after a syntax error the parser's later complaints are consequences.
      doc.errors.slice(0, 1).map((error) => {
        const pos = lineCounter.linePos(error.pos[0]);
        return {
          path: "",
          message: `Cannot parse YAML: ${yamlMessage(error, text)}`,
          ...lineCol(pos),
        };
      }),
    );
  }
  return {
    data: doc.toJS({ maxAliasCount: 1000 }),
    locate(path) {
      const offset = findOffset(doc, path);
      return offset === undefined ? undefined : lineCol(lineCounter.linePos(offset));
    },
  };
}

function lineCol(pos: { line: number; col: number }) {
  return { line: pos.line, column: pos.col };
}

/** The parser's message without the excerpt and position it appends (ours lead the line). */
function yamlMessage(error: YAMLError, text: string): string {
  if (error.code === "DUPLICATE_KEY") {
    const key = /^[^:\n,{}]*/.exec(text.slice(error.pos[0]))?.[0].trim() ?? "";
    return key === ""
      ? "duplicate key"
      : `duplicate key ${JSON.stringify(key.replace(/^["']|["']$/g, ""))}`;
  }
  if (error.code === "MULTIPLE_DOCS") return "expected one document, found a second after ---";
  const first = error.message.split("\n")[0] ?? error.message;
  return first.replace(/ at line \d+, column \d+:?$/, "");
}

function findOffset(doc: Document, path: readonly PropertyKey[]): number | undefined {
  let node: unknown = doc.contents;
  let offset = rangeStart(node);
  for (const segment of path) {
    if (isMap(node)) {
      const pair = node.items.find((item) => keyText(item.key) === String(segment));
      if (!pair) break;
      offset = rangeStart(pair.key) ?? offset;
      node = pair.value;
    } else if (isSeq(node) && typeof segment === "number") {
      node = node.items[segment];
      if (node === undefined) break;
      offset = rangeStart(node) ?? offset;
    } else break;
  }
  return offset;
}

function keyText(key: unknown): string | undefined {
  if (key && typeof key === "object" && "value" in key) {
    return String((key as { value: unknown }).value);
  }
  return key === undefined || key === null ? undefined : String(key);
}

function rangeStart(node: unknown): number | undefined {
  const range = (node as Node | undefined)?.range;
  return range ? range[0] : undefined;
}
