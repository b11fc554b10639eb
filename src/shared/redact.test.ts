import { describe, expect, it } from 'vitest';
import { luhnValid, PAYMENT_KINDS, redact } from './redact.ts';

describe('redact', () => {
  it('masks a Luhn-valid card, keeping the last four, and the CVV after it', () => {
    expect(redact('card 4111 1111 1111 1111 cvv 123, mail me at ann@example.com')).toBe(
      'card [card ending 1111] cvv [cvv], mail me at [email]',
    );
    expect(redact('my card is 5500-0000-0000-0004 123')).toBe('my card is [card ending 0004] [cvv]');
    expect(redact('4111111111111111, exp 12/27, 987')).toBe('[card ending 1111], exp 12/27, [cvv]');
  });

  it('leaves numbers that fail the Luhn check, order numbers and dates alone', () => {
    expect(luhnValid('4111111111111112')).toBe(false);
    const text = 'order #100234 placed 2025-01-02, tracking 1Z999AA10123456784, ref 4111 1111 1111 1112';
    expect(redact(text)).toBe(text);
    expect(redact('Order A-10023 and order 12345678')).toBe('Order A-10023 and order 12345678');
  });

  it('masks a CVV named by its word', () => {
    expect(redact('the CVC is 456 and security code: 7890')).toBe(
      'the CVC is [cvv] and security code: [cvv]',
    );
  });

  it('masks national ids that pass their rules', () => {
    expect(redact('SSN 123-45-6789')).toBe('SSN [national id]');
    expect(redact('SSN 000-45-6789 or 666-12-3456', { kinds: ['nationalId'] })).toBe(
      'SSN 000-45-6789 or 666-12-3456',
    );
    expect(redact('NI number AB 12 34 56 C, also JG123456D')).toBe(
      'NI number [national id], also [national id]',
    );
    expect(redact('GB123456A is not one')).toBe('GB123456A is not one');
  });

  it('masks emails and phone numbers', () => {
    expect(redact("write to o'brien@example.net")).toBe('write to [email]');
    expect(redact('call +44 20 7946 0958 or (555) 123-4567 or 555.123.4567')).toBe(
      'call [phone] or [phone] or [phone]',
    );
    expect(redact('it took 3 - 4 days, 10.5 hours')).toBe('it took 3 - 4 days, 10.5 hours');
  });

  it('masks only card data with the payment kinds', () => {
    expect(
      redact('4111 1111 1111 1111 cvv 123 ann@example.com +1 555 123 4567', { kinds: PAYMENT_KINDS }),
    ).toBe('[card ending 1111] cvv [cvv] ann@example.com +1 555 123 4567');
  });
});
