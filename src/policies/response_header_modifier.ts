import {
  applyHeaderModifier,
  compileHeaderModifier,
  type HeaderModifierConfig,
  headerModifierSchema,
} from "./header_modifier.ts";
import type { PolicyModule } from "./types.ts";

/** Edits the headers of the response sent to the client. */
export const responseHeaderModifier = {
  name: "responseHeaderModifier",
  phases: ["route", "backend"],
  schema: headerModifierSchema.describe(
    "Adds, sets or removes response headers sent to the client",
  ),
  compile(config: HeaderModifierConfig) {
    const modifier = compileHeaderModifier(config);
    return {
      name: "responseHeaderModifier",
      onResponse(_ctx, res) {
        applyHeaderModifier(res.headers, modifier);
      },
    };
  },
} satisfies PolicyModule<HeaderModifierConfig>;
