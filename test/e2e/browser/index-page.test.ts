import type { Browser } from "playwright-core";
import { afterAll, afterEach, beforeAll, expect, it } from "vitest";
import { describeWithBrowser, launchChromium, openPage, screenshot } from "../../helpers/browser.js";
import { Disposer, startTestServer } from "../../helpers/http-server.js";

const disposer = new Disposer();
let browser: Browser;

describeWithBrowser("the index page in a browser", () => {
  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(() => browser.close());
  afterEach(() => disposer.dispose());

  it("lists the rooms, each linking to its page", async () => {
    const server = await startTestServer(disposer);
    await server.rooms.submit({ roomId: "lobby", userId: "ann", text: "one" });
    await server.rooms.submit({ roomId: "book-club", userId: "bob", text: "two" });
    const { page, errors } = await openPage(browser, disposer);
    const response = await page.goto(`${server.url}/`);
    expect(response?.headers()["content-security-policy"]).toContain("script-src 'self'");
    expect(await page.locator("ul.rooms li a").allTextContents()).toEqual(["book-club", "lobby"]);
    await screenshot(page, "index-page");
    await page.getByRole("link", { name: "lobby" }).click();
    await page.waitForURL(`${server.url}/room/lobby`);
    expect(await page.locator("h1").textContent()).toBe("#lobby");
    expect(await page.locator("#messages .text").allTextContents()).toEqual(["one"]);
    expect(errors).toEqual([]);
  });

  it("opens a room by name", async () => {
    const server = await startTestServer(disposer);
    const { page, errors } = await openPage(browser, disposer);
    await page.goto(`${server.url}/`);
    expect(await page.locator(".empty").textContent()).toContain("No rooms yet");
    await page.getByLabel("Open a room by name").fill("book-club");
    await page.getByRole("button", { name: "Open" }).click();
    await page.waitForURL(`${server.url}/room/book-club`);
    expect(await page.locator("h1").textContent()).toBe("#book-club");
    expect(await page.locator("#messages li").count()).toBe(0);
    expect(errors).toEqual([]);
  });

  it("creates a new room with a random name and lands on its page", async () => {
    const server = await startTestServer(disposer);
    const { page, errors } = await openPage(browser, disposer);
    await page.goto(`${server.url}/`);
    await page.getByRole("button", { name: "New room with a random name" }).click();
    await page.waitForURL(/\/room\/[A-Za-z0-9._-]+$/);
    const roomId = new URL(page.url()).pathname.split("/").at(-1);
    const rooms = await server.rooms.listRooms();
    expect(rooms.map((r) => r.roomId)).toEqual([roomId]);
    // One name on both pages: the friendly one, with the id beside it on the room's own.
    const name = rooms[0]?.name as string;
    expect(name).not.toBe(roomId);
    expect(await page.locator("h1").textContent()).toBe(`${name} #${roomId}`);
    expect(await page.title()).toBe(`${name} · chat-server`);
    await page.goto(`${server.url}/`);
    expect(await page.locator("ul.rooms li a").allTextContents()).toEqual([name]);
    expect(errors).toEqual([]);
  });
});
