import { afterEach, describe, expect, it } from "vitest";
import { validateCorsOrigins } from "../../../src/adapters/shared/index.js";
import { Disposer, startTestServer } from "../../helpers/http-server.js";

const disposer = new Disposer();
afterEach(() => disposer.dispose());

const APP = "https://app.example";
const allowed = (response: Response) => response.headers.get("access-control-allow-origin");

describe("CORS (--cors-origin)", () => {
  it("answers an allowed origin's preflight for a post with a token", async () => {
    const server = await startTestServer(disposer, { app: { corsOrigins: [APP] } });
    const response = await server.fetch("/room/lobby", {
      method: "OPTIONS",
      headers: {
        origin: APP,
        "access-control-request-method": "POST",
        "access-control-request-headers": "authorization, content-type",
      },
    });
    expect(response.status).toBe(204);
    expect(allowed(response)).toBe(APP);
    expect(response.headers.get("access-control-allow-methods")).toContain("POST");
    expect(response.headers.get("access-control-allow-headers")).toBe(
      "authorization,content-type,last-event-id",
    );
    expect(response.headers.get("access-control-allow-credentials")).toBeNull();
  });

  it("marks the API's answers and the SSE stream for an allowed origin, and nothing for another", async () => {
    const server = await startTestServer(disposer, { app: { corsOrigins: [APP] } });
    const post = await server.postJson("/room/lobby", { userId: "ann", text: "hi" }, { origin: APP });
    expect(post.status).toBe(201);
    expect(allowed(post)).toBe(APP);
    expect(post.headers.get("access-control-expose-headers")).toBe("www-authenticate,retry-after");
    const history = await server.fetch("/room/lobby/messages", { headers: { origin: APP } });
    expect(allowed(history)).toBe(APP);
    const stream = await server.stream("/stream/lobby", { headers: { origin: APP } });
    expect(stream.status).toBe(200);
    expect(stream.headers["access-control-allow-origin"]).toBe(APP);
    stream.close();
    const other = await server.fetch("/rooms", { headers: { origin: "https://evil.example" } });
    expect(other.status).toBe(200);
    expect(allowed(other)).toBeNull();
  });

  it("keeps the room page same-origin", async () => {
    const server = await startTestServer(disposer, { app: { corsOrigins: [APP] } });
    const page = await server.fetch("/room/lobby", { headers: { origin: APP, accept: "text/html" } });
    expect(page.headers.get("content-type")).toMatch(/^text\/html/);
    expect(allowed(page)).toBeNull();
    const json = await server.fetch("/room/lobby", { headers: { origin: APP, accept: "application/json" } });
    expect(allowed(json)).toBe(APP);
  });

  it("allows any origin with *", async () => {
    const server = await startTestServer(disposer, { app: { corsOrigins: ["*"] } });
    const response = await server.fetch("/rooms", { headers: { origin: "https://anyone.example" } });
    expect(allowed(response)).toBe("*");
  });

  it("is off by default", async () => {
    const server = await startTestServer(disposer);
    const response = await server.fetch("/rooms", { headers: { origin: APP } });
    expect(allowed(response)).toBeNull();
    const preflight = await server.fetch("/room/lobby", {
      method: "OPTIONS",
      headers: { origin: APP, "access-control-request-method": "POST" },
    });
    expect(allowed(preflight)).toBeNull();
  });

  it.each(["app.example", "https://app.example/", "https://app.example/path", ""])(
    "refuses %j as an origin, saying what one looks like",
    (origin) => {
      expect(() => validateCorsOrigins([origin])).toThrow(
        /Expected a CORS origin such as https:\/\/app.example/,
      );
    },
  );
});
