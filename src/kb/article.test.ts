import { describe, expect, it } from 'vitest';
import { UserError } from '../shared/index.ts';
import { parseArticle } from './article.ts';

const parse = (text: string) => parseArticle({ text, path: 'billing/vat.md', file: 'kb/billing/vat.md' });

function failure(text: string): UserError {
  try {
    parse(text);
  } catch (error) {
    if (error instanceof UserError) return error;
    throw error;
  }
  throw new Error('expected a UserError');
}

describe('parseArticle', () => {
  it('reads the front matter and the body; the link falls back to the path', () => {
    const article = parse(
      '---\ntitle: VAT on orders\ntags: [invoice_request, Billing, billing]\nupdated: 2026-03-31\n---\n\n# VAT\nPrices include VAT.\n',
    );
    expect(article).toMatchObject({
      id: 'billing/vat',
      path: 'billing/vat.md',
      title: 'VAT on orders',
      tags: ['invoice_request', 'billing'],
      updated: '2026-03-31',
      audience: 'customers',
      link: 'billing/vat.md',
      body: '# VAT\nPrices include VAT.',
    });
    expect(article.url).toBeUndefined();
    expect(article.hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('links to the url when there is one, and takes comma-separated tags and an agents audience', () => {
    const article = parse(
      '---\ntitle: T\ntags: a, b\nupdated: 2026-01-02\naudience: agents\nurl: https://help.example/vat\n---\nText.',
    );
    expect(article).toMatchObject({ tags: ['a', 'b'], audience: 'agents', link: 'https://help.example/vat' });
  });

  it.each([
    ['no front matter', '# Title\ntext', 1, undefined, 'starts with a "---"'],
    ['an unclosed front matter', '---\ntitle: T\nupdated: 2026-01-01\ntext', 1, undefined, 'no closing'],
    ['a YAML syntax error', '---\ntitle: T\nupdated: 2026-01-01\ntitle: "open\n---\ntext', 4, undefined, ''],
    ['a missing title', '---\nupdated: 2026-01-01\n---\ntext', 1, 'title', ''],
    ['a bad date', '---\ntitle: T\nupdated: 31/03/2026\n---\ntext', 3, 'updated', 'a date like'],
    ['an impossible date', '---\ntitle: T\nupdated: 2026-02-30\n---\ntext', 3, 'updated', 'not a real date'],
    ['an unknown key', '---\ntitle: T\nupdated: 2026-01-01\n\ntag: [x]\n---\ntext', 5, 'tag', ''],
    [
      'a bad audience',
      '---\ntitle: T\nupdated: 2026-01-01\naudience: everyone\n---\ntext',
      4,
      'audience',
      '',
    ],
    [
      'a url that is not http',
      '---\ntitle: T\nupdated: 2026-01-01\nurl: ftp://x.example\n---\ntext',
      4,
      'url',
      '',
    ],
    ['a list as front matter', '---\n- a\n- b\n---\ntext', 1, undefined, 'YAML keys'],
    ['an empty body', '---\ntitle: T\nupdated: 2026-01-01\n---\n\n', 4, undefined, 'no text'],
  ])('%s is a UserError with file and line', (_name, text, line, field, message) => {
    const error = failure(text);
    expect(error.location).toMatchObject({ file: 'kb/billing/vat.md', line });
    expect(error.location?.field).toBe(field);
    expect(error.message).toContain(message);
    expect(error.describe()).toMatch(new RegExp(`^kb/billing/vat\\.md:${line}: `));
  });
});

describe('front matter within the YAML limits', () => {
  it('refuses an alias bomb with the file and line, instead of expanding it', () => {
    const bomb = [
      '---',
      'a: &a ["x", "x", "x", "x", "x", "x", "x", "x", "x"]',
      'b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]',
      'c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]',
      'title: *c',
      '---',
      'Body.',
    ].join('\n');
    expect(() => parseArticle({ text: bomb, path: 'bomb.md', file: 'kb/bomb.md' })).toThrow(
      /aliases \(\*name\) expand to too much data/,
    );
  });
});
