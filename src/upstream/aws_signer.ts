/**
 * AWS Signature Version 4 for outgoing requests (backendAuth `aws`: Bedrock and any other AWS
 * API), with `@smithy/signature-v4`, the AWS SDK's own signer: agw writes no signing code.
 * @module
 */
import { Hash } from "@smithy/core/serde";
import { SignatureV4 } from "@smithy/signature-v4";
import type { OutgoingRequest, UpstreamTarget } from "./http_client_pool.ts";

/** Static credentials, or none to read the standard AWS_* environment variables at load. */
export interface AwsSigningSettings {
  accessKeyId?: string | undefined;
  secretAccessKey?: string | undefined;
  sessionToken?: string | undefined;
  region?: string | undefined;
  serviceName?: string | undefined;
}

/** Signs requests for one service and region. */
export class AwsSigner {
  readonly #signer: SignatureV4;

  constructor(settings: AwsSigningSettings, defaults: { region: string; service: string }) {
    const accessKeyId = settings.accessKeyId ?? Deno.env.get("AWS_ACCESS_KEY_ID");
    const secretAccessKey = settings.secretAccessKey ?? Deno.env.get("AWS_SECRET_ACCESS_KEY");
    if (!accessKeyId || !secretAccessKey) {
      throw new Error(
        "AWS credentials are missing: set backendAuth.aws.accessKeyId and secretAccessKey, " +
          "or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY",
      );
    }
    const sessionToken = settings.sessionToken ??
      (settings.accessKeyId ? undefined : Deno.env.get("AWS_SESSION_TOKEN"));
    this.#signer = new SignatureV4({
      service: settings.serviceName ?? defaults.service,
      region: settings.region ?? defaults.region,
      credentials: sessionToken
        ? { accessKeyId, secretAccessKey, sessionToken }
        : { accessKeyId, secretAccessKey },
      sha256: Hash.bind(null, "sha256"),
      uriEscapePath: true,
    });
  }

  /** Adds `authorization`, `x-amz-date` (and the session token) to `request.headers`. */
  async sign(request: OutgoingRequest, target: UpstreamTarget): Promise<void> {
    const at = request.pathAndQuery.indexOf("?");
    const path = at < 0 ? request.pathAndQuery : request.pathAndQuery.slice(0, at);
    const query: Record<string, string> = {};
    if (at >= 0) {
      for (const [key, value] of new URLSearchParams(request.pathAndQuery.slice(at + 1))) {
        query[key] = value;
      }
    }
    const headers: Record<string, string> = { host: request.authority };
    // A streamed body cannot be hashed before it is sent (SigV4's unsigned-payload option).
    if (request.body instanceof ReadableStream) {
      request.headers.set("x-amz-content-sha256", "UNSIGNED-PAYLOAD");
    }
    for (const name in request.headers.record) {
      if (name === "authorization") continue;
      headers[name] = request.headers.get(name)!;
    }
    const signed = await this.#signer.sign({
      method: request.method,
      protocol: `${target.scheme}:`,
      hostname: target.hostname,
      // Encoded as sent: the signer encodes it once more, as SigV4 wants for all but S3.
      path,
      query,
      headers,
      body: request.body instanceof ReadableStream ? undefined : request.body ?? undefined,
    });
    for (const [name, value] of Object.entries(signed.headers)) {
      if (name === "host") continue;
      request.headers.set(name, value);
    }
  }
}
