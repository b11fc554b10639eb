import { describe, expect, it } from 'vitest';
import { linkify } from './linkify.ts';

describe('linkify', () => {
  it('turns http(s) URLs into links and keeps the rest as text', () => {
    expect(linkify('Track SB-1042 at https://track.example/SB-1042?c=1. Thanks!')).toEqual([
      { kind: 'text', text: 'Track SB-1042 at ' },
      { kind: 'link', text: 'https://track.example/SB-1042?c=1', href: 'https://track.example/SB-1042?c=1' },
      { kind: 'text', text: '. Thanks!' },
    ]);
  });

  it('keeps plain text (and newlines) as one part', () => {
    expect(linkify('Line one\nline two')).toEqual([{ kind: 'text', text: 'Line one\nline two' }]);
    expect(linkify('')).toEqual([]);
  });

  it('never links other schemes, bare domains or broken URLs', () => {
    for (const text of [
      'javascript:alert(1)',
      'data:text/html,<script>alert(1)</script>',
      'go to www.example.com',
      'see http:// nothing',
      'ftp://files.example/x',
      'vbscript:msgbox',
    ]) {
      expect(linkify(text), text).toEqual([{ kind: 'text', text }]);
    }
  });

  it('does not let a URL swallow markup-like or quoted characters', () => {
    expect(linkify('<a href="https://x.example/a">x</a>')).toEqual([
      { kind: 'text', text: '<a href="' },
      { kind: 'link', text: 'https://x.example/a', href: 'https://x.example/a' },
      { kind: 'text', text: '">x</a>' },
    ]);
  });

  it('drops a closing parenthesis that belongs to the sentence but keeps balanced ones', () => {
    expect(linkify('(see https://a.example/x)')[1]).toEqual({
      kind: 'link',
      text: 'https://a.example/x',
      href: 'https://a.example/x',
    });
    expect(linkify('https://en.example/wiki/Foo_(bar)')[0]).toMatchObject({
      kind: 'link',
      text: 'https://en.example/wiki/Foo_(bar)',
    });
  });

  it('links several URLs, upper-case schemes included, and normalises the href', () => {
    const parts = linkify('HTTPS://A.example/x and http://b.example');
    expect(parts.filter((p) => p.kind === 'link')).toEqual([
      { kind: 'link', text: 'HTTPS://A.example/x', href: 'https://a.example/x' },
      { kind: 'link', text: 'http://b.example', href: 'http://b.example/' },
    ]);
  });
});
