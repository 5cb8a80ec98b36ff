import { z } from "zod";
import { stringMap } from "../config/primitives.ts";
import type { HeaderEditor } from "../http/mod.ts";

/** agentgateway's HeaderModifier: `add` appends, `set` replaces, `remove` deletes. */
export const headerModifierSchema = z.strictObject({
  add: stringMap.optional(),
  set: stringMap.optional(),
  remove: z.array(z.string()).optional(),
});
export type HeaderModifierConfig = z.infer<typeof headerModifierSchema>;

/** A header modifier as flat arrays, so applying it is three short loops. */
export interface CompiledHeaderModifier {
  add: readonly (readonly [string, string])[];
  set: readonly (readonly [string, string])[];
  remove: readonly string[];
}

/** Lower-cases names once at load. */
export function compileHeaderModifier(config: HeaderModifierConfig): CompiledHeaderModifier {
  const pairs = (map: Record<string, string> | undefined) =>
    Object.entries(map ?? {}).map(([k, v]) => [k.toLowerCase(), v] as const);
  return {
    add: pairs(config.add),
    set: pairs(config.set),
    remove: (config.remove ?? []).map((name) => name.toLowerCase()),
  };
}

/** Applies a modifier to a Headers object, in agentgateway's order: add, set, remove. */
export function applyHeaderModifier(headers: HeaderEditor, modifier: CompiledHeaderModifier): void {
  for (const [name, value] of modifier.add) headers.append(name, value);
  for (const [name, value] of modifier.set) headers.set(name, value);
  for (const name of modifier.remove) headers.delete(name);
}
