/**
 * Expands `$VAR`, `${VAR}` and `${VAR:-default}` in config text before parsing, as agentgateway does.
 * An unset variable without a default expands to the empty string; `$$` is a literal `$`.
 * `onUnset` hears of each such empty expansion with its offset in the expanded text, so error
 * messages can point at the variable that left a field empty.
 */
export function expandEnv(
  text: string,
  lookup: (name: string) => string | undefined,
  onUnset?: (name: string, offset: number) => void,
): string {
  let shift = 0;
  return text.replace(
    /\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g,
    (
      match,
      braced: string | undefined,
      fallback: string | undefined,
      bare: string | undefined,
      offset: number,
    ) => {
      let out: string;
      if (match === "$$") out = "$";
      else {
        const name = braced ?? bare ?? "";
        const value = lookup(name);
        if (value !== undefined && value !== "") out = value;
        else if (fallback !== undefined) out = fallback;
        else {
          out = "";
          onUnset?.(name, offset + shift);
        }
      }
      shift += out.length - match.length;
      return out;
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
