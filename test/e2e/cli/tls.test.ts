import { once } from "node:events";
import { request } from "node:https";
import { credentials, type ServiceError, status } from "@grpc/grpc-js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import {
  createChatServiceClient,
  type UnaryCallback,
  type WireMessage,
} from "../../../src/adapters/grpc/index.js";
import { type LiveCli, runCli, startServe } from "../../helpers/cli.js";
import { makeTestCertificate, type TestCertificate } from "../../helpers/tls-cert.js";

let certificate: TestCertificate;
let server: LiveCli & { httpUrl?: string; grpcAddress?: string };

beforeAll(async () => {
  certificate = await makeTestCertificate();
  server = await startServe(["--tls-cert", certificate.certFile, "--tls-key", certificate.keyFile]);
});
afterAll(async () => {
  server.child.kill("SIGTERM");
  await server.exit;
});

/** An HTTPS request that trusts only the test certificate; resolves with the status and the body read so far. */
function httpsRequest(
  url: string,
  init: { method?: string; body?: string; until?: (body: string) => boolean } = {},
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, {
      method: init.method ?? "GET",
      ca: certificate.cert,
      headers: init.body === undefined ? {} : { "content-type": "application/json" },
    });
    req.on("error", reject);
    req.on("response", (res) => {
      let body = "";
      res.setEncoding("utf8");
      res.on("data", (chunk: string) => {
        body += chunk;
        if (init.until?.(body) === true) {
          req.destroy();
          resolve({ status: res.statusCode ?? 0, body });
        }
      });
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.end(init.body);
  });
}

describe("serve --tls-cert --tls-key", () => {
  it("prints https, wss and a TLS gRPC port", () => {
    expect(server.httpUrl).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(server.stdout()).toMatch(/^ws\s+wss:\/\/127\.0\.0\.1:\d+\/ws\/:roomId/m);
    expect(server.stdout()).toMatch(/^grpc .*TLS\)$/m);
  });

  it("round-trips over HTTPS: a post, and the SSE stream that sees it", async () => {
    const url = server.httpUrl as string;
    const posted = await httpsRequest(`${url}/room/secure`, {
      method: "POST",
      body: JSON.stringify({ userId: "ann", text: "over TLS" }),
    });
    expect(posted.status).toBe(201);
    const { id } = JSON.parse(posted.body) as { id: string };
    const stream = await httpsRequest(`${url}/stream/secure?since=`, {
      until: (body) => body.includes("event: ready"),
    });
    expect(stream.status).toBe(200);
    expect(stream.body).toContain(`"lastId":"${id}"`);
  });

  it("upgrades WebSockets over TLS (wss)", async () => {
    const ws = new WebSocket(`${(server.httpUrl as string).replace(/^https/, "wss")}/ws/secure`, {
      ca: certificate.cert,
    });
    const [first] = (await once(ws, "message")) as [Buffer];
    expect(JSON.parse(first.toString())).toMatchObject({ type: "ready", roomId: "secure" });
    ws.close();
  });

  it("round-trips over gRPC with TLS, and refuses a plaintext client", async () => {
    const address = server.grpcAddress as string;
    const submit = (secure: boolean) =>
      new Promise<WireMessage>((resolve, reject) => {
        const client = createChatServiceClient(
          address,
          secure ? credentials.createSsl(certificate.cert) : credentials.createInsecure(),
          // The certificate names localhost too: no TLS server name that is an IP address.
          { "grpc.ssl_target_name_override": "localhost" },
        );
        const callback: UnaryCallback<WireMessage> = (error, value) => {
          client.close();
          if (error === null) resolve(value as WireMessage);
          else reject(error);
        };
        client.Submit({ roomId: "secure", userId: "bob", text: "gRPC over TLS" }, callback);
      });
    expect(await submit(true)).toMatchObject({ roomId: "secure", userId: "bob", text: "gRPC over TLS" });
    const refused = await submit(false).then(
      () => undefined,
      (error: unknown) => error as ServiceError,
    );
    expect(refused?.code).toBe(status.UNAVAILABLE);
  });

  it("serves the CLI's HTTP client when it trusts the certificate (NODE_EXTRA_CA_CERTS)", async () => {
    const sent = await runCli(
      ["send", "secure", "from the CLI", "--user", "cli", "--url", server.httpUrl as string],
      {
        NODE_EXTRA_CA_CERTS: certificate.certFile,
      },
    );
    expect(sent.stderr).toBe("");
    expect(sent.stdout.trim()).toMatch(/^[0-9a-z]+-\d+$/);
  });

  it("serves the CLI's gRPC client with --grpc-ca", async () => {
    const port = (server.grpcAddress as string).split(":").at(-1);
    const sent = await runCli([
      "send",
      "secure",
      "gRPC from the CLI",
      "--user",
      "cli",
      "--grpc",
      `localhost:${port}`,
      "--grpc-ca",
      certificate.certFile,
    ]);
    expect(sent.stderr).toBe("");
    expect(sent.stdout.trim()).toMatch(/^[0-9a-z]+-\d+$/);
  });

  it("refuses --tls-cert without --tls-key in one line", async () => {
    const refused = await runCli([
      "serve",
      "--http-port",
      "0",
      "--only",
      "rest",
      "--tls-cert",
      certificate.certFile,
    ]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toBe(
      "error: --tls-cert and --tls-key go together: give both PEM files, or neither for plaintext\n",
    );
  });
});
