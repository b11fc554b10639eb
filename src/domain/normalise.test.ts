import { describe, expect, it } from 'vitest';
import { dateOrderOf, parseTimestamp } from './normalise.ts';

const at = (iso: string) => Date.parse(iso);

describe('parseTimestamp: numeric dates with the year last', () => {
  it('reads a day-first or month-first date when one part is over 12, with any separator and time', () => {
    expect(parseTimestamp('22-03-2021')).toBe(at('2021-03-22T00:00:00Z'));
    expect(parseTimestamp('22/03/2021 14:05')).toBe(at('2021-03-22T14:05:00Z'));
    expect(parseTimestamp('22.03.2021 14:05:09')).toBe(at('2021-03-22T14:05:09Z'));
    expect(parseTimestamp('3/22/2021 2:05 PM')).toBe(at('2021-03-22T14:05:00Z'));
    expect(parseTimestamp('03/22/2021 12:30 am')).toBe(at('2021-03-22T00:30:00Z'));
    expect(parseTimestamp('22-03-2021 14:05 +0100')).toBe(at('2021-03-22T13:05:00Z'));
    expect(parseTimestamp('05-05-2021')).toBe(at('2021-05-05T00:00:00Z'));
  });

  it('needs the order for an ambiguous date, and follows it when given', () => {
    expect(parseTimestamp('03-04-2021')).toBeNull();
    expect(parseTimestamp('03-04-2021', 'day-first')).toBe(at('2021-04-03T00:00:00Z'));
    expect(parseTimestamp('03-04-2021', 'month-first')).toBe(at('2021-03-04T00:00:00Z'));
    // The order given wins over what the text suggests: a month of 22 is no date.
    expect(parseTimestamp('22-03-2021', 'month-first')).toBeNull();
  });

  it('refuses impossible dates rather than rolling them over', () => {
    expect(parseTimestamp('31-02-2021')).toBeNull();
    expect(parseTimestamp('13-13-2021')).toBeNull();
    expect(parseTimestamp('22-03-2021 25:00')).toBeNull();
    expect(parseTimestamp('22-03-21')).toBeNull();
  });

  it('reads year-first dates with slashes or dots', () => {
    expect(parseTimestamp('2021/03/22 08:00')).toBe(at('2021-03-22T08:00:00Z'));
    expect(parseTimestamp('2021.03.04')).toBe(at('2021-03-04T00:00:00Z'));
  });
});

describe('dateOrderOf', () => {
  it('says which order a numeric date shows, or that it could be either', () => {
    expect(dateOrderOf('22-03-2021')).toBe('day-first');
    expect(dateOrderOf('03/22/2021 10:00')).toBe('month-first');
    expect(dateOrderOf('03-04-2021')).toBe('ambiguous');
    expect(dateOrderOf('04-04-2021')).toBeNull();
    expect(dateOrderOf('2021-03-04')).toBeNull();
    expect(dateOrderOf('hello')).toBeNull();
  });
});
