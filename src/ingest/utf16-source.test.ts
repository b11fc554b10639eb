import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { memoryIo } from '../cli/io.ts';
import { main } from '../cli/main.ts';
import { encodingOf } from './source.ts';

const dir = mkdtempSync(join(tmpdir(), 'sb-utf16-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const fixture = (name: string) =>
  readFileSync(resolve(import.meta.dirname, 'formats/fixtures', name), 'utf8');

const utf16le = (text: string, bom: boolean) => Buffer.from(`${bom ? '\ufeff' : ''}${text}`, 'utf16le');
const utf16be = (text: string) => utf16le(text, true).swap16();

async function importFile(name: string, bytes: Buffer) {
  const file = join(dir, name);
  writeFileSync(file, bytes);
  const m = memoryIo({}, dir);
  const code = await main(
    ['node', 'switchboard', 'import', file, '--db', join(dir, `${name}.db`), '--json'],
    m.io,
  );
  return { code, stderr: m.stderr(), summary: code === 0 ? JSON.parse(m.stdout()) : null };
}

describe('UTF-16 files', () => {
  // Each was refused as "not a Zendesk export" (or not recognised at all) before.
  for (const [name, bytes] of [
    ['zendesk-le-bom.jsonl', utf16le(fixture('zendesk/export.jsonl'), true)],
    ['zendesk-be-bom.jsonl', utf16be(fixture('zendesk/export.jsonl'))],
    ['zendesk-le.jsonl', utf16le(fixture('zendesk/export.jsonl'), false)],
    ['generic-le-bom.csv', utf16le(fixture('generic/tickets.csv'), true)],
  ] as const) {
    it(`imports ${name} as it imports the UTF-8 file`, async () => {
      const utf8 = await importFile(
        `${name}.utf8`,
        Buffer.from(fixture(name.startsWith('zendesk') ? 'zendesk/export.jsonl' : 'generic/tickets.csv')),
      );
      const utf16 = await importFile(name, bytes);
      expect(utf16.stderr).toBe('');
      expect(utf16.code).toBe(0);
      expect(utf16.summary).toMatchObject({
        format: utf8.summary.format,
        imported: utf8.summary.imported,
        rejected: utf8.summary.rejected,
      });
      expect(utf16.summary.imported).toBeGreaterThan(0);
    });
  }

  it('tells UTF-16 from UTF-8 by the byte order mark, or by zero bytes in every other position', () => {
    expect(encodingOf(utf16le('id,subject\n1,a', true))).toBe('utf-16le');
    expect(encodingOf(utf16be('id,subject\n1,a'))).toBe('utf-16be');
    expect(encodingOf(utf16le('id,subject\n1,a', false))).toBe('utf-16le');
    expect(encodingOf(utf16le('id,subject\n1,a', true).swap16().subarray(2))).toBe('utf-16be');
    expect(encodingOf(Buffer.from('\ufeffid,subject\n1,a'))).toBe('utf-8');
    expect(encodingOf(Buffer.from('id,subject\n1,nul\u0000here\n2,b\n'))).toBe('utf-8');
    expect(encodingOf(Buffer.from('x'))).toBe('utf-8');
  });
});
