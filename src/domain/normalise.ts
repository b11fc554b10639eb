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

/**
 * Parses the timestamp shapes seen in helpdesk exports: ISO 8601, `YYYY-MM-DD HH:MM:SS [+ZZZZ]`, epoch seconds or
 * milliseconds, and Twitter's `Tue Oct 31 22:10:47 +0000 2017`. A time without an offset is read as UTC.
 * Returns null when the text is not a timestamp.
 */
export function parseTimestamp(raw: unknown): number | null {
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
  return null;
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
  return Number.isNaN(ms) ? null : ms;
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
