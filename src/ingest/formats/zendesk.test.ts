import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { TicketRecord } from '../../domain/index.ts';
import { UserError } from '../../shared/index.ts';
import { openSqliteStore } from '../../store/sqlite/index.ts';
import { textSource } from '../source.ts';
import { readAll } from '../testing.ts';
import { freshdeskImporter } from './freshdesk.ts';
import { byId, chunkedSource, fixture, importText, readFailure } from './test-helpers.ts';
import { zendeskImporter } from './zendesk.ts';

const at = (iso: string) => Date.parse(iso);
const read = (text: string) => readAll(zendeskImporter, text);

describe('zendesk importer: API JSON', () => {
  it('maps an API page with side-loaded users, organizations, groups, comments and metric sets', async () => {
    const { tickets, rejects } = await read(fixture('zendesk/api-page.json'));
    expect(rejects).toEqual([]);
    expect(tickets.map((t) => t.externalId)).toEqual(['48213', '48190']);
    expect(byId(tickets, '48213')).toEqual({
      source: 'zendesk',
      externalId: '48213',
      subject: 'Rückerstattung für Bestellung #A-7781 – doppelt belastet',
      channel: 'email',
      status: 'open',
      statusRaw: 'open',
      priority: null,
      tags: ['billing', 'refund', 'lang_de'],
      category: null,
      assignee: 'Priya Raman',
      group: 'Billing DE',
      createdAt: at('2026-03-02T08:14:55Z'),
      updatedAt: at('2026-03-02T08:20:03Z'),
      firstResponseAt: at('2026-03-02T08:18:55Z'),
      deriveFirstResponse: true,
      resolvedAt: null,
      closedAt: null,
      csatScore: null,
      csatRaw: 'offered',
      handleTimeSeconds: null,
      reopens: 0,
      customFields: {
        '360001': 'order_issue__double_charge',
        '360003': true,
        '360004': ['card', 'wallet'],
        '360005': '2026-03-02',
        custom_status_id: '9100001',
      },
      customer: {
        externalId: '3912001',
        email: 'jonas.beispiel@mail.example',
        name: 'Jonas Beispiel',
        segment: null,
        attributes: { organizationId: '880', organization: 'Beispiel GmbH' },
      },
      messages: [
        {
          externalId: '9001101',
          authorRole: 'customer',
          authorId: '3912001',
          body: 'Hallo, meine Karte wurde zweimal belastet (2 × 49,90 €). Bitte um Erstattung. 🙏',
          createdAt: at('2026-03-02T08:14:55Z'),
          public: true,
        },
        {
          externalId: '9001102',
          authorRole: 'agent',
          authorId: '4100007',
          body: 'Bot triage: intent=refund_double_charge (0.93). Order A-7781 shows two captures. Suggest: refund one capture.',
          createdAt: at('2026-03-02T08:15:40Z'),
          public: false,
        },
        {
          externalId: '9001103',
          authorRole: 'agent',
          authorId: '4100012',
          body: 'Hallo Jonas,\n\nwir haben eine Belastung & die Gebühr erstattet.',
          createdAt: at('2026-03-02T08:19:10Z'),
          public: true,
        },
        {
          externalId: '9001104',
          authorRole: 'customer',
          authorId: '3900777',
          body: 'Danke!',
          createdAt: at('2026-03-02T08:20:03Z'),
          public: true,
        },
      ],
    });
  });

  it('falls back to ids for unknown users and groups, and to the description without comments', async () => {
    const { tickets } = await read(fixture('zendesk/api-page.json'));
    const t = byId(tickets, '48190');
    expect(t).toMatchObject({
      status: 'resolved',
      statusRaw: 'solved',
      priority: 'normal',
      category: 'question',
      assignee: '4100099',
      group: '9999',
      firstResponseAt: null,
      deriveFirstResponse: true,
      reopens: null,
      csatScore: 0,
      csatRaw: 'bad',
      customFields: { external_id: 'shop-5521', satisfaction_comment: 'Took a week to get an answer.' },
      customer: { externalId: '3900410', email: null, name: 'Sam Lee', segment: null, attributes: {} },
    });
    expect(t.messages).toEqual([
      {
        externalId: null,
        authorRole: 'customer',
        authorId: '3900410',
        body: "Tracking has said 'in transit' for 9 days.",
        createdAt: at('2026-02-20T10:00:00Z'),
        public: true,
      },
    ]);
  });

  it('reads the cursor incremental export and keeps deleted tickets, verbatim, as other', async () => {
    const { tickets, rejects } = await read(fixture('zendesk/incremental.json'));
    expect(rejects).toEqual([]);
    expect(tickets.map((t) => [t.externalId, t.status, t.statusRaw])).toEqual([
      ['48190', 'resolved', 'solved'],
      ['48201', 'other', 'deleted'],
    ]);
    const deleted = byId(tickets, '48201');
    expect(deleted.messages).toEqual([]);
    expect(deleted.csatRaw).toBeNull();
    expect(byId(tickets, '48190').customer?.attributes).toEqual({ organizationId: '880' });
  });

  it('reads the time-based incremental export shape (end_time, next_page)', async () => {
    const page = JSON.parse(fixture('zendesk/incremental.json')) as { tickets: unknown[] };
    const text = JSON.stringify(
      { tickets: page.tickets, next_page: null, end_time: 1772269200, count: 2 },
      null,
      2,
    );
    const { tickets } = await read(text);
    expect(tickets.map((t) => t.externalId)).toEqual(['48190', '48201']);
  });

  it('reads a single {"ticket": ...} response', async () => {
    const { tickets, rejects } = await read(fixture('zendesk/single-ticket.json'));
    expect(rejects).toEqual([]);
    expect(tickets).toHaveLength(1);
    expect(tickets[0]).toMatchObject({
      externalId: '48213',
      group: '2404',
      customFields: { '360001': 'order_issue__double_charge' },
      customer: { externalId: '3912001', email: null, name: null },
    });
    expect(tickets[0]?.messages.map((m) => [m.authorRole, m.authorId])).toEqual([['customer', '3912001']]);
  });

  it('reads a bare array', async () => {
    const page = JSON.parse(fixture('zendesk/incremental.json')) as { tickets: unknown[] };
    const { tickets } = await read(JSON.stringify(page.tickets, null, 2));
    expect(tickets.map((t) => t.externalId)).toEqual(['48190', '48201']);
  });

  it('ends an array broken part-way with one reject after the tickets read so far', async () => {
    const ticket = (id: number) =>
      JSON.stringify({ id, requester_id: 1, via: { channel: 'web' }, created_at: 1772500000 });
    const chunks = ['['];
    for (let id = 1; id <= 500; id++) chunks.push(`${ticket(id)},\n`);
    chunks.push('{"id": 501, "created_at": }\n]');
    const tickets: TicketRecord[] = [];
    const rejects = [];
    for await (const item of zendeskImporter.read(chunkedSource(chunks), { mapping: {} })) {
      if (item.kind === 'ticket') tickets.push(item.ticket);
      else rejects.push(item);
    }
    expect(tickets.length).toBeGreaterThan(0);
    expect(tickets.map((t) => t.externalId)).toEqual(tickets.map((_, i) => String(i + 1)));
    expect(rejects).toHaveLength(1);
    expect(rejects[0]?.line).toBe(tickets.length + 1);
    expect(rejects[0]?.reason).toMatch(
      new RegExp(`^invalid JSON after record ${tickets.length}, the rest of the file was not read: `),
    );
  });

  it('throws import.invalid_json for a small array broken before its first record could be read', async () => {
    const { error, yielded } = await readFailure(zendeskImporter, '[{"id": 1, "requester_id": 1,, }]');
    expect(yielded).toBe(0);
    expect((error as UserError).code).toBe('import.invalid_json');
  });

  it('rejects a malformed record of an array with its record number', async () => {
    const text = JSON.stringify([
      { id: 1, requester_id: 1, via: { channel: 'web' }, created_at: '2026-03-01T00:00:00Z' },
      { requester_id: 2, created_at: '2026-03-01T00:00:00Z' },
    ]);
    const { tickets, rejects } = await read(text);
    expect(tickets.map((t) => t.externalId)).toEqual(['1']);
    // The array is one line: the record number tells which record of it.
    expect(rejects).toEqual([
      {
        kind: 'reject',
        line: 1,
        reason: 'record 2: id: missing',
        raw: '{"requester_id":2,"created_at":"2026-03-01T00:00:00Z"}',
      },
    ]);
  });

  it('accepts ticket_metric as an object or an array, and side-loaded ticket_metrics', async () => {
    const base = { requester_id: 1, via: { channel: 'web' }, created_at: '2026-03-01T00:00:00Z' };
    const metric = { solved_at: '2026-03-01T02:00:00Z', reopens: 2, reply_time_in_minutes: { calendar: 10 } };
    const text = JSON.stringify({
      tickets: [
        { ...base, id: 1, ticket_metric: metric },
        { ...base, id: 2, ticket_metric: [metric] },
        { ...base, id: 3 },
      ],
      ticket_metrics: [{ ...metric, ticket_id: 3, reopens: 5 }],
    });
    const { tickets } = await read(text);
    expect(tickets.map((t) => [t.firstResponseAt, t.resolvedAt, t.reopens])).toEqual([
      [at('2026-03-01T00:10:00Z'), at('2026-03-01T02:00:00Z'), 2],
      [at('2026-03-01T00:10:00Z'), at('2026-03-01T02:00:00Z'), 2],
      [at('2026-03-01T00:10:00Z'), at('2026-03-01T02:00:00Z'), 5],
    ]);
  });

  it('accepts side-loaded comments as an array carrying ticket_id', async () => {
    const text = JSON.stringify({
      tickets: [{ id: 7, requester_id: 1, via: { channel: 'web' }, created_at: '2026-03-01T00:00:00Z' }],
      comments: [
        { ticket_id: 7, id: 2, author_id: 9, body: 'reply', created_at: '2026-03-01T00:05:00Z' },
        { ticket_id: 7, id: 1, author_id: 1, body: 'question', created_at: '2026-03-01T00:00:00Z' },
        { ticket_id: 8, id: 3, author_id: 1, body: 'other ticket', created_at: '2026-03-01T00:00:00Z' },
      ],
    });
    const { tickets } = await read(text);
    expect(tickets[0]?.messages.map((m) => [m.externalId, m.authorRole, m.body])).toEqual([
      ['1', 'customer', 'question'],
      ['2', 'agent', 'reply'],
    ]);
  });

  it('streams an envelope whose first line is longer than the 64 KiB head', async () => {
    const long = 'x'.repeat(100_000);
    const tickets = [1, 2, 3].map((id) => ({
      id,
      requester_id: 10,
      via: { channel: 'email' },
      description: long,
      created_at: '2026-03-01T00:00:00Z',
    }));
    const text = JSON.stringify({ tickets, users: [{ id: 10, name: 'Late User', role: 'end-user' }] });
    const result = await read(text);
    expect(result.tickets.map((t) => [t.externalId, t.customer?.name, t.messages[0]?.body.length])).toEqual([
      ['1', 'Late User', 100_000],
      ['2', 'Late User', 100_000],
      ['3', 'Late User', 100_000],
    ]);
  });

  it('throws import.invalid_json, before yielding anything, for a broken JSON document', async () => {
    const { error, yielded } = await readFailure(
      zendeskImporter,
      '{\n  "tickets": [\n    {"id": 1,,}\n  ]\n}\n',
    );
    expect(yielded).toBe(0);
    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).code).toBe('import.invalid_json');
  });
});

describe('zendesk importer: JSON Lines export', () => {
  it('maps tickets with inline comments, answer bot replies, internal notes and metric arrays', async () => {
    const { tickets } = await read(fixture('zendesk/export.jsonl'));
    expect(byId(tickets, '50001')).toEqual({
      source: 'zendesk',
      externalId: '50001',
      subject: 'Login loop after password reset',
      channel: 'web',
      status: 'pending',
      statusRaw: 'hold',
      priority: 'urgent',
      tags: ['login', 'password_reset'],
      category: 'incident',
      assignee: '4100012',
      group: '2410',
      createdAt: at('2026-03-04T09:00:00Z'),
      updatedAt: at('2026-03-04T11:00:00Z'),
      firstResponseAt: at('2026-03-04T09:30:00Z'),
      deriveFirstResponse: true,
      resolvedAt: at('2026-03-04T10:45:00Z'),
      closedAt: null,
      csatScore: 1,
      csatRaw: 'good',
      handleTimeSeconds: null,
      reopens: 1,
      customFields: {
        '360001': 'account_access__reset_loop',
        satisfaction_comment: 'Quick fix, thanks',
        satisfaction_reason: 'Issue resolved',
      },
      customer: {
        externalId: '3950001',
        email: 'aiko.tanaka@mail.example',
        name: 'Aiko Tanaka',
        segment: null,
        attributes: { organizationId: '881' },
      },
      messages: [
        {
          externalId: '9100001',
          authorRole: 'customer',
          authorId: '3950001',
          body: 'I reset my password and now the login page keeps reloading.',
          createdAt: at('2026-03-04T09:00:00Z'),
          public: true,
        },
        {
          externalId: '9100002',
          authorRole: 'bot',
          authorId: '4100050',
          body: 'Here is an article about clearing cookies: …',
          createdAt: at('2026-03-04T09:00:30Z'),
          public: true,
        },
        {
          externalId: '9100003',
          authorRole: 'agent',
          authorId: '4100012',
          body: 'Hi Aiko,\n\nwe cleared the stale session. Please try again.',
          createdAt: at('2026-03-04T09:30:00Z'),
          public: true,
        },
        {
          externalId: '9100004',
          authorRole: 'agent',
          authorId: '4100012',
          body: 'Internal: session store had a stuck key.',
          createdAt: at('2026-03-04T09:31:00Z'),
          public: false,
        },
      ],
    });
  });

  it('prefers reply_time_in_seconds, reads voice comments from plain_body, and defaults public to true', async () => {
    const { tickets } = await read(fixture('zendesk/export.jsonl'));
    const t = byId(tickets, '50002');
    expect(t.firstResponseAt).toBe(at('2026-03-05T12:01:35Z'));
    expect(t.updatedAt).toBeNull();
    expect(t.assignee).toBeNull();
    expect(t.messages.map((m) => [m.authorRole, m.body, m.public])).toEqual([
      ['customer', 'Voicemail: where is my order?', true],
      ['agent', 'It ships today.', true],
    ]);
  });

  it('keeps unknown status, priority and integer channel verbatim; reads string ids, tag strings, offsets', async () => {
    const { tickets } = await read(fixture('zendesk/export.jsonl'));
    expect(byId(tickets, '50003')).toMatchObject({
      status: 'other',
      statusRaw: 'scrubbed',
      priority: null,
      channel: '42',
      tags: ['legacy', 'imported'],
      subject: null,
      createdAt: at('2026-03-06T07:00:00Z'),
      customFields: { priority_raw: 'p1' },
      customer: null,
      messages: [],
    });
    expect(byId(tickets, '50009')).toMatchObject({
      createdAt: 1772500000000,
      status: 'pending',
      channel: null,
    });
  });

  it('rejects malformed lines with their physical line number and keeps reading', async () => {
    const { tickets, rejects } = await read(fixture('zendesk/export.jsonl'));
    expect(tickets.map((t) => t.externalId)).toEqual(['50001', '50002', '50003', '50009']);
    expect(rejects.map((r) => [r.line, r.reason])).toEqual([
      [5, 'id: missing'],
      [6, 'created_at: not a timestamp: "yesterday"'],
      [7, expect.stringMatching(/^invalid JSON: /)],
      [8, 'comments.0.created_at: missing'],
    ]);
    expect(rejects[2]?.raw).toBe('{"id": 50007, "requester_id": 1, "created_at": "2026-03-0');
  });

  it('gives the same tickets with a BOM and CRLF line ends', async () => {
    const lf = fixture('zendesk/export.jsonl');
    const crlf = `\uFEFF${lf.replace(/\n/g, '\r\n')}`;
    const a = await read(lf);
    const b = await read(crlf);
    expect(b.tickets).toEqual(a.tickets);
    expect(b.rejects.map((r) => r.line)).toEqual(a.rejects.map((r) => r.line));
    expect(zendeskImporter.detect(textSource(crlf).head, 'x.jsonl')).toBe(true);
  });

  it('reads lines that are whole API pages, naming the ticket within the line in rejects', async () => {
    const page = JSON.stringify(JSON.parse(fixture('zendesk/incremental.json')));
    const bad = JSON.stringify({
      tickets: [{ id: 9, requester_id: 1, created_at: 'never' }],
      end_of_stream: true,
    });
    const { tickets, rejects } = await read(`${page}\n${bad}\n`);
    expect(tickets.map((t) => t.externalId)).toEqual(['48190', '48201']);
    expect(rejects.map((r) => [r.line, r.reason])).toEqual([
      [2, 'record 1 on this line: created_at: not a timestamp: "never"'],
    ]);
  });

  it('reads a first record longer than the 64 KiB head', async () => {
    const body = `${'ü'.repeat(70_000)} end`;
    const first = JSON.stringify({
      id: 1,
      requester_id: 2,
      via: { channel: 'email' },
      created_at: '2026-03-01T00:00:00Z',
      comments: [{ id: 5, author_id: 2, body, created_at: '2026-03-01T00:00:00Z' }],
    });
    const second = JSON.stringify({ id: 2, requester_id: 2, created_at: '2026-03-01T00:00:00Z' });
    const { tickets } = await read(`${first}\n${second}\n`);
    expect(tickets.map((t) => t.externalId)).toEqual(['1', '2']);
    expect(tickets[0]?.messages[0]?.body).toBe(body);
  });
});

describe('zendesk importer: who opened the ticket, the stated first reply, the requester address', () => {
  const ticket = (overrides: Record<string, unknown> = {}) => ({
    id: 1,
    created_at: '2024-01-01T10:00:00Z',
    status: 'open',
    subject: 'Phone call',
    description: 'Customer called about a late order',
    requester_id: 100,
    submitter_id: 100,
    via: { channel: 'web' },
    ...overrides,
  });

  it('marks a ticket an agent submitted for the requester as agent-started, with the opening message the agent’s', async () => {
    const { tickets } = await read(
      JSON.stringify({ tickets: [ticket({ submitter_id: 200 }), ticket({ id: 2 })] }),
    );
    expect(tickets.map((t) => [t.externalId, t.startedBy])).toEqual([
      ['1', 'agent'],
      ['2', undefined],
    ]);
    expect(tickets[0]?.messages).toEqual([
      expect.objectContaining({
        authorRole: 'agent',
        authorId: '200',
        body: 'Customer called about a late order',
      }),
    ]);
    expect(tickets[0]?.customer).toMatchObject({ externalId: '100' });
  });

  it('does not take an end user submitting for another end user as an agent', async () => {
    const { tickets } = await read(
      JSON.stringify({
        tickets: [ticket({ submitter_id: 300 })],
        users: [{ id: 300, name: 'Colleague', role: 'end-user' }],
      }),
    );
    expect(tickets[0]?.startedBy).toBeUndefined();
  });

  it('lets a metric set that states no reply time win over deriving one', async () => {
    const metricSet = (calendar: number | null) => ({
      reply_time_in_minutes: { calendar, business: calendar },
      solved_at: null,
      reopens: 0,
    });
    const { tickets } = await read(
      JSON.stringify({
        tickets: [
          ticket({ metric_set: metricSet(null) }),
          ticket({ id: 2, metric_set: metricSet(30) }),
          ticket({ id: 3 }),
        ],
      }),
    );
    expect(tickets.map((t) => [t.externalId, t.firstResponseAt, t.deriveFirstResponse])).toEqual([
      ['1', null, false],
      ['2', at('2024-01-01T10:30:00Z'), true],
      ['3', null, true],
    ]);
  });

  it("takes the requester's email and name from via.source.from when no user record gives them", async () => {
    const from = { address: 'jonas@mail.example', name: 'Jonas Beispiel' };
    const { tickets } = await read(
      JSON.stringify({
        tickets: [
          ticket({ via: { channel: 'email', source: { from, to: {}, rel: null } } }),
          ticket({
            id: 2,
            via: { channel: 'email', source: { from, to: {}, rel: null } },
            requester: { id: 100, name: 'Known Name', email: 'known@mail.example' },
          }),
        ],
      }),
    );
    expect(tickets.map((t) => t.customer)).toEqual([
      {
        externalId: '100',
        email: 'jonas@mail.example',
        name: 'Jonas Beispiel',
        segment: null,
        attributes: {},
      },
      { externalId: '100', email: 'known@mail.example', name: 'Known Name', segment: null, attributes: {} },
    ]);
  });
});

describe('zendesk importer: CSV export', () => {
  it('maps the columns of the CSV export and keeps the rest as custom fields', async () => {
    const { tickets } = await read(fixture('zendesk/tickets.csv'));
    expect(byId(tickets, '48213')).toEqual({
      source: 'zendesk',
      externalId: '48213',
      subject: 'Rückerstattung für Bestellung #A-7781, doppelt belastet',
      channel: 'web_form',
      status: 'resolved',
      statusRaw: 'Solved',
      priority: 'urgent',
      tags: ['billing', 'refund', 'lang_de'],
      category: 'Incident',
      assignee: 'Priya Raman',
      group: 'Billing DE',
      createdAt: at('2026-03-02T07:14:55Z'),
      updatedAt: at('2026-03-03T09:00:00Z'),
      firstResponseAt: at('2026-03-02T07:18:55Z'),
      deriveFirstResponse: true,
      resolvedAt: at('2026-03-03T08:30:00Z'),
      closedAt: null,
      csatScore: 1,
      csatRaw: 'Good',
      handleTimeSeconds: null,
      reopens: 0,
      customFields: {
        'Summation column': '1',
        'Requester domain': 'mail.example',
        Submitter: 'Jonas Beispiel',
        Replies: '2',
        'Ticket Category [list]': 'Billing::Refund',
      },
      customer: {
        externalId: '3912001',
        email: 'jonas.beispiel@mail.example',
        name: 'Jonas Beispiel',
        segment: null,
        attributes: { organization: 'Beispiel GmbH' },
      },
      messages: [],
    });
  });

  it('reads quoted multi-line cells, float ids, comma tags and on-hold', async () => {
    const { tickets } = await read(fixture('zendesk/tickets.csv'));
    expect(byId(tickets, '48190')).toMatchObject({
      subject: 'Where is my parcel?\nIt said "in transit" for 9 days',
      tags: ['shipping', 'wismo'],
      status: 'pending',
      statusRaw: 'On-hold',
      channel: 'mail',
      csatScore: null,
      csatRaw: 'Offered',
      customFields: { 'Summation column': '2', 'Requester external id': 'shop-c-77' },
      customer: { externalId: '3900410', email: null, name: 'Sam Lee' },
    });
  });

  it('rejects bad rows with the line they start on', async () => {
    const { rejects } = await read(fixture('zendesk/tickets.csv'));
    expect(rejects.map((r) => [r.line, r.reason])).toEqual([
      [5, 'Id: missing'],
      [6, 'Created at: not a timestamp: "last tuesday"'],
      [7, 'expected 25 fields as in the header, found 5'],
    ]);
    expect(rejects[2]?.raw).toBe('5,48400,Too,Few,Cells');
  });

  it('counts a CRLF inside a quoted cell as one line', async () => {
    const text = [
      'Id,Requester,Status,Created at,Via,Subject',
      '1,Ann,Open,2026-03-01 10:00:00,Mail,"two\r\nlines"',
      '2,Bob,Open,2026-03-01 10:00:00,Mail,"three\r\nlines\r\nhere"',
      ',Cid,Open,2026-03-01 10:00:00,Mail,no id',
    ].join('\r\n');
    const { tickets, rejects } = await read(`\uFEFF${text}\r\n`);
    expect(tickets.map((t) => [t.externalId, t.subject])).toEqual([
      ['1', 'two\nlines'],
      ['2', 'three\nlines\nhere'],
    ]);
    expect(rejects.map((r) => r.line)).toEqual([7]);
  });
});

describe('zendesk importer: wrong format', () => {
  const cases: [string, string][] = [
    ['a Freshdesk JSON array', fixture('freshdesk/tickets.json')],
    ['a Freshdesk single ticket', fixture('freshdesk/ticket.json')],
    ['Freshdesk JSON Lines', fixture('freshdesk/tickets.jsonl')],
    ['a Freshdesk CSV export', fixture('freshdesk/tickets.csv')],
    ['a generic CSV', 'ticket_id,subject,status,created_at\n1,Hi,open,2026-03-01\n'],
    ['JSON without tickets', '{\n  "people": [{"id": 1, "name": "A"}],\n  "count": 1\n}\n'],
    ['a JSON array of numbers', '[1, 2, 3]'],
    ['plain text', 'hello world\n'],
    ['an empty file', ''],
  ];
  for (const [name, text] of cases) {
    it(`throws import.wrong_format before yielding anything for ${name}`, async () => {
      const { error, yielded } = await readFailure(zendeskImporter, text, 'in.dat');
      expect(yielded).toBe(0);
      expect(error).toBeInstanceOf(UserError);
      expect((error as UserError).code).toBe('import.wrong_format');
      expect((error as UserError).location).toEqual({ file: 'in.dat' });
      expect((error as UserError).message).toMatch(/^not a Zendesk export: /);
    });
  }

  it('says that a page of users holds people, not tickets', async () => {
    const { error } = await readFailure(zendeskImporter, '{"users": [{"id": 1, "name": "A"}], "count": 1}');
    expect(error).toMatchObject({ code: 'import.not_tickets', message: expect.stringMatching(/"users"/) });
  });
});

describe('zendesk importer: detect', () => {
  const head = (text: string) => textSource(text).head;
  it.each([
    'zendesk/api-page.json',
    'zendesk/incremental.json',
    'zendesk/single-ticket.json',
    'zendesk/export.jsonl',
    'zendesk/tickets.csv',
  ])('recognises %s, which the Freshdesk importer does not claim', (name) => {
    expect(zendeskImporter.detect(head(fixture(name)), name)).toBe(true);
    expect(freshdeskImporter.detect(head(fixture(name)), name)).toBe(false);
  });

  it.each([
    'freshdesk/tickets.json',
    'freshdesk/wrapped.json',
    'freshdesk/ticket.json',
    'freshdesk/tickets.jsonl',
    'freshdesk/tickets.csv',
  ])('does not claim %s', (name) => {
    expect(zendeskImporter.detect(head(fixture(name)), name)).toBe(false);
  });

  it('does not claim other helpdesks or generic files', () => {
    const helpScout = '{"_embedded":{"threads":[{"id":1,"source":{"type":"email","via":"customer"}}]}}';
    const kaggle =
      'Ticket ID,Customer Name,Customer Email,Ticket Subject,Ticket Status,First Response Time\n';
    const quotedKey = '[{"id":1,"requester_id":2,"body":"he wrote \\"via\\": email"}]';
    for (const text of [helpScout, kaggle, quotedKey, 'id,status,created at,requester\n', '']) {
      expect(zendeskImporter.detect(text, 'x')).toBe(false);
    }
  });
});

describe('zendesk importer: into the store', () => {
  it('imports through the runner into SQLite; a second run changes nothing', async () => {
    const store = await openSqliteStore({ path: ':memory:' });
    const dir = mkdtempSync(join(tmpdir(), 'zendesk-import-'));
    const text = fixture('zendesk/export.jsonl');
    const run = (n: number) =>
      importText({
        store,
        importer: zendeskImporter,
        text,
        path: 'export.jsonl',
        rejectsPath: join(dir, `rejects-${n}.jsonl`),
      });
    try {
      const first = await run(1);
      expect(first).toMatchObject({
        read: 8,
        imported: 4,
        updated: 0,
        unchanged: 0,
        rejected: 4,
        warnings: 1,
      });
      const lines = readFileSync(join(dir, 'rejects-1.jsonl'), 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l));
      expect(lines.filter((l) => 'reason' in l)).toHaveLength(4);
      // 50001 is on hold with a solved_at: kept, with no resolution time and a warning.
      expect(lines.filter((l) => 'warning' in l).map((l) => l.externalId)).toEqual(['50001']);
      const second = await run(2);
      expect(second).toMatchObject({ imported: 0, updated: 0, unchanged: 4, rejected: 4 });

      const stored = await store.getTicket('zendesk', '50001');
      expect(stored?.firstResponseAt).toBe(at('2026-03-04T09:30:00Z'));
      expect(stored?.firstResponseSeconds).toBe(1800);
      expect(stored?.customer?.email).toBe('aiko.tanaka@mail.example');
      expect(stored?.messages?.map((m) => [m.authorRole, m.public])).toEqual([
        ['customer', true],
        ['bot', true],
        ['agent', true],
        ['agent', false],
      ]);
    } finally {
      await store.close();
    }
  });
});
