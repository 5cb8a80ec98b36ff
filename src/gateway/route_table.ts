/**
 * Route lookup, compiled once per config: listener by hostname, then route by match rules in
 * Gateway API precedence. Nothing here reads config objects per request.
 * @module
 */
import type { MatchConfig } from "../config/mod.ts";
import type { CompiledChain } from "../policies/mod.ts";
import type { CompiledBackend } from "../backends/mod.ts";
import type { UpstreamSettings } from "../upstream/settings.ts";

/** A route ready to serve: its policy chain, backends and upstream settings. */
export interface CompiledRoute {
  /** `route` label in logs and metrics: the route's name, or `<listener>/<index>`. */
  readonly name: string;
  readonly chain: CompiledChain;
  readonly backends: readonly CompiledBackend[];
  readonly settings: UpstreamSettings;
  readonly mirror: CompiledBackend | undefined;
  /** Whether a policy or telemetry expression reads `request.body` (read it before the steps). */
  readonly needsRequestBody: boolean;
  /** Whether a policy expression reads `response.body` (read the upstream answer first). */
  readonly needsResponseBody: boolean;
  /** Whether an expression reads `request.headers` (keep the client's headers as they came). */
  readonly readsRequestHeaders: boolean;
}

/** The result of a match: the route and the path prefix it matched (for prefix rewrites). */
export interface RouteMatch {
  route: CompiledRoute;
  matchedPrefix: string | undefined;
}

interface Candidate {
  route: CompiledRoute;
  hostTest: ((host: string) => boolean) | undefined;
  test: (url: URL, request: Request) => boolean;
  matchedPrefix: string | undefined;
  sortKey: number[];
}

/** One listener's hostname and its route candidates, best first. */
export interface CompiledListener {
  readonly name: string;
  readonly hostname: string | undefined;
  readonly candidates: readonly Candidate[];
}

/** Listener lookup for one bind. */
export interface BindTable {
  readonly exact: ReadonlyMap<string, CompiledListener>;
  /** `*.suffix` listeners, longest suffix first. */
  readonly wildcard: readonly (readonly [string, CompiledListener])[];
  readonly fallback: CompiledListener | undefined;
}

/** A route as written, for compiling into candidates. */
export interface RouteSpec {
  route: CompiledRoute;
  hostnames: readonly string[];
  matches: readonly MatchConfig[];
}

const DEFAULT_MATCH: MatchConfig = { path: { pathPrefix: "/" } };

/** Compiles a listener's routes into candidates sorted by precedence. Throws on a bad regex. */
export function compileListener(
  name: string,
  hostname: string | undefined,
  routes: readonly RouteSpec[],
  onRegexError: (routeIndex: number, matchIndex: number, field: string, error: Error) => void,
): CompiledListener {
  const candidates: Candidate[] = [];
  let order = 0;
  routes.forEach((spec, routeIndex) => {
    const hostnames: (string | undefined)[] = spec.hostnames.length > 0
      ? [...spec.hostnames]
      : [undefined];
    const matches = spec.matches.length > 0 ? spec.matches : [DEFAULT_MATCH];
    for (const host of hostnames) {
      matches.forEach((match, matchIndex) => {
        try {
          candidates.push(compileCandidate(spec.route, host, match, order++));
        } catch (error) {
          onRegexError(
            routeIndex,
            matchIndex,
            (error as { field?: string }).field ?? "",
            error as Error,
          );
        }
      });
    }
  });
  candidates.sort(compareKeys);
  return { name, hostname, candidates };
}

/** Builds the listener lookup of a bind. */
export function compileBindTable(listeners: readonly CompiledListener[]): BindTable {
  const exact = new Map<string, CompiledListener>();
  const wildcard: [string, CompiledListener][] = [];
  let fallback: CompiledListener | undefined;
  for (const listener of listeners) {
    const host = listener.hostname?.toLowerCase();
    if (host === undefined || host === "*") fallback ??= listener;
    else if (host.startsWith("*.")) wildcard.push([host.slice(1), listener]);
    else if (!exact.has(host)) exact.set(host, listener);
  }
  wildcard.sort((a, b) => b[0].length - a[0].length);
  return { exact, wildcard, fallback };
}

/** Picks the listener and route for a request; undefined means 404 `route not found`. */
export function matchRoute(
  table: BindTable,
  host: string,
  url: URL,
  request: Request,
): RouteMatch | undefined {
  const listener = selectListener(table, host);
  if (!listener) return undefined;
  for (const candidate of listener.candidates) {
    if (candidate.hostTest && !candidate.hostTest(host)) continue;
    if (candidate.test(url, request)) {
      return { route: candidate.route, matchedPrefix: candidate.matchedPrefix };
    }
  }
  return undefined;
}

/** Lower-cased host without port, as matched against hostnames. */
export function hostWithoutPort(hostHeader: string): string {
  const end = hostHeader.startsWith("[") ? hostHeader.indexOf("]") + 1 : hostHeader.indexOf(":");
  return (end > 0 ? hostHeader.slice(0, end) : hostHeader).toLowerCase();
}

function selectListener(table: BindTable, host: string): CompiledListener | undefined {
  const exact = table.exact.get(host);
  if (exact) return exact;
  for (const [suffix, listener] of table.wildcard) {
    if (host.endsWith(suffix) && host.length > suffix.length) return listener;
  }
  return table.fallback;
}

function compileHostTest(hostname: string): (host: string) => boolean {
  const lower = hostname.toLowerCase();
  if (lower.startsWith("*.")) {
    const suffix = lower.slice(1);
    return (host) => host.endsWith(suffix) && host.length > suffix.length;
  }
  return (host) => host === lower;
}

class MatchRegexError extends Error {
  readonly field: string;
  constructor(field: string, error: Error) {
    super(`invalid regex: ${error.message}`);
    this.field = field;
  }
}

function compileRegex(source: string, field: string): RegExp {
  try {
    // Anchored: a regex match covers the whole value, as in Gateway API and agentgateway.
    return new RegExp(`^(?:${source})$`);
  } catch (error) {
    throw new MatchRegexError(field, error as Error);
  }
}

function compileCandidate(
  route: CompiledRoute,
  host: string | undefined,
  match: MatchConfig,
  order: number,
): Candidate {
  const tests: ((url: URL, request: Request) => boolean)[] = [];
  let pathKind = 2;
  let pathLength = 1;
  let matchedPrefix: string | undefined;
  const path = match.path ?? { pathPrefix: "/" };
  if (path.exact !== undefined) {
    const exact = path.exact;
    pathKind = 0;
    pathLength = exact.length;
    tests.push((url) => url.pathname === exact);
  } else if (path.regex !== undefined) {
    const regex = compileRegex(path.regex, "path.regex");
    pathKind = 1;
    pathLength = path.regex.length;
    tests.push((url) => regex.test(url.pathname));
  } else {
    // Gateway API PathPrefix matches whole path segments: /foo matches /foo/bar, not /foobar.
    const prefix = (path.pathPrefix ?? "/").replace(/\/+$/, "");
    matchedPrefix = prefix === "" ? "/" : prefix;
    pathLength = prefix.length + 1;
    if (prefix !== "") {
      tests.push((url) => {
        const p = url.pathname;
        return p.startsWith(prefix) &&
          (p.length === prefix.length || p.charCodeAt(prefix.length) === 47);
      });
    }
  }
  if (match.method !== undefined) {
    const method = match.method.toUpperCase();
    tests.push((_url, request) => request.method === method);
  }
  (match.headers ?? []).forEach((header, i) => {
    const name = header.name.toLowerCase();
    const test = valueTest(header.value, `headers[${i}].value.regex`);
    tests.push((_url, request) => {
      const value = request.headers.get(name);
      return value !== null && test(value);
    });
  });
  (match.query ?? []).forEach((query, i) => {
    const name = query.name;
    const test = valueTest(query.value, `query[${i}].value.regex`);
    tests.push((url) => {
      const value = url.searchParams.get(name);
      return value !== null && test(value);
    });
  });
  const hostKind = host === undefined ? 2 : host.startsWith("*.") ? 1 : 0;
  return {
    route,
    hostTest: host === undefined ? undefined : compileHostTest(host),
    test: tests.length === 0
      ? () => true
      : tests.length === 1
      ? tests[0]!
      : (url, request) => tests.every((t) => t(url, request)),
    matchedPrefix,
    // Gateway API precedence: hostname specificity, exact path, then regex (implementation
    // specific; ranked as Envoy-based gateways do), longest prefix, method, most header
    // matches, most query matches, then config order.
    sortKey: [
      hostKind,
      -(host?.length ?? 0),
      pathKind,
      -pathLength,
      match.method === undefined ? 1 : 0,
      -(match.headers?.length ?? 0),
      -(match.query?.length ?? 0),
      order,
    ],
  };
}

function valueTest(
  value: { exact?: string | undefined; regex?: string | undefined },
  field: string,
) {
  if (value.exact !== undefined) {
    const exact = value.exact;
    return (v: string) => v === exact;
  }
  const regex = compileRegex(value.regex ?? "", field);
  return (v: string) => regex.test(v);
}

function compareKeys(a: Candidate, b: Candidate): number {
  for (let i = 0; i < a.sortKey.length; i++) {
    const d = a.sortKey[i]! - b.sortKey[i]!;
    if (d !== 0) return d;
  }
  return 0;
}
