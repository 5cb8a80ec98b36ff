import { z } from "zod";
import { type CompileEnv, PolicyConfigError, type PolicyModule } from "./types.ts";

const backendTlsSchema = z.strictObject({
  root: z.string().optional().describe("PEM file with the CA roots that verify the backend"),
  cert: z.string().optional().describe("PEM client certificate file, for mTLS"),
  key: z.string().optional().describe("PEM client key file, for mTLS"),
  hostname: z.string().optional().describe(
    "Name for SNI and verification instead of the backend host",
  ),
  insecure: z.boolean().default(false).describe("Skip certificate verification"),
  insecureHost: z.boolean().default(false).describe("Verify the chain but not the host name"),
}).describe("TLS towards the backend");
type BackendTlsConfig = z.infer<typeof backendTlsSchema>;

function readPem(env: CompileEnv, field: string, path: string): string {
  try {
    return env.readFile(path);
  } catch (error) {
    throw new PolicyConfigError(
      [field],
      `Cannot read file ${JSON.stringify(path)}: ${(error as Error).message}`,
    );
  }
}

/** Files are read at load: a missing CA is a config error, not a failure on the first request. */
export const backendTLS = {
  name: "backendTLS",
  phases: ["route", "backend"],
  schema: backendTlsSchema,
  compile(config: BackendTlsConfig, env: CompileEnv) {
    if ((config.cert === undefined) !== (config.key === undefined)) {
      throw new PolicyConfigError(
        [config.cert === undefined ? "cert" : "key"],
        "cert and key must be set together",
      );
    }
    const tls = {
      insecure: config.insecure,
      insecureHost: config.insecureHost,
      ...(config.root !== undefined && { caCerts: [readPem(env, "root", config.root)] }),
      ...(config.cert !== undefined && { cert: readPem(env, "cert", config.cert) }),
      ...(config.key !== undefined && { key: readPem(env, "key", config.key) }),
      ...(config.hostname !== undefined && { serverName: config.hostname }),
    };
    return { name: "backendTLS", upstream: { tls } };
  },
} satisfies PolicyModule<BackendTlsConfig>;
