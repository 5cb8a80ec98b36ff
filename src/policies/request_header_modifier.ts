import type { RequestContext } from "../context/mod.ts";
import {
  applyHeaderModifier,
  compileHeaderModifier,
  type HeaderModifierConfig,
  headerModifierSchema,
} from "./header_modifier.ts";
import type { PolicyModule } from "./types.ts";

/** Edits the headers sent upstream. `Host` is the upstream authority, so setting it rewrites that. */
export const requestHeaderModifier = {
  name: "requestHeaderModifier",
  phases: ["route", "backend"],
  schema: headerModifierSchema.describe("Adds, sets or removes request headers sent upstream"),
  compile(config: HeaderModifierConfig) {
    const modifier = compileHeaderModifier(config);
    const hostSet = modifier.set.find(([name]) => name === "host")?.[1] ??
      modifier.add.find(([name]) => name === "host")?.[1];
    const withoutHost = {
      add: modifier.add.filter(([name]) => name !== "host"),
      set: modifier.set.filter(([name]) => name !== "host"),
      remove: modifier.remove.filter((name) => name !== "host"),
    };
    return {
      name: "requestHeaderModifier",
      onRequest(ctx: RequestContext) {
        applyHeaderModifier(ctx.upstreamHeaders, withoutHost);
        if (hostSet !== undefined) ctx.authority = hostSet;
        return undefined;
      },
    };
  },
} satisfies PolicyModule<HeaderModifierConfig>;
