/**
 * Responses `input` → IR messages. Items follow the API reference's input item list
 * (https://platform.openai.com/docs/api-reference/responses/create#responses-create-input):
 * messages (roles user, assistant, system, developer), `function_call`, `function_call_output`
 * and `reasoning` items carry over; built-in tool items and `item_reference` are a 400, since
 * agw neither runs OpenAI's tools nor stores items. Consecutive assistant-side items (reasoning,
 * text, function calls of one turn) become one assistant message, and consecutive
 * `function_call_output` items one tool message, which is how the other formats group a turn.
 * @module
 */
import {
  type ContentPart,
  invalidRequest,
  type Message,
  type ReasoningPart,
  type ToolResultPart,
} from "../ir.ts";
import { decodeContentPart, type PartRole } from "./responses_content.ts";
import { JsonFields, readArray } from "./responses_fields.ts";
import { decodeReasoningProof } from "./responses_reasoning.ts";

const MESSAGE_KEYS = new Set(["type", "role", "content", "id", "status", "phase"]);
const FUNCTION_CALL_KEYS = new Set([
  "type",
  "call_id",
  "name",
  "arguments",
  "id",
  "status",
  "namespace",
  "caller",
  "async",
]);
const FUNCTION_CALL_OUTPUT_KEYS = new Set([
  "type",
  "call_id",
  "output",
  "id",
  "status",
  "name",
  "namespace",
  "caller",
]);
const REASONING_KEYS = new Set(["type", "id", "summary", "content", "encrypted_content", "status"]);

const ROLES = ["user", "assistant", "system", "developer"] as const;

/** Decodes the `input` field (a string, or a list of items) into IR messages. */
export function decodeInput(input: unknown): Message[] {
  if (typeof input === "string") {
    return [{ role: "user", content: [{ type: "text", text: input }] }];
  }
  const items = readArray(input, "input");
  const messages: Message[] = [];
  // Gemini matches tool results by function name: remember each call's name by its call_id.
  const callNames = new Map<string, string>();
  items.forEach((item, index) => {
    const fields = new JsonFields(item, `input[${index}]`);
    decodeItem(fields, { messages, callNames });
  });
  return messages;
}

interface DecodeState {
  messages: Message[];
  callNames: Map<string, string>;
}

function decodeItem(fields: JsonFields, state: DecodeState): void {
  const type = fields.optionalString("type");
  if (type === undefined && !fields.has("role") && fields.has("id")) {
    throw itemReferenceError(fields);
  }
  switch (type) {
    case undefined:
    case "message":
      return decodeMessage(fields, state);
    case "function_call":
      return decodeFunctionCall(fields, state);
    case "function_call_output":
      return decodeFunctionCallOutput(fields, state);
    case "reasoning":
      return appendTo(state.messages, "assistant", [decodeReasoning(fields)]);
    case "item_reference":
      throw itemReferenceError(fields);
    default:
      throw invalidRequest(
        fields.pathOf("type"),
        `${fields.pathOf("type")} "${type}" is an item of a built-in OpenAI tool or server-side ` +
          "feature, which cannot be translated to another provider",
      );
  }
}

function itemReferenceError(fields: JsonFields) {
  return invalidRequest(
    fields.path,
    `${fields.path} is an item_reference, which cannot be translated: agw does not store ` +
      "responses, so send the item itself (Vercel AI SDK: providerOptions.openai.store = false)",
  );
}

function decodeMessage(fields: JsonFields, state: DecodeState): void {
  fields.rejectUnknown(MESSAGE_KEYS);
  if (!fields.has("role")) throw fields.fail("role", "is required");
  const wireRole = fields.optionalEnum("role", ROLES) ?? "user";
  // Responses `developer` and `system` messages are both instructions (IR system messages).
  const role: PartRole = wireRole === "developer" ? "system" : wireRole;
  const content = fields.raw("content");
  if (typeof content === "string") {
    return appendTo(state.messages, role, [{ type: "text", text: content }]);
  }
  const list = readArray(content, fields.pathOf("content"));
  const parts = list.map((part, index) =>
    decodeContentPart(new JsonFields(part, `${fields.pathOf("content")}[${index}]`), role)
  );
  appendTo(state.messages, role, parts);
}

function decodeFunctionCall(fields: JsonFields, state: DecodeState): void {
  fields.rejectUnknown(FUNCTION_CALL_KEYS);
  rejectProgrammaticCall(fields);
  if (fields.optionalBoolean("async") === true) {
    throw fields.fail("async", "(an asynchronous function call) cannot be translated");
  }
  const callId = fields.string("call_id");
  const name = fields.string("name");
  state.callNames.set(callId, name);
  appendTo(state.messages, "assistant", [{
    type: "toolCall",
    id: callId,
    name,
    arguments: fields.string("arguments"),
  }]);
}

function decodeFunctionCallOutput(fields: JsonFields, state: DecodeState): void {
  fields.rejectUnknown(FUNCTION_CALL_OUTPUT_KEYS);
  rejectProgrammaticCall(fields);
  const callId = fields.string("call_id");
  const output = fields.raw("output");
  let content: ToolResultPart["content"];
  if (typeof output === "string") {
    content = [{ type: "text", text: output }];
  } else {
    const list = readArray(output, fields.pathOf("output"));
    content = list.map((part, index) => {
      const decoded = decodeContentPart(
        new JsonFields(part, `${fields.pathOf("output")}[${index}]`),
        "tool",
      );
      // decodeContentPart only returns text and images for tool results.
      return decoded as ToolResultPart["content"][number];
    });
  }
  const result: ToolResultPart = { type: "toolResult", toolCallId: callId, content };
  const name = fields.optionalString("name") ?? state.callNames.get(callId);
  if (name !== undefined) result.name = name;
  appendTo(state.messages, "tool", [result]);
}

/** Function calls made by OpenAI's programmatic tool calling, or in a tool namespace, have no IR home. */
function rejectProgrammaticCall(fields: JsonFields): void {
  if (fields.has("namespace")) {
    throw fields.fail("namespace", "(a tool namespace) cannot be translated to another provider");
  }
  const caller = fields.optionalObject("caller");
  if (caller !== undefined && caller.optionalString("type") !== "direct") {
    throw caller.fail(
      "type",
      'must be "direct": programmatic tool calls cannot be translated to another provider',
    );
  }
}

function decodeReasoning(fields: JsonFields): ReasoningPart {
  fields.rejectUnknown(REASONING_KEYS);
  const summary = readTexts(fields, "summary", "summary_text");
  const content = readTexts(fields, "content", "reasoning_text");
  // `content` is the full reasoning and `summary` a digest of it: when both are present the
  // full text is what the model thought, so it is the one carried.
  const text = content.length > 0 ? content.join("") : summary.join("\n\n");
  const part: ReasoningPart = { type: "reasoning", text };
  const id = fields.optionalString("id");
  if (id !== undefined) part.id = id;
  const encryptedContent = fields.optionalString("encrypted_content");
  if (encryptedContent !== undefined) Object.assign(part, decodeReasoningProof(encryptedContent));
  return part;
}

function readTexts(fields: JsonFields, key: string, partType: string): string[] {
  const list = fields.optionalArray(key) ?? [];
  return list.map((entry, index) => {
    const part = new JsonFields(entry, `${fields.pathOf(key)}[${index}]`);
    part.rejectUnknown(new Set(["type", "text"]));
    const type = part.string("type");
    if (type !== partType) throw part.fail("type", `must be "${partType}", got "${type}"`);
    return part.string("text");
  });
}

/**
 * Adds parts to the conversation: assistant parts join a directly preceding assistant message
 * and tool results a preceding tool message (one turn each); other roles start a new message.
 */
function appendTo(messages: Message[], role: Message["role"], parts: ContentPart[]): void {
  const last = messages.at(-1);
  if (last !== undefined && last.role === role && (role === "assistant" || role === "tool")) {
    last.content.push(...parts);
    return;
  }
  messages.push({ role, content: parts });
}
