/**
 * `@modelcontextprotocol/conformance`'s server scenarios (all suites), run directly against an
 * SDK-built fixture that implements what they call, and through agw in front of it: agw must
 * pass every scenario the fixture passes. The tool needs Node 22 APIs, so it runs under Deno.
 */
import assert from "node:assert/strict";
import { connectStreamable } from "../../support/mcp_client.ts";
import { startGateway } from "../../support/gateway_harness.ts";
import { startConformanceFixture } from "../../support/mcp_conformance_server.ts";

const CONFORMANCE = "npm:@modelcontextprotocol/conformance@0.1.16";

interface Score {
  /** Scenario name → whether it passed (no failed check). */
  readonly scenarios: Map<string, boolean>;
  readonly checksPassed: number;
  readonly checksFailed: number;
}

async function runConformance(url: string): Promise<Score> {
  const output = await Deno.makeTempDir({ prefix: "agw-conformance-" });
  try {
    const { stdout } = await new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", CONFORMANCE, "server", "--url", url, "--suite", "all", "-o", output],
      cwd: output,
      stdout: "piped",
      stderr: "piped",
    }).output();
    const text = new TextDecoder().decode(stdout);
    const scenarios = new Map<string, boolean>();
    for (const match of text.matchAll(/^[✓✗] ([\w-]+): (\d+) passed, (\d+) failed$/gm)) {
      scenarios.set(match[1]!, match[3] === "0");
    }
    const total = /^Total: (\d+) passed, (\d+) failed$/m.exec(text);
    assert.ok(total, text);
    return { scenarios, checksPassed: Number(total[1]), checksFailed: Number(total[2]) };
  } finally {
    await Deno.remove(output, { recursive: true });
  }
}

function summary(score: Score): string {
  const passed = [...score.scenarios.values()].filter(Boolean).length;
  return `${passed}/${score.scenarios.size} scenarios, ${score.checksPassed} checks passed, ` +
    `${score.checksFailed} failed`;
}

Deno.test("conformance: agw passes every server scenario its upstream passes directly", async () => {
  const fixture = await startConformanceFixture();
  const agw = await startGateway(`binds:
- port: 0
  listeners:
  - routes:
    - backends:
      - mcp:
          dnsRebindingProtection: true
          targets:
          - name: conformance
            mcp:
              host: ${fixture.url}
`);
  try {
    const direct = await runConformance(fixture.url);
    const through = await runConformance(`${agw.url()}/mcp`);
    console.log(`conformance direct: ${summary(direct)}; through agw: ${summary(through)}`);
    assert.ok(direct.scenarios.size >= 30, `${direct.scenarios.size} scenarios ran`);
    for (const [scenario, passed] of direct.scenarios) {
      if (passed) assert.equal(through.scenarios.get(scenario), true, `${scenario} through agw`);
    }
  } finally {
    await agw.close();
    await fixture.close();
  }
});

Deno.test("conformance fixture: a target that closes its stream mid-call is resumed with Last-Event-ID", async () => {
  const fixture = await startConformanceFixture();
  const agw = await startGateway(`binds:
- port: 0
  listeners:
  - routes:
    - backends:
      - mcp:
          targets:
          - name: conformance
            mcp:
              host: ${fixture.url}
`);
  try {
    const { client } = await connectStreamable(`${agw.url()}/mcp`);
    const result = await client.callTool({ name: "test_reconnection", arguments: {} });
    assert.deepEqual(result.content, [{ type: "text", text: "Reconnection test completed" }]);
    await client.close();
  } finally {
    await agw.close();
    await fixture.close();
  }
});
