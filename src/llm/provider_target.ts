/**
 * A configured provider compiled for calls: its provider module, the pooled client for its
 * address (the default host over TLS, or `hostOverride`), path settings and its own policies.
 * @module
 */
import type { BackendCompileEnv } from "../backends/mod.ts";
import type { CompiledChain } from "../policies/mod.ts";
import { AwsSigner, type UpstreamClient } from "../upstream/mod.ts";
import { anthropicProvider } from "./providers/anthropic.ts";
import { azureProvider } from "./providers/azure.ts";
import { bedrockProvider } from "./providers/bedrock.ts";
import { geminiProvider } from "./providers/gemini.ts";
import { openAiProvider } from "./providers/openai.ts";
import type { Provider } from "./providers/types.ts";
import { vertexProvider } from "./providers/vertex.ts";
import type { AiProviderConfig, NamedAiProviderConfig } from "./schema.ts";

/** One provider of an ai backend, ready for calls. */
export interface CompiledProvider {
  readonly name: string;
  readonly spec: Provider;
  readonly client: UpstreamClient;
  /** Whether `hostOverride` set the address (then a passthrough keeps the client's path). */
  readonly hostOverride: boolean;
  readonly pathOverride: string | undefined;
  readonly pathPrefix: string | undefined;
  /** The provider's own `policies` (backendAuth, header edits, `ai`). */
  readonly chain: CompiledChain;
  /** SigV4 signing (Bedrock always; any provider with backendAuth `aws`). */
  readonly signer: AwsSigner | undefined;
}

function providerSpec(config: AiProviderConfig): Provider | undefined {
  if (config.openAI) return openAiProvider(config.openAI);
  if (config.anthropic) return anthropicProvider(config.anthropic);
  if (config.gemini) return geminiProvider(config.gemini);
  if (config.vertex) return vertexProvider(config.vertex);
  if (config.bedrock) return bedrockProvider(config.bedrock);
  if (config.azure) return azureProvider(config.azure);
  return undefined;
}

/** Compiles one named provider; problems are reported through `env.issue`. */
export function compileProvider(
  config: NamedAiProviderConfig,
  env: BackendCompileEnv,
  path: PropertyKey[],
): CompiledProvider | undefined {
  const spec = providerSpec(config.provider);
  if (!spec) return undefined;
  const chain = env.compilePolicies(config.policies, [...path, "policies"]);
  const tls = env.settingsOf(chain).tls ?? env.settings.tls;
  let target;
  if (config.hostOverride) {
    target = env.parseHost(config.hostOverride, tls !== undefined);
    if (typeof target === "string") {
      env.issue([...path, "hostOverride"], target);
      return undefined;
    }
  } else {
    // Providers' own hosts are always TLS.
    target = env.parseHost(`https://${spec.defaultHost}`, true);
    if (typeof target === "string") throw new Error(`bad default host ${spec.defaultHost}`);
  }
  const verify = tls ?? { insecure: false, insecureHost: false };
  const aws = env.settingsOf(chain).aws ?? env.settings.aws;
  let signer: AwsSigner | undefined;
  if (aws || spec.region) {
    try {
      signer = new AwsSigner(aws ?? {}, { region: spec.region ?? "us-east-1", service: "bedrock" });
    } catch (error) {
      env.issue([...path, aws ? "policies" : "provider"], (error as Error).message);
      return undefined;
    }
  }
  return {
    name: config.name,
    spec,
    client: env.clientFor(target, target.scheme === "https" ? verify : tls),
    hostOverride: config.hostOverride != null,
    pathOverride: config.pathOverride ?? undefined,
    pathPrefix: config.pathPrefix ?? undefined,
    chain,
    signer,
  };
}
