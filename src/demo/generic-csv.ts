import { isoSeconds } from './calendar.ts';
import type { DemoTicket } from './demo-ticket.ts';

/** The exact header of the generic CSV; the generic importer recognises a demo file by it. */
export const GENERIC_CSV_HEADER =
  'ticket_id,subject,channel,status,priority,tags,category,customer_id,customer_email,customer_name,' +
  'customer_plan,assignee,created_at,first_response_at,resolved_at,closed_at,csat,handle_time_seconds,' +
  'message_id,author_role,author_id,message_body,message_created_at,message_public';

const NEEDS_QUOTES = /[",\r\n]/;

/**
 * RFC 4180 field: quoted when it holds a quote, comma or line break, with quotes doubled. Written by hand
 * because csv-stringify took about 8x longer on the three million rows of the benchmark file; the tests
 * check this against csv-stringify and csv-parse.
 */
export function csvField(value: string): string {
  return NEEDS_QUOTES.test(value) ? `"${value.replaceAll('"', '""')}"` : value;
}

const time = (ms: number | null) => (ms === null ? '' : isoSeconds(ms));

/** One CSV line per message (each ending in `\n`), the ticket's columns repeated on every line. */
export function ticketToCsvRows(t: DemoTicket): string {
  const head =
    `${t.id},${csvField(t.subject ?? '')},${t.channel},${t.status},${t.priority},${csvField(t.tags.join('|'))},` +
    `${t.category},${t.customer.id},${csvField(t.customer.email)},${csvField(t.customer.name)},` +
    `${t.customer.plan},${csvField(t.assignee?.name ?? '')},${time(t.createdAt)},${time(t.firstResponseAt)},` +
    `${time(t.resolvedAt)},${time(t.closedAt)},${t.csat ?? ''},${t.handleTimeSeconds ?? ''}`;
  let out = '';
  for (const m of t.messages) {
    out += `${head},${m.id},${m.authorRole},${m.authorId},${csvField(m.body)},${isoSeconds(m.createdAt)},${m.public}\n`;
  }
  return out;
}
