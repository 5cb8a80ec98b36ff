/**
 * Issue #12 defect 3: the config watch reacts only to the config file (and its ConfigMap symlink
 * chain), so a busy file beside it does not hold reloads back, and a burst of events delays a
 * reload by a bounded time.
 */
import assert from "node:assert/strict";
import { watchConfigFile } from "../../../src/gateway/reload.ts";
import { type GatewayHarness, startGateway } from "../../support/gateway_harness.ts";
import { within } from "../../support/observed_upstream.ts";

/** The watch's bound on how long a burst may put a reload off, plus slack for a busy machine. */
const RELOAD_BOUND_MS = 1_000 + 1_000;
/** Writes a busy neighbour makes at most: the loop is bounded, and normally stops far sooner. */
const MAX_WRITES = 50_000;

function directResponse(body: string): string {
  return `config: {adminAddr: "off", statsAddr: "off", readinessAddr: "off"}
binds:
- port: 0
  listeners:
  - routes:
    - policies: {directResponse: {status: 200, body: "${body}"}}
`;
}

async function body(gw: GatewayHarness): Promise<string> {
  const response = await fetch(gw.url());
  assert.equal(response.status, 200);
  return await response.text();
}

/** A gateway serving `path`, watched; `reloads()` resolves at the next successful reload. */
async function watched(path: string, text: string) {
  const gw = await startGateway(text);
  let next = Promise.withResolvers<void>();
  const stop = watchConfigFile(gw.gateway, path, {
    initialText: text,
    onReloaded: (ok) => {
      if (!ok) return;
      next.resolve();
      next = Promise.withResolvers<void>();
    },
  });
  return {
    gw,
    reloaded: () => within(next.promise, 10_000, "a reload"),
    close: async () => {
      stop();
      await gw.close();
    },
  };
}

/** Writes `file` back to back until `until` settles or MAX_WRITES; resolves with the count. */
async function writeContinuously(
  file: string,
  text: (i: number) => string,
  until: Promise<unknown>,
): Promise<{ writes: number; stoppedEarly: boolean }> {
  let done = false;
  until.finally(() => (done = true)).catch(() => {});
  let writes = 0;
  while (!done && writes < MAX_WRITES) {
    await Deno.writeTextFile(file, text(writes), { append: false });
    writes++;
  }
  return { writes, stoppedEarly: done };
}

Deno.test("hot reload is not held back by a file written continuously beside the config", async () => {
  const dir = await Deno.makeTempDir({ prefix: "agw-watch-" });
  const path = `${dir}/config.yaml`;
  await Deno.writeTextFile(path, directResponse("v1"));
  const agw = await watched(path, directResponse("v1"));
  try {
    const reloaded = agw.reloaded();
    const writer = writeContinuously(`${dir}/agw.log`, (i) => `line ${i}\n`, reloaded);
    const started = performance.now();
    await Deno.writeTextFile(path, directResponse("v2"));
    await reloaded;
    const elapsed = performance.now() - started;
    const { stoppedEarly } = await writer;
    assert.ok(stoppedEarly, "the reload came only after the neighbour stopped writing");
    assert.ok(elapsed < RELOAD_BOUND_MS, `reloaded after ${elapsed} ms`);
    assert.equal(await body(agw.gw), "v2");
  } finally {
    await agw.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("hot reload of a config written continuously comes within the bound", async () => {
  const dir = await Deno.makeTempDir({ prefix: "agw-watch-" });
  const path = `${dir}/config.yaml`;
  await Deno.writeTextFile(path, directResponse("v1"));
  const agw = await watched(path, directResponse("v1"));
  try {
    const reloaded = agw.reloaded();
    const started = performance.now();
    // Every write is the same new version: a reload at any point serves it.
    const writer = writeContinuously(path, () => directResponse("v2"), reloaded);
    await reloaded;
    const elapsed = performance.now() - started;
    assert.ok((await writer).stoppedEarly, "the reload waited for the writes to stop");
    assert.ok(elapsed < RELOAD_BOUND_MS, `reloaded after ${elapsed} ms`);
    assert.equal(await body(agw.gw), "v2");
  } finally {
    await agw.close();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("hot reload follows a Kubernetes ConfigMap's ..data symlink swap", async () => {
  const dir = await Deno.makeTempDir({ prefix: "agw-configmap-" });
  // The kubelet's layout: config.yaml -> ..data/config.yaml, ..data -> ..<timestamp>/.
  const version = async (name: string, text: string) => {
    await Deno.mkdir(`${dir}/${name}`);
    await Deno.writeTextFile(`${dir}/${name}/config.yaml`, text);
  };
  await version("..2026_01_01", directResponse("v1"));
  await Deno.symlink("..2026_01_01", `${dir}/..data`);
  await Deno.symlink("..data/config.yaml", `${dir}/config.yaml`);
  const agw = await watched(`${dir}/config.yaml`, directResponse("v1"));
  try {
    // Twice: the second swap proves the watch still follows the chain after the first.
    for (const [name, text] of [["..2026_01_02", "v2"], ["..2026_01_03", "v3"]] as const) {
      const reloaded = agw.reloaded();
      await version(name, directResponse(text));
      // The kubelet swaps by renaming a new link over ..data: no event names config.yaml.
      await Deno.symlink(name, `${dir}/..data_tmp`);
      await Deno.rename(`${dir}/..data_tmp`, `${dir}/..data`);
      await reloaded;
      assert.equal(await body(agw.gw), text);
    }
  } finally {
    await agw.close();
    await Deno.remove(dir, { recursive: true });
  }
});
