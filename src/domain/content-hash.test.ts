import { describe, expect, it } from 'vitest';
import { contentHash } from './content-hash.ts';

describe('contentHash', () => {
  const ticket = {
    id: '1',
    subject: 'Où est ma commande ?',
    tags: ['order', 'wismo'],
    createdAt: 1_741_100_000_000,
    csat: 0.8,
    customer: { email: 'ana@example.com', attributes: {} },
    messages: [{ body: 'Hello\nthere', public: true }],
  };

  it('is 16 hex digits and the same for the same content, whatever the object identity', () => {
    const h = contentHash(ticket);
    expect(h).toMatch(/^[0-9a-f]{16}$/);
    expect(contentHash(structuredClone(ticket))).toBe(h);
  });

  it('changes when any value changes, however deep or small', () => {
    const h = contentHash(ticket);
    const variants: unknown[] = [
      { ...ticket, subject: 'Où est ma commande?' },
      { ...ticket, tags: ['wismo', 'order'] },
      { ...ticket, createdAt: ticket.createdAt + 1 },
      { ...ticket, csat: 0.80000001 },
      { ...ticket, customer: { ...ticket.customer, attributes: { vip: true } } },
      { ...ticket, messages: [{ body: 'Hello\nthere', public: false }] },
      { ...ticket, messages: [{ body: 'Hello there', public: true }] },
    ];
    const hashes = variants.map(contentHash);
    expect(hashes).not.toContain(h);
    expect(new Set(hashes).size).toBe(variants.length);
  });

  it('tells apart values that print alike: types, nesting, string boundaries and key names', () => {
    const pairs: [unknown, unknown][] = [
      [{ a: 1 }, { a: '1' }],
      [{ a: null }, { a: false }],
      [{ a: [] }, { a: {} }],
      [['ab'], ['a', 'b']],
      [{ ab: 'c' }, { a: 'bc' }],
      [[[1], 2], [[1, 2]]],
      [{ a: 'x' }, { b: 'x' }],
    ];
    for (const [x, y] of pairs) expect(contentHash(x), JSON.stringify([x, y])).not.toBe(contentHash(y));
  });

  it('skips undefined properties and follows key order, like JSON.stringify', () => {
    expect(contentHash({ a: 1, b: undefined })).toBe(contentHash({ a: 1 }));
    expect(contentHash({ a: 1, b: 2 })).not.toBe(contentHash({ b: 2, a: 1 }));
  });

  it('spreads similar inputs evenly: no collision among 100,000 ids', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 100_000; i++) seen.add(contentHash({ externalId: String(i), subject: 'Question' }));
    expect(seen.size).toBe(100_000);
  });
});
