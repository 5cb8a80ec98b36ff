/**
 * Responses `tools`, `tool_choice` and `text.format` → IR. Only function tools translate: the
 * built-in tools (web_search, file_search, code_interpreter, computer_use, mcp,
 * image_generation, shell, …) run inside OpenAI, so they are a 400 naming the tool.
 * (https://platform.openai.com/docs/api-reference/responses/create#responses-create-tools)
 * @module
 */
import {
  invalidRequest,
  type IrRequest,
  type ResponseFormat,
  type Tool,
  type ToolChoice,
} from "../ir.ts";
import { isJsonObject, JsonFields } from "./responses_fields.ts";

const FUNCTION_TOOL_KEYS = new Set([
  "type",
  "name",
  "description",
  "parameters",
  "strict",
  "allowed_callers",
  "async",
  "defer_loading",
  "output_schema",
]);

/** Decodes `tools`; undefined when the request has none. */
export function decodeTools(fields: JsonFields): Tool[] | undefined {
  const list = fields.optionalArray("tools");
  if (list === undefined) return undefined;
  return list.map((entry, index) =>
    decodeFunctionTool(new JsonFields(entry, `${fields.pathOf("tools")}[${index}]`))
  );
}

function decodeFunctionTool(tool: JsonFields): Tool {
  const type = tool.string("type");
  if (type !== "function") {
    throw tool.fail(
      "type",
      `"${type}" is a built-in OpenAI tool, which cannot be translated to another provider ` +
        "(only function tools can)",
    );
  }
  tool.rejectUnknown(FUNCTION_TOOL_KEYS);
  rejectToolExtensions(tool);
  const parameters = tool.raw("parameters");
  if (parameters !== undefined && parameters !== null && !isJsonObject(parameters)) {
    throw tool.fail("parameters", "must be a JSON Schema object");
  }
  const decoded: Tool = {
    name: tool.string("name"),
    // A function without parameters takes an empty object (OpenAI's reading of `null`).
    parameters: parameters ?? { type: "object", properties: {} },
  };
  const description = tool.optionalString("description");
  if (description !== undefined) decoded.description = description;
  const strict = tool.optionalBoolean("strict");
  if (strict !== undefined) decoded.strict = strict;
  return decoded;
}

/** OpenAI-only function tool options: each changes what the model sees or may do. */
function rejectToolExtensions(tool: JsonFields): void {
  const callers = tool.optionalArray("allowed_callers");
  if (callers !== undefined && callers.some((caller) => caller !== "direct")) {
    throw tool.fail("allowed_callers", "(programmatic tool calling) cannot be translated");
  }
  if (tool.optionalBoolean("async") === true) {
    throw tool.fail("async", "(asynchronous function tools) cannot be translated");
  }
  if (tool.optionalBoolean("defer_loading") === true) {
    throw tool.fail("defer_loading", "(tool search) cannot be translated");
  }
  if (tool.has("output_schema")) {
    throw tool.fail("output_schema", "cannot be translated to another provider");
  }
}

/**
 * Decodes `tool_choice`. `allowed_tools` narrows the tools the model may call this turn; the IR
 * says the same by keeping only those tools, with `auto` or `required` as the choice.
 */
export function decodeToolChoice(fields: JsonFields, request: IrRequest): ToolChoice | undefined {
  const raw = fields.raw("tool_choice");
  if (raw === undefined || raw === null) return undefined;
  if (typeof raw === "string") {
    const choice = fields.optionalEnum("tool_choice", ["auto", "none", "required"]);
    return choice;
  }
  const choice = fields.object("tool_choice");
  const type = choice.string("type");
  if (type === "function") {
    choice.rejectUnknown(new Set(["type", "name"]));
    const name = choice.string("name");
    requireTool(request, name, choice.pathOf("name"));
    return { name };
  }
  if (type === "allowed_tools") {
    choice.rejectUnknown(new Set(["type", "mode", "tools"]));
    const mode = choice.optionalEnum("mode", ["auto", "required"]) ?? "auto";
    const allowed = (choice.optionalArray("tools") ?? []).map((entry, index) => {
      const tool = new JsonFields(entry, `${choice.pathOf("tools")}[${index}]`);
      const toolType = tool.string("type");
      if (toolType !== "function") {
        throw tool.fail("type", `"${toolType}" cannot be translated (only function tools can)`);
      }
      tool.rejectUnknown(new Set(["type", "name"]));
      const name = tool.string("name");
      requireTool(request, name, tool.pathOf("name"));
      return name;
    });
    request.tools = (request.tools ?? []).filter((tool) => allowed.includes(tool.name));
    return mode;
  }
  throw choice.fail(
    "type",
    `"${type}" names a built-in OpenAI tool, which cannot be translated to another provider`,
  );
}

function requireTool(request: IrRequest, name: string, path: string): void {
  if (!request.tools?.some((tool) => tool.name === name)) {
    throw invalidRequest(path, `${path} "${name}" is not one of the request's tools`);
  }
}

/** Decodes `text.format` (flat in Responses: name and schema sit beside `type`). */
export function decodeTextFormat(text: JsonFields): ResponseFormat | undefined {
  const format = text.optionalObject("format");
  if (format === undefined) return undefined;
  const type = format.string("type");
  switch (type) {
    case "text":
    case "json_object":
      format.rejectUnknown(new Set(["type"]));
      return { type };
    case "json_schema": {
      format.rejectUnknown(new Set(["type", "name", "schema", "strict", "description"]));
      const schema = format.raw("schema");
      if (!isJsonObject(schema)) throw format.fail("schema", "must be a JSON Schema object");
      const decoded: ResponseFormat = { type, name: format.string("name"), schema };
      const strict = format.optionalBoolean("strict");
      if (strict !== undefined) decoded.strict = strict;
      const description = format.optionalString("description");
      if (description !== undefined) decoded.description = description;
      return decoded;
    }
    default:
      throw format.fail("type", `"${type}" is not a text format agw knows`);
  }
}
