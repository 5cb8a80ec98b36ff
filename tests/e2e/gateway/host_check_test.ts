import assert from "node:assert/strict";
import net from "node:net";
import { startGateway } from "../../support/gateway_harness.ts";

/** Sends raw request bytes and returns the status line. */
function statusLine(port: number, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    let received = "";
    const socket = net.connect(port, "127.0.0.1", () => socket.write(text));
    socket.on("data", (chunk) => {
      received += chunk;
      if (received.includes("\r\n")) {
        socket.destroy();
        resolve(received.split("\r\n")[0]!);
      }
    });
    socket.on("error", reject);
  });
}

Deno.test("proxy refuses a Host that disagrees with the request target, so CEL and routing agree", async () => {
  const gw = await startGateway(`binds:
- port: 0
  listeners:
  - routes:
    - policies:
        authorization:
          rules: [{deny: 'request.host == "internal.example"'}]
        directResponse: {status: 200, body: ok}
`);
  const port = Number(new URL(gw.url()).port);
  try {
    assert.equal(
      await statusLine(port, "GET /x HTTP/1.1\r\nHost: internal.example\r\n\r\n"),
      "HTTP/1.1 403 Forbidden",
    );
    assert.equal(
      await statusLine(
        port,
        "GET http://public.example/x HTTP/1.1\r\nHost: internal.example\r\n\r\n",
      ),
      "HTTP/1.1 400 Bad Request",
    );
    assert.equal(
      await statusLine(port, "GET /x HTTP/1.1\r\nHost: internal.example:80@public.example\r\n\r\n"),
      "HTTP/1.1 400 Bad Request",
    );
    assert.equal(
      await statusLine(port, "GET /x HTTP/1.1\r\nHost: [::1\r\n\r\n"),
      "HTTP/1.1 400 Bad Request",
    );
    assert.equal(
      await statusLine(port, "GET /x HTTP/1.1\r\nHost: Public.Example:80\r\n\r\n"),
      "HTTP/1.1 200 OK",
    );
  } finally {
    await gw.close();
  }
});
