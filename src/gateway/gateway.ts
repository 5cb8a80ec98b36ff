import { type AdminServers, listenFailureReason, startAdminServers } from "../admin/mod.ts";
import type { Config, LoadedConfig } from "../config/mod.ts";
import {
  createTracer,
  logger,
  Metrics,
  reconfigureTracer,
  type RequestTracer,
} from "../telemetry/mod.ts";
import { listen, type Listening } from "./listen.ts";
import { proxy } from "./proxy.ts";
import { compileBindTable } from "./route_table.ts";
import { buildSnapshot, type CompiledBind, type ServerTls, type Snapshot } from "./snapshot.ts";

/** Options for starting a gateway. */
export interface GatewayOptions {
  /** Address the binds listen on; agentgateway listens on all interfaces. */
  bindHostname?: string;
}

/** What a bind removed by a reload serves while it drains: nothing (404). */
const EMPTY_TABLE = compileBindTable([]);

interface RunningBind {
  listening: Listening;
  key: number;
  /** What the server was started with: Deno.serve cannot change it while running. */
  tls: ServerTls | undefined;
}

/**
 * Owns the current snapshot and one server per bind. Requests read the snapshot reference once,
 * when they start, so a reload never changes the config under a request in flight.
 */
export class Gateway {
  readonly metrics: Metrics;
  #snapshot: Snapshot;
  #binds = new Map<number, RunningBind>();
  #admin: AdminServers | undefined;
  /** config.tracing's span exporter; undefined when tracing is off. */
  #tracer: RequestTracer | undefined;
  /** Binds removed by a reload that are still finishing their requests. */
  readonly #draining = new Set<Promise<void>>();
  #ready = false;
  readonly #hostname: string;

  private constructor(snapshot: Snapshot, options: GatewayOptions, metrics: Metrics) {
    this.metrics = metrics;
    this.#snapshot = snapshot;
    this.#hostname = options.bindHostname ?? "0.0.0.0";
  }

  /** Compiles the config, starts every bind and the admin servers. Throws ConfigError on a bad config. */
  static async start(loaded: LoadedConfig, options: GatewayOptions = {}): Promise<Gateway> {
    const metrics = new Metrics();
    const snapshot = buildSnapshot(loaded, {
      onUpstreamConnect: (endpoint) => metrics.recordUpstreamConnection(endpoint),
      onUpstreamPoolFull: (endpoint) => metrics.recordUpstreamPoolFull(endpoint),
    });
    const gateway = new Gateway(snapshot, options, metrics);
    logger.configure(loaded.config.config.logging);
    try {
      gateway.#tracer = await createTracer(loaded.config.config.tracing);
      gateway.#admin = await startAdminServers(gateway.#view(), loaded.config.config);
      await gateway.#startBinds(gateway.#snapshot);
    } catch (error) {
      await gateway.shutdown(0);
      throw error;
    }
    gateway.#ready = true;
    return gateway;
  }

  /** The ports the binds listen on, in config order (useful when a bind asked for port 0). */
  get ports(): number[] {
    return [...this.#snapshot.binds.keys()].map((key) =>
      this.#binds.get(key)?.listening.port ?? -1
    );
  }

  /** The admin servers' ports, for tests and logs. */
  get adminPorts(): { admin?: number; stats?: number; readiness?: number } {
    return {
      ...(this.#admin?.admin && { admin: this.#admin.admin.port }),
      ...(this.#admin?.stats && { stats: this.#admin.stats.port }),
      ...(this.#admin?.readiness && { readiness: this.#admin.readiness.port }),
    };
  }

  /** The config being served. */
  get config(): Config {
    return this.#snapshot.config;
  }

  /**
   * Swaps in a new config: compiled first (a ConfigError leaves the old one serving), then one
   * reference changes. Binds on new ports start, binds on removed ports drain and stop.
   */
  async reload(loaded: LoadedConfig): Promise<void> {
    const next = buildSnapshot(loaded, {
      onUpstreamConnect: (endpoint) => this.metrics.recordUpstreamConnection(endpoint),
      onUpstreamPoolFull: (endpoint) => this.metrics.recordUpstreamPoolFull(endpoint),
    });
    // Everything that can fail comes before the swap: a new tracer, then listening on new ports.
    // If either fails, nothing has changed and the old config keeps serving.
    const previousTracer = this.#tracer;
    let tracer: RequestTracer | undefined;
    try {
      tracer = await reconfigureTracer(previousTracer, loaded.config.config.tracing);
    } catch (error) {
      next.close();
      throw error;
    }
    const started = await this.#startBinds(next).catch(async (error) => {
      next.close();
      if (tracer !== previousTracer) await tracer?.shutdown();
      throw error;
    });
    const previous = this.#snapshot;
    this.#snapshot = next;
    this.#tracer = tracer;
    logger.configure(loaded.config.config.logging);
    if (previousTracer !== tracer) previousTracer?.shutdown().catch(() => {});
    this.#stopRemovedBinds();
    logger.debug("config swapped", { newBinds: started });
    // Requests still running on the old snapshot keep their connections until they finish.
    previous.retire();
  }

  async shutdown(deadlineMs: number): Promise<void> {
    // Not ready first, so a load balancer stops sending while in-flight requests drain.
    this.#ready = false;
    const draining = Promise.all([
      ...[...this.#binds.values()].map((bind) => bind.listening.shutdown()),
      ...this.#draining,
    ]);
    let timer: ReturnType<typeof setTimeout> | undefined;
    const deadline = new Promise<"deadline">((resolve) => {
      timer = setTimeout(() => resolve("deadline"), deadlineMs);
    });
    const outcome = await Promise.race([draining.then(() => "drained" as const), deadline]);
    clearTimeout(timer);
    if (outcome === "deadline") logger.warn("shutdown deadline reached with requests in flight");
    await this.#admin?.shutdown();
    // The last spans go out once the last request has ended (bounded: the collector may be down).
    await this.#tracer?.shutdown();
    this.#snapshot.close();
    this.#binds.clear();
  }

  #view() {
    return {
      config: () => this.#snapshot.config,
      isReady: () => this.#ready,
      metrics: this.metrics,
    };
  }

  /** Stops the binds whose ports the current snapshot no longer has; they drain first. */
  /**
   * Stops the binds the current snapshot no longer has. They drain in the background (a long
   * stream must not hold up the reload); shutdown() waits for them within its deadline.
   */
  #stopRemovedBinds(): void {
    const wanted = this.#snapshot.binds;
    for (const [key, running] of this.#binds) {
      if (!wanted.has(key)) {
        this.#binds.delete(key);
        const draining = running.listening.shutdown().finally(() =>
          this.#draining.delete(draining)
        );
        this.#draining.add(draining);
      }
    }
  }

  /** Listens on every bind of `snapshot` not yet listening; on failure stops those it started. */
  async #startBinds(snapshot: Snapshot): Promise<number> {
    const startedKeys: number[] = [];
    try {
      for (const [key, bind] of snapshot.binds) {
        const running = this.#binds.get(key);
        if (running) {
          if (running.tls?.cert !== bind.tls?.cert || running.tls?.key !== bind.tls?.key) {
            logger.warn("the bind's TLS settings changed; restart agw to serve them", {
              bind: bind.name,
            });
          }
          continue;
        }
        // What the client spoke to agw, for x-forwarded-proto: fixed by how the server started.
        const proto = bind.tls ? "https" : "http";
        let listening: Listening;
        try {
          listening = await listen({
            hostname: this.#hostname,
            port: bind.port,
            tls: bind.tls,
            handler: (request, clientIp, clientPort) => {
              // Read the current snapshot at request start: reloads affect only later requests.
              const current: CompiledBind = this.#snapshot.binds.get(key) ??
                { ...bind, table: EMPTY_TABLE };
              return proxy(
                request,
                current,
                { clientAddr: clientIp, clientPort, proto },
                this.metrics,
                this.#tracer,
              );
            },
          });
        } catch (error) {
          // `error: cannot start: bind port 8080: address already in use`
          throw new Error(`bind port ${bind.port}: ${listenFailureReason(error)}`, {
            cause: error,
          });
        }
        this.#binds.set(key, { listening, key, tls: bind.tls });
        startedKeys.push(key);
        logger.info("listening", {
          bind: bind.name,
          address: `${listening.hostname}:${listening.port}`,
        });
      }
    } catch (error) {
      for (const key of startedKeys) {
        await this.#binds.get(key)?.listening.shutdown();
        this.#binds.delete(key);
      }
      throw error;
    }
    return startedKeys.length;
  }
}
