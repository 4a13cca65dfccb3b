/**
 * Headless Chromium (Debian's /usr/bin/chromium) driven by playwright-core, for the viewer's
 * end-to-end tests and its benchmark row. Pages record console errors and failed requests, so a
 * test can assert that nothing broke under the server's CSP.
 */
import { mkdirSync } from 'node:fs';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';
export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'];
/** Screenshots of a test run (gitignored); docs/screenshots holds the reviewed copies. */
export const SCREENSHOTS = new URL('../../.screenshots/', import.meta.url).pathname;

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
}

export interface ViewerPage {
  page: Page;
  context: BrowserContext;
  /** Console errors, page errors and failed requests seen so far (CSP violations are console errors). */
  errors: string[];
  screenshot(name: string): Promise<void>;
}

export async function openViewer(
  browser: Browser,
  options: { colorScheme?: 'light' | 'dark'; width?: number; height?: number } = {},
): Promise<ViewerPage> {
  const context = await browser.newContext({
    viewport: { width: options.width ?? 1280, height: options.height ?? 860 },
    colorScheme: options.colorScheme ?? 'light',
    acceptDownloads: true,
    timezoneId: 'UTC',
    locale: 'en-US',
  });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  page.on('pageerror', (error) => errors.push(`page error: ${error.message}`));
  // The console says only "Failed to load resource": name what failed.
  page.on('response', (response) => {
    if (response.status() >= 400) errors.push(`HTTP ${response.status()} ${response.url()}`);
  });
  mkdirSync(SCREENSHOTS, { recursive: true });
  return {
    page,
    context,
    errors,
    screenshot: async (name) => {
      // Let charts and fonts settle: the next two frames are drawn before the capture.
      await page.evaluate('new Promise((resolve) => requestAnimationFrame(() => requestAnimationFrame(resolve)))');
      await page.screenshot({ path: `${SCREENSHOTS}${name}.png`, fullPage: true });
    },
  };
}
