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

/** Reads a PEM file named at `field` and checks it holds a `label` block (`CERTIFICATE`, …). */
function readPem(env: CompileEnv, field: string, path: string, label: string): string {
  let text: string;
  try {
    text = env.readFile(path);
  } catch (error) {
    throw new PolicyConfigError(
      [field],
      `Cannot read file ${JSON.stringify(path)}: ${(error as Error).message}`,
    );
  }
  // Matches "PRIVATE KEY", "EC PRIVATE KEY" and "RSA PRIVATE KEY" blocks.
  if (!new RegExp(`-----BEGIN [A-Z ]*${label}-----`).test(text)) {
    throw new PolicyConfigError(
      [field],
      `Cannot use file ${JSON.stringify(path)}: expected a PEM ${label.toLowerCase()}`,
    );
  }
  return text;
}

/**
 * TLS towards the backend. Files are read at load: a missing CA is a config error, not a failure
 * on the first request. The name verified (and sent as SNI unless it is an IP address) is
 * `hostname`, else the backend's own host: never the Host header, which other policies rewrite.
 */
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
      ...(config.root !== undefined &&
        { caCerts: [readPem(env, "root", config.root, "CERTIFICATE")] }),
      ...(config.cert !== undefined && { cert: readPem(env, "cert", config.cert, "CERTIFICATE") }),
      ...(config.key !== undefined && { key: readPem(env, "key", config.key, "PRIVATE KEY") }),
      ...(config.hostname !== undefined && { serverName: config.hostname }),
    };
    return { name: "backendTLS", upstream: { tls } };
  },
} satisfies PolicyModule<BackendTlsConfig>;
