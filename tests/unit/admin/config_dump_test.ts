import assert from "node:assert/strict";
import { dumpConfig } from "../../../src/admin/config_dump.ts";
import { loadConfig } from "../../../src/config/mod.ts";

function dump(yaml: string): string {
  return JSON.stringify(dumpConfig(loadConfig(yaml, { source: "test.yaml" }).config));
}

Deno.test("dumpConfig redacts backendAuth keys in every form, on routes and named backends", () => {
  const text = dump(`binds:
- port: 80
  listeners:
  - routes:
    - policies: {backendAuth: {key: sk-route}}
      backends:
      - host: 127.0.0.1:9
        policies: {backendAuth: {key: {value: sk-value, location: {queryParameter: {name: k}}}}}
backends:
- name: b
  host: 127.0.0.1:9
  policies: {backendAuth: {key: {file: /run/secrets/key}}}
`);
  for (const secret of ["sk-route", "sk-value", "/run/secrets/key"]) {
    assert.ok(!text.includes(secret), `${secret} in ${text}`);
  }
  assert.equal(text.match(/"key":"<redacted>"/g)?.length, 3);
});

Deno.test("dumpConfig redacts credential headers and leaves other values, TLS file paths included", () => {
  const text = dump(`binds:
- port: 443
  listeners:
  - protocol: HTTPS
    tls: {cert: /certs/tls.crt, key: /certs/tls.key}
    routes:
    - policies:
        requestHeaderModifier:
          set: {Authorization: "Bearer abc", Cookie: "s=1", x-api-key: k1, x-trace: keep-me}
      backends: [{host: 127.0.0.1:9}]
`);
  for (const secret of ["Bearer abc", "s=1", "k1"]) assert.ok(!text.includes(secret), secret);
  for (const kept of ["keep-me", "/certs/tls.key", "/certs/tls.crt"]) {
    assert.ok(text.includes(kept), kept);
  }
});

Deno.test("dumpConfig redacts an inlined private key wherever it appears", () => {
  const pem = "-----BEGIN PRIVATE KEY-----\\nMIIE\\n-----END PRIVATE KEY-----";
  const text = dump(`binds:
- port: 443
  listeners:
  - protocol: HTTPS
    tls: {cert: /certs/tls.crt, key: "${pem}"}
`);
  assert.ok(!text.includes("MIIE"));
  assert.ok(text.includes('"key":"<redacted>"'));
});

Deno.test("dumpConfig redacts tracing headers, whose values are usually collector credentials", () => {
  const text = dump(`config:
  tracing:
    otlpEndpoint: http://127.0.0.1:4317
    headers: {x-honeycomb-team: s3cr3t, dd-api-key: k3y}
`);
  assert.ok(!text.includes("s3cr3t") && !text.includes("k3y"), text);
  assert.ok(text.includes('"x-honeycomb-team":"<redacted>"'), text);
});
