import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { memoryIo } from './io.ts';
import { main } from './main.ts';

// "A billion laughs": each level repeats the one before nine times; expanded, it is 9^8 strings.
const ALIAS_BOMB = [
  'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]',
  ...'bcdefgh'
    .split('')
    .map((name, i) => `${name}: &${name} [${Array(9).fill(`*${'abcdefgh'[i]}`).join(',')}]`),
  '',
].join('\n');

const dir = mkdtempSync(join(tmpdir(), 'sb-yaml-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

/** Exit code and everything printed (diagnostics go to stdout, errors to stderr). */
async function run(args: string[]): Promise<{ code: number; output: string }> {
  const m = memoryIo({}, dir);
  const code = await main(['node', 'switchboard', ...args], m.io);
  return { code, output: m.stdout() + m.stderr() };
}

describe('every YAML entry point refuses an alias bomb with exit 2, its line and no stack trace', () => {
  const bomb = file('bomb.yaml', ALIAS_BOMB);
  const expected = /bomb\.yaml:2:\d+: .*aliases \(\*name\) expand to too much data/;

  it('workflows check', async () => {
    const wf = join(dir, 'wf');
    mkdirSync(wf);
    writeFileSync(join(wf, 'bomb.yaml'), ALIAS_BOMB);
    const r = await run(['workflows', 'check', wf]);
    expect(r.code).toBe(2);
    expect(r.output).toMatch(expected);
    expect(r.output).not.toMatch(/\n\s+at /);
  });

  it.each([
    ['--config', ['chat', '--config', bomb, '--db', join(dir, 'none.db')]],
    ['chat --script', ['chat', '--script', bomb, '--db', join(dir, 'none.db')]],
    [
      'audit --taxonomy',
      ['audit', '--taxonomy', bomb, '--db', join(dir, 'none.db'), '--out', join(dir, 'out')],
    ],
    [
      'import --map-file',
      [
        'import',
        file('tickets.csv', 'id,text\n1,hi\n'),
        '--format',
        'generic',
        '--map-file',
        bomb,
        '--db',
        join(dir, 'none.db'),
      ],
    ],
    [
      'audit --exclusions',
      ['audit', '--exclusions', bomb, '--db', join(dir, 'none.db'), '--out', join(dir, 'out')],
    ],
  ])('%s', async (_name, args) => {
    const r = await run(args);
    expect(r.output).toMatch(expected);
    expect(r.output).not.toMatch(/\n\s+at /);
    expect(r.code).toBe(2);
  });
});
