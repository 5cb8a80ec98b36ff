/**
 * The problems a config has, as loadConfig and buildSnapshot report them, for tests that check a
 * bad value is a config error at its YAML path.
 * @module
 */
import assert from "node:assert/strict";
import { ConfigError, loadConfig } from "../../src/config/mod.ts";
import { buildSnapshot } from "../../src/gateway/mod.ts";

/** The issues reported for `yaml`; fails the test if it loads. */
export function configIssues(yaml: string): { path: string; message: string }[] {
  try {
    buildSnapshot(loadConfig(yaml, { source: "test.yaml" })).close();
  } catch (error) {
    if (error instanceof ConfigError) {
      return error.issues.map(({ path, message }) => ({ path, message }));
    }
    throw error;
  }
  assert.fail("expected a config error");
}
