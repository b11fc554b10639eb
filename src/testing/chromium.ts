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
