import { z } from "zod";
import { exactlyOne, fileOrInline } from "../config/primitives.ts";
import type { RequestContext } from "../context/mod.ts";
import { type CompileEnv, PolicyConfigError, type PolicyModule } from "./types.ts";

const locationSchema = exactlyOne({
  header: z.strictObject({ name: z.string(), prefix: z.string().optional() }),
  queryParameter: z.strictObject({ name: z.string() }),
});

const backendAuthSchema = exactlyOne({
  passthrough: z.strictObject({ location: locationSchema.optional() }),
  key: z.union([
    fileOrInline,
    z.strictObject({ value: fileOrInline, location: locationSchema.optional() }),
  ]),
  aws: z.strictObject({
    accessKeyId: z.string().optional(),
    secretAccessKey: z.string().optional(),
    sessionToken: z.string().nullish(),
    region: z.string().nullish(),
    serviceName: z.string().nullish(),
  }).superRefine((value, ctx) => {
    if ((value.accessKeyId === undefined) !== (value.secretAccessKey === undefined)) {
      ctx.addIssue({
        code: "custom",
        message: "accessKeyId and secretAccessKey go together (or neither, for the environment)",
      });
    }
  }).describe("Sign requests with AWS SigV4; without keys, AWS_* environment variables are used"),
}).describe("Credentials agw adds when calling the backend");
type BackendAuthConfig = z.infer<typeof backendAuthSchema>;

/**
 * `key` sends `Authorization: Bearer <key>` (or the configured location), replacing what the
 * client sent; `passthrough` forwards the client's own credential untouched.
 */
export const backendAuth = {
  name: "backendAuth",
  phases: ["route", "backend"],
  schema: backendAuthSchema,
  compile(config: BackendAuthConfig, env: CompileEnv) {
    if (config.aws !== undefined) {
      const aws = config.aws;
      // Signing needs the final request (path, body): the upstream call does it (upstream/aws_signer.ts).
      return {
        name: "backendAuth",
        upstream: {
          aws: {
            accessKeyId: aws.accessKeyId,
            secretAccessKey: aws.secretAccessKey,
            sessionToken: aws.sessionToken ?? undefined,
            region: aws.region ?? undefined,
            serviceName: aws.serviceName ?? undefined,
          },
        },
      };
    }
    if (config.key === undefined) return { name: "backendAuth" };
    const hasLocation = typeof config.key === "object" && "value" in config.key;
    const spec = typeof config.key === "object" && "value" in config.key
      ? config.key
      : { value: config.key, location: undefined };
    let secret: string;
    if (typeof spec.value === "string") {
      secret = spec.value.trim();
    } else {
      try {
        secret = env.readFile(spec.value.file).trim();
      } catch (error) {
        throw new PolicyConfigError(
          hasLocation ? ["key", "value", "file"] : ["key", "file"],
          `Cannot read file ${JSON.stringify(spec.value.file)}: ${(error as Error).message}`,
        );
      }
    }
    const location = spec.location;
    if (location?.queryParameter) {
      const name = location.queryParameter.name;
      return {
        name: "backendAuth",
        onRequest(ctx: RequestContext) {
          // String surgery, not `new URL(path, base)`: that reads a `//host/...` path as a host.
          const at = ctx.pathAndQuery.indexOf("?");
          const path = at < 0 ? ctx.pathAndQuery : ctx.pathAndQuery.slice(0, at);
          const query = new URLSearchParams(at < 0 ? "" : ctx.pathAndQuery.slice(at + 1));
          query.set(name, secret);
          ctx.pathAndQuery = `${path}?${query}`;
          return undefined;
        },
      };
    }
    const headerName = location?.header?.name.toLowerCase() ?? "authorization";
    const headerValue = (location?.header ? location.header.prefix ?? "" : "Bearer ") + secret;
    return {
      name: "backendAuth",
      onRequest(ctx: RequestContext) {
        ctx.upstreamHeaders.set(headerName, headerValue);
        return undefined;
      },
    };
  },
} satisfies PolicyModule<BackendAuthConfig>;
