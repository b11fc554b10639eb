import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { deriveTicketFigures } from '../../domain/index.ts';
import { UserError } from '../../shared/index.ts';
import { openSqliteStore } from '../../store/sqlite/index.ts';
import type { ImportItem } from '../importer.ts';
import { runImport, startReading } from '../run-import.ts';
import { openFileSource, textSource } from '../source.ts';
import { readAll } from '../testing.ts';
import { genericCsvImporter } from './generic-csv.ts';
import { readFailure } from './test-helpers.ts';

const fixture = (name: string) =>
  readFileSync(new URL(`./fixtures/generic/${name}`, import.meta.url), 'utf8');
const ticketsCsv = fixture('tickets.csv');
const messagesCsv = fixture('messages.csv');
const at = (iso: string) => Date.parse(iso);
const scratch = mkdtempSync(join(tmpdir(), 'sb-generic-csv-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('generic-csv, one row per ticket', () => {
  it('maps recognised columns, converts durations, CSAT and tags, and keeps the rest as custom fields', async () => {
    const { tickets } = await readAll(genericCsvImporter, ticketsCsv);
    expect(tickets.map((t) => t.externalId)).toEqual(['1001', '1002', '1003', '1006']);
    const created = at('2025-03-04T09:15:00Z');
    expect(tickets[0]).toEqual({
      source: 'generic',
      externalId: '1001',
      subject: 'Refund not received',
      channel: 'web',
      status: 'resolved',
      statusRaw: 'solved',
      priority: 'high',
      tags: ['refund', 'returns'],
      category: 'Billing',
      assignee: 'Marta',
      group: 'Billing EU',
      createdAt: created,
      updatedAt: at('2025-03-05T10:00:00Z'),
      firstResponseAt: created + 90 * 60_000,
      deriveFirstResponse: true,
      resolvedAt: created + 26.5 * 3_600_000,
      closedAt: null,
      csatScore: 1,
      csatRaw: '5',
      handleTimeSeconds: 750,
      reopens: 1,
      customFields: { order_ref: 'ORD-77' },
      customer: {
        externalId: null,
        email: 'ana@example.com',
        name: 'Ana Silva',
        segment: 'pro',
        attributes: {},
      },
      messages: [
        {
          externalId: null,
          authorRole: 'customer',
          authorId: 'ana@example.com',
          body: 'Hello,\nI returned the blender on 2 March and still have no refund.',
          createdAt: created,
          public: true,
        },
      ],
    });
    expect(deriveTicketFigures(tickets[0]!).firstResponseSeconds).toBe(5400);
  });

  it('reads quoted quotes, offsets, epoch seconds, good/bad and 0-10 CSAT', async () => {
    const { tickets } = await readAll(genericCsvImporter, ticketsCsv);
    const [, second, third] = tickets;
    expect(second).toMatchObject({
      subject: 'Password reset link "expired"',
      createdAt: at('2025-03-04T10:00:00Z'),
      firstResponseAt: at('2025-03-04T10:15:00Z'),
      deriveFirstResponse: true,
      priority: null,
      csatScore: 1,
      csatRaw: 'good',
      reopens: 0,
      tags: [],
      customFields: { order_ref: '' },
    });
    expect(third).toMatchObject({
      createdAt: 1741100000000,
      status: 'pending',
      priority: 'urgent',
      channel: 'chat',
      tags: ['damage', 'shipping'],
      csatScore: 0.8,
      customer: null,
    });
  });

  it('keeps values that do not parse in customFields and unknown status words as other', async () => {
    const { tickets } = await readAll(genericCsvImporter, ticketsCsv);
    expect(tickets[3]).toMatchObject({
      status: 'other',
      statusRaw: 'Escalated',
      priority: null,
      updatedAt: null,
      firstResponseAt: null,
      deriveFirstResponse: true,
      csatScore: null,
      csatRaw: 'meh',
      reopens: null,
      customFields: {
        order_ref: '',
        priority: 'P1',
        updated_at: 'yesterday',
        'first response time (in hrs)': 'abc',
        reopens: 'twice',
      },
    });
  });

  it('rejects a bad date, a missing id and a short row with their line numbers and text', async () => {
    const { rejects } = await readAll(genericCsvImporter, ticketsCsv);
    expect(rejects).toEqual([
      {
        kind: 'reject',
        line: 6,
        reason: 'created "not a date" is not a time stamp',
        raw: '1004,Bad date,Bad date row,open,low,email,,,,,,,,not a date,,,,,,,',
      },
      expect.objectContaining({ line: 7, reason: 'missing ticket id (column id)' }),
      {
        kind: 'reject',
        line: 8,
        reason: 'expected 21 fields as in the header, found 3',
        raw: '1005,Short row,only a few',
      },
    ]);
  });
});

describe('generic-csv, one row per message (the demo generator layout)', () => {
  it('groups consecutive rows into tickets with their messages', async () => {
    const { tickets } = await readAll(genericCsvImporter, messagesCsv);
    expect(tickets.map((t) => [t.externalId, t.messages.map((m) => m.externalId)])).toEqual([
      ['T-1', ['M-1', 'M-2', 'M-3', 'M-4']],
      ['T-2', ['M-5', 'M-6']],
      ['T-3', ['M-10', 'M-11']],
    ]);
    const [first, second, third] = tickets;
    expect(first).toMatchObject({
      subject: 'Where is my order?',
      channel: 'email',
      status: 'resolved',
      priority: 'normal',
      tags: ['shipping', 'wismo'],
      category: 'orders',
      assignee: 'agent-3',
      createdAt: at('2025-05-01T08:00:00Z'),
      firstResponseAt: at('2025-05-01T08:20:00Z'),
      deriveFirstResponse: true,
      resolvedAt: at('2025-05-01T09:00:00Z'),
      closedAt: at('2025-05-02T09:00:00Z'),
      csatScore: 0.75,
      handleTimeSeconds: 540,
      customFields: {},
      customer: {
        externalId: 'C-9',
        email: 'lee@example.com',
        name: 'Lee Park',
        segment: 'pro',
        attributes: {},
      },
    });
    expect(first?.messages[0]?.body).toBe('Hi, order #551 has not arrived.\nIt was due Monday.');
    expect(first?.messages.map((m) => [m.authorRole, m.public])).toEqual([
      ['customer', true],
      ['agent', true],
      ['agent', false],
      ['customer', true],
    ]);
    expect(second?.messages[1]).toMatchObject({
      authorRole: 'bot',
      authorId: 'faq-bot',
      body: 'Here is our refund policy: refunds',
    });
    expect(second?.customer).toMatchObject({ externalId: 'C-10', email: null, segment: 'free' });
    // No created_at in any row: the first message's time; CSAT good/bad.
    expect(third).toMatchObject({ createdAt: at('2025-05-02T07:00:00Z'), status: 'closed', csatScore: 0 });
    expect(deriveTicketFigures(third!).firstResponseSeconds).toBe(1800);
  });

  it('rejects bad message rows without losing the rest of the ticket', async () => {
    const { rejects } = await readAll(genericCsvImporter, messagesCsv);
    expect(rejects.map((r) => [r.line, r.reason])).toEqual([
      [9, 'unknown author role "wizard" (expected customer, agent, bot or system)'],
      [10, 'message_created_at "not-a-time" is not a time stamp'],
      [11, 'missing ticket id (column ticket_id)'],
    ]);
    expect(rejects[0]?.raw).toBe(
      'T-2,,,,,,,,,,,,,,,,,,M-7,wizard,x,Unknown role row,2025-05-01T10:01:00Z,true',
    );
  });

  it('rejects a ticket whose rows give no time at all, at its first line', async () => {
    const csv =
      'ticket_id,created_at,author_role,message_body,message_created_at\nA,,customer,hi,\nA,,agent,hello,\n';
    const { tickets, rejects } = await readAll(genericCsvImporter, csv);
    expect(tickets).toEqual([]);
    expect(rejects).toEqual([
      {
        kind: 'reject',
        line: 2,
        reason: 'ticket A: no row has a created_at or a message time',
        raw: 'A,,customer,hi,',
      },
    ]);
  });
});

describe('generic-csv mapping', () => {
  const csv =
    'Ref,Headline,Opened On,Notes,Who\nR1,Printer jam,2025-01-02T03:04:05Z,Paper stuck,pat@example.com\n';

  it('uses --map entries for columns it does not recognise', async () => {
    const { tickets } = await readAll(genericCsvImporter, csv, {
      mapping: {
        externalId: 'Ref',
        subject: 'Headline',
        createdAt: 'Opened On',
        body: 'notes',
        customerEmail: 'Who',
      },
    });
    expect(tickets[0]).toMatchObject({
      externalId: 'R1',
      subject: 'Printer jam',
      createdAt: at('2025-01-02T03:04:05Z'),
      customer: { email: 'pat@example.com' },
      customFields: {},
    });
    expect(tickets[0]?.messages[0]?.body).toBe('Paper stuck');
  });

  it('accepts a mapping file object (snake_case field names) that overrides a recognised column', async () => {
    const mappingFile = { external_id: 'Ref', created_at: 'Opened On', subject: 'Notes' };
    const withTitle = 'Ref,Title,Opened On,Notes\nR1,Printer jam,2025-01-02T03:04:05Z,Paper stuck\n';
    const { tickets } = await readAll(genericCsvImporter, withTitle, { mapping: mappingFile });
    expect(tickets[0]).toMatchObject({ subject: 'Paper stuck', customFields: { Title: 'Printer jam' } });
  });

  it('names the missing columns and --map when the header has no id, before yielding anything', async () => {
    const items: ImportItem[] = [];
    const run = async () => {
      for await (const item of genericCsvImporter.read(textSource(csv, 'odd.csv'), { mapping: {} })) {
        items.push(item);
      }
    };
    await expect(run()).rejects.toThrow(UserError);
    await expect(run()).rejects.toMatchObject({
      code: 'import.wrong_format',
      location: { file: 'odd.csv' },
      message: expect.stringMatching(/ticket id.*--map externalId=COLUMN/),
    });
    expect(items).toEqual([]);
  });

  it('throws import.wrong_format for an empty file', async () => {
    await expect(readAll(genericCsvImporter, '')).rejects.toMatchObject({ code: 'import.wrong_format' });
  });
});

describe('generic-csv text handling', () => {
  it('reads a BOM, CRLF line ends and quoted line breaks', async () => {
    const csv =
      '\uFEFFid,subject,created_at,description\r\n1,"Two\r\nlines",2025-01-01T00:00:00Z,"a, b"\r\n2,x,bad,y\r\n';
    const { tickets, rejects } = await readAll(genericCsvImporter, csv);
    expect(tickets[0]).toMatchObject({ externalId: '1', subject: 'Two\r\nlines' });
    expect(tickets[0]?.messages[0]?.body).toBe('a, b');
    expect(rejects.map((r) => r.line)).toEqual([4]);
  });

  it('reads a 1 MB description', async () => {
    const body = 'lorem ipsum '.repeat(90_000);
    const csv = `id,subject,created_at,description\n1,Big,2025-01-01T00:00:00Z,"${body}"\n2,Small,2025-01-01T00:00:00Z,ok\n`;
    const { tickets } = await readAll(genericCsvImporter, csv);
    expect(tickets[0]?.messages[0]?.body.length).toBe(body.length);
    expect(tickets[1]?.subject).toBe('Small');
  });

  it('imports invalid UTF-8 bytes as U+FFFD rather than failing', async () => {
    const path = join(scratch, 'latin1.csv');
    const head = Buffer.from('id,subject,created_at\n1,Caf', 'utf8');
    writeFileSync(
      path,
      Buffer.concat([head, Buffer.from([0xe9]), Buffer.from(' bill,2025-01-01T00:00:00Z\n')]),
    );
    const tickets = [];
    for await (const item of genericCsvImporter.read(openFileSource(path), { mapping: {} }))
      tickets.push(item);
    expect(tickets).toEqual([
      expect.objectContaining({
        kind: 'ticket',
        ticket: expect.objectContaining({ subject: 'Caf\uFFFD bill' }),
      }),
    ]);
  });
});

describe('generic-csv dates whose day and month could be swapped', () => {
  const csv = (...dates: string[]) =>
    `ticket_id,subject,created_at,resolved_at\n${dates.map((d, i) => `${i + 1},Ticket ${i + 1},${d},`).join('\n')}\n`;

  it('reads day-first dates when a day over 12 settles the order, the ambiguous ones too', async () => {
    const { tickets, rejects } = await readAll(
      genericCsvImporter,
      csv('22-03-2021 10:00', '03-04-2021 09:30', '15/04/2021'),
    );
    expect(rejects).toEqual([]);
    expect(tickets.map((t) => t.createdAt)).toEqual([
      at('2021-03-22T10:00:00Z'),
      at('2021-04-03T09:30:00Z'),
      at('2021-04-15T00:00:00Z'),
    ]);
  });

  it('reads month-first dates the same way', async () => {
    const { tickets } = await readAll(genericCsvImporter, csv('03/04/2021', '03/22/2021'));
    expect(tickets.map((t) => t.createdAt)).toEqual([at('2021-03-04T00:00:00Z'), at('2021-03-22T00:00:00Z')]);
  });

  it('refuses a file whose dates are all ambiguous once, before any row, naming --date-format', async () => {
    const { error, yielded } = await readFailure(
      genericCsvImporter,
      csv('03-04-2021', '05-06-2021', '01-02-2021'),
      'tickets.csv',
    );
    expect(yielded).toBe(0);
    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).code).toBe('import.ambiguous_dates');
    expect((error as UserError).location).toMatchObject({ file: 'tickets.csv', line: 2 });
    expect((error as UserError).message).toContain('"03-04-2021"');
    expect((error as UserError).message).toContain('--date-format day-first');
    expect((error as UserError).message).toContain('--date-format month-first');
  });

  it('follows --date-format, and rejects the rows that contradict it', async () => {
    const dates = csv('03-04-2021', '05-06-2021', '22-03-2021');
    const dayFirst = await readAll(genericCsvImporter, dates, { dateFormat: 'day-first' });
    expect(dayFirst.tickets.map((t) => t.createdAt)).toEqual([
      at('2021-04-03T00:00:00Z'),
      at('2021-06-05T00:00:00Z'),
      at('2021-03-22T00:00:00Z'),
    ]);
    const monthFirst = await readAll(genericCsvImporter, dates, { dateFormat: 'month-first' });
    expect(monthFirst.tickets.map((t) => t.createdAt)).toEqual([
      at('2021-03-04T00:00:00Z'),
      at('2021-05-06T00:00:00Z'),
    ]);
    expect(monthFirst.rejects).toEqual([
      expect.objectContaining({ line: 4, reason: 'created_at "22-03-2021" is not a month-first date' }),
    ]);
  });

  it('refuses a file whose first rows show both orders', async () => {
    const { error } = await readFailure(genericCsvImporter, csv('22-03-2021', '03-25-2021'), 'mixed.csv');
    expect((error as UserError).code).toBe('import.ambiguous_dates');
    expect((error as UserError).message).toMatch(/"22-03-2021" \(line 2\).*"03-25-2021" \(line 3\)/);
  });

  it('leaves ISO dates alone whatever --date-format says', async () => {
    const { tickets } = await readAll(genericCsvImporter, csv('2021-03-04T10:00:00Z'), {
      dateFormat: 'day-first',
    });
    expect(tickets[0]?.createdAt).toBe(at('2021-03-04T10:00:00Z'));
  });
});

describe('generic-csv column names', () => {
  it('takes Assigned_Agent and its other spellings as the assignee', async () => {
    for (const header of [
      'Assigned_Agent',
      'assigned agent',
      'Agent Assigned',
      'Assignee Name',
      'assigned_to',
    ]) {
      const { tickets } = await readAll(
        genericCsvImporter,
        `ticket_id,subject,created_at,${header}\n1,Refund,2024-01-01 10:00:00,Ann Lee\n`,
      );
      expect([header, tickets[0]?.assignee, tickets[0]?.customFields]).toEqual([header, 'Ann Lee', {}]);
    }
  });

  it('takes a lone Date column as the creation time and Issue as the subject', async () => {
    const { tickets } = await readAll(
      genericCsvImporter,
      'Ticket ID,Date,Customer,Issue,Status,Assigned_Agent\n7,2021-03-22,C-9,Login fails,Open,Bob\n',
    );
    expect(tickets[0]).toMatchObject({
      externalId: '7',
      createdAt: at('2021-03-22T00:00:00Z'),
      subject: 'Login fails',
      status: 'open',
      assignee: 'Bob',
      customer: { externalId: 'C-9' },
    });
  });
});

describe('generic-csv detection', () => {
  const detect = (head: string) => genericCsvImporter.detect(head, 'file.csv');

  it('claims the demo header, common names and the Kaggle file', () => {
    expect(detect(messagesCsv)).toBe(true);
    expect(detect(ticketsCsv)).toBe(true);
    expect(detect('Ticket ID,Customer Name,Ticket Subject,Ticket Description,Ticket Status\n')).toBe(true);
  });

  it('claims a plain ticket CSV without a text column: an id, a creation time and ticket fields', () => {
    expect(detect('ticket_id,created_at,status,resolution_hours\n1,2024-01-01 10:00:00,Open,5\n')).toBe(true);
    expect(detect('ticket_id,created_at,priority,channel,customer_email\n')).toBe(true);
    expect(detect('Ticket ID,Date,Customer,Status,Assigned_Agent\n')).toBe(true);
  });

  it('leaves vendor exports, TWCS, JSON and header-less text alone', () => {
    expect(detect('Id,Subject,Status,Requester,Requester email,Created at,Via\n1,a,b,c,d,e,f\n')).toBe(false);
    expect(detect('Ticket ID,Subject,Description,Status,Source,Created time\n')).toBe(false);
    expect(
      detect('tweet_id,author_id,inbound,created_at,text,response_tweet_id,in_response_to_tweet_id\n'),
    ).toBe(false);
    expect(detect('[{"id": 1, "subject": "x"}]')).toBe(false);
    expect(detect('name,age\nann,3\n')).toBe(false);
    expect(detect('id,amount,created_at\n')).toBe(false);
  });
});

describe('generic-csv into the store', () => {
  it('imports idempotently and updates only the changed ticket', async () => {
    const store = await openSqliteStore({ path: ':memory:' });
    const run = async (text: string) =>
      runImport({
        store,
        batches: await startReading(genericCsvImporter, textSource(text, 'messages.csv'), { mapping: {} }),
        format: 'generic-csv',
        rejectsPath: join(scratch, 'rejects.jsonl'),
        origin: 'messages.csv',
      });
    try {
      const first = await run(messagesCsv);
      expect(first).toMatchObject({ read: 6, imported: 3, updated: 0, unchanged: 0, rejected: 3 });
      expect(readFileSync(join(scratch, 'rejects.jsonl'), 'utf8').trim().split('\n')).toHaveLength(3);
      const second = await run(messagesCsv);
      expect(second).toMatchObject({ imported: 0, updated: 0, unchanged: 3 });
      const third = await run(messagesCsv.replace('Thanks!', 'Thanks a lot!'));
      expect(third).toMatchObject({ imported: 0, updated: 1, unchanged: 2 });
      const stored = await store.getTicket('generic', 'T-1');
      expect(stored).toMatchObject({
        firstResponseSeconds: 1200,
        customerMessageCount: 2,
        agentMessageCount: 2,
      });
    } finally {
      await store.close();
    }
  });
});
