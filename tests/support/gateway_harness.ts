/**
 * Starts agw in-process from a YAML string, listening on 127.0.0.1 port 0, with the admin
 * servers off unless the config sets them. Captures log lines for assertions.
 * @module
 */
import { loadConfig } from "../../src/config/mod.ts";
import { Gateway } from "../../src/gateway/mod.ts";
import { logger } from "../../src/telemetry/mod.ts";

/** A running in-process gateway. */
export interface GatewayHarness {
  readonly gateway: Gateway;
  /** Base URL of the n-th bind: `http://127.0.0.1:PORT`. */
  url(bindIndex?: number): string;
  /** Log lines written since start. */
  readonly logs: string[];
  close(): Promise<void>;
}

const ADMIN_OFF = `config:
  adminAddr: "off"
  statsAddr: "off"
  readinessAddr: "off"
`;

/** Starts a gateway. Unless the YAML has its own `config:` block, the admin servers are off. */
export async function startGateway(yaml: string): Promise<GatewayHarness> {
  const text = /^config:/m.test(yaml) ? yaml : ADMIN_OFF + yaml;
  const logs: string[] = [];
  logger.setSink({ write: (line) => logs.push(line) });
  const gateway = await Gateway.start(loadConfig(text, { source: "test.yaml" }), {
    bindHostname: "127.0.0.1",
  });
  return {
    gateway,
    logs,
    url: (bindIndex = 0) => `http://127.0.0.1:${gateway.ports[bindIndex]}`,
    close: () => gateway.shutdown(5_000),
  };
}

/** Reads a response body as JSON (and so consumes it). */
export async function json<T = Record<string, unknown>>(response: Response): Promise<T> {
  return await response.json() as T;
}
