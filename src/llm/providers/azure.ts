/**
 * Azure OpenAI: the `v1` API (`/openai/v1/…`, the default) or a dated API version
 * (`/openai/deployments/{model}/…?api-version=…`, key in `api-key`). Foundry resources add
 * `/api/projects/{projectName}` (https://learn.microsoft.com/azure/ai-foundry/openai/reference).
 * @module
 */
import type { HeaderMap } from "../../http/mod.ts";
import type { FormatName } from "../formats/mod.ts";
import { moveBearerTo, type Provider, type ProviderCall } from "./types.ts";

const PATHS: Partial<Record<ProviderCall, string>> = {
  completions: "/chat/completions",
  responses: "/responses",
  models: "/models",
  embeddings: "/embeddings",
};

/** Compiles an `azure` provider. */
export function azureProvider(config: {
  model?: string | null | undefined;
  resourceName: string;
  resourceType: "openAI" | "foundry" | "aiServices";
  apiVersion?: string | null | undefined;
  projectName?: string | null | undefined;
}): Provider {
  const apiVersion = config.apiVersion ?? "v1";
  const isV1 = apiVersion === "v1";
  const host = config.resourceType === "openAI"
    ? `${config.resourceName}.openai.azure.com:443`
    : `${config.resourceName}.services.ai.azure.com:443`;
  const project = config.resourceType === "openAI" || !config.projectName
    ? ""
    : `/api/projects/${encodeURIComponent(config.projectName)}`;
  return {
    name: "azure.ai.openai",
    defaultHost: host,
    model: config.model ?? undefined,
    pathNamesModel: !isV1,
    nativeFormat: (client: FormatName) => client === "responses" ? "responses" : "completions",
    supports: (call) => PATHS[call] !== undefined,
    path(call, model, _stream, prefix) {
      const suffix = PATHS[call] ?? "";
      if (isV1) return `${prefix ?? `${project}/openai/v1`}${suffix}`;
      const root = prefix ?? `${project}/openai/deployments/${encodeURIComponent(model)}`;
      return `${root}${suffix}?api-version=${encodeURIComponent(apiVersion)}`;
    },
    prepareHeaders(headers: HeaderMap) {
      // The v1 API takes keys and Entra tokens alike as Bearer; dated versions want `api-key`.
      if (!isV1) moveBearerTo(headers, "api-key");
    },
    streamFraming: () => "sse",
  };
}
