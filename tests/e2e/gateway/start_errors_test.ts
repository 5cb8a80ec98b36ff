/** A port agw cannot listen on is one `error: cannot start: …` line and exit 1, never a stack trace. */
import assert from "node:assert/strict";
import { runCli } from "../config/run_cli.ts";

function config(port: number, statsAddr = "off"): string {
  return `config: {adminAddr: "off", statsAddr: "${statsAddr}", readinessAddr: "off"}
binds:
- port: ${port}
  listeners:
  - routes:
    - policies: {directResponse: {status: 200}}
`;
}

/** Holds a port on all interfaces (where agw binds) for the duration of `fn`. */
async function withBusyPort(fn: (port: number) => Promise<void>): Promise<void> {
  const listener = Deno.listen({ hostname: "0.0.0.0", port: 0 });
  try {
    await fn((listener.addr as Deno.NetAddr).port);
  } finally {
    listener.close();
  }
}

Deno.test("agw exits 1 naming the bind port that is already in use", async () => {
  await withBusyPort(async (port) => {
    const result = await runCli(["-c", config(port)]);
    assert.equal(result.stderr, `error: cannot start: bind port ${port}: address already in use\n`);
    assert.equal(result.code, 1);
  });
});

Deno.test("agw exits 1 naming the stats address that is already in use", async () => {
  await withBusyPort(async (port) => {
    const result = await runCli(["-c", config(0, `0.0.0.0:${port}`)]);
    assert.equal(
      result.stderr,
      `error: cannot start: config.statsAddr "0.0.0.0:${port}": address already in use\n`,
    );
    assert.equal(result.code, 1);
  });
});
