/**
 * How upstream names reach the client when several targets are served as one: tools and prompts
 * as `<target>_<name>`, resource URIs (and URI templates) as `<target>+<uri>`, per `prefixMode`
 * (agentgateway's `McpPrefixMode`). A prefixed name is resolved by the longest target name it
 * starts with, so target names may themselves contain `_` or `+`.
 * @module
 */

/** `prefixMode`: conditional (only with several targets), always, never. */
export type PrefixMode = "conditional" | "always" | "never";

/** A name or URI resolved to the target that owns it and the target's own spelling. */
export interface Owned {
  readonly target: string;
  readonly name: string;
}

const NAME_SEPARATOR = "_";
const URI_SEPARATOR = "+";

/** Names a backend's targets expose, and the way back from an exposed name to its owner. */
export class TargetNames {
  /** Whether exposed names carry their target's prefix. */
  readonly prefixes: boolean;
  /** Target names, longest first (so `a_b` wins over `a` for `a_b_tool`). */
  readonly #targets: readonly string[];

  constructor(targets: readonly string[], mode: PrefixMode) {
    this.prefixes = mode === "always" || (mode === "conditional" && targets.length > 1);
    this.#targets = [...targets].sort((a, b) => b.length - a.length);
  }

  /** The only target, when there is one: every unprefixed name belongs to it. */
  get soleTarget(): string | undefined {
    return this.#targets.length === 1 ? this.#targets[0] : undefined;
  }

  /** A tool or prompt name as the client sees it. */
  exposeName(target: string, name: string): string {
    return this.prefixes ? `${target}${NAME_SEPARATOR}${name}` : name;
  }

  /** A resource URI or URI template as the client sees it. */
  exposeUri(target: string, uri: string): string {
    return this.prefixes ? `${target}${URI_SEPARATOR}${uri}` : uri;
  }

  /**
   * The owner of an exposed tool or prompt name. Without prefixes and with several targets the
   * name is looked up in `lookup` (what the last list returned), as `prefixMode: never` asks.
   */
  resolveName(exposed: string, lookup?: ReadonlyMap<string, string>): Owned | undefined {
    return this.#resolve(exposed, NAME_SEPARATOR, lookup);
  }

  /** The owner of an exposed resource URI. */
  resolveUri(exposed: string, lookup?: ReadonlyMap<string, string>): Owned | undefined {
    return this.#resolve(exposed, URI_SEPARATOR, lookup);
  }

  #resolve(
    exposed: string,
    separator: string,
    lookup: ReadonlyMap<string, string> | undefined,
  ): Owned | undefined {
    if (this.prefixes) {
      for (const target of this.#targets) {
        if (exposed.length > target.length + 1 && exposed.startsWith(target + separator)) {
          return { target, name: exposed.slice(target.length + 1) };
        }
      }
      return undefined;
    }
    const sole = this.soleTarget;
    if (sole !== undefined) return { target: sole, name: exposed };
    const target = lookup?.get(exposed);
    return target === undefined ? undefined : { target, name: exposed };
  }
}
