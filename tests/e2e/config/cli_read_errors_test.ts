/** A `-f` file agw cannot read is one `error: cannot read config file …` line and exit 1, never a stack trace. */
import assert from "node:assert/strict";
import { REPO_ROOT, runCli } from "./run_cli.ts";

const CONFIG = `config: {adminAddr: "off", statsAddr: "off", readinessAddr: "off"}
binds:
- port: 0
  listeners:
  - routes:
    - policies: {directResponse: {status: 200}}
`;

/** Runs agw both ways (validating and serving) and checks each prints exactly `expected` and exits 1. */
async function assertReadError(path: string, reason: string): Promise<void> {
  const expected = `error: cannot read config file ${JSON.stringify(path)}: ${reason}\n`;
  for (const args of [["--validate-only", "-f", path], ["-f", path]]) {
    const result = await runCli(args);
    assert.equal(result.stderr, expected, `agw ${args.join(" ")}`);
    assert.equal(result.code, 1);
    assert.equal(result.stdout, "");
  }
}

Deno.test("agw -f names a directory as one that cannot be read and exits 1", async () => {
  const dir = await Deno.makeTempDir({ prefix: "agw-test-" });
  try {
    await assertReadError(dir, "is a directory");
  } finally {
    await Deno.remove(dir);
  }
});

Deno.test("agw -f reports a path through a file as one that cannot be read and exits 1", async () => {
  const file = await Deno.makeTempFile({ suffix: ".yaml" });
  try {
    await assertReadError(`${file}/config.yaml`, "a parent of it is not a directory");
  } finally {
    await Deno.remove(file);
  }
});

Deno.test("agw -f rejects a file that is not UTF-8 text and exits 1", async () => {
  const file = await Deno.makeTempFile({ suffix: ".yaml" });
  try {
    await Deno.writeFile(
      file,
      new Uint8Array([0x62, 0x69, 0x6e, 0x64, 0x73, 0x3a, 0xff, 0xfe, 0x0a]),
    );
    await assertReadError(file, "not valid UTF-8 text");
  } finally {
    await Deno.remove(file);
  }
});

Deno.test({
  name: "agw -f reports a file without read permission and exits 1",
  // root reads any file whatever its mode.
  ignore: Deno.build.os === "windows" || Deno.uid() === 0,
  async fn() {
    const file = await Deno.makeTempFile({ suffix: ".yaml" });
    try {
      await Deno.writeTextFile(file, CONFIG);
      await Deno.chmod(file, 0o000);
      await assertReadError(file, "permission denied");
    } finally {
      await Deno.remove(file);
    }
  },
});

Deno.test("agw -f reports a file Deno was not allowed to read and exits 1", async () => {
  const file = await Deno.makeTempFile({ suffix: ".yaml" });
  try {
    await Deno.writeTextFile(file, CONFIG);
    const output = await new Deno.Command(Deno.execPath(), {
      args: ["run", "--no-prompt", "--allow-env", "--allow-net", "main.ts", "-f", file],
      cwd: REPO_ROOT,
      env: { NO_COLOR: "1" },
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).output();
    assert.equal(
      new TextDecoder().decode(output.stderr),
      `error: cannot read config file ${
        JSON.stringify(file)
      }: agw was not granted read access to it\n`,
    );
    assert.equal(output.code, 1);
  } finally {
    await Deno.remove(file);
  }
});
