/** Graceful shutdown: on SIGTERM or SIGINT agw stops accepting, drains what is in flight, exits 0. */
import assert from "node:assert/strict";
import { type AgwProcess, startAgw, tempConfig, withTimeout } from "../../support/agw_process.ts";
import { deferred, startUpstream, type TestUpstream } from "../../support/fake_upstream.ts";

const ADMIN_OFF = `config: {adminAddr: "off", statsAddr: "off", readinessAddr: "off"}\n`;

function routeTo(address: string): string {
  return `${ADMIN_OFF}binds:
- port: 0
  listeners:
  - routes:
    - name: r
      backends:
      - host: ${address}
`;
}

/** An upstream that holds each answer until `release` resolves; `arrived` resolves on the first request. */
async function heldUpstream() {
  const arrived = deferred();
  const release = deferred();
  const upstream = await startUpstream(async () => {
    arrived.resolve();
    await release.promise;
    return new Response("held answer");
  });
  return { upstream, arrived, release };
}

/** Connects until the port refuses. Fails after `attempts` connections that were accepted. */
async function waitUntilRefused(port: number, attempts = 500): Promise<void> {
  for (let i = 0; i < attempts; i++) {
    let conn: Deno.TcpConn;
    try {
      conn = await Deno.connect({ hostname: "127.0.0.1", port });
    } catch (error) {
      if (error instanceof Deno.errors.ConnectionRefused) return;
      throw error;
    }
    conn.close();
  }
  assert.fail(`port ${port} still accepted connections after ${attempts} attempts`);
}

/** Whether `promise` has settled, checked after the event-loop turns already queued. */
async function isSettled(promise: Promise<unknown>): Promise<boolean> {
  const pending = Symbol("pending");
  const marker = await Promise.race([
    promise.then(() => true, () => true),
    Promise.resolve(pending),
  ]);
  return marker !== pending;
}

async function withAgw(
  upstream: TestUpstream,
  fn: (agw: AgwProcess) => Promise<void>,
): Promise<void> {
  const config = await tempConfig(routeTo(upstream.address));
  let agw: AgwProcess | undefined;
  try {
    agw = await startAgw(config.path);
    await fn(agw);
  } finally {
    await agw?.stop("SIGKILL");
    await config.remove();
  }
}

Deno.test("agw on SIGTERM refuses new connections, finishes the request in flight and exits 0", async () => {
  const { upstream, arrived, release } = await heldUpstream();
  try {
    await withAgw(upstream, async (agw) => {
      const held = fetch(`${agw.url}/held`);
      await arrived.promise;

      const mark = agw.lines.length;
      agw.kill("SIGTERM");
      await agw.waitForLine(/\tshutting down signal=SIGTERM/, mark);
      await waitUntilRefused(agw.ports[0]!);
      assert.equal(await isSettled(agw.exited), false, "agw exited with a request in flight");

      release.resolve();
      const response = await held;
      assert.equal(response.status, 200);
      assert.equal(await response.text(), "held answer");
      const status = await withTimeout(agw.exited, "agw did not exit after draining");
      assert.equal(status.code, 0, agw.stderr);
      assert.ok(agw.lines.some((line) => /\tstopped$/.test(line)), agw.lines.join("\n"));
      assert.ok(!agw.lines.some((line) => /shutdown deadline/.test(line)));
    });
  } finally {
    release.resolve();
    await upstream.close();
  }
});

Deno.test("agw on SIGTERM does not wait for idle keep-alive connections", async () => {
  const upstream = await startUpstream(() => new Response("ok"));
  try {
    await withAgw(upstream, async (agw) => {
      // fetch keeps the connection open for reuse; a drain that waited on it would hit the deadline.
      const response = await fetch(agw.url);
      assert.equal(await response.text(), "ok");
      const status = await agw.stop("SIGTERM");
      assert.equal(status.code, 0, agw.stderr);
      assert.ok(!agw.lines.some((line) => /shutdown deadline/.test(line)), agw.lines.join("\n"));
    });
  } finally {
    await upstream.close();
  }
});

Deno.test("agw on SIGINT shuts down and exits 0", async () => {
  const upstream = await startUpstream(() => new Response("ok"));
  try {
    await withAgw(upstream, async (agw) => {
      const status = await agw.stop("SIGINT");
      assert.equal(status.code, 0, agw.stderr);
      assert.ok(agw.lines.some((line) => /\tshutting down signal=SIGINT/.test(line)));
      assert.ok(agw.lines.some((line) => /\tstopped$/.test(line)));
    });
  } finally {
    await upstream.close();
  }
});

Deno.test("agw on a second signal while draining exits at once with code 1", async () => {
  const { upstream, arrived, release } = await heldUpstream();
  try {
    await withAgw(upstream, async (agw) => {
      const held = fetch(`${agw.url}/held`).then((r) => r.text()).catch((error) => error);
      await arrived.promise;
      const mark = agw.lines.length;
      agw.kill("SIGTERM");
      await agw.waitForLine(/\tshutting down /, mark);
      const status = await agw.stop("SIGINT");
      assert.equal(status.code, 1, agw.stderr);
      assert.ok(agw.lines.some((line) => /second signal while draining/.test(line)));
      // The held request was cut off with the process; it cannot have had the upstream's answer.
      assert.notEqual(await held, "held answer");
    });
  } finally {
    release.resolve();
    await upstream.close();
  }
});

Deno.test("agw treats the same signal twice in a row as one (a Ctrl-C echoed by deno task)", async () => {
  const { upstream, release } = await heldUpstream();
  release.resolve();
  try {
    await withAgw(upstream, async (agw) => {
      agw.kill("SIGINT");
      const status = await agw.stop("SIGINT");
      assert.equal(status.code, 0, agw.stderr);
      assert.ok(!agw.lines.some((line) => /second signal while draining/.test(line)));
    });
  } finally {
    await upstream.close();
  }
});
