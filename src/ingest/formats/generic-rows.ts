/**
 * Turns generic rows (a CSV record or a JSON object, already matched to fields by `column-mapping.ts`) into
 * tickets, for both layouts: one row per ticket, and one row per message where consecutive rows sharing a ticket
 * id form one ticket.
 */
import {
  blankTicket,
  type Customer,
  type DateOrder,
  type Message,
  normalisePriority,
  normaliseStatus,
  type TicketRecord,
  type TicketStatus,
} from '../../domain/index.ts';
import type { ImportItem } from '../importer.ts';
import {
  bodyOf,
  channelOf,
  countOf,
  csatOf,
  durationSecondsOf,
  F,
  GENERIC_FIELDS,
  idOf,
  isBlank,
  publicOf,
  roleOf,
  tagsOf,
  textOf,
  timeOf,
} from './column-mapping.ts';
import { dateOrderProblem } from './date-order.ts';

/** What the rows of one file share: the tickets' source, and how its numeric dates are read (`date-order.ts`). */
export interface RowContext {
  source: string;
  dateOrder: DateOrder | null;
}

/** One CSV row or JSON object, its values indexed by field ordinal (`F`). */
export interface FieldRow {
  line: number;
  raw: string;
  values: readonly unknown[];
  /** Column or key name per field ordinal: where a value that does not parse is kept in customFields. */
  names: readonly string[];
  /** Seconds per unit per field ordinal, for durations. */
  units: readonly number[];
  /** Unmapped columns, verbatim; null when there are none. */
  custom: Record<string, unknown> | null;
  /** Messages given inside the row (JSON `messages: [...]`), already converted; null when none. */
  messages: Message[] | null;
}

type Reject = Extract<ImportItem, { kind: 'reject' }>;

const reject = (row: Pick<FieldRow, 'line' | 'raw'>, reason: string): Reject => ({
  kind: 'reject',
  line: row.line,
  reason,
  raw: row.raw,
});

/** One row per ticket: the body, if any, is the opening customer message. */
export function ticketFromRow(row: FieldRow, context: RowContext): ImportItem {
  const id = idOf(row.values[F.externalId]);
  if (id === null) return reject(row, `missing ticket id${nameHint(row, F.externalId)}`);
  const createdRaw = row.values[F.createdAt];
  let createdAt = timeOf(createdRaw, context.dateOrder);
  if (createdAt === null && isBlank(createdRaw) && row.messages) createdAt = earliest(row.messages);
  if (createdAt === null) return reject(row, badTime(row, F.createdAt, createdRaw, context));
  const messages =
    row.messages && row.messages.length > 0
      ? dated(row.messages, createdAt)
      : openingMessage(row.values, createdAt);
  return { kind: 'ticket', line: row.line, ticket: buildTicket(row, context, id, createdAt, messages) };
}

/** The earliest message time, ignoring messages without one (createdAt -1). */
function earliest(messages: readonly Message[]): number | null {
  let min: number | null = null;
  for (const m of messages) if (m.createdAt >= 0 && (min === null || m.createdAt < min)) min = m.createdAt;
  return min;
}

/** Gives messages without a time the ticket's creation time. */
function dated(messages: Message[], createdAt: number): Message[] {
  for (const m of messages) if (m.createdAt < 0) m.createdAt = createdAt;
  return messages;
}

function openingMessage(values: readonly unknown[], createdAt: number): Message[] {
  const body = bodyOf(values[F.body]);
  if (body === null) return [];
  const authorId = textOf(values[F.customerId]) ?? textOf(values[F.customerEmail]);
  return [{ externalId: null, authorRole: 'customer', authorId, body, createdAt, public: true }];
}

interface OpenTicket {
  id: string;
  first: FieldRow;
  /** Ticket-level values merged from the rows so far: the first non-blank value of each field wins. */
  values: unknown[];
  names: string[];
  units: number[];
  ownsMeta: boolean;
  custom: Record<string, unknown> | null;
  /** createdAt -1 marks a message without a time: it gets the ticket's creation time. */
  messages: Message[];
}

/** The fields merged across the rows of one ticket: all but the per-message ones. */
const TICKET_LEVEL = GENERIC_FIELDS.map((_, i) => i).filter((i) => i < F.messageId || i === F.messages);

/**
 * One row per message. Rows sharing a ticket id in consecutive order form one ticket; its fields come from the
 * first row that has them. A ticket id that comes back after other tickets starts a new ticket with the same id,
 * which replaces the earlier one in the store: sort such files by ticket id first.
 */
export function messageRowGrouper(context: RowContext) {
  let open: OpenTicket | null = null;

  const close = (out: ImportItem[]) => {
    if (open) out.push(finishTicket(open, context));
    open = null;
  };

  return {
    /** Adds a row; pushes the items it completes (the previous ticket, or this row's reject) to `out`. */
    add(row: FieldRow, out: ImportItem[]): void {
      const id = idOf(row.values[F.externalId]);
      if (id === null) {
        out.push(reject(row, `missing ticket id${nameHint(row, F.externalId)}`));
        return;
      }
      const createdRaw = row.values[F.createdAt];
      if (!isBlank(createdRaw) && timeOf(createdRaw, context.dateOrder) === null) {
        out.push(reject(row, badTime(row, F.createdAt, createdRaw, context)));
        return;
      }
      const message = messageFromRow(row, context);
      if (typeof message === 'string') {
        out.push(reject(row, message));
        return;
      }
      if (open === null || open.id !== id) {
        close(out);
        open = startTicket(id, row);
      } else mergeRow(open, row);
      if (message) open.messages.push(message);
    },
    /** Completes the last ticket at the end of the file. */
    end(out: ImportItem[]): void {
      close(out);
    },
  };
}

function startTicket(id: string, row: FieldRow): OpenTicket {
  return {
    id,
    first: row,
    values: row.values.slice(),
    names: row.names as string[],
    units: row.units as number[],
    ownsMeta: false,
    custom: row.custom,
    messages: [],
  };
}

function mergeRow(open: OpenTicket, row: FieldRow): void {
  const merged = open.values;
  for (const f of TICKET_LEVEL) {
    if (!isBlank(merged[f]) || isBlank(row.values[f])) continue;
    merged[f] = row.values[f];
    if (row.names !== open.names) {
      // JSON rows carry their own key names; CSV rows share the header's, which must not be written to.
      if (!open.ownsMeta) {
        open.names = open.names.slice();
        open.units = open.units.slice();
        open.ownsMeta = true;
      }
      open.names[f] = row.names[f] ?? '';
      open.units[f] = row.units[f] ?? 0;
    }
  }
  if (row.custom) {
    if (open.custom === null) open.custom = row.custom;
    else for (const key in row.custom) if (isBlank(open.custom[key])) open.custom[key] = row.custom[key];
  }
}

/** The row's message; null when the row has no message text; a string saying why the row is rejected. */
function messageFromRow(row: FieldRow, context: RowContext): Message | null | string {
  const v = row.values;
  const body = bodyOf(v[F.messageBody]);
  if (body === null) return null;
  const roleRaw = v[F.authorRole];
  const authorRole = roleOf(roleRaw);
  if (authorRole === null) {
    return isBlank(roleRaw)
      ? `missing author role${nameHint(row, F.authorRole)}`
      : `unknown author role "${textOf(roleRaw)}" (expected customer, agent, bot or system)`;
  }
  const timeRaw = v[F.messageCreatedAt];
  const createdAt = isBlank(timeRaw) ? -1 : timeOf(timeRaw, context.dateOrder);
  if (createdAt === null) return badTime(row, F.messageCreatedAt, timeRaw, context);
  return {
    externalId: idOf(v[F.messageId]),
    authorRole,
    authorId: textOf(v[F.authorId]),
    body,
    createdAt,
    public: publicOf(v[F.messagePublic]),
  };
}

function finishTicket(open: OpenTicket, context: RowContext): ImportItem {
  const createdAt = timeOf(open.values[F.createdAt], context.dateOrder) ?? earliest(open.messages);
  if (createdAt === null) {
    return reject(open.first, `ticket ${open.id}: no row has a created_at or a message time`);
  }
  const row = {
    ...open.first,
    values: open.values,
    names: open.names,
    units: open.units,
    custom: open.custom,
  };
  const messages =
    open.messages.length > 0 ? dated(open.messages, createdAt) : openingMessage(open.values, createdAt);
  return {
    kind: 'ticket',
    line: open.first.line,
    ticket: buildTicket(row, context, open.id, createdAt, messages),
  };
}

/** The ticket from a row's values. Values that do not parse are kept, verbatim, in customFields. */
export function buildTicket(
  row: FieldRow,
  context: RowContext,
  id: string,
  createdAt: number,
  messages: Message[],
): TicketRecord {
  const v = row.values;
  const custom: Record<string, unknown> = row.custom ?? {};
  const ticket = blankTicket(context.source, id, createdAt);
  const order = context.dateOrder;
  ticket.subject = textOf(v[F.subject]);
  ticket.channel = channelOf(v[F.channel]);
  ticket.statusRaw = textOf(v[F.status]);
  const priorityRaw = textOf(v[F.priority]);
  ticket.priority = normalisePriority(priorityRaw);
  if (priorityRaw !== null && ticket.priority === null) keep(row, custom, F.priority);
  ticket.tags = tagsOf(v[F.tags]);
  ticket.category = textOf(v[F.category]);
  ticket.assignee = textOf(v[F.assignee]);
  ticket.group = textOf(v[F.group]);
  ticket.updatedAt = optionalTime(row, custom, F.updatedAt, order);
  ticket.firstResponseAt =
    optionalTime(row, custom, F.firstResponseAt, order) ??
    after(row, custom, F.firstResponseMinutes, createdAt);
  ticket.resolvedAt =
    optionalTime(row, custom, F.resolvedAt, order) ?? after(row, custom, F.resolutionMinutes, createdAt);
  ticket.closedAt = optionalTime(row, custom, F.closedAt, order);
  ticket.status = statusOf(ticket.statusRaw, ticket.resolvedAt, ticket.closedAt);
  const csat = csatOf(v[F.csat]);
  ticket.csatScore = csat?.score ?? null;
  ticket.csatRaw = csat?.raw ?? null;
  ticket.handleTimeSeconds = handleTime(row, custom);
  ticket.reopens = countOf(v[F.reopens]);
  if (ticket.reopens === null && !isBlank(v[F.reopens])) keep(row, custom, F.reopens);
  ticket.customer = customerOf(v);
  ticket.messages = messages;
  ticket.customFields = custom;
  return ticket;
}

/** Keeps a value that did not parse in customFields, under its column name. */
function keep(row: FieldRow, custom: Record<string, unknown>, field: number): void {
  custom[row.names[field] || (GENERIC_FIELDS[field] as string)] = row.values[field];
}

function optionalTime(
  row: FieldRow,
  custom: Record<string, unknown>,
  field: number,
  order: DateOrder | null,
): number | null {
  const raw = row.values[field];
  if (isBlank(raw)) return null;
  const ms = timeOf(raw, order);
  if (ms === null) keep(row, custom, field);
  return ms;
}

/** The time a duration column puts after the creation time (first response, resolution). */
function after(
  row: FieldRow,
  custom: Record<string, unknown>,
  field: number,
  createdAt: number,
): number | null {
  const raw = row.values[field];
  if (isBlank(raw)) return null;
  const seconds = durationSecondsOf(raw, row.units[field] || 60);
  if (seconds === null) {
    keep(row, custom, field);
    return null;
  }
  return createdAt + Math.round(seconds * 1000);
}

/** The status word when there is one; otherwise what the close/resolve times imply. */
function statusOf(raw: string | null, resolvedAt: number | null, closedAt: number | null): TicketStatus {
  if (raw !== null) return normaliseStatus(raw);
  if (closedAt !== null) return 'closed';
  return resolvedAt !== null ? 'resolved' : 'open';
}

function handleTime(row: FieldRow, custom: Record<string, unknown>): number | null {
  for (const field of HANDLE_TIME_FIELDS) {
    const raw = row.values[field];
    if (isBlank(raw)) continue;
    const seconds = durationSecondsOf(raw, row.units[field] || (field === F.handleTimeSeconds ? 1 : 60));
    if (seconds !== null) return seconds;
    keep(row, custom, field);
  }
  return null;
}

const HANDLE_TIME_FIELDS = [F.handleTimeSeconds, F.handleTimeMinutes];

function customerOf(v: readonly unknown[]): Customer | null {
  const externalId = idOf(v[F.customerId]);
  const email = textOf(v[F.customerEmail]);
  const name = textOf(v[F.customerName]);
  const segment = textOf(v[F.segment]);
  if (externalId === null && email === null && name === null && segment === null) return null;
  return { externalId, email, name, segment, attributes: {} };
}

function badTime(row: FieldRow, field: number, raw: unknown, context: RowContext): string {
  const name = row.names[field] || GENERIC_FIELDS[field];
  if (isBlank(raw)) return `missing ${name}`;
  const text = textOf(raw) ?? String(raw);
  return `${name} "${text}" ${dateOrderProblem(text, context.dateOrder) ?? 'is not a time stamp'}`;
}

function nameHint(row: FieldRow, field: number): string {
  const name = row.names[field];
  return name ? ` (column ${name})` : '';
}
