/** The admin (`/config_dump`) and readiness (`/healthz/ready`) servers, and `off` addresses. */
import assert from "node:assert/strict";
import { startGateway } from "../../support/gateway_harness.ts";

const ALL_ON = `config:
  adminAddr: 127.0.0.1:0
  statsAddr: 127.0.0.1:0
  readinessAddr: 127.0.0.1:0
`;

const ROUTES = `binds:
- port: 0
  listeners:
  - routes:
    - name: plain
      matches: [{path: {pathPrefix: /plain}}]
      policies:
        backendAuth: {key: sk-inline-secret}
        requestHeaderModifier: {set: {authorization: "Bearer header-secret", x-keep: visible}}
      backends:
      - host: 127.0.0.1:9
    - name: located
      policies:
        backendAuth: {key: {value: sk-located-secret, location: {header: {name: x-api-key}}}}
      backends:
      - host: 127.0.0.1:9
`;

interface Dump {
  config: Record<string, unknown>;
  binds: {
    listeners: {
      protocol: string;
      routes: {
        name: string;
        policies: Record<string, Record<string, unknown>>;
        backends: { weight: number }[];
      }[];
    }[];
  }[];
  backends: unknown[];
}

async function get(port: number | undefined, path: string): Promise<Response> {
  assert.ok(port !== undefined && port > 0, `no port for ${path}`);
  return await fetch(`http://127.0.0.1:${port}${path}`);
}

Deno.test("admin /config_dump returns the effective config with defaults filled and keys redacted", async () => {
  const gw = await startGateway(ALL_ON + ROUTES);
  try {
    const response = await get(gw.gateway.adminPorts.admin, "/config_dump");
    assert.equal(response.status, 200);
    assert.equal(response.headers.get("content-type"), "application/json");
    const text = await response.text();
    for (const secret of ["sk-inline-secret", "sk-located-secret", "header-secret"]) {
      assert.ok(!text.includes(secret), `${secret} is in the dump`);
    }
    const dump = JSON.parse(text) as Dump;
    // Defaults the YAML left out are filled in.
    assert.deepEqual(dump.config, {
      adminAddr: "127.0.0.1:0",
      statsAddr: "127.0.0.1:0",
      readinessAddr: "127.0.0.1:0",
      logging: {},
    });
    assert.deepEqual(dump.backends, []);
    const listener = dump.binds[0]!.listeners[0]!;
    assert.equal(listener.protocol, "HTTP");
    assert.equal(listener.routes[0]!.backends[0]!.weight, 1);
    // Credentials are redacted; what is not a credential stays readable.
    const [plain, located] = listener.routes;
    assert.deepEqual(plain!.policies.backendAuth, { key: "<redacted>" });
    assert.deepEqual(plain!.policies.requestHeaderModifier, {
      set: { authorization: "<redacted>", "x-keep": "visible" },
    });
    assert.deepEqual(located!.policies.backendAuth, { key: "<redacted>" });
  } finally {
    await gw.close();
  }
});

Deno.test("admin answers 404 for a path it does not serve", async () => {
  const gw = await startGateway(ALL_ON + ROUTES);
  try {
    const response = await get(gw.gateway.adminPorts.admin, "/nope");
    assert.equal(response.status, 404);
    await response.body?.cancel();
  } finally {
    await gw.close();
  }
});

Deno.test("readiness /healthz/ready answers 200 once the gateway has started", async () => {
  const gw = await startGateway(ALL_ON + ROUTES);
  try {
    const response = await get(gw.gateway.adminPorts.readiness, "/healthz/ready");
    assert.equal(response.status, 200);
    assert.equal(await response.text(), "ready\n");
    const other = await get(gw.gateway.adminPorts.readiness, "/metrics");
    assert.equal(other.status, 404);
    await other.body?.cancel();
  } finally {
    await gw.close();
  }
});

Deno.test("admin servers whose address is off do not listen", async (t) => {
  const cases = [
    { name: "only stats", admin: "off", stats: "127.0.0.1:0", readiness: "off" },
    { name: "all but stats", admin: "127.0.0.1:0", stats: "off", readiness: "127.0.0.1:0" },
    { name: "none", admin: "off", stats: "off", readiness: "off" },
  ];
  for (const { name, ...addresses } of cases) {
    await t.step(name, async () => {
      const gw = await startGateway(`config:
  adminAddr: "${addresses.admin}"
  statsAddr: "${addresses.stats}"
  readinessAddr: "${addresses.readiness}"
${ROUTES}`);
      try {
        const on = Object.entries(addresses).filter(([, address]) => address !== "off");
        assert.deepEqual(Object.keys(gw.gateway.adminPorts).sort(), on.map(([key]) => key).sort());
        // Those that are on answer.
        for (const port of Object.values(gw.gateway.adminPorts)) {
          const response = await get(port, "/");
          await response.body?.cancel();
        }
      } finally {
        await gw.close();
      }
    });
  }
});
