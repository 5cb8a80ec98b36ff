/**
 * Merging what several targets answer into one answer: `initialize` results (advertise only
 * what some target can serve) and list results (every target's items, renamed per prefixMode).
 * With one target its `initialize` result passes through as it is, as agentgateway does.
 * @module
 */
import { VERSION } from "../version.ts";
import type { TargetNames } from "./tool_names.ts";

/** One target's successful result. */
export interface TargetResult {
  readonly target: string;
  readonly result: Record<string, unknown>;
}

/** The list methods agw fans out, and the result key holding their items. */
export const LIST_METHODS = {
  "tools/list": "tools",
  "prompts/list": "prompts",
  "resources/list": "resources",
  "resources/templates/list": "resourceTemplates",
} as const;
export type ListMethod = keyof typeof LIST_METHODS;
export type ListKey = typeof LIST_METHODS[ListMethod];

/** Capabilities a merged server may advertise: the ones agw can route to their owner. */
const ROUTABLE_CAPABILITIES = ["tools", "prompts", "resources", "logging", "completions"];

/**
 * The `initialize` result the client gets. Several targets: agw's own serverInfo, the oldest
 * protocol version any target answered with (no newer than the client's), the union of the
 * routable capabilities, and each target's instructions under its name.
 */
export function mergeInitialize(
  results: readonly TargetResult[],
  negotiated: string,
): Record<string, unknown> {
  if (results.length === 1) return results[0]!.result;
  let version = negotiated;
  const capabilities: Record<string, Record<string, unknown>> = {};
  const instructions: string[] = [];
  for (const { target, result } of results) {
    const answered = result.protocolVersion;
    if (typeof answered === "string" && answered < version) version = answered;
    const offered = asRecord(result.capabilities);
    for (const name of ROUTABLE_CAPABILITIES) {
      const capability = asRecord(offered[name]);
      if (offered[name] === undefined) continue;
      const merged = capabilities[name] ??= {};
      // A flag any target sets holds for the merged server (listChanged, subscribe).
      for (const [flag, value] of Object.entries(capability)) {
        if (value === true) merged[flag] = true;
      }
    }
    if (typeof result.instructions === "string" && result.instructions !== "") {
      instructions.push(`${target}: ${result.instructions}`);
    }
  }
  const merged: Record<string, unknown> = {
    protocolVersion: version,
    capabilities,
    serverInfo: { name: "agw", version: VERSION },
  };
  if (instructions.length > 0) merged.instructions = instructions.join("\n\n");
  return merged;
}

/** The items of one page of a list result (an empty list when the target sent none). */
export function itemsOf(result: Record<string, unknown>, key: ListKey): Record<string, unknown>[] {
  const items = result[key];
  return Array.isArray(items) ? items.filter((item) => typeof item === "object" && item) : [];
}

/** An item renamed as the client sees it: tools and prompts by name, resources by URI. */
export function exposeItem(
  key: ListKey,
  target: string,
  item: Record<string, unknown>,
  names: TargetNames,
): Record<string, unknown> {
  if (!names.prefixes) return item;
  switch (key) {
    case "tools":
    case "prompts":
      return typeof item.name === "string"
        ? { ...item, name: names.exposeName(target, item.name) }
        : item;
    case "resources":
      return typeof item.uri === "string"
        ? { ...item, uri: names.exposeUri(target, item.uri) }
        : item;
    case "resourceTemplates":
      return typeof item.uriTemplate === "string"
        ? { ...item, uriTemplate: names.exposeUri(target, item.uriTemplate) }
        : item;
  }
}

/** The identifier of an item that names route by: a tool's or prompt's name, a resource's URI. */
export function itemIdentifier(key: ListKey, item: Record<string, unknown>): string | undefined {
  const value = key === "tools" || key === "prompts"
    ? item.name
    : key === "resources"
    ? item.uri
    : item.uriTemplate;
  return typeof value === "string" ? value : undefined;
}

function asRecord(value: unknown): Record<string, unknown> {
  return typeof value === "object" && value !== null ? value as Record<string, unknown> : {};
}
