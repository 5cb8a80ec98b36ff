/**
 * Amazon Bedrock's Converse API: `/model/{modelId}/converse` and `/converse-stream` (AWS
 * event-stream framing), signed with SigV4 for the `bedrock` service in the provider's region
 * (https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_Converse.html).
 * @module
 */
import type { Provider } from "./types.ts";

/** Compiles a `bedrock` provider. */
export function bedrockProvider(config: {
  model?: string | null | undefined;
  region: string;
  guardrailIdentifier?: string | null | undefined;
  guardrailVersion?: string | null | undefined;
}): Provider {
  const guardrail = config.guardrailIdentifier
    ? {
      guardrailIdentifier: config.guardrailIdentifier,
      guardrailVersion: config.guardrailVersion ?? "DRAFT",
    }
    : undefined;
  return {
    name: "aws.bedrock",
    defaultHost: `bedrock-runtime.${config.region}.amazonaws.com:443`,
    model: config.model ?? undefined,
    pathNamesModel: true,
    region: config.region,
    nativeFormat: () => "converse",
    supports: (call) => call === "converse",
    path: (_call, model, stream, prefix) =>
      `${prefix ?? ""}/model/${encodeURIComponent(model)}/${
        stream ? "converse-stream" : "converse"
      }`,
    prepareHeaders: () => {},
    finishBody(body: Record<string, unknown>) {
      if (guardrail) body.guardrailConfig ??= guardrail;
    },
    streamFraming: () => "eventstream",
  };
}
