import type { Browser } from "playwright-core";
import { afterAll, afterEach, beforeAll, expect, it } from "vitest";
import { describeWithBrowser, launchChromium, openPage } from "../../helpers/browser.js";
import { Disposer, startTestServer } from "../../helpers/http-server.js";
import { requiredAuth, type TestTokens, testTokens } from "../../helpers/tokens.js";

const disposer = new Disposer();
let browser: Browser;
let tokens: TestTokens;
/** DOM reads are retried until they hold; the bound only turns a hang into a readable failure. */
const poll = { timeout: 10_000 };

describeWithBrowser("the room page with auth required", () => {
  beforeAll(async () => {
    browser = await launchChromium();
    tokens = await testTokens();
  });
  afterAll(() => browser.close());
  afterEach(() => disposer.dispose());

  it("works from a ?token= link: the token moves to a cookie, the stream and posts use it, as the token's user", async () => {
    const server = await startTestServer(disposer, { app: { auth: requiredAuth() } });
    await server.rooms.submit({ roomId: "team-a", userId: "bob", text: "welcome" });
    const { page, errors, dialogs } = await openPage(browser, disposer);
    await page.goto(`${server.url}/room/team-a?token=${tokens.valid}`);
    // The token left the address bar (and the history) for an HttpOnly cookie page scripts cannot read.
    expect(page.url()).toBe(`${server.url}/room/team-a`);
    expect(await page.evaluate("document.cookie")).toBe("");
    const [cookie] = await page.context().cookies();
    expect(cookie).toMatchObject({ name: "chat_token", httpOnly: true, sameSite: "Strict" });

    const name = page.locator('input[name="user"]');
    expect(await name.inputValue()).toBe("ann");
    expect(await name.getAttribute("readonly")).not.toBeNull();
    // The stream opened with the cookie: ann is present.
    await expect.poll(() => page.locator("#members li").allTextContents(), poll).toEqual(["ann"]);

    await page.locator('[name="message"]').fill("signed in");
    await page.getByRole("button", { name: "Send" }).click();
    await expect
      .poll(() => page.locator("#messages li.message .text").allTextContents(), poll)
      .toEqual(["welcome", "signed in"]);
    expect((await server.rooms.history("team-a")).at(-1)).toMatchObject({ userId: "ann", text: "signed in" });
    expect([...errors, ...dialogs]).toEqual([]);
  });

  it("refuses the page without a token, saying so in a page of its own", async () => {
    const server = await startTestServer(disposer, { app: { auth: requiredAuth() } });
    await server.rooms.submit({ roomId: "team-a", userId: "bob", text: "secret" });
    const { page } = await openPage(browser, disposer);
    const response = await page.goto(`${server.url}/room/team-a`);
    expect(response?.status()).toBe(401);
    expect(await page.locator(".error").textContent()).toBe(
      "You need to sign in: open the link with your token again.",
    );
    expect(await page.content()).not.toContain("secret");
  });

  it("refuses a room the token does not cover with 403", async () => {
    const server = await startTestServer(disposer, { app: { auth: requiredAuth() } });
    const { page } = await openPage(browser, disposer);
    const response = await page.goto(`${server.url}/room/lobby?token=${tokens.valid}`);
    expect(response?.status()).toBe(403);
    expect(await page.locator(".error").textContent()).toBe(
      "Your token does not allow that in this room: ask for a link that does.",
    );
  });
});
