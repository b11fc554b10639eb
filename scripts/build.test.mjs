import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, normalize, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { shipsInDist, walk } from './build.mjs';

const src = fileURLToPath(new URL('../src/', import.meta.url));
const p = (path) => path.split('/').join(sep);
/** Written by the build itself (build-widget.mjs), not copied from src/. */
const BUILT = new Set([p('web/widget.js')]);

describe('what the build ships in dist/', () => {
  it('leaves out tests, store suites, test helpers and test fixtures', () => {
    for (const file of [
      'nlu/model-file.test.ts',
      'store/store.suite.ts',
      'nlu/testing.ts',
      'cli/commands/chat-testing.ts',
      'store/test-builders.ts',
      'ingest/formats/test-helpers.ts',
      'testing/shared-data.ts',
      'ingest/formats/fixtures/zendesk/export.jsonl',
      'kb/fixtures/questions.jsonl',
      'workflows/fixtures/check/good/a.yaml',
    ]) {
      expect(shipsInDist(p(file)), file).toBe(false);
    }
  });

  it('keeps the code, its assets and the fixtures read at run time', () => {
    for (const file of [
      'cli/main.ts',
      'connectors/capturing-logger.ts',
      'audit/default-exclusions.yaml',
      'demo/entities.yaml',
      'nlu/fixtures/sentiment.jsonl',
    ]) {
      expect(shipsInDist(p(file)), file).toBe(true);
    }
  });

  it('ships everything a shipped module imports or reads next to itself', () => {
    const files = walk(src);
    const shipped = new Set(files.filter(shipsInDist));
    const missing = [];
    for (const file of shipped) {
      if (!file.endsWith('.ts')) continue;
      const text = readFileSync(join(src, file), 'utf8');
      // Static and dynamic imports, and `new URL('./x', import.meta.url)` (up to a template's first `${`).
      const references = [
        ...text.matchAll(/(?:from|import)\s*\(?\s*'(\.{1,2}\/[^']+)'/g),
        ...text.matchAll(/new URL\(\s*['`](\.{1,2}\/[^'`$]*)/g),
      ].map((m) => m[1]);
      for (const reference of references) {
        const target = relative(src, normalize(join(src, dirname(file), reference)));
        if (target.startsWith('..') || BUILT.has(target)) continue;
        const found = reference.endsWith('/')
          ? [...shipped].some((f) => f.startsWith(target + sep))
          : shipped.has(target) || [...shipped].some((f) => f.startsWith(target + sep));
        if (!found && existsSync(join(src, target))) missing.push(`${file} -> ${target}`);
        if (!found && !existsSync(join(src, target)) && !reference.endsWith('/')) {
          missing.push(`${file} -> ${target} (no such file)`);
        }
      }
    }
    expect(missing).toEqual([]);
  });

  it('lists what shipped code and bin/ import at run time in dependencies, and types in devDependencies', () => {
    const root = fileURLToPath(new URL('../', import.meta.url));
    const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
    const runtime = new Set(Object.keys(pkg.dependencies));
    const code = [
      ...walk(src)
        .filter((f) => f.endsWith('.ts') && shipsInDist(f))
        .map((f) => join(src, f)),
      ...walk(join(root, 'bin')).map((f) => join(root, 'bin', f)),
    ];
    const needed = new Set();
    for (const path of code) {
      const text = readFileSync(path, 'utf8');
      // Value imports only: `import type` and `export type` are erased.
      const statements = text.matchAll(
        /(?:^|\n)\s*(?:import|export)(?!\s+type\b)[^;()=]*?from\s*'([@a-z][\w.@/-]*)';/g,
      );
      const dynamic = text.matchAll(/import\(\s*'([@a-z][\w.@/-]*)'\s*\)/g);
      for (const [, specifier] of [...statements, ...dynamic]) {
        if (specifier.startsWith('node:')) continue;
        const parts = specifier.split('/');
        needed.add(specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]);
      }
    }
    // bin/load-main.js runs the sources through tsx when dist/ is not current (or absent: no esbuild).
    expect(needed).toContain('tsx');
    expect(needed).toContain('zod');
    expect([...needed].filter((name) => !runtime.has(name))).toEqual([]);
    expect([...runtime].filter((name) => name.startsWith('@types/'))).toEqual([]);
  });
});
