/**
 * Admin, stats and readiness servers. Each address may be `off`. They read the gateway's state
 * through the small AdminView interface and never touch the data plane.
 * @module
 */
import type { Config } from "../config/mod.ts";
import { listen, type Listening, parseListenAddress } from "../gateway/listen.ts";
import { LOG_LEVELS, logger, type Metrics } from "../telemetry/mod.ts";
import { dumpConfig } from "./config_dump.ts";

/** What the admin servers may see of the gateway. */
export interface AdminView {
  config(): Config;
  isReady(): boolean;
  readonly metrics: Metrics;
}

/** The admin endpoints that are listening, by name. */
export interface AdminServers {
  readonly admin: Listening | undefined;
  readonly stats: Listening | undefined;
  readonly readiness: Listening | undefined;
  shutdown(): Promise<void>;
}

const json = (body: unknown) =>
  new Response(JSON.stringify(body, null, 2) + "\n", {
    headers: { "content-type": "application/json" },
  });

/**
 * Starts the servers named in `config:`; an address of `off` starts none. If one cannot listen,
 * those already started are stopped and the error names the config key and address.
 */
export async function startAdminServers(
  view: AdminView,
  config: Config["config"],
): Promise<AdminServers> {
  const started: Listening[] = [];
  const start = async (
    key: "adminAddr" | "statsAddr" | "readinessAddr",
    handler: (request: Request) => Response,
  ): Promise<Listening | undefined> => {
    const address = config[key];
    if (address === "off") return undefined;
    const { hostname, port } = parseListenAddress(address);
    try {
      const listening = await listen({
        hostname: hostname === "localhost" ? "127.0.0.1" : hostname,
        port,
        handler,
      });
      started.push(listening);
      return listening;
    } catch (error) {
      await Promise.all(started.map((server) => server.shutdown()));
      throw new Error(`config.${key} ${JSON.stringify(address)}: ${listenFailureReason(error)}`, {
        cause: error,
      });
    }
  };
  const admin = await start("adminAddr", (request) => {
    const path = new URL(request.url).pathname;
    if (path === "/config_dump") return json(dumpConfig(view.config()));
    if (path === "/logging") return changeLogLevel(request);
    if (path === "/" || path === "") {
      return new Response("agw admin: GET /config_dump, GET|POST /logging?level=debug\n", {
        headers: { "content-type": "text/plain" },
      });
    }
    return new Response("not found\n", { status: 404 });
  });
  const stats = await start("statsAddr", (request) => {
    if (new URL(request.url).pathname !== "/metrics") {
      return new Response("not found\n", { status: 404 });
    }
    return new Response(view.metrics.render(), {
      headers: { "content-type": "text/plain; version=0.0.4; charset=utf-8" },
    });
  });
  const readiness = await start("readinessAddr", (request) => {
    if (new URL(request.url).pathname !== "/healthz/ready") {
      return new Response("not found\n", { status: 404 });
    }
    return view.isReady() ? new Response("ready\n") : new Response("not ready\n", { status: 503 });
  });
  return {
    admin,
    stats,
    readiness,
    async shutdown() {
      await Promise.all([admin, stats, readiness].map((server) => server?.shutdown()));
    },
  };
}

/** Why a server could not listen, in the words of `error: cannot start: …`. */
export function listenFailureReason(error: unknown): string {
  if (error instanceof Deno.errors.AddrInUse) return "address already in use";
  if (error instanceof Deno.errors.AddrNotAvailable) return "address not available on this host";
  if (error instanceof Deno.errors.PermissionDenied) return "permission denied";
  if (error instanceof Deno.errors.NotCapable) return "agw was not granted network access";
  return ((error as Error).message ?? String(error)).replace(/ \(os error \d+\)$/, "");
}

/**
 * `POST /logging?level=debug` changes the log level at run time (until the next config load);
 * `GET /logging` tells the current one. An unknown level is a 400 that lists the valid ones.
 */
function changeLogLevel(request: Request): Response {
  if (request.method === "GET") return new Response(`level=${logger.level}\n`);
  if (request.method !== "POST") {
    return new Response("use GET or POST\n", { status: 405, headers: { allow: "GET, POST" } });
  }
  const level = new URL(request.url).searchParams.get("level");
  if (level === null || !logger.setLevel(level)) {
    return new Response(`expected ?level= one of: ${LOG_LEVELS.join(", ")}\n`, { status: 400 });
  }
  logger.info("log level changed", { level: logger.level });
  return new Response(`level=${logger.level}\n`);
}
