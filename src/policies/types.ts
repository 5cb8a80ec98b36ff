import type { z } from "zod";
import type { CelExpression } from "../cel/mod.ts";
import type { RequestContext } from "../context/mod.ts";
import type { UpstreamSettings } from "../upstream/settings.ts";

/** A request-side decision: undefined continues; a Response ends the chain (rejection or direct response). */
export type Verdict = Response | undefined;

/** The response agw is about to send; response steps mutate it in place. */
export interface ResponseParts {
  status: number;
  headers: Headers;
  body: BodyInit | null;
}

/** Where a policy may be attached. */
export type PolicyPhase = "route" | "backend";

/** One compiled policy, ready for the hot path. Created once per config load. */
export interface PolicyStep {
  /** The config key (`cors`): used in logs, metrics labels and error messages. */
  readonly name: string;
  /** Runs once per request before the upstream call. May queue headers on ctx.responseHeaders. */
  onRequest?(ctx: RequestContext): Verdict | Promise<Verdict>;
  /** Runs once per request after the last attempt, on the response agw is about to send. */
  onResponse?(ctx: RequestContext, res: ResponseParts): void;
  /**
   * The CEL expressions the step evaluates. The flow reads them at load to know what a request
   * must provide: `request.body` is read first, `response.body` before response steps, and the
   * original request headers are kept for `request.headers`.
   */
  readonly expressions?: readonly CelExpression[];
  /** Settings for the upstream call, merged into the route's upstream settings at load. */
  readonly upstream?: Partial<UpstreamSettings>;
}

/** What a policy may use while compiling. */
export interface CompileEnv {
  /** Reads a file named in config (certificates, keys); paths are relative to the working directory. */
  readFile(path: string): string;
}

/** A policy kind: its config schema and how to compile one config into a step. */
export interface PolicyModule<Config> {
  readonly name: string;
  readonly phases: readonly PolicyPhase[];
  readonly schema: z.ZodType<Config, unknown>;
  /** Validates beyond the schema and precompiles; throws PolicyConfigError with a path below the policy. */
  compile(config: Config, env: CompileEnv): PolicyStep;
}

/** A compile-time problem in one policy's config; `path` is relative to the policy's own key. */
export class PolicyConfigError extends Error {
  readonly path: readonly PropertyKey[];
  constructor(path: readonly PropertyKey[], message: string) {
    super(message);
    this.name = "PolicyConfigError";
    this.path = path;
  }
}
