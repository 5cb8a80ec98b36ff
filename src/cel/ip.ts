import { EvaluationError } from "@marcbachmann/cel-js";

/** Parsed addresses: a request's `source.address` repeats across rules and requests. */
const parsedIps = new Map<string, [32 | 128, bigint] | undefined>();

/** IPv4 / IPv6 text to [bit width, value]; undefined if not an IP. */
export function parseIp(text: string): [32 | 128, bigint] | undefined {
  if (parsedIps.has(text)) return parsedIps.get(text);
  const parsed = parseIpUncached(text);
  if (parsedIps.size >= 4096) parsedIps.clear();
  parsedIps.set(text, parsed);
  return parsed;
}

function parseIpUncached(text: string): [32 | 128, bigint] | undefined {
  const s = text.startsWith("[") && text.endsWith("]") ? text.slice(1, -1) : text;
  if (s.includes(".") && !s.includes(":")) {
    const parts = s.split(".");
    if (parts.length !== 4 || !parts.every((x) => /^\d{1,3}$/.test(x) && Number(x) < 256)) {
      return undefined;
    }
    return [32, parts.reduce((acc, x) => (acc << 8n) | BigInt(x), 0n)];
  }
  if (!/^[0-9a-fA-F:]+$/.test(s)) return undefined;
  const halves = s.split("::");
  if (halves.length > 2) return undefined;
  const head = halves[0] ? halves[0].split(":") : [];
  const tail = halves.length === 2 && halves[1] ? halves[1].split(":") : [];
  const fill = 8 - head.length - tail.length;
  if ((halves.length === 1 && fill !== 0) || fill < 0) return undefined;
  const groups = [...head, ...Array(halves.length === 2 ? fill : 0).fill("0"), ...tail];
  if (!groups.every((g) => /^[0-9a-fA-F]{1,4}$/.test(g))) return undefined;
  return [128, groups.reduce((acc, g) => (acc << 16n) | BigInt(`0x${g}`), 0n)];
}

/** The CEL value of `cidr("10.0.0.0/8")`: a network that can test addresses. */
export class Cidr {
  readonly bits: 32 | 128;
  readonly network: bigint;
  readonly prefix: number;

  constructor(text: string) {
    const [ip, length] = text.split("/");
    const parsed = parseIp(ip ?? "");
    const prefix = Number(length);
    if (!parsed || !/^\d+$/.test(length ?? "") || prefix > parsed[0]) {
      throw new EvaluationError(`invalid cidr: ${JSON.stringify(text)}`);
    }
    this.bits = parsed[0];
    this.prefix = prefix;
    this.network = parsed[1] & this.#mask();
  }

  #mask(): bigint {
    const all = (1n << BigInt(this.bits)) - 1n;
    return all ^ ((1n << BigInt(this.bits - this.prefix)) - 1n);
  }

  /** Whether `ip` lies in this network; an IPv4 address is never in an IPv6 network. */
  containsIP(ip: string): boolean {
    const parsed = parseIp(ip);
    if (!parsed) throw new EvaluationError(`invalid ip: ${JSON.stringify(ip)}`);
    return parsed[0] === this.bits && (parsed[1] & this.#mask()) === this.network;
  }
}
