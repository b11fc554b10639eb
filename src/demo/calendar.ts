import type { Random } from './random.ts';

export const MINUTE_MS = 60_000;
export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;

/** Relative ticket volume by UTC hour: quiet nights, a morning ramp, a small lunch dip, a tail in the evening. */
const HOUR_WEIGHTS = [
  0.12, 0.08, 0.06, 0.05, 0.05, 0.07, 0.15, 0.35, 0.8, 1.5, 1.8, 1.85, 1.6, 1.6, 1.8, 1.75, 1.6, 1.35, 0.9,
  0.7, 0.6, 0.5, 0.35, 0.2,
];
/** Relative volume by weekday (0 = Sunday): Monday catches the weekend's backlog. */
const WEEKDAY_WEIGHTS = [0.3, 1.15, 1.0, 1.0, 1.0, 0.95, 0.4];

/** 1970-01-01 was a Thursday. */
export const weekday = (ms: number): number => (Math.floor(ms / DAY_MS) + 4) % 7;
/** 0-23, UTC. */
export const hourOfDay = (ms: number): number => Math.floor((ms % DAY_MS) / HOUR_MS);

/** Agents work weekdays 08:00-19:00 UTC, with a thin weekend shift 10:00-16:00. */
export function isWorkingTime(ms: number): boolean {
  const day = weekday(ms);
  const hour = hourOfDay(ms);
  if (day === 0 || day === 6) return hour >= 10 && hour < 16;
  return hour >= 8 && hour < 19;
}

/** `ms` itself when agents are at work, else the start of the next working hour. */
export function nextWorkingTime(ms: number): number {
  if (isWorkingTime(ms)) return ms;
  let hourStart = Math.floor(ms / HOUR_MS) * HOUR_MS;
  for (let i = 0; i < 24 * 4; i++) {
    hourStart += HOUR_MS;
    if (isWorkingTime(hourStart)) return hourStart;
  }
  return ms;
}

/**
 * Ticket creation times in ascending order, spread over [startMs, endMs) with the weekday and hour-of-day
 * shape above and a gentle growth trend. Ascending order lets ticket ids grow with time, as in a real
 * helpdesk, without holding all times in memory: it draws the order statistics of `count` uniforms one by one
 * and maps each through the inverse of the hourly volume curve.
 */
export function createArrivals(props: { startMs: number; endMs: number; count: number; rng: Random }): {
  next(): number;
} {
  const { startMs, endMs, count, rng } = props;
  const hours = Math.max(1, Math.floor((endMs - startMs) / HOUR_MS));
  const cumulative = new Float64Array(hours + 1);
  for (let h = 0; h < hours; h++) {
    const at = startMs + h * HOUR_MS;
    const weight =
      (HOUR_WEIGHTS[hourOfDay(at)] as number) *
      (WEEKDAY_WEIGHTS[weekday(at)] as number) *
      (1 + (0.2 * h) / hours);
    cumulative[h + 1] = (cumulative[h] as number) + weight;
  }
  const total = cumulative[hours] as number;
  let position = 0;
  let drawn = 0;
  let hour = 0;
  return {
    next() {
      const remaining = Math.max(1, count - drawn);
      drawn++;
      // Minimum of `remaining` uniforms on [position, 1): 1 - V^(1/remaining), computed without cancellation.
      position += (1 - position) * -Math.expm1(Math.log(1 - rng.next()) / remaining);
      const target = position * total;
      while (hour < hours - 1 && (cumulative[hour + 1] as number) <= target) hour++;
      const low = cumulative[hour] as number;
      const high = cumulative[hour + 1] as number;
      const within = high > low ? Math.min(1, Math.max(0, (target - low) / (high - low))) : 0;
      return Math.min(endMs - 1000, Math.floor((startMs + (hour + within) * HOUR_MS) / 1000) * 1000);
    },
  };
}

const TWO_DIGITS = Array.from({ length: 60 }, (_, i) => String(i).padStart(2, '0'));

/** `YYYY-MM-DDT` for a day number since 1970-01-01 (Howard Hinnant's civil-from-days, no Date object). */
function datePrefix(days: number): string {
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor(
    (doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365,
  );
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  const year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  return `${year}-${TWO_DIGITS[month]}-${TWO_DIGITS[day]}T`;
}

/** `2026-05-04T09:15:00Z`: ISO 8601 UTC to the second, for years 1970-9999. Called millions of times. */
export function isoSeconds(ms: number): string {
  const days = Math.floor(ms / DAY_MS);
  const seconds = Math.floor((ms - days * DAY_MS) / 1000);
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  return `${datePrefix(days)}${TWO_DIGITS[h]}:${TWO_DIGITS[m]}:${TWO_DIGITS[seconds % 60]}Z`;
}
