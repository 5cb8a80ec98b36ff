/**
 * A plain-object header map for requests agw sends upstream. The upstream client (undici)
 * takes a plain object, so building one directly from the incoming request skips a Headers copy,
 * its per-entry validation, and a second conversion on every request.
 * @module
 */

/** The subset of the Headers API that header policies use; both Headers and HeaderMap have it. */
export interface HeaderEditor {
  get(name: string): string | null;
  has(name: string): boolean;
  set(name: string, value: string): void;
  append(name: string, value: string): void;
  delete(name: string): void;
}

/** Lower-cased header names to values; repeated fields are joined (RFC 9110 §5.3), cookies kept apart. */
export class HeaderMap implements HeaderEditor {
  /** The raw record, handed to undici as is. Names are lower case. */
  readonly record: Record<string, string | string[]>;

  constructor(record: Record<string, string | string[]> = Object.create(null)) {
    this.record = record;
  }

  /** Copies `headers`, leaving out the names in `skip` (lower case). */
  static from(headers: Headers, skip?: ReadonlySet<string>): HeaderMap {
    const record: Record<string, string | string[]> = Object.create(null);
    for (const [name, value] of headers) {
      if (skip?.has(name)) continue;
      if (name === "set-cookie") {
        const prior = record[name];
        record[name] = prior === undefined ? [value] : [...prior, value];
      } else {
        // Headers iteration already joins repeated fields with ", ".
        record[name] = value;
      }
    }
    return new HeaderMap(record);
  }

  get(name: string): string | null {
    const value = this.record[name.toLowerCase()];
    if (value === undefined) return null;
    return typeof value === "string" ? value : value.join(", ");
  }

  has(name: string): boolean {
    return this.record[name.toLowerCase()] !== undefined;
  }

  set(name: string, value: string): void {
    this.record[name.toLowerCase()] = value;
  }

  append(name: string, value: string): void {
    const key = name.toLowerCase();
    const prior = this.record[key];
    if (prior === undefined) this.record[key] = value;
    else if (key === "set-cookie") {
      this.record[key] = [...(typeof prior === "string" ? [prior] : prior), value];
    } else this.record[key] = `${typeof prior === "string" ? prior : prior.join(", ")}, ${value}`;
  }

  delete(name: string): void {
    delete this.record[name.toLowerCase()];
  }

  /** An independent copy (for a retry or a mirror). */
  clone(): HeaderMap {
    const record: Record<string, string | string[]> = Object.create(null);
    for (const key in this.record) {
      const value = this.record[key]!;
      record[key] = typeof value === "string" ? value : [...value];
    }
    return new HeaderMap(record);
  }
}
