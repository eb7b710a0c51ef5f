import { exportJWK, exportSPKI, generateKeyPair, SignJWT } from "jose";
import { describe, expect, it } from "vitest";
import { AuthError, Authenticator, authorize, issueToken, matchesRoom } from "../../../src/auth/index.js";

const SECRET = "a-test-secret-of-at-least-32-bytes!!";
const NOW = Date.UTC(2026, 11, 2, 12, 0, 0);
const clock = { now: () => NOW };

const token = (overrides: Partial<Parameters<typeof issueToken>[0]> = {}) =>
  issueToken({
    userId: "ann",
    subscribe: ["team-*"],
    publish: ["team-*"],
    ttlSeconds: 3600,
    secret: SECRET,
    ...clock,
    ...overrides,
  });

async function refusal(auth: Authenticator, jwt: string | undefined): Promise<AuthError> {
  const error = await auth.authenticate(jwt).then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(AuthError);
  return error as AuthError;
}

describe("matchesRoom", () => {
  it.each([
    ["*", "anything", true],
    ["lobby", "lobby", true],
    ["lobby", "lobby2", false],
    ["team-*", "team-a", true],
    ["team-*", "team-", true],
    ["team-*", "teams", false],
    ["*-ops", "db-ops", true],
    ["*-ops", "db-ops-2", false],
    ["a*b*c", "aXbYc", true],
    ["a*b*c", "acb", false],
    ["ab*ba", "aba", false],
  ])("%s against %s: %s", (pattern, roomId, expected) => {
    expect(matchesRoom(pattern, roomId)).toBe(expected);
  });
});

describe("Authenticator", () => {
  it("auth off: everyone is anonymous and may do anything, a token is not read", async () => {
    const principal = await new Authenticator().authenticate("not even a token");
    expect(principal.userId).toBeUndefined();
    expect(principal.can("admin")).toBe(true);
  });

  it("reads the user and the room capabilities of a valid HMAC token", async () => {
    const auth = new Authenticator({ mode: "required", secret: SECRET, ...clock });
    const principal = await auth.authenticate(await token({ publish: ["team-a"] }));
    expect(principal.userId).toBe("ann");
    expect(principal.expiresAt).toBe(NOW + 3_600_000);
    expect(auth.remainingMs(principal)).toBe(3_600_000);
    expect([principal.can("subscribe", "team-b"), principal.can("publish", "team-b")]).toEqual([true, false]);
    expect([principal.can("publish", "team-a"), principal.can("subscribe", "lobby")]).toEqual([true, false]);
    expect(principal.can("admin")).toBe(false);
    expect(() => authorize(principal, "publish", "team-b")).toThrow(/publish to room `team-b`/);
  });

  it("an admin token may do anything", async () => {
    const auth = new Authenticator({ mode: "required", secret: SECRET, ...clock });
    const principal = await auth.authenticate(await token({ subscribe: [], publish: [], admin: true }));
    expect([principal.can("admin"), principal.can("publish", "x")]).toEqual([true, true]);
  });

  it("refuses a missing, expired, badly signed, unsigned or malformed token as unauthenticated", async () => {
    const auth = new Authenticator({ mode: "required", secret: SECRET, ...clock });
    expect((await refusal(auth, undefined)).message).toMatch(/needs a token/);
    const expired = await token({ now: () => NOW - 7_200_000 });
    expect((await refusal(auth, expired)).message).toBe("The token has expired");
    const otherSecret = await token({ secret: "another-secret-that-is-32-bytes-long" });
    expect((await refusal(auth, otherSecret)).code).toBe("unauthenticated");
    const [header, payload] = (await token()).split(".");
    const none = `${Buffer.from(JSON.stringify({ alg: "none" })).toString("base64url")}.${payload}.`;
    expect((await refusal(auth, none)).code).toBe("unauthenticated");
    expect((await refusal(auth, `${header}.garbage`)).code).toBe("unauthenticated");
  });

  it("needs sub and exp, a valid user id, and room patterns as lists", async () => {
    const auth = new Authenticator({ mode: "required", secret: SECRET, ...clock });
    const key = new TextEncoder().encode(SECRET);
    const sign = (claims: Record<string, unknown>, build: (jwt: SignJWT) => SignJWT = (j) => j) =>
      build(new SignJWT(claims).setProtectedHeader({ alg: "HS256" })).sign(key);
    const inAnHour = Math.floor(NOW / 1000) + 3600;
    expect((await refusal(auth, await sign({ sub: "ann" }))).message).toMatch(/`exp`/);
    expect((await refusal(auth, await sign({ exp: inAnHour }))).message).toMatch(/`sub`/);
    expect((await refusal(auth, await sign({ sub: "x".repeat(200), exp: inAnHour }))).message).toMatch(
      /valid user id/,
    );
    const rooms = { sub: "ann", exp: inAnHour, rooms: { subscribe: "team-*" } };
    expect((await refusal(auth, await sign(rooms))).message).toMatch(/rooms.subscribe/);
  });

  it("verifies tokens signed elsewhere with a PEM public key or a JWKS", async () => {
    const { publicKey, privateKey } = await generateKeyPair("ES256");
    const signed = await new SignJWT({ rooms: { subscribe: ["*"] } })
      .setProtectedHeader({ alg: "ES256", kid: "k1" })
      .setSubject("bob")
      .setExpirationTime(Math.floor(NOW / 1000) + 60)
      .sign(privateKey);
    const pem = new Authenticator({ mode: "required", publicKey: await exportSPKI(publicKey), ...clock });
    expect((await pem.authenticate(signed)).userId).toBe("bob");
    const jwk = { ...(await exportJWK(publicKey)), kid: "k1", alg: "ES256" };
    const jwks = new Authenticator({ mode: "required", jwks: { keys: [jwk] }, ...clock });
    expect((await jwks.authenticate(signed)).can("subscribe", "any")).toBe(true);
    // An HMAC token is no good to a server that only trusts the public key.
    expect((await refusal(pem, await token())).code).toBe("unauthenticated");
  });

  it("refuses to start required without a key, or with a short secret", () => {
    expect(() => new Authenticator({ mode: "required" })).toThrow(/needs a secret/);
    expect(() => new Authenticator({ mode: "required", secret: "short" })).toThrow(/at least 32 bytes/);
  });
});
