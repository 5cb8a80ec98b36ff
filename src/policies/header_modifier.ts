import { z } from "zod";
import { stringMap } from "../config/primitives.ts";
import { type HeaderEditor, isFieldName, isFieldValue } from "../http/mod.ts";
import { PolicyConfigError } from "./types.ts";

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
  // Checked at load: a bad name or a value with a line break would fail every request.
  const pairs = (map: Record<string, string> | undefined, key: string) =>
    Object.entries(map ?? {}).map(([name, value]) => {
      if (!isFieldName(name)) {
        throw new PolicyConfigError([key, name], `invalid header name ${JSON.stringify(name)}`);
      }
      if (!isFieldValue(value)) {
        throw new PolicyConfigError(
          [key, name],
          "invalid header value: line breaks and control characters are not allowed",
        );
      }
      return [name.toLowerCase(), value] as const;
    });
  return {
    add: pairs(config.add, "add"),
    set: pairs(config.set, "set"),
    remove: (config.remove ?? []).map((name) => name.toLowerCase()),
  };
}

/** Applies a modifier to a Headers object, in agentgateway's order: add, set, remove. */
export function applyHeaderModifier(headers: HeaderEditor, modifier: CompiledHeaderModifier): void {
  for (const [name, value] of modifier.add) headers.append(name, value);
  for (const [name, value] of modifier.set) headers.set(name, value);
  for (const name of modifier.remove) headers.delete(name);
}
