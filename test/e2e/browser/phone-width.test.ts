import type { Browser, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, expect, it } from "vitest";
import {
  describeWithBrowser,
  launchChromium,
  openPage,
  readmeScreenshot,
  screenshot,
} from "../../helpers/browser.js";
import { Disposer, startTestServer } from "../../helpers/http-server.js";

const disposer = new Disposer();
let browser: Browser;

/** What sticks out of the viewport: the page's own overflow, and any listed element cut at either side. */
async function clipped(page: Page, width: number, selectors: readonly string[]) {
  const overflow = await page.evaluate(
    "document.documentElement.scrollWidth - document.documentElement.clientWidth",
  );
  const cut: string[] = [];
  for (const selector of selectors) {
    const box = await page.locator(selector).first().boundingBox();
    if (box === null || box.x < 0 || box.x + box.width > width) cut.push(selector);
  }
  return { overflow, cut };
}

describeWithBrowser("the room page at a phone's width", () => {
  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(() => browser.close());
  afterEach(() => disposer.dispose());

  it.each([390, 320])(
    "fits %i px: no sideways scrolling, the title, every message and the whole form visible",
    async (width) => {
      const server = await startTestServer(disposer);
      const { page, errors } = await openPage(browser, disposer, { viewport: { width, height: 844 } });
      await page.goto(`${server.url}/room/a-rather-long-room-name-for-a-phone?user=ann`);
      await page
        .locator('[name="message"]')
        .fill("a message long enough to wrap on a phone, twice over at least");
      await page.getByRole("button", { name: "Send" }).click();
      await expect.poll(() => page.locator("#messages li.message").count(), { timeout: 10_000 }).toBe(1);
      const selectors = [
        ".bar h1",
        "#messages li.message",
        "#compose",
        'input[name="user"]',
        '[name="message"]',
        "#compose button",
      ];
      expect(await clipped(page, width, selectors)).toEqual({ overflow: 0, cut: [] });
      // The README shows the common phone width.
      if (width === 390) await readmeScreenshot(page, "room-page-phone");
      else await screenshot(page, `room-page-${width}px`);
      expect(errors).toEqual([]);
    },
  );
});
