import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readArticleFolder } from './read-articles.ts';

const article = (title: string) =>
  `---\ntitle: ${title}\nupdated: 2025-01-15\n---\n${title} in a few words.\n`;

describe('readArticleFolder', () => {
  it('follows no symbolic link and says where each one leads', () => {
    const root = mkdtempSync(join(tmpdir(), 'kb-links-'));
    const kb = join(root, 'kb');
    mkdirSync(join(kb, 'billing'), { recursive: true });
    writeFileSync(join(kb, 'returns.md'), article('Returns'));
    writeFileSync(join(kb, 'billing', 'invoices.md'), article('Invoices'));
    writeFileSync(join(root, 'private.md'), article('Private'));
    symlinkSync(join(root, 'private.md'), join(kb, 'billing', 'private.md'));
    symlinkSync(root, join(kb, 'parent'));
    symlinkSync(join(kb, 'returns.md'), join(kb, 'returns-again.md'));
    symlinkSync(join(kb, 'gone.md'), join(kb, 'broken.md'));
    const { articles, skippedLinks } = readArticleFolder(kb, 'kb');
    expect(articles.map((a) => a.title)).toEqual(['Invoices', 'Returns']);
    expect(skippedLinks).toEqual([
      { path: 'billing/private.md', leads: 'outside' },
      { path: 'broken.md', leads: 'nowhere' },
      { path: 'parent', leads: 'outside' },
      { path: 'returns-again.md', leads: 'inside' },
    ]);
  });

  it('counts the links it skipped when a folder has nothing else', () => {
    const root = mkdtempSync(join(tmpdir(), 'kb-links-'));
    mkdirSync(join(root, 'kb'));
    writeFileSync(join(root, 'a.md'), article('A'));
    symlinkSync(join(root, 'a.md'), join(root, 'kb', 'a.md'));
    expect(() => readArticleFolder(join(root, 'kb'), 'kb')).toThrow(
      'no .md articles in this folder (README.md files are skipped; 1 symbolic link not followed)',
    );
  });
});
