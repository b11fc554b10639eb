#!/usr/bin/env node
// Compiles src/ to dist/ (run by `npm install` through `prepare`, and by bin/switchboard.js when src/ changed).
// One JavaScript file per TypeScript file, same layout, relative `.ts` imports rewritten to `.js`, every other file
// of src/ (YAML, Markdown, JSON assets that code finds next to itself) copied as is. What only tests use is left
// out (see shipsInDist).
//
// Why: running the CLI through tsx costs about 90 MB of memory (a loader thread and the transpiler) and a
// transpile of every module on each start; plain JavaScript does not. esbuild only strips types; the typecheck
// is `npm run typecheck`.
import { cpSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildWidget } from './build-widget.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const src = join(root, 'src');
const out = join(root, 'dist');
/**
 * Fixture folders that code reads at run time: `nlu eval-detectors` scores the detectors on
 * nlu/fixtures (nlu/detector-evaluation.ts). Every other fixtures/ folder is test data.
 */
const RUNTIME_FIXTURES = [`nlu${sep}fixtures${sep}`];

/**
 * Whether a file of src/ (a path relative to it) goes to dist/: not the tests and store suites, not the
 * helpers only tests import (testing.ts, *-testing.ts, test-*.ts, the testing/ folder), not test fixtures.
 * scripts/build.test.mjs checks that nothing shipped imports what is left out.
 */
export function shipsInDist(file) {
  const name = file.split(sep).at(-1);
  if (/\.(test|suite)\.ts$/.test(name)) return false;
  if (/^(testing|.*-testing|test-.*)\.ts$/.test(name)) return false;
  if (file.startsWith(`testing${sep}`)) return false;
  const inFixtures = file.split(sep).includes('fixtures');
  return !inFixtures || RUNTIME_FIXTURES.some((dir) => file.startsWith(dir));
}
// The browser widget is bundled on its own (build-widget.mjs), not compiled for Node.
const isWidget = (file) => file.startsWith(`web${sep}widget${sep}`);
/** Written last: bin/load-main.js runs dist/ only when this file is newer than everything in src/. */
export const BUILT_MARK = '.built';

/** Every file under dir, as paths relative to it. */
export function walk(dir, base = dir) {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    return entry.isDirectory() ? walk(path, base) : [relative(base, path)];
  });
}

export async function buildDist() {
  let build;
  try {
    ({ build } = await import('esbuild'));
  } catch {
    // Installed without dev dependencies: no compiler, and the CLI runs the sources through tsx.
    console.warn('switchboard build: esbuild is not installed; the CLI will run from src/ through tsx');
    return;
  }
  const files = walk(src);
  const shipped = files.filter((f) => shipsInDist(f) && !isWidget(f));
  const sources = shipped.filter((f) => f.endsWith('.ts'));
  const assets = shipped.filter((f) => !f.endsWith('.ts'));
  rmSync(out, { recursive: true, force: true });
  const started = Date.now();
  await build({
    entryPoints: sources.map((f) => join(src, f)),
    outdir: out,
    outbase: src,
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    logLevel: 'error',
    plugins: [
      {
        // Bundling is on only so that esbuild resolves imports through this plugin: every import stays an
        // import (external), relative ones pointing at the compiled `.js` file.
        name: 'keep-imports',
        setup(b) {
          b.onResolve({ filter: /.*/ }, (args) => {
            if (args.kind === 'entry-point') return undefined;
            const relativeTs = args.path.startsWith('.') && args.path.endsWith('.ts');
            return { path: relativeTs ? `${args.path.slice(0, -3)}.js` : args.path, external: true };
          });
        },
      },
    ],
  });
  for (const asset of assets) {
    mkdirSync(dirname(join(out, asset)), { recursive: true });
    cpSync(join(src, asset), join(out, asset));
  }
  // The chat widget, one self-contained script for browsers: served at /widget.js.
  await buildWidget({ outFile: join(out, 'web', 'widget.js') });
  writeFileSync(join(out, 'package.json'), '{ "type": "module" }\n');
  writeFileSync(join(out, BUILT_MARK), `built from src/ in ${Date.now() - started} ms\n`);
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  await buildDist();
}
