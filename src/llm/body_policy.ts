/**
 * The `ai` policy's effect on a request: `overrides` and `defaults` on the client's body,
 * `modelAliases` and the provider's configured model, and `prompts` added before and after
 * the client's messages (in the client's own format when passing through, in the IR when
 * translating).
 * @module
 */
import type { RequestContext } from "../context/mod.ts";
import type { CompiledAiPolicy } from "../policies/mod.ts";
import type { FormatName } from "./formats/mod.ts";
import type { IrRequest, Message } from "./ir.ts";
import type { CompiledProvider } from "./provider_target.ts";

/** The `ai` policy in force for this request, if any. */
export function aiPolicyOf(ctx: RequestContext): CompiledAiPolicy | undefined {
  return ctx.kindPolicies.ai as CompiledAiPolicy | undefined;
}

/** Applies `overrides` (replace) and `defaults` (only when absent) to top-level body fields. */
export function applyBodyPolicy(body: Record<string, unknown>, ctx: RequestContext): void {
  const policy = aiPolicyOf(ctx);
  if (!policy) return;
  if (policy.defaults) {
    for (const [key, value] of Object.entries(policy.defaults)) {
      if (body[key] === undefined) body[key] = structuredClone(value);
    }
  }
  if (policy.overrides) {
    for (const [key, value] of Object.entries(policy.overrides)) body[key] = structuredClone(value);
  }
}

/** The model agw sends: the provider's configured one, else the client's after aliasing. */
export function resolveModel(
  requested: string,
  provider: CompiledProvider,
  ctx: RequestContext,
): string {
  if (provider.spec.model !== undefined) return provider.spec.model;
  return aiPolicyOf(ctx)?.modelAliases.get(requested) ?? requested;
}

function irMessage(message: { role: string; content: string }): Message {
  const role = message.role === "assistant" || message.role === "user" ? message.role : "system";
  return { role, content: [{ type: "text", text: message.content }] };
}

/** Prompt enrichment on the IR: system prompts join the leading system run. */
export function applyPromptsToIr(request: IrRequest, ctx: RequestContext): void {
  const policy = aiPolicyOf(ctx);
  if (!policy || (policy.prepend.length === 0 && policy.append.length === 0)) return;
  request.messages = [
    ...policy.prepend.map(irMessage),
    ...request.messages,
    ...policy.append.map(irMessage),
  ];
}

/** Prompt enrichment on a body passed through in its own format. */
export function applyPromptsToBody(
  body: Record<string, unknown>,
  format: FormatName,
  ctx: RequestContext,
): void {
  const policy = aiPolicyOf(ctx);
  if (!policy || (policy.prepend.length === 0 && policy.append.length === 0)) return;
  const prepend = policy.prepend.map((m) => ({ role: m.role, content: m.content }));
  const append = policy.append.map((m) => ({ role: m.role, content: m.content }));
  if (format === "completions") {
    body.messages = [...prepend, ...asArray(body.messages), ...append];
  } else if (format === "messages") {
    // Anthropic keeps system text apart from the turns.
    const system = [...prepend, ...append].filter((m) => m.role === "system");
    if (system.length > 0) {
      const existing = typeof body.system === "string"
        ? [{ type: "text", text: body.system }]
        : asArray(body.system);
      const before = prepend.filter((m) => m.role === "system").map(textBlock);
      const after = append.filter((m) => m.role === "system").map(textBlock);
      body.system = [...before, ...existing, ...after];
    }
    body.messages = [
      ...prepend.filter((m) => m.role !== "system"),
      ...asArray(body.messages),
      ...append.filter((m) => m.role !== "system"),
    ];
  } else if (format === "responses") {
    const input = typeof body.input === "string"
      ? [{ role: "user", content: body.input }]
      : asArray(body.input);
    body.input = [...prepend, ...input, ...append];
  }
}

function textBlock(message: { content: string }) {
  return { type: "text", text: message.content };
}

function asArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value : value === undefined ? [] : [value];
}
