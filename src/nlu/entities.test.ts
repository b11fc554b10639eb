import { describe, expect, it } from 'vitest';
import { createEntityExtractor, extractEntities, findBadEntityPattern } from './entities.ts';

const types = (text: string) => extractEntities(text).map((e) => [e.type, e.value]);

describe('extractEntities', () => {
  it('finds order numbers, emails, money, dates with spans', () => {
    const text = 'My order #48213 was charged $12.50 twice on 12/03/2024, mail jane.doe@example.com';
    const found = extractEntities(text);
    expect(found.map((e) => [e.type, e.value])).toEqual([
      ['order_number', '48213'],
      ['money', '$12.50'],
      ['date', '12/03/2024'],
      ['email', 'jane.doe@example.com'],
    ]);
    for (const e of found) expect(text.slice(e.start, e.end)).toBe(e.value);
  });

  it('finds invoice and account ids, phones, URLs, money with a currency code, written dates', () => {
    expect(types('invoice INV-2024-0042 shows 45 EUR')).toEqual([
      ['invoice_id', 'INV-2024-0042'],
      ['money', '45 EUR'],
    ]);
    expect(types('account number 12345678, since March 3rd, 2024')).toEqual([
      ['account_id', '12345678'],
      ['date', 'March 3rd, 2024'],
    ]);
    expect(types('Call +44 20 7946 0958 or see https://shop.example.com/orders/1.')).toEqual([
      ['phone', '+44 20 7946 0958'],
      ['url', 'https://shop.example.com/orders/1'],
    ]);
    expect(types('refund of £1,200.00 yesterday')).toEqual([
      ['money', '£1,200.00'],
      ['date', 'yesterday'],
    ]);
  });

  it('does not take an order number for a phone number', () => {
    expect(types('order number 5512093')).toEqual([['order_number', '5512093']]);
  });

  it('takes per-deployment patterns, which replace the default of their type', () => {
    const extract = createEntityExtractor({
      patterns: { order_number: '\\bSO-\\d{6}\\b', sku: '\\bSKU-[A-Z0-9]+\\b' },
    });
    expect(extract('Order SO-123456 (SKU-AB12) and order #99999').map((e) => [e.type, e.value])).toEqual([
      ['order_number', 'SO-123456'],
      ['sku', 'SKU-AB12'],
    ]);
  });

  it('adds patterns before the defaults of a type, and turns a type off with an empty list', () => {
    const extract = createEntityExtractor({
      patterns: { phone: [] },
      extraPatterns: { order_number: '\\bSO-\\d{6}\\b' },
    });
    expect(
      extract('SO-123456 and order #99999, call 0044 20 7946 0958').map((e) => [e.type, e.value]),
    ).toEqual([
      ['order_number', 'SO-123456'],
      ['order_number', '99999'],
    ]);
  });

  it('finds a pattern that does not compile or matches the empty string, with its place', () => {
    expect(findBadEntityPattern({ replace: { sku: ['SKU-\\d+'] }, add: {} })).toBeUndefined();
    expect(findBadEntityPattern({ replace: {}, add: { sku: ['SKU-\\d+', '(SKU'] } })).toMatchObject({
      path: ['add', 'sku', 1],
      message: expect.stringMatching(/^not a valid regular expression: .*Unterminated group/),
    });
    expect(findBadEntityPattern({ replace: { sku: ['x?'] }, add: {} })?.message).toMatch(/empty string/);
  });
});
