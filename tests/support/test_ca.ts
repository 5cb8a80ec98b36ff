/**
 * A throwaway certificate authority for TLS tests, made with `openssl` at test time (EC P-256,
 * valid for two days) in a temporary directory: a root CA, three server certificates and a client
 * certificate for mTLS. Generated once per process (one test file) and shared by its tests.
 * @module
 */

/** A certificate and its private key: PEM file paths and texts. */
export interface TestCertificate {
  readonly certFile: string;
  readonly keyFile: string;
  readonly cert: string;
  readonly key: string;
}

/** Everything a TLS test needs. */
export interface TestCa {
  /** The root CA certificate (`root`/`caCerts`), with its key. */
  readonly ca: TestCertificate;
  /** Server certificate with SAN `DNS:backend.test, DNS:localhost, IP:127.0.0.1`. */
  readonly server: TestCertificate;
  /** Server certificate with only `DNS:other.test`. */
  readonly other: TestCertificate;
  /** Server certificate with only `DNS:backend.test`: no IP SAN, as a real backend's would be. */
  readonly backendOnly: TestCertificate;
  /** Client certificate (`extendedKeyUsage = clientAuth`), CN `agw-test-client`. */
  readonly client: TestCertificate;
  /** The temporary directory holding the files. */
  readonly dir: string;
}

let cached: Promise<TestCa> | undefined;

/** The process's test CA, generated on first use. */
export function testCa(): Promise<TestCa> {
  cached ??= generate();
  return cached;
}

async function generate(): Promise<TestCa> {
  const dir = await Deno.makeTempDir({ prefix: "agw_test_ca_" });
  globalThis.addEventListener("unload", () => Deno.removeSync(dir, { recursive: true }));
  const file = (name: string) => `${dir}/${name}`;
  const newKey = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];

  await openssl([
    "req",
    "-x509",
    ...newKey,
    "-keyout",
    file("ca.key"),
    "-out",
    file("ca.crt"),
    "-days",
    "2",
    "-subj",
    "/CN=agw test root CA",
    "-addext",
    "basicConstraints=critical,CA:TRUE",
    "-addext",
    "keyUsage=critical,keyCertSign,cRLSign",
  ]);
  const issue = (name: string, subject: string, extensions: string) =>
    issueCertificate(file, newKey, name, subject, extensions);
  await Promise.all([
    issue(
      "server",
      "/CN=backend.test",
      "subjectAltName=DNS:backend.test,DNS:localhost,IP:127.0.0.1\n" +
        "extendedKeyUsage=serverAuth",
    ),
    issue("other", "/CN=other.test", "subjectAltName=DNS:other.test\nextendedKeyUsage=serverAuth"),
    issue(
      "backend_only",
      "/CN=backend.test",
      "subjectAltName=DNS:backend.test\nextendedKeyUsage=serverAuth",
    ),
    issue("client", "/CN=agw-test-client", "extendedKeyUsage=clientAuth"),
  ]);
  const read = async (name: string): Promise<TestCertificate> => ({
    certFile: file(`${name}.crt`),
    keyFile: file(`${name}.key`),
    cert: await Deno.readTextFile(file(`${name}.crt`)),
    key: await Deno.readTextFile(file(`${name}.key`)),
  });
  return {
    ca: await read("ca"),
    server: await read("server"),
    other: await read("other"),
    backendOnly: await read("backend_only"),
    client: await read("client"),
    dir,
  };
}

/** A key and CSR, then a certificate signed by the CA with the given v3 extensions. */
async function issueCertificate(
  file: (name: string) => string,
  newKey: string[],
  name: string,
  subject: string,
  extensions: string,
): Promise<void> {
  await Deno.writeTextFile(
    file(`${name}.ext`),
    `basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\n${extensions}\n`,
  );
  await openssl([
    "req",
    "-new",
    ...newKey,
    "-keyout",
    file(`${name}.key`),
    "-out",
    file(`${name}.csr`),
    "-subj",
    subject,
  ]);
  await openssl([
    "x509",
    "-req",
    "-in",
    file(`${name}.csr`),
    "-CA",
    file("ca.crt"),
    "-CAkey",
    file("ca.key"),
    "-set_serial",
    String(Math.floor(Math.random() * 2 ** 48)),
    "-days",
    "2",
    "-extfile",
    file(`${name}.ext`),
    "-out",
    file(`${name}.crt`),
  ]);
}

async function openssl(args: string[]): Promise<void> {
  const output = await new Deno.Command("openssl", { args, stdout: "null", stderr: "piped" })
    .output();
  if (!output.success) {
    throw new Error(
      `openssl ${args[0]} failed: ${new TextDecoder().decode(output.stderr).trim()}`,
    );
  }
}
