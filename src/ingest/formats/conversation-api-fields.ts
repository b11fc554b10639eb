/**
 * Fields shared by the two conversation APIs, Intercom and Help Scout (`intercom.ts`, `helpscout.ts`): zod
 * schemas for their ids and times, and the message helpers both mappings use. Missing or null fields are fine;
 * a field of the wrong type makes the record a reject rather than a silently wrong ticket.
 */
import { z } from 'zod';
import { type Message, parseTimestamp } from '../../domain/index.ts';

export const text = z.string().nullish();

/** An optional id as text: absent, null and `''` give null. */
export const optionalId = z
  .union([z.string(), z.number()])
  .nullish()
  .transform((v) => (v === null || v === undefined || v === '' ? null : String(v)));

// `.optional()` lets an absent key reach the transform, which reports it as missing.
/** A required id (non-blank text or a finite number), as trimmed text. */
export function requiredId() {
  return z
    .unknown()
    .optional()
    .transform((raw, ctx) => {
      if (
        (typeof raw === 'string' && raw.trim() !== '') ||
        (typeof raw === 'number' && Number.isFinite(raw))
      ) {
        return String(raw).trim();
      }
      ctx.issues.push({ code: 'custom', message: problem(raw, 'not an id'), input: raw });
      return z.NEVER;
    });
}

/** A required time, as epoch ms. */
export function requiredTimestamp() {
  return z
    .unknown()
    .optional()
    .transform((raw, ctx) => {
      const ms = toTime(raw);
      if (ms !== null) return ms;
      ctx.issues.push({ code: 'custom', message: problem(raw, 'not a timestamp'), input: raw });
      return z.NEVER;
    });
}

/** An optional time: absent, null or unreadable gives null (these feed metrics, never the record's identity). */
export function optionalTimestamp() {
  return z.unknown().optional().transform(toTime);
}

/** Exports write `0` for "never happened"; the epoch is never a real support event. */
function toTime(raw: unknown): number | null {
  const ms = parseTimestamp(raw);
  return ms !== null && ms > 0 ? ms : null;
}

function problem(raw: unknown, what: string): string {
  return raw === null || raw === undefined ? 'missing' : `${what}: ${JSON.stringify(raw).slice(0, 80)}`;
}

/** Trimmed text, or null when blank. */
export function nonEmpty(value: string | null | undefined): string | null {
  const trimmed = value?.trim();
  return trimmed ? trimmed : null;
}

/** A public agent or bot message: what a first response is made of. */
export const isPublicReply = (m: Message): boolean =>
  m.public && (m.authorRole === 'agent' || m.authorRole === 'bot');

/** The warning for a message kept without a time of its own: `field` names it (`threads.2 (reply 9): createdAt`). */
export const undatedWarning = (field: string): string =>
  `${field} missing or invalid; given the conversation time`;

/** Messages in time order; the sort is stable, so equal times keep the export's order. */
export function byTime(messages: Message[]): Message[] {
  return messages.sort((a, b) => a.createdAt - b.createdAt);
}

/** The customer's CSAT comment has no field of its own in the ticket model, so it travels with the custom fields. */
export function withCsatComment(
  fields: Record<string, unknown>,
  comment: string | null | undefined,
): Record<string, unknown> {
  const remark = nonEmpty(comment);
  return remark === null ? fields : { ...fields, csat_comment: remark };
}
