import type { Browser, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, expect, it } from "vitest";
import { describeWithBrowser, launchChromium, openPage, readmeScreenshot } from "../../helpers/browser.js";
import { Disposer, startTestServer, type TestServer } from "../../helpers/http-server.js";
import {
  memberNames,
  messageInput,
  messageTexts,
  openRoomPage,
  poll,
  sendMessage,
} from "../../helpers/room-page.js";

const disposer = new Disposer();
let browser: Browser;

const XSS = `<img src=x onerror=alert(1)><script>alert(2)</script>`;
const messages = (page: Page) => page.locator("#messages li.message");
const openRoom = (server: TestServer, user: string, roomId = "lobby") =>
  openRoomPage(browser, disposer, `${server.url}/room/${roomId}?user=${user}`);

describeWithBrowser("the room page in a browser", () => {
  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(() => browser.close());
  afterEach(() => disposer.dispose());

  it("shows two people in one room each other's messages live, and each other in the member list", async () => {
    const server = await startTestServer(disposer);
    const ann = await openRoom(server, "ann");
    const bob = await openRoom(server, "bob");
    await expect.poll(() => memberNames(ann.page), poll).toEqual(["ann", "bob"]);
    await expect.poll(() => memberNames(bob.page), poll).toEqual(["ann", "bob"]);

    await sendMessage(ann.page, "hi bob");
    await expect.poll(() => messageTexts(bob.page), poll).toEqual(["hi bob"]);
    await sendMessage(bob.page, "hello ann");
    await expect.poll(() => messageTexts(ann.page), poll).toEqual(["hi bob", "hello ann"]);
    await expect.poll(() => messageTexts(bob.page), poll).toEqual(["hi bob", "hello ann"]);

    await bob.page.close();
    await expect.poll(() => memberNames(ann.page), poll).toEqual(["ann"]);
    expect([...ann.dialogs, ...ann.errors, ...bob.dialogs, ...bob.errors]).toEqual([]);
  });

  it("clears the input after a post without reloading the page", async () => {
    const server = await startTestServer(disposer);
    const { page, errors } = await openRoom(server, "ann");
    const url = page.url();
    await page.evaluate("globalThis.notReloaded = true");
    await sendMessage(page, "no reload please");
    await expect.poll(() => messageTexts(page), poll).toEqual(["no reload please"]);
    await expect.poll(() => messageInput(page).inputValue(), poll).toBe("");
    expect(await page.evaluate("globalThis.notReloaded")).toBe(true);
    expect(page.url()).toBe(url);
    expect((await server.rooms.history("lobby")).map((m) => m.text)).toEqual(["no reload please"]);
    expect(errors).toEqual([]);
  });

  it("marks one's own messages with the own class, live and after a reload", async () => {
    const server = await startTestServer(disposer);
    const ann = await openRoom(server, "ann");
    const bob = await openRoom(server, "bob");
    await sendMessage(ann.page, "from ann");
    await expect.poll(() => messageTexts(bob.page), poll).toEqual(["from ann"]);
    await sendMessage(bob.page, "from bob");
    await expect.poll(() => messageTexts(ann.page), poll).toEqual(["from ann", "from bob"]);
    const classes = (page: Page) => messages(page).evaluateAll((items) => items.map((li) => li.className));
    expect(await classes(ann.page)).toEqual(["message own", "message"]);
    expect(await classes(bob.page)).toEqual(["message", "message own"]);
    await ann.page.reload();
    await expect.poll(() => messageTexts(ann.page), poll).toEqual(["from ann", "from bob"]);
    expect(await classes(ann.page)).toEqual(["message own", "message"]);
  });

  it("works without JavaScript: the form posts, the server answers 303 and the page re-renders with the message", async () => {
    const server = await startTestServer(disposer);
    const { page } = await openPage(browser, disposer, { javaScriptEnabled: false });
    await page.goto(`${server.url}/room/lobby?user=nojs`);
    const posted = page.waitForRequest((r) => r.method() === "POST");
    await sendMessage(page, "sent without script");
    const response = await (await posted).response();
    expect(response?.status()).toBe(303);
    expect(response?.headers().location).toBe("/room/lobby?user=nojs#latest");
    await page.waitForURL(`${server.url}/room/lobby?user=nojs#latest`);
    expect(await messageTexts(page)).toEqual(["sent without script"]);
    expect(await page.locator('input[name="user"]').inputValue()).toBe("nojs");
    expect(await messageInput(page).inputValue()).toBe("");
  });

  it("shows a message with markup as text, server-rendered and live-appended, and no script or dialog runs", async () => {
    const server = await startTestServer(disposer);
    await server.rooms.submit({ roomId: "lobby", userId: "mallory", text: XSS });
    const ann = await openRoom(server, "ann");
    expect(await messageTexts(ann.page)).toEqual([XSS]);
    // Live: from the page's own form, and from someone else.
    await sendMessage(ann.page, XSS);
    // The page's own post is in before the next one, so the order below is the order sent.
    await expect.poll(() => messageTexts(ann.page), poll).toEqual([XSS, XSS]);
    await server.rooms.submit({ roomId: "lobby", userId: `<b>mallory</b>`, text: XSS });
    await expect.poll(() => messageTexts(ann.page), poll).toEqual([XSS, XSS, XSS]);
    expect(await ann.page.locator("#messages li.message .author").allTextContents()).toEqual([
      "mallory",
      "ann",
      "<b>mallory</b>",
    ]);
    expect(await ann.page.locator("#messages img, #messages script, #messages b").count()).toBe(0);
    // A later message arrives after whatever the payload could have triggered.
    await server.rooms.submit({ roomId: "lobby", userId: "bob", text: "sentinel" });
    await expect.poll(() => messageTexts(ann.page), poll).toEqual([XSS, XSS, XSS, "sentinel"]);
    expect(ann.dialogs).toEqual([]);
    expect(ann.errors).toEqual([]);
  });

  it("is served with a Content-Security-Policy and loads only its own script and stylesheet under it", async () => {
    const server = await startTestServer(disposer);
    const { page, errors } = await openPage(browser, disposer);
    const requested: string[] = [];
    page.on("request", (request) => requested.push(new URL(request.url()).pathname));
    const response = await page.goto(`${server.url}/room/lobby?user=ann`);
    const csp = response?.headers()["content-security-policy"] ?? "";
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("default-src 'none'");
    await expect.poll(() => memberNames(page), poll).toEqual(["ann"]);
    expect(requested).toEqual(expect.arrayContaining(["/room/lobby", "/assets/chat.css", "/assets/room.js"]));
    expect(requested.every((path) => /^\/(room|assets|stream|favicon\.ico)/.test(path))).toBe(true);
    expect(await page.evaluate("getComputedStyle(document.body).fontFamily")).not.toBe("");
    expect(errors).toEqual([]);
  });

  it("renders a room with history and two members (the README screenshot)", async () => {
    const server = await startTestServer(disposer);
    const lines: [string, string][] = [
      ["ann", "Morning! Is the deploy still on for today?"],
      ["bob", "Yes, after the standup. I'll post the checklist here."],
      ["ann", "Great. The <script> tags in my messages show up as text, right?"],
      ["bob", "They do: everything is escaped on the server and inserted as text."],
    ];
    for (const [userId, text] of lines) await server.rooms.submit({ roomId: "release-train", userId, text });
    const ann = await openRoom(server, "ann", "release-train");
    await openRoom(server, "bob", "release-train");
    await expect.poll(() => memberNames(ann.page), poll).toEqual(["ann", "bob"]);
    await sendMessage(ann.page, "Perfect, see you at the standup.");
    await expect.poll(() => messageTexts(ann.page), poll).toHaveLength(5);
    await expect.poll(() => messageInput(ann.page).inputValue(), poll).toBe("");
    const path = await readmeScreenshot(ann.page, "room-page");
    expect(path).toMatch(/room-page\.png$/);
  });
});
