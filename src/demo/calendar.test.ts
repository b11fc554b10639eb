import { describe, expect, it } from 'vitest';
import { createArrivals, DAY_MS, isoSeconds, isWorkingTime, nextWorkingTime } from './calendar.ts';
import { createRandom } from './random.ts';

describe('isoSeconds', () => {
  it('matches Date#toISOString to the second across leap years and centuries', () => {
    for (let ms = Date.UTC(1970, 0, 1); ms < Date.UTC(2101, 0, 1); ms += 97 * 3_600_000 + 1_234_567) {
      expect(isoSeconds(ms)).toBe(new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z'));
    }
    expect(isoSeconds(Date.UTC(2026, 4, 4, 9, 15))).toBe('2026-05-04T09:15:00Z');
  });
});

describe('working time', () => {
  it('covers weekdays 08-19 and a short weekend shift', () => {
    expect(isWorkingTime(Date.UTC(2026, 4, 4, 9))).toBe(true); // Monday
    expect(isWorkingTime(Date.UTC(2026, 4, 4, 19, 30))).toBe(false);
    expect(isWorkingTime(Date.UTC(2026, 4, 9, 12))).toBe(true); // Saturday
    expect(isWorkingTime(Date.UTC(2026, 4, 9, 17))).toBe(false);
  });

  it('moves a time outside working hours to the next working hour', () => {
    expect(nextWorkingTime(Date.UTC(2026, 4, 8, 21, 40))).toBe(Date.UTC(2026, 4, 9, 10)); // Friday night
    expect(nextWorkingTime(Date.UTC(2026, 4, 5, 3, 10))).toBe(Date.UTC(2026, 4, 5, 8));
    const inside = Date.UTC(2026, 4, 5, 11, 22, 7);
    expect(nextWorkingTime(inside)).toBe(inside);
  });
});

describe('createArrivals', () => {
  it('gives ascending whole-second times inside the window, denser on weekdays', () => {
    const endMs = Date.UTC(2026, 9, 31);
    const startMs = endMs - 70 * DAY_MS;
    const arrivals = createArrivals({ startMs, endMs, count: 20_000, rng: createRandom(1) });
    let previous = startMs;
    let weekend = 0;
    for (let i = 0; i < 20_000; i++) {
      const at = arrivals.next();
      expect(at).toBeGreaterThanOrEqual(previous);
      expect(at).toBeLessThan(endMs);
      expect(at % 1000).toBe(0);
      const day = new Date(at).getUTCDay();
      if (day === 0 || day === 6) weekend++;
      previous = at;
    }
    // Weekends are 2/7 of the days but carry well under that share of tickets.
    expect(weekend / 20_000).toBeLessThan(0.15);
    // The last arrivals reach the end of the window: the order statistics cover all of it.
    expect(previous).toBeGreaterThan(endMs - 2 * DAY_MS);
  });
});
