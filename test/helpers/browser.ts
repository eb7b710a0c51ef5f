import { copyFileSync, existsSync, mkdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { type Browser, type BrowserContextOptions, chromium, type Page } from "playwright-core";
import { describe } from "vitest";
import type { Disposer } from "./http-server.js";

/** Debian's chromium; playwright-core downloads no browser of its own. */
export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

const available = existsSync(CHROMIUM_PATH);
if (!available) {
  const why = `Chromium is not at ${CHROMIUM_PATH} (set CHROMIUM_PATH, or apt-get install chromium)`;
  // In CI a missing browser is a broken machine, not a reason to pass.
  const ci = process.env.CI;
  if (ci !== undefined && ci !== "" && ci !== "false" && ci !== "0")
    throw new Error(`Browser tests cannot run: ${why}.`);
  console.warn(`\n${"!".repeat(72)}\n!!! SKIPPING THE BROWSER TESTS: ${why}.\n${"!".repeat(72)}\n`);
}

/** `describe` when Chromium is installed; a loudly announced `describe.skip` otherwise. */
export const describeWithBrowser = available ? describe : describe.skip;

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
}

/** What a page did that a test may want to fail on: dialogs, script errors, console errors. */
export interface PageWatch {
  readonly page: Page;
  readonly dialogs: string[];
  readonly errors: string[];
}

/** A new context (one "browser profile") with one page, closed by `disposer`. */
export async function openPage(
  browser: Browser,
  disposer: Disposer,
  options: BrowserContextOptions = {},
): Promise<PageWatch> {
  const context = disposer.add(
    await browser.newContext({ viewport: { width: 960, height: 600 }, ...options }),
    (c) => c.close(),
  );
  const page = await context.newPage();
  const dialogs: string[] = [];
  const errors: string[] = [];
  page.on("dialog", (dialog) => {
    dialogs.push(`${dialog.type()}: ${dialog.message()}`);
    void dialog.dismiss();
  });
  page.on("pageerror", (error) => errors.push(`pageerror: ${error.message}`));
  page.on("console", (message) => {
    if (message.type() !== "error") return;
    const url = message.location().url;
    // The browser asks for /favicon.ico on its own; the server has none (a JSON 404).
    if (url.endsWith("/favicon.ico")) return;
    errors.push(`console: ${message.text()} (${url})`);
  });
  return { page, dialogs, errors };
}

const SCREENSHOTS = fileURLToPath(new URL("../../test-results/screenshots/", import.meta.url));

/** Saves a PNG of the page to test-results/screenshots/<name>.png (gitignored). */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const path = join(SCREENSHOTS, `${name}.png`);
  await page.screenshot({ path });
  return path;
}

const DOCS = fileURLToPath(new URL("../../docs/", import.meta.url));

/**
 * A screenshot the README shows: saved as `screenshot` does and, with
 * CHAT_UPDATE_SCREENSHOTS=1, also over docs/<name>.png, so the README's
 * pictures come from this test rather than by hand.
 */
export async function readmeScreenshot(page: Page, name: string): Promise<string> {
  const path = await screenshot(page, name);
  if (process.env.CHAT_UPDATE_SCREENSHOTS === "1") copyFileSync(path, join(DOCS, `${name}.png`));
  return path;
}
