/**
 * Regression guard for the CEL engine chosen for agw (@marcbachmann/cel-js, see
 * docs/architecture.md "CEL engine"): runs the core sections of the CEL conformance suite
 * (npm @bufbuild/cel-spec) and checks that the pass rate has not dropped below the measured
 * baseline (905 passed / 100 failed / 98 skipped = 90.0% with cel-js 8.0.0, cel-spec 0.6.1).
 * Full report for both candidate engines: `deno run -A bench/cel/conformance.ts`.
 */
import assert from "node:assert/strict";
import { CORE_SECTIONS, loadConformance, runSections } from "../../../bench/cel/conformance_lib.ts";
import { marcAdapter } from "../../../bench/cel/engine_marc.ts";
import { compileExpression } from "../../../src/cel/mod.ts";

/** Measured pass rate minus a small margin (engine upgrades may move a few tests). */
const MIN_PASS_RATE = 0.88;
const MIN_PASSED = 880;

const data = await loadConformance();
if (!data) {
  console.log("skipping CEL conformance: @bufbuild/cel-spec test data cannot be loaded");
}

Deno.test({
  name: "CEL conformance (core sections) pass rate of the chosen engine stays at its baseline",
  ignore: data === undefined,
  fn() {
    const r = runSections(marcAdapter(), data!, CORE_SECTIONS);
    const summary = `${r.engine} ${r.version}: ${r.passed} passed, ${r.failed} failed, ` +
      `${r.skipped} skipped, rate ${(r.passRate * 100).toFixed(1)}%`;
    assert.ok(r.passed >= MIN_PASSED, `too few conformance tests pass: ${summary}`);
    assert.ok(r.passRate >= MIN_PASS_RATE, `conformance pass rate regressed: ${summary}`);
    // Every core section must actually run tests (guards against the data layout changing).
    for (const s of r.sections) {
      assert.ok(s.passed + s.failed > 0, `section ${s.section} ran no test`);
    }
  },
});

Deno.test("CEL engine still supports the undocumented macro hooks agw's default() and with() use", () => {
  const ctx = { request: { headers: { "x-user": "admin" }, body: '{"a": 1}' } };
  const evaluate = (source: string) => compileExpression(source).evaluate(ctx);
  // json(...) as the container keeps default() off its map fast path, so tryEval itself runs.
  assert.equal(evaluate(`default(json(request.body).missing, "fb")`), "fb");
  assert.equal(evaluate(`default(request.headers["x-user"], "fb")`), "admin");
  assert.equal(evaluate(`json(request.body).with(b, b.a + 1)`), 2n);
  assert.equal(evaluate(`cidr("10.0.0.0/8").containsIP("10.9.8.7")`), true);
  assert.equal(evaluate(`base64.encode("hello")`), "aGVsbG8=");
});
