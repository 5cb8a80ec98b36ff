/**
 * A gateway with one route whose only backend is an `ai` provider of `kind` at a fake's
 * address; `routeYaml` adds route-level keys (policies) at six spaces' indent. Disposing it
 * closes the gateway and the fake.
 * @module
 */
import type { FakeProvider } from "./fake_llm.ts";
import { type GatewayHarness, startGateway } from "./gateway_harness.ts";

/** A running gateway in front of one fake provider. */
export interface LlmGateway extends AsyncDisposable {
  readonly gateway: GatewayHarness;
}

/** Starts the gateway. */
export async function startLlmGateway(
  provider: FakeProvider,
  kind: "anthropic" | "openAI",
  routeYaml = "",
): Promise<LlmGateway> {
  const gateway = await startGateway(`binds:
- port: 0
  listeners:
  - routes:
    - backends:
      - ai:
          name: fake
          hostOverride: ${provider.address}
          provider:
            ${kind}: {}
${routeYaml}`);
  return {
    gateway,
    async [Symbol.asyncDispose]() {
      await gateway.close();
      await provider.close();
    },
  };
}
