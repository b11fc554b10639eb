/**
 * Fields shared by the two ticket APIs, Zendesk and Freshdesk (`zendesk.ts`, `freshdesk.ts`): zod schemas for their
 * ids, texts and timestamps, the small conversions both exports need, and the keys that tell them apart.
 */
import { z } from 'zod';
import { parseTimestamp } from '../../domain/index.ts';
import { err, ok, type Result } from '../../shared/index.ts';
import type { CsvRow } from './csv-tickets.ts';
import { dateOrderProblem } from './date-order.ts';
import { isJsonObject } from './json-layout.ts';

/**
 * Keys that tell the two ticket APIs apart (both have `requester_id`): each format's detection requires its own
 * and rejects the other's, so one file never matches both.
 */
export const ZENDESK_KEYS = [
  'submitter_id',
  'raw_subject',
  'email_cc_ids',
  'collaborator_ids',
  'via',
] as const;
export const FRESHDESK_KEYS = [
  'responder_id',
  'fr_escalated',
  'fr_due_by',
  'nr_escalated',
  'description_text',
  'cc_emails',
  'email_config_id',
] as const;

/**
 * Why the first record shows the file is not tickets of this API: not an object, a key of the other API
 * (`rival`), or none of the keys every ticket has. Null when it may be.
 */
export function notTicketOf(first: unknown, rival: { name: string; keys: readonly string[] }): string | null {
  if (!isJsonObject(first)) return 'the first record is not a JSON object';
  const key = rival.keys.find((k) => k in first);
  if (key) return `the first ticket has "${key}", a ${rival.name} field`;
  if (!['id', 'created_at', 'subject', 'status'].some((k) => k in first)) {
    return 'the first record has none of id, created_at, subject, status';
  }
  return null;
}

const idError = (iss: { input: unknown }) => (iss.input == null ? 'missing' : 'not an id');
export const idSchema = z.union([z.number(), z.string().min(1)], { error: idError }).transform(String);
export const optionalId = idSchema.nullish().transform((v) => v ?? null);
export const optionalText = z
  .string()
  .nullish()
  .transform((v) => v ?? null);
export const timestampSchema = z
  .union([z.string(), z.number()], { error: (iss) => (iss.input == null ? 'missing' : 'not a timestamp') })
  .transform((v, ctx) => {
    const ms = epochMs(v);
    if (ms === null) ctx.addIssue({ code: 'custom', message: `not a timestamp: ${JSON.stringify(v)}` });
    return ms ?? 0;
  });
/** Optional timestamps are read leniently: an unreadable one is unknown, not a reason to lose the ticket. */
export const optionalTimestamp = z.unknown().optional().transform(epochMs);

/** Epoch ms of a timestamp (ISO text or epoch seconds/ms); null when unreadable or before 1970. */
export function epochMs(raw: unknown): number | null {
  const ms = parseTimestamp(raw);
  return ms !== null && ms >= 0 ? ms : null;
}

/** An id as text, or null when the value is not one. */
export const idText = (v: unknown): string | null =>
  typeof v === 'number' || (typeof v === 'string' && v !== '') ? String(v) : null;

/** Spreadsheets turn ids into floats (`3.0`). */
export const csvId = (v: string | null) => (v === null ? null : v.replace(/^(\d+)\.0+$/, '$1'));

/** A label as a channel name: `Web Form` -> `web_form`. */
export const slug = (v: string | null) =>
  v === null
    ? null
    : v
        .trim()
        .toLowerCase()
        .replace(/[^\p{L}\p{N}]+/gu, '_')
        .replace(/^_+|_+$/g, '') || null;

/** Side-loaded items that carry `ticket_id`, grouped per ticket. */
export function groupByTicket(list: unknown): Map<string, unknown[]> {
  const out = new Map<string, unknown[]>();
  if (!Array.isArray(list)) return out;
  for (const item of list) {
    const id = isJsonObject(item) ? idText(item.ticket_id) : null;
    if (id === null) continue;
    const group = out.get(id);
    if (group) group.push(item);
    else out.set(id, [item]);
  }
  return out;
}

/**
 * The two fields every vendor CSV row needs: its ticket id and creation time, or the reject reason naming the
 * vendor's own column (`Ticket ID: missing`, `Created at: not a timestamp: "..."`).
 */
export function csvIdAndCreated(
  row: CsvRow,
  columns: { id: string; created: string },
  labels: { id: string; created: string },
): Result<{ id: string; createdAt: number }, string> {
  const ticketId = csvId(row.get(columns.id));
  if (ticketId === null) return err(`${labels.id}: missing`);
  const createdAt = row.time(columns.created);
  if (createdAt !== null) return ok({ id: ticketId, createdAt });
  const raw = row.get(columns.created) ?? '';
  const order = dateOrderProblem(raw, row.dateOrder);
  return err(
    order === null
      ? `${labels.created}: not a timestamp: ${JSON.stringify(raw)}`
      : `${labels.created}: "${raw}" ${order}`,
  );
}
