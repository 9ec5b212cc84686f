import { existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';

/**
 * Where Chrome or Chromium usually is, on Linux (Debian/Ubuntu packages, snap) and macOS;
 * CHROME_PATH first when set. .ci/run installs Debian's chromium.
 */
export const CHROME_CANDIDATES = [
  '/usr/bin/chromium',
  '/usr/bin/chromium-browser',
  '/snap/bin/chromium',
  '/usr/bin/google-chrome',
  '/usr/bin/google-chrome-stable',
  '/opt/google/chrome/chrome',
  '/Applications/Google Chrome.app/Contents/MacOS/Google Chrome',
  '/Applications/Chromium.app/Contents/MacOS/Chromium',
];
export const ARTIFACTS = path.resolve(__dirname, '..', '..', '.artifacts', 'screenshots');

/** The browser to drive: CHROME_PATH when set (it must exist), else the first usual path that exists. */
export function findChrome(env: NodeJS.ProcessEnv = process.env, exists: (p: string) => boolean = existsSync): string {
  const configured = env.CHROME_PATH?.trim();
  if (configured) {
    if (!exists(configured)) throw new Error(`CHROME_PATH is ${configured}, which does not exist.`);
    return configured;
  }
  const found = CHROME_CANDIDATES.find((p) => exists(p));
  if (!found) {
    throw new Error(
      `The browser tests need Chrome or Chromium, found at none of ${CHROME_CANDIDATES.join(', ')}. ` +
        'Install it (Debian/Ubuntu: `apt-get install -y chromium`; macOS: Google Chrome) or set CHROME_PATH to its executable.',
    );
  }
  return found;
}

/** Fails, never skips: a missing browser must not pass as "no browser test ran". */
export async function launchChromium(): Promise<Browser> {
  const executablePath = findChrome();
  // playwright-core gives every launch a fresh temporary --user-data-dir.
  return chromium.launch({
    executablePath,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** A page that records every console error and uncaught exception, for the "no console errors" check. */
export async function newPage(
  browser: Browser,
  viewport: { width: number; height: number },
): Promise<{ context: BrowserContext; page: Page; errors: string[] }> {
  const context = await browser.newContext({ viewport, deviceScaleFactor: 1 });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console: ${m.text()}`);
  });
  page.on('pageerror', (e) => errors.push(`page: ${e.message}`));
  page.setDefaultTimeout(30000); // generous: the machine may be busy
  return { context, page, errors };
}

/** A full-page screenshot under .artifacts/screenshots (copied to docs/screenshots by `npm run screenshots`). */
export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(ARTIFACTS, { recursive: true });
  await page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true });
}

/** True when nothing on the page is wider than the viewport (no sideways scrolling on a phone). */
export function fitsWidth(page: Page): Promise<boolean> {
  return page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth);
}
