import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { CHROMIUM } from '../src/testing/chromium.ts';

/** A `--name value` option of the screenshot scripts (`npm run docs:screenshots -- --out DIR`). */
export function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

/**
 * What every screenshot script starts with: the folder it writes to (`--out`, default docs/images), after checking
 * that Debian's Chromium is there (exit 2 with the command that installs it when not).
 */
export function screenshotOutDir(): string {
  if (!existsSync(CHROMIUM)) {
    console.error(`${CHROMIUM} not found: install it with apt-get install -y chromium`);
    process.exit(2);
  }
  return resolve(arg('--out') ?? 'docs/images');
}
