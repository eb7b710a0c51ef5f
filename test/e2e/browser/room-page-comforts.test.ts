import type { Browser, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, expect, it } from "vitest";
import { RateLimits } from "../../../src/auth/index.js";
import { describeWithBrowser, launchChromium, openPage } from "../../helpers/browser.js";
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

const visible = (page: Page, selector: string) => page.locator(selector).isVisible();
const openRoom = (server: TestServer, query = "", roomId = "lobby") =>
  openRoomPage(browser, disposer, `${server.url}/room/${roomId}${query}`);

describeWithBrowser("the room page, as people use it", () => {
  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(() => browser.close());
  afterEach(() => disposer.dispose());

  it("makes a name typed in the field the person's presence, losing no message, and keeps it in the browser", async () => {
    const server = await startTestServer(disposer);
    const ann = await openRoom(server);
    const guest = await ann.page.locator('input[name="user"]').inputValue();
    expect(guest).toMatch(/^guest-[0-9a-f]{4}$/);
    const bob = await openRoom(server, "?user=bob");
    await expect.poll(() => memberNames(bob.page), poll).toEqual(["bob", guest].sort());
    await server.rooms.submit({ roomId: "lobby", userId: "carol", text: "before the rename" });

    await ann.page.locator('input[name="user"]').fill("alice");
    await ann.page.locator('input[name="user"]').press("Tab");
    await expect.poll(() => memberNames(bob.page), poll).toEqual(["alice", "bob"]);
    await expect.poll(() => memberNames(ann.page), poll).toEqual(["alice", "bob"]);
    expect((await server.rooms.getRoom("lobby")).members).toEqual(["alice", "bob"]);
    await sendMessage(bob.page, "after the rename");
    await sendMessage(ann.page, "hello as alice");
    await expect
      .poll(() => messageTexts(ann.page), poll)
      .toEqual(["before the rename", "after the rename", "hello as alice"]);
    expect(await ann.page.locator("#messages li.own .text").allTextContents()).toEqual(["hello as alice"]);
    expect((await server.rooms.history("lobby")).at(-1)?.userId).toBe("alice");

    // The same browser, a fresh visit without ?user=: the chosen name, not a new guest.
    const again = await ann.page.context().newPage();
    await again.goto(`${server.url}/room/lobby`);
    expect(await again.locator('input[name="user"]').inputValue()).toBe("alice");
    expect([...ann.errors, ...bob.errors]).toEqual([]);
  });

  it("says what went wrong in words, in red, until it is resolved, and counts bytes against the limit", async () => {
    const server = await startTestServer(disposer, { rooms: { maxMessageBytes: 40 } });
    const { page, errors } = await openRoom(server, "?user=ann");
    const error = page.locator("#error");

    await sendMessage(page, "   ");
    await expect.poll(() => error.textContent(), poll).toBe("Write a message first.");
    expect(await error.evaluate((e) => e.ownerDocument.defaultView?.getComputedStyle(e).color)).toBe(
      "rgb(220, 38, 38)",
    );
    // Typing something resolves it.
    // The field takes no more characters than the limit has bytes...
    await messageInput(page).fill("x".repeat(45));
    expect(await error.isVisible()).toBe(false);
    expect(await messageInput(page).inputValue()).toHaveLength(40);
    expect(await page.locator("#counter").textContent()).toBe("0 left");
    // ...and counts bytes, as the server does: 21 two-byte letters are over 40, and Send is off.
    await messageInput(page).fill("é".repeat(21));
    expect(await page.getByRole("button", { name: "Send" }).isDisabled()).toBe(true);
    expect(await page.locator("#counter").textContent()).toBe("2 bytes too long");
    await messageInput(page).fill("é".repeat(17));
    expect(await page.locator("#counter").textContent()).toBe("6 left");
    expect(await page.getByRole("button", { name: "Send" }).isDisabled()).toBe(false);

    // A name of spaces only is refused; fixing the name resolves it, before any send.
    const name = page.locator('input[name="user"]');
    await name.fill("   ");
    await sendMessage(page, "hi");
    await expect.poll(() => error.textContent(), poll).toBe("Your name must be 1 to 64 characters.");
    await name.fill("ann");
    expect(await error.isVisible()).toBe(false);

    // The server goes away: the failed send stays on screen while the connection status comes and goes.
    await server.close(0);
    await sendMessage(page, "into the void");
    await expect
      .poll(() => error.textContent(), poll)
      .toBe("Not sent: the server cannot be reached. Check your connection and try again.");
    await expect
      .poll(() => page.locator("#status").textContent(), poll)
      .toBe("Connection lost, reconnecting…");
    expect(await error.isVisible()).toBe(true);
    expect(await messageInput(page).inputValue()).toBe("into the void");
    expect(errors.filter((e) => !e.includes("ERR_CONNECTION_REFUSED"))).toEqual([]);
  });

  it("says why the server refused the live stream, marks the members stale, and connects once it can", async () => {
    // One stream per caller: a second tab from the same address is refused with 429 rate_limited.
    const rateLimits = new RateLimits({
      submitsPerSecond: 100,
      streamsPerSecond: 100,
      maxStreamsPerCaller: 1,
    });
    const server = await startTestServer(disposer, { app: { rateLimits } });
    const first = await openRoom(server, "?user=ann");
    const { page, errors } = await openPage(browser, disposer);
    await page.goto(`${server.url}/room/lobby?user=bob`);
    await expect
      .poll(() => page.locator("#status").textContent(), poll)
      .toBe("Not connected. Too many requests from you. Wait a moment, then try again.");
    expect(await page.locator("#members-panel").getAttribute("class")).toContain("stale");

    // The other tab closes: the page tries again by itself and is live.
    await first.page.close();
    await expect.poll(() => memberNames(page), poll).toEqual(["bob"]);
    expect(await page.locator("#status").textContent()).toBe("");
    expect(await page.locator("#members-panel").getAttribute("class")).not.toContain("stale");
    await server.rooms.submit({ roomId: "lobby", userId: "carol", text: "you are live" });
    await expect.poll(() => messageTexts(page), poll).toEqual(["you are live"]);
    // The browser's own notes of the refused loads, and nothing else.
    expect(errors.filter((e) => !e.includes("status of 429 (Too Many Requests)"))).toEqual([]);
  });

  it("says when the room was deleted, posts nothing into a new one unasked, and can start it again", async () => {
    const server = await startTestServer(disposer);
    await server.rooms.submit({ roomId: "lobby", userId: "bob", text: "old news" });
    const { page, errors } = await openRoom(server, "?user=ann");
    await server.rooms.deleteRoom("lobby");
    await expect.poll(() => visible(page, "#deleted"), poll).toBe(true);
    expect(await page.locator("#deleted").textContent()).toContain("This room was deleted.");
    expect(await visible(page, "#compose")).toBe(false);
    expect(await server.rooms.listRooms()).toEqual([]);

    await page.getByRole("button", { name: "Start it again" }).click();
    expect(await messageTexts(page)).toEqual([]);
    await sendMessage(page, "a fresh start");
    await expect.poll(() => messageTexts(page), poll).toEqual(["a fresh start"]);
    expect((await server.rooms.history("lobby")).map((m) => m.text)).toEqual(["a fresh start"]);
    expect(errors).toEqual([]);
  });

  it("without JavaScript lands on the newest message after a post, says times are UTC, and says to reload", async () => {
    const server = await startTestServer(disposer);
    for (let i = 1; i <= 40; i++)
      await server.rooms.submit({ roomId: "lobby", userId: "bob", text: `m${i}` });
    const { page } = await openPage(browser, disposer, { javaScriptEnabled: false });
    await page.goto(`${server.url}/room/lobby?user=nojs`);
    expect(await page.locator("noscript, .hint").first().textContent()).toContain(
      "reload it to see new messages",
    );
    await sendMessage(page, "sent without script");
    await page.waitForURL(`${server.url}/room/lobby?user=nojs#latest`);
    const list = page.locator("#messages");
    expect(await list.evaluate((l) => l.scrollTop)).toBeGreaterThan(0);
    const [listBox, latestBox] = [await list.boundingBox(), await page.locator("#latest").boundingBox()];
    expect(latestBox?.y).toBeLessThan((listBox?.y ?? 0) + (listBox?.height ?? 0));
    expect(await page.locator("#latest .text").textContent()).toBe("sent without script");
    expect(await page.locator("#latest time").textContent()).toMatch(/^\d\d:\d\d UTC$/);
  });

  it("offers the comforts: placeholder, new-messages button, day divider, full time, stale members, safe links, Shift+Enter", async () => {
    const server = await startTestServer(disposer);
    const { page, errors } = await openRoom(server, "?user=ann");
    expect(await page.locator("#empty").textContent()).toBe("No messages yet. Say hello!");

    // Shift+Enter makes a new line; Enter sends.
    await messageInput(page).click();
    await page.keyboard.type("line one");
    await page.keyboard.press("Shift+Enter");
    await page.keyboard.type("line two");
    await page.keyboard.press("Enter");
    await expect.poll(() => messageTexts(page), poll).toEqual(["line one\nline two"]);
    expect(await visible(page, "#empty")).toBe(false);

    const today = await page.evaluate(() => new Date().toLocaleDateString(undefined, { weekday: "long" }));
    expect(await page.locator("#messages li.day").allTextContents()).toEqual([
      expect.stringContaining(today),
    ]);
    const year = String(new Date().getFullYear());
    expect(await page.locator("#messages li.message time").first().getAttribute("title")).toContain(year);

    await server.rooms.submit({
      roomId: "lobby",
      userId: "bob",
      text: "docs at https://example.com/a?b=1. Or javascript:alert(1)",
    });
    await expect.poll(() => page.locator("#messages a").count(), poll).toBe(1);
    const link = page.locator("#messages a");
    expect(await link.getAttribute("href")).toBe("https://example.com/a?b=1");
    expect(await link.getAttribute("rel")).toBe("noopener noreferrer");
    expect(await link.getAttribute("target")).toBe("_blank");
    expect((await messageTexts(page)).at(-1)).toBe(
      "docs at https://example.com/a?b=1. Or javascript:alert(1)",
    );

    for (let i = 1; i <= 40; i++)
      await server.rooms.submit({ roomId: "lobby", userId: "bob", text: `filler ${i}` });
    await expect.poll(() => page.locator("#messages li.message").count(), poll).toBe(42);
    await page.locator("#messages").evaluate((list) => {
      list.scrollTop = 0;
    });
    await server.rooms.submit({ roomId: "lobby", userId: "bob", text: "while you were up there" });
    await expect.poll(() => visible(page, "#new-messages"), poll).toBe(true);
    await page.getByRole("button", { name: "New messages ↓" }).click();
    expect(await visible(page, "#new-messages")).toBe(false);
    expect(await page.locator("#messages li.message").last().isVisible()).toBe(true);

    await server.close(0);
    await expect.poll(() => page.locator("#members-panel").getAttribute("class"), poll).toContain("stale");
    expect(await page.locator(".stale-note").textContent()).toBe("(may be out of date)");
    expect(await visible(page, ".stale-note")).toBe(true);
    expect(errors.filter((e) => !e.includes("ERR_CONNECTION_REFUSED"))).toEqual([]);
  });
});
