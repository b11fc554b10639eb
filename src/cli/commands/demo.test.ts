import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { GENERIC_CSV_HEADER } from '../../demo/index.ts';
import { memoryIo } from '../io.ts';
import { main } from '../main.ts';

const dir = mkdtempSync(join(tmpdir(), 'sb-demo-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
writeFileSync(join(dir, 'plain.txt'), 'not a folder');

const run = async (...args: string[]) => {
  const mem = memoryIo({}, dir);
  const code = await main(['node', 'switchboard', 'demo', 'generate', ...args], mem.io);
  return { code, stdout: mem.stdout(), stderr: mem.stderr() };
};

describe('switchboard demo generate', () => {
  it('writes the file and prints a one-line summary', async () => {
    const { code, stdout, stderr } = await run('--tickets', '200', '--seed', '7', '--out', 'demo.csv');
    expect(stderr).toBe('');
    expect(code).toBe(0);
    expect(stdout).toMatch(
      /^wrote 200 tickets, [\d,]+ messages to .*demo\.csv \(generic, [\d.]+ MB\) in [\d.]+ s\n$/,
    );
    expect(readFileSync(join(dir, 'demo.csv'), 'utf8').startsWith(`${GENERIC_CSV_HEADER}\n`)).toBe(true);
  });

  it('writes Zendesk JSON Lines with exactly K messages per ticket when asked', async () => {
    const { code } = await run(
      '--tickets',
      '50',
      '--out',
      'z.jsonl',
      '--format',
      'zendesk',
      '--messages-per-ticket',
      '3',
    );
    expect(code).toBe(0);
    const lines = readFileSync(join(dir, 'z.jsonl'), 'utf8').trim().split('\n');
    expect(lines).toHaveLength(50);
    for (const line of lines) expect((JSON.parse(line) as { comments: unknown[] }).comments).toHaveLength(3);
  });

  it.each([
    [['--tickets', 'abc', '--out', 'bad1.csv'], '--tickets'],
    [['--tickets', '0', '--out', 'bad2.csv'], '--tickets'],
    [['--tickets', '1e3', '--out', 'bad3.csv'], '--tickets'],
    [['--tickets', '999999999', '--out', 'bad4.csv'], '--tickets'],
    [['--tickets', '10', '--seed', 'x', '--out', 'bad5.csv'], '--seed'],
    [['--tickets', '10', '--format', 'xml', '--out', 'bad6.csv'], '--format'],
    [['--tickets', '10', '--messages-per-ticket', 'two', '--out', 'bad7.csv'], '--messages-per-ticket'],
    [['--tickets', '10', '--out', 'no-such-folder/bad8.csv'], '--out'],
    [['--tickets', '10', '--out', '.'], '--out'],
    [['--tickets', '10', '--out', 'plain.txt/inside.csv'], '--out'],
  ])('exits 2 on %j, naming %s, and creates no file', async (args, flag) => {
    const before = readdirSync(dir).sort();
    const { code, stderr } = await run(...args);
    expect(code).toBe(2);
    expect(stderr).toContain(`${flag}:`);
    expect(readdirSync(dir).sort()).toEqual(before);
  });

  it('exits 2 when a required flag is missing', async () => {
    expect((await run('--tickets', '10')).code).toBe(2);
    expect((await run('--out', 'x.csv')).code).toBe(2);
  });

  // Root may write anywhere, so this case only runs as an ordinary user.
  it.skipIf(process.getuid?.() === 0)('exits 2 when the folder is not writable', async () => {
    const locked = join(dir, 'locked');
    mkdirSync(locked);
    chmodSync(locked, 0o500);
    try {
      const { code, stderr } = await run('--tickets', '10', '--out', join(locked, 'x.csv'));
      expect(code).toBe(2);
      expect(stderr).toContain('--out:');
      expect(existsSync(join(locked, 'x.csv'))).toBe(false);
    } finally {
      chmodSync(locked, 0o700);
    }
  });
});
