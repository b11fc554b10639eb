import { compile } from 'html-to-text';
import type { Priority, TicketStatus } from './ticket.ts';

/** Helpdesk status words mapped to the normalised status; unknown words become `other` (keep the raw). */
export function normaliseStatus(raw: string | null | undefined): TicketStatus {
  if (!raw) return 'open';
  const s = raw
    .trim()
    .toLowerCase()
    .replace(/[\s_-]+/g, ' ');
  switch (s) {
    case 'new':
      return 'new';
    case 'open':
    case 'active':
    case 'in progress':
    case 'assigned':
      return 'open';
    case 'pending':
    case 'hold':
    case 'on hold':
    case 'snoozed':
    case 'waiting on customer':
    case 'waiting on third party':
    case 'pending customer response':
      return 'pending';
    case 'solved':
    case 'resolved':
      return 'resolved';
    case 'closed':
    case 'spam':
      return 'closed';
    default:
      return 'other';
  }
}

export function normalisePriority(raw: string | null | undefined): Priority | null {
  if (!raw) return null;
  switch (raw.trim().toLowerCase()) {
    case 'low':
      return 'low';
    case 'normal':
    case 'medium':
      return 'normal';
    case 'high':
      return 'high';
    case 'urgent':
    case 'critical':
      return 'urgent';
    default:
      return null;
  }
}

/** How to read a numeric date whose day and month could be swapped (`03-04-2021`). */
export type DateOrder = 'day-first' | 'month-first';

/**
 * Parses the timestamp shapes seen in helpdesk exports: ISO 8601, `YYYY-MM-DD HH:MM:SS [+ZZZZ]`, epoch seconds or
 * milliseconds, Twitter's `Tue Oct 31 22:10:47 +0000 2017`, and numeric dates with the year last (`22-03-2021`,
 * `3/22/2021 2:05 PM`, `22.03.2021 14:05`) or first with slashes or dots (`2021/03/22`). A time without an offset
 * is read as UTC. A numeric date whose day and month are both 12 or under and differ is read in `order`, and is
 * not a timestamp without one (`dateOrderOf` tells such dates apart). Returns null when the text is not a
 * timestamp, or names a day that does not exist.
 */
export function parseTimestamp(raw: unknown, order?: DateOrder): number | null {
  if (typeof raw === 'number') {
    if (!Number.isFinite(raw)) return null;
    return raw < 1e11 ? Math.round(raw * 1000) : Math.round(raw);
  }
  if (typeof raw !== 'string') return null;
  const s = raw.trim();
  if (s === '') return null;
  if (/^\d{9,13}(\.\d+)?$/.test(s)) return parseTimestamp(Number(s));
  const twitter =
    /^[A-Z][a-z]{2} ([A-Z][a-z]{2}) (\d{1,2}) (\d{2}):(\d{2}):(\d{2}) ([+-]\d{4}) (\d{4})$/.exec(s);
  if (twitter) {
    const [, mon, day, hh, mm, ss, off, year] = twitter;
    return parseIsoLike(
      `${year}-${MONTHS[mon as string] ?? '??'}-${pad(day)}T${hh}:${mm}:${ss}${offset(off)}`,
    );
  }
  const spaced =
    /^(\d{4}-\d{2}-\d{2})[ T](\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)\s*(Z|[+-]\d{2}:?\d{2}|UTC)?$/i.exec(s);
  if (spaced) {
    const [, date, time, zone] = spaced;
    const z = !zone || zone.toUpperCase() === 'UTC' ? 'Z' : zone.toUpperCase() === 'Z' ? 'Z' : offset(zone);
    return parseIsoLike(`${date}T${time}${z}`);
  }
  if (/^\d{4}-\d{2}-\d{2}$/.test(s)) return parseIsoLike(`${s}T00:00:00Z`);
  return parseNumericDate(s, order);
}

/** `22-03-2021 14:05[:09] [PM] [+0100]`: day and month in either order, then the year; `-`, `/` or `.` between. */
const YEAR_LAST =
  /^(\d{1,2})([-/.])(\d{1,2})\2(\d{4})(?:[ T]+(\d{1,2}):(\d{2})(?::(\d{2})(\.\d+)?)?\s*([AaPp][Mm])?)?\s*(Z|[+-]\d{2}:?\d{2}|UTC)?$/;
/** `2021/03/22 08:00`: the year first, with `/` or `.` (ISO dashes are read above). */
const YEAR_FIRST =
  /^(\d{4})([/.])(\d{1,2})\2(\d{1,2})(?:[ T]+(\d{1,2}):(\d{2})(?::(\d{2})(\.\d+)?)?\s*([AaPp][Mm])?)?\s*(Z|[+-]\d{2}:?\d{2}|UTC)?$/;

/**
 * What a numeric date with the year last says about the order of its day and month: `day-first` or `month-first`
 * when one of them is over 12, `ambiguous` when both could be either and they differ (`03-04-2021`). Null when it
 * says nothing about the order: not such a date, or the two are equal (`04-04-2021`).
 */
export function dateOrderOf(raw: string): DateOrder | 'ambiguous' | null {
  const m = YEAR_LAST.exec(raw.trim());
  if (!m) return null;
  const first = Number(m[1]);
  const second = Number(m[3]);
  if (first === second) return null;
  if (first > 12) return second > 12 ? null : 'day-first';
  return second > 12 ? 'month-first' : 'ambiguous';
}

function parseNumericDate(s: string, order: DateOrder | undefined): number | null {
  const yearFirst = YEAR_FIRST.exec(s);
  const m = yearFirst ?? YEAR_LAST.exec(s);
  if (!m) return null;
  const [, a, , b, c, hh = '0', mm = '0', ss = '0', fraction = '', meridiem, zone] = m;
  let year: number;
  let month: number;
  let day: number;
  if (yearFirst) [year, month, day] = [Number(a), Number(b), Number(c)];
  else {
    const read = order ?? dateOrderOf(s);
    if (read === 'ambiguous') return null;
    year = Number(c);
    [day, month] = read === 'month-first' ? [Number(b), Number(a)] : [Number(a), Number(b)];
  }
  let hour = Number(hh);
  if (meridiem) {
    if (hour < 1 || hour > 12) return null;
    hour = (hour % 12) + (meridiem.toLowerCase() === 'pm' ? 12 : 0);
  }
  const ms = Date.UTC(
    year,
    month - 1,
    day,
    hour,
    Number(mm),
    Number(ss),
    Math.floor(Number(`0${fraction}`) * 1000),
  );
  const back = new Date(ms);
  // Date.UTC rolls 31 February over into March; such a day is not a date.
  if (
    back.getUTCDate() !== day ||
    back.getUTCMonth() !== month - 1 ||
    hour > 23 ||
    Number(mm) > 59 ||
    Number(ss) > 59
  ) {
    return null;
  }
  const z = !zone || zone.toUpperCase() === 'UTC' || zone.toUpperCase() === 'Z' ? null : offset(zone);
  if (z === null) return ms;
  const sign = z.startsWith('-') ? -1 : 1;
  return ms - sign * (Number(z.slice(1, 3)) * 60 + Number(z.slice(4, 6))) * 60_000;
}

const MONTHS: Record<string, string> = {
  Jan: '01',
  Feb: '02',
  Mar: '03',
  Apr: '04',
  May: '05',
  Jun: '06',
  Jul: '07',
  Aug: '08',
  Sep: '09',
  Oct: '10',
  Nov: '11',
  Dec: '12',
};

const pad = (v: string | undefined) => (v ?? '').padStart(2, '0');
const offset = (v: string | undefined) => {
  const digits = (v ?? '').replace(':', '');
  return `${digits.slice(0, 3)}:${digits.slice(3, 5)}`;
};

function parseIsoLike(s: string): number | null {
  const ms = Date.parse(s);
  if (Number.isNaN(ms)) return null;
  // Date.parse rolls 2025-02-30 over into 2 March; such a day is not a date.
  const ymd = /^(\d{4})-(\d{2})-(\d{2})/.exec(s);
  if (ymd) {
    const [year, month, day] = [Number(ymd[1]), Number(ymd[2]), Number(ymd[3])];
    if (day < 1 || day > new Date(Date.UTC(year, month, 0)).getUTCDate()) return null;
  }
  return ms;
}

// Compiled once: html-to-text recompiles its options on every convert() call, which dominated import time.
const toText = compile({
  wordwrap: false,
  selectors: [
    { selector: 'a', options: { ignoreHref: true } },
    { selector: 'img', format: 'skip' },
  ],
});

/** HTML bodies (Zendesk `html_body`, Intercom parts, Help Scout threads) as plain text; plain text passes through. */
export function htmlToText(html: string): string {
  if (!/[<&]/.test(html)) return html;
  return toText(html).trim();
}
