import assert from "node:assert/strict";
import { startEchoUpstream } from "../../support/fake_upstream.ts";
import { startGateway } from "../../support/gateway_harness.ts";

Deno.test("weighted backends share traffic by weight, and weight 0 gets none", async () => {
  const heavy = await startEchoUpstream("heavy");
  const light = await startEchoUpstream("light");
  const never = await startEchoUpstream("never");
  const gw = await startGateway(`backends:
- name: light-one
  host: ${light.address}
binds:
- port: 0
  listeners:
  - routes:
    - backends:
      - host: ${heavy.address}
        weight: 3
      - backend: light-one
        weight: 1
      - host: ${never.address}
        weight: 0
`);
  const total = 400;
  try {
    const counts: Record<string, number> = {};
    for (let i = 0; i < total; i++) {
      const response = await fetch(gw.url());
      const name = response.headers.get("x-upstream") ?? "?";
      counts[name] = (counts[name] ?? 0) + 1;
      await response.body?.cancel();
    }
    // Expected 300/100. Binomial sd ≈ 8.7; ±45 is over 5 sd, so this fails by chance ~1e-7.
    assert.ok(Math.abs((counts.heavy ?? 0) - 300) <= 45, JSON.stringify(counts));
    assert.ok(Math.abs((counts.light ?? 0) - 100) <= 45, JSON.stringify(counts));
    assert.equal(counts.never, undefined);
  } finally {
    await gw.close();
    await heavy.close();
    await light.close();
    await never.close();
  }
});

Deno.test("a route whose backends all have weight 0 answers 500", async () => {
  const upstream = await startEchoUpstream();
  const gw = await startGateway(`binds:
- port: 0
  listeners:
  - routes:
    - backends:
      - host: ${upstream.address}
        weight: 0
`);
  try {
    const response = await fetch(gw.url());
    assert.equal(response.status, 500);
    await response.body?.cancel();
  } finally {
    await gw.close();
    await upstream.close();
  }
});
