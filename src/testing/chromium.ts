import { join } from 'node:path';
import { type BrowserContext, chromium, type Page } from 'playwright-core';

/**
 * Debian's Chromium as the browser tests and the screenshot scripts drive it (../shared/STACK.md): where it is, and
 * the flags that keep it headless and off the network (no background updates, sync or QUIC).
 *
 * @example
 * const browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS });
 */
export const CHROMIUM = '/usr/bin/chromium';

export const CHROMIUM_ARGS: readonly string[] = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/**
 * The screenshot scripts' browser: headless Debian Chromium with a fresh profile under `dir`, nothing from the
 * network, `viewport` wide (1280 x 720 by default), one device pixel per CSS pixel.
 *
 * @example
 * const context = await launchScreenshotBrowser(work);
 * const page = context.pages()[0] ?? (await context.newPage());
 */
export async function launchScreenshotBrowser(
  dir: string,
  viewport: { width: number; height: number } = { width: 1280, height: 720 },
): Promise<BrowserContext> {
  return chromium.launchPersistentContext(join(dir, 'profile'), {
    executablePath: CHROMIUM,
    headless: true,
    args: [...CHROMIUM_ARGS],
    viewport,
    deviceScaleFactor: 1,
  });
}

/** Signs `email` in at the inbox of the server at `url` and waits for the queue. */
export async function signInToInbox(page: Page, url: string, email: string, password: string): Promise<void> {
  await page.goto(`${url}/inbox/login`);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.getByRole('heading', { name: 'Escalated conversations' }).waitFor();
}
