import { describe, expect, it } from 'vitest';
import { backoffDelayMs, isRetryableStatus, retryAfterMs } from './retry.ts';

describe('backoffDelayMs', () => {
  it('doubles from 1 s up to 15 s without jitter in the middle of the range', () => {
    const mid = { random: () => 0.5 };
    expect([0, 1, 2, 3, 4, 5, 10].map((a) => backoffDelayMs(a, mid))).toEqual([
      1000, 2000, 4000, 8000, 15000, 15000, 15000,
    ]);
  });

  it('spreads each delay by the jitter and never exceeds the ceiling', () => {
    expect(backoffDelayMs(1, { random: () => 0 })).toBe(1600);
    expect(backoffDelayMs(1, { random: () => 0.999999 })).toBe(2400);
    expect(backoffDelayMs(8, { random: () => 0.999999 })).toBe(15000);
    expect(backoffDelayMs(8, { random: () => 0 })).toBe(12000);
  });
});

describe('isRetryableStatus', () => {
  it('retries network failures, 429 and 5xx only', () => {
    expect([0, 429, 500, 502, 503].every(isRetryableStatus)).toBe(true);
    expect([400, 401, 404, 409, 413, 422].some(isRetryableStatus)).toBe(false);
  });
});

describe('retryAfterMs', () => {
  const now = Date.parse('2025-01-01T00:00:00Z');
  it('reads seconds and HTTP dates, capped', () => {
    expect(retryAfterMs('3', now)).toBe(3000);
    expect(retryAfterMs('Wed, 01 Jan 2025 00:00:05 GMT', now)).toBe(5000);
    expect(retryAfterMs('3600', now)).toBe(60_000);
    expect(retryAfterMs('Tue, 31 Dec 2024 00:00:00 GMT', now)).toBe(0);
  });
  it('is undefined when absent or unreadable', () => {
    expect(retryAfterMs(null, now)).toBeUndefined();
    expect(retryAfterMs('soon', now)).toBeUndefined();
  });
});
