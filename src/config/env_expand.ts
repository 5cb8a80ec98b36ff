/**
 * Expands `$VAR`, `${VAR}` and `${VAR:-default}` in config text before parsing, as agentgateway does.
 * An unset variable without a default expands to the empty string; `$$` is a literal `$`.
 */
export function expandEnv(text: string, lookup: (name: string) => string | undefined): string {
  return text.replace(
    /\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g,
    (match, braced: string | undefined, fallback: string | undefined, bare: string | undefined) => {
      if (match === "$$") return "$";
      const name = braced ?? bare ?? "";
      const value = lookup(name);
      if (value !== undefined && value !== "") return value;
      if (fallback !== undefined) return fallback;
      return value ?? "";
    },
  );
}

/** Reads the process environment, treating a denied permission as unset rather than crashing. */
export function processEnv(name: string): string | undefined {
  try {
    return Deno.env.get(name);
  } catch {
    return undefined;
  }
}
