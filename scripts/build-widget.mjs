#!/usr/bin/env node
// Bundles the browser chat widget (src/web/widget/widget.ts) into one self-contained IIFE script: no runtime
// dependency, nothing fetched from a CDN. scripts/build.mjs calls buildWidget; run directly, this writes
// dist/web/widget.js and prints its size.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
export const WIDGET_ENTRY = join(root, 'src/web/widget/widget.ts');

/**
 * The widget bundled in memory (the server uses this when running from the sources).
 * @returns {Promise<string>}
 */
export async function bundleWidget({ minify = true } = {}) {
  const code = await bundle({ minify, sourcemap: false });
  return new TextDecoder().decode(code);
}

/**
 * @param {{ outFile: string, minify?: boolean, sourcemap?: boolean }} options
 * @returns {Promise<{ bytes: number, gzipBytes: number }>}
 */
export async function buildWidget({ outFile, minify = true, sourcemap = false }) {
  const code = await bundle({ minify, sourcemap });
  mkdirSync(dirname(outFile), { recursive: true });
  writeFileSync(outFile, code);
  return { bytes: code.byteLength, gzipBytes: gzipSync(code, { level: 9 }).byteLength };
}

/** @returns {Promise<Uint8Array>} */
async function bundle({ minify, sourcemap }) {
  const { build } = await import('esbuild');
  const result = await build({
    entryPoints: [WIDGET_ENTRY],
    bundle: true,
    format: 'iife',
    platform: 'browser',
    target: 'es2020',
    minify,
    sourcemap: sourcemap ? 'inline' : false,
    legalComments: 'none',
    charset: 'utf8',
    write: false,
    logLevel: 'error',
  });
  return result.outputFiles[0].contents;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const outFile = join(root, 'dist/web/widget.js');
  const { bytes, gzipBytes } = await buildWidget({ outFile });
  console.log(
    `${relative(root, outFile)}: ${(bytes / 1024).toFixed(1)} kB minified, ${(gzipBytes / 1024).toFixed(1)} kB gzipped`,
  );
}
