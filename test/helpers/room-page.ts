import type { Browser, Page } from "playwright-core";
import { expect } from "vitest";
import { openPage, type PageWatch } from "./browser.js";
import type { Disposer } from "./disposer.js";

/** DOM reads are retried until they hold; the bound only turns a hang into a readable failure. */
export const poll = { timeout: 10_000 };

export const messageTexts = (page: Page) => page.locator("#messages li.message .text").allTextContents();
export const memberNames = (page: Page) => page.locator("#members li").allTextContents();
export const messageInput = (page: Page) => page.locator('[name="message"]');

/** Opens the room page at `url` and waits until its stream is up: the page's own name is listed as present. */
export async function openRoomPage(browser: Browser, disposer: Disposer, url: string): Promise<PageWatch> {
  const watch = await openPage(browser, disposer);
  expect((await watch.page.goto(url))?.status()).toBe(200);
  const name = await watch.page.locator('input[name="user"]').inputValue();
  await expect.poll(() => memberNames(watch.page), poll).toContain(name);
  return watch;
}

/** Types `text` into the message field and presses Send. */
export async function sendMessage(page: Page, text: string): Promise<void> {
  await messageInput(page).fill(text);
  await page.getByRole("button", { name: "Send" }).click();
}
