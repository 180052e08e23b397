import { accessSync, constants } from "node:fs";
import { delimiter, join } from "node:path";
import type { Browser, Page } from "playwright-core";

/** Debian's chromium on the PATH (`command -v chromium`), or CHROMIUM_PATH; never a downloaded browser. */
export function findChromium(): string | undefined {
  const candidates = [
    process.env.CHROMIUM_PATH,
    ...(process.env.PATH ?? "").split(delimiter).map((dir) => (dir ? join(dir, "chromium") : undefined)),
  ];
  return candidates.find((file) => {
    if (!file) return false;
    try {
      accessSync(file, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

/**
 * What must never happen on a page, collected for the whole test: script errors, Content-Security-
 * Policy or Trusted Types violations, and requests to anything but the service itself.
 */
export class PageGuard {
  readonly problems: string[] = [];
  constructor(private readonly origin: string) {}

  watch(page: Page): Page {
    page.on("pageerror", (error) => this.problems.push(`page error: ${error.message}`));
    page.on("console", (message) => {
      if (/Content Security Policy|Trusted Type/i.test(message.text())) {
        this.problems.push(`policy violation: ${message.text()}`);
      }
    });
    page.on("request", (request) => {
      if (new URL(request.url()).origin !== this.origin) this.problems.push(`request to ${request.url()}`);
    });
    return page;
  }

  /** A page in a context of its own (its own sessionStorage), watched. */
  async newPage(browser: Browser): Promise<Page> {
    const context = await browser.newContext();
    return this.watch(await context.newPage());
  }
}

/** Waits until the element matching `selector` reads exactly `text` (trimmed), or matches a RegExp. */
export async function waitForText(page: Page, selector: string, text: string | RegExp, timeout = 15_000) {
  const [exact, pattern] = typeof text === "string" ? [text, null] : [null, text.source];
  try {
    await page.waitForFunction(
      // Runs in the page (the tests are compiled without the DOM's types).
      ([s, e, p]) => {
        const shown: string | undefined = (globalThis as any).document.querySelector(s)?.textContent?.trim();
        return shown !== undefined && (p === null ? shown === e : new RegExp(p as string).test(shown));
      },
      [selector, exact, pattern],
      { timeout, polling: 50 },
    );
  } catch (error) {
    const shown = await page
      .locator(selector)
      .first()
      .textContent()
      .catch(() => "(absent)");
    throw new Error(`${selector} never read ${String(text)} (it reads "${shown}"): ${String(error)}`);
  }
}

/** Signs in through the page's form, as a person would: label, type, press the button. */
export async function signIn(page: Page, url: string, token: string, expectWho: string) {
  await page.goto(url);
  await page.getByLabel("API token").fill(token);
  await page.getByRole("button", { name: "Sign in" }).click();
  await waitForText(page, "#who", expectWho);
}
