/** agw's flags and exit codes: 0 ok, 1 invalid config, 2 bad usage. */
import assert from "node:assert/strict";
import { runCli } from "./run_cli.ts";

Deno.test("agw --version prints the version and exits 0", async () => {
  const result = await runCli(["--version"]);
  assert.equal(result.code, 0);
  assert.match(result.stdout, /^agw \d+\.\d+\.\d+\S*\n$/);
  assert.equal((await runCli(["-V"])).stdout, result.stdout);
});

Deno.test("agw --help prints the usage and exits 0", async () => {
  const result = await runCli(["--help"]);
  assert.equal(result.code, 0);
  assert.match(result.stdout, /^Usage: agw/);
  assert.match(result.stdout, /--validate-only/);
  assert.equal(result.stderr, "");
});

Deno.test("agw exits 2 with the usage on an unknown flag", async () => {
  const result = await runCli(["--validate-onyl", "-f", "config/default.yaml"]);
  assert.equal(result.code, 2);
  assert.match(result.stderr, /^error: Unknown argument "--validate-onyl"/);
  assert.match(result.stderr, /Usage: agw/);
  assert.equal(result.stdout, "");
});

Deno.test("agw exits 2 when no config is given", async () => {
  const result = await runCli(["--validate-only"]);
  assert.equal(result.code, 2);
  assert.match(result.stderr, /^error: a config is required: pass -f FILE or -c YAML/);
});

Deno.test("agw exits 2 when a flag lacks its value", async () => {
  const result = await runCli(["--validate-only", "-f"]);
  assert.equal(result.code, 2);
  assert.match(result.stderr, /^error: Missing value for -f/);
});

Deno.test("agw exits 2 when given both a file and an inline config", async () => {
  const result = await runCli(["--validate-only", "-f", "config/default.yaml", "-c", "{}"]);
  assert.equal(result.code, 2);
  assert.match(result.stderr, /^error: Cannot use both --file and --config/);
});

Deno.test("agw --validate-only exits 1 naming a config file that does not exist", async () => {
  const result = await runCli(["--validate-only", "-f", "no/such/agw-config.yaml"]);
  assert.equal(result.code, 1);
  assert.equal(
    result.stderr,
    'error: cannot read config file "no/such/agw-config.yaml": not found\n',
  );
  assert.equal(result.stdout, "");
});

Deno.test("agw --validate-only reports problems with the file path as their source", async () => {
  const file = await Deno.makeTempFile({ suffix: ".yaml" });
  try {
    await Deno.writeTextFile(file, "binds:\n- port: 3000\n  listener: []\n");
    const result = await runCli(["--validate-only", `--file=${file}`]);
    assert.equal(result.code, 1);
    assert.equal(
      result.stderr,
      `${file}:2:3: binds[0].listeners: missing required field\n` +
        `${file}:3:3: binds[0].listener: unknown field "listener"\n`,
    );
  } finally {
    await Deno.remove(file);
  }
});
