/** Hot reload: agw watches its `-f` file and swaps in each valid version; an invalid one is logged. */
import assert from "node:assert/strict";
import {
  type AgwProcess,
  startAgw,
  type TempConfig,
  tempConfig,
} from "../../support/agw_process.ts";
import { deferred, startUpstream } from "../../support/fake_upstream.ts";

const ADMIN_OFF = `config: {adminAddr: "off", statsAddr: "off", readinessAddr: "off"}\n`;

function directResponse(body: string): string {
  return `${ADMIN_OFF}binds:
- port: 0
  listeners:
  - routes:
    - name: r
      policies: {directResponse: {status: 200, body: "${body}"}}
`;
}

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

/** Runs agw on a temp config holding `text`; afterwards asserts a clean exit and removes the file. */
async function withAgw(
  text: string,
  fn: (agw: AgwProcess, config: TempConfig) => Promise<void>,
): Promise<void> {
  const config = await tempConfig(text);
  try {
    const agw = await startAgw(config.path);
    try {
      await fn(agw, config);
    } finally {
      assert.equal((await agw.stop()).code, 0, agw.stderr);
    }
  } finally {
    await config.remove();
  }
}

async function body(agw: AgwProcess, path = "/"): Promise<string> {
  const response = await fetch(`${agw.url}${path}`);
  assert.equal(response.status, 200);
  return await response.text();
}

Deno.test("agw hot reload serves an edited config once it logs config reloaded", async () => {
  await withAgw(directResponse("v1"), async (agw, config) => {
    assert.equal(await body(agw), "v1");
    const mark = agw.lines.length;
    await config.write(directResponse("v2"));
    const line = await agw.waitForLine(/\tconfig reloaded /, mark);
    assert.ok(line.includes(`path=${config.path}`), line);
    assert.equal(await body(agw), "v2");
  });
});

Deno.test("agw hot reload follows a config replaced by rename, as editors save", async () => {
  await withAgw(directResponse("v1"), async (agw, config) => {
    // Twice: a watch on the file itself would follow the first, replaced inode and miss the second.
    for (const version of ["v2", "v3"]) {
      const mark = agw.lines.length;
      await config.replace(directResponse(version));
      await agw.waitForLine(/\tconfig reloaded /, mark);
      assert.equal(await body(agw), version);
    }
  });
});

Deno.test("agw hot reload logs an invalid config with its YAML path and keeps serving the old one", async (t) => {
  const invalid = /\terror\tinvalid config; keeping the running config /;
  await withAgw(directResponse("v1"), async (agw, config) => {
    await t.step("invalid YAML", async () => {
      const mark = agw.lines.length;
      await config.write(directResponse("v2").replace("routes:", "routes: [\n"));
      const line = await agw.waitForLine(invalid, mark);
      assert.match(line, /Cannot parse YAML/);
      assert.ok(line.includes(`${config.path}:`), line);
      assert.equal(await body(agw), "v1");
    });

    await t.step("an unknown field", async () => {
      const mark = agw.lines.length;
      await config.write(directResponse("v2").replace("body:", "bodyy:"));
      const line = await agw.waitForLine(invalid, mark);
      assert.match(line, /binds\[0\]\.listeners\[0\]\.routes\[0\]\.policies\.directResponse/);
      assert.match(line, /bodyy/);
      assert.equal(await body(agw), "v1");
    });

    await t.step("a bad value, after a good edit", async () => {
      let mark = agw.lines.length;
      await config.write(directResponse("v2"));
      await agw.waitForLine(/\tconfig reloaded /, mark);
      mark = agw.lines.length;
      await config.write(directResponse("v3").replace("status: 200", "status: 2000"));
      const line = await agw.waitForLine(invalid, mark);
      assert.match(
        line,
        /binds\[0\]\.listeners\[0\]\.routes\[0\]\.policies\.directResponse\.status/,
      );
      assert.equal(await body(agw), "v2");
    });

    // Every problem is on the one log line: nothing that belongs to it spills onto the next.
    assert.ok(agw.lines.every((line) => /^\d{4}-\d\d-\d\dT\S+\t(info|warn|error)\t/.test(line)));
  });
});

Deno.test("agw hot reload lets a request in flight finish on the config it started with", async () => {
  const arrived = deferred();
  const release = deferred();
  const oldUpstream = await startUpstream(async () => {
    arrived.resolve();
    await release.promise;
    return new Response("old upstream");
  });
  const newUpstream = await startUpstream(() => new Response("new upstream"));
  try {
    await withAgw(routeTo(oldUpstream.address), async (agw, config) => {
      const held = fetch(`${agw.url}/held`);
      await arrived.promise;

      const mark = agw.lines.length;
      await config.write(routeTo(newUpstream.address));
      await agw.waitForLine(/\tconfig reloaded /, mark);
      assert.equal(await body(agw, "/after"), "new upstream");

      release.resolve();
      const response = await held;
      assert.equal(response.status, 200);
      assert.equal(await response.text(), "old upstream");
      assert.deepEqual(oldUpstream.received.map((r) => r.path), ["/held"]);
      assert.deepEqual(newUpstream.received.map((r) => r.path), ["/after"]);
    });
  } finally {
    release.resolve();
    await oldUpstream.close();
    await newUpstream.close();
  }
});
