/**
 * Examples are tests: every config this repo ships passes `--validate-only` (agentgateway's
 * tests/validate_examples.rs). They must not need env variables or files beside them.
 */
import assert from "node:assert/strict";
import { mapLimit, once, REPO_ROOT, runCli } from "./run_cli.ts";

function shippedConfigs(): string[] {
  const examples = [...Deno.readDirSync(`${REPO_ROOT}config/examples`)]
    .filter((entry) => entry.isFile && /\.ya?ml$/.test(entry.name))
    .map((entry) => `config/examples/${entry.name}`)
    .sort();
  return ["config/default.yaml", ...examples];
}

const FILES = shippedConfigs();
// runCli drops the caller's environment: an example must not rely on it.
const runAll = once(() => mapLimit(FILES, 4, (file) => runCli(["--validate-only", "-f", file])));

Deno.test("config/examples holds at least one example besides default.yaml", () => {
  assert.ok(FILES.length > 1, `only ${FILES.join(", ")}`);
});

for (const [index, file] of FILES.entries()) {
  Deno.test(`${file} passes --validate-only`, async () => {
    const result = (await runAll())[index]!;
    assert.equal(result.code, 0, `${file} is invalid:\n${result.stderr}`);
    assert.equal(result.stdout, `${file}: configuration is valid\n`);
  });
}

Deno.test("every example starts with a comment saying what it shows", () => {
  for (const file of FILES) {
    const text = Deno.readTextFileSync(`${REPO_ROOT}${file}`);
    assert.match(text, /^# \S/, `${file} has no comment header`);
  }
});
