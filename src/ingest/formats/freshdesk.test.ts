import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UserError } from '../../shared/index.ts';
import { openSqliteStore } from '../../store/sqlite/index.ts';
import { textSource } from '../source.ts';
import { readAll } from '../testing.ts';
import { freshdeskImporter } from './freshdesk.ts';
import { byId, fixture, importText, readFailure } from './test-helpers.ts';
import { zendeskImporter } from './zendesk.ts';

const at = (iso: string) => Date.parse(iso);
const read = (text: string) => readAll(freshdeskImporter, text);

const ELODIE_THREAD = [
  {
    externalId: null,
    authorRole: 'customer',
    authorId: '77000412',
    body: "Bonjour,\nla facture F-2026-0042 contient la TVA deux fois.\nMerci d'avance 😊",
    createdAt: at('2026-03-02T16:45:09Z'),
    public: true,
  },
  {
    externalId: '88001231',
    authorRole: 'customer',
    authorId: '77000412',
    body: "Avez-vous reçu mon message ? C'est urgent.",
    createdAt: at('2026-03-03T08:02:10Z'),
    public: true,
  },
  {
    externalId: '88001240',
    authorRole: 'agent',
    authorId: '41000501',
    body: 'Bot: intent=invoice_error (0.88), language=fr. Routed to Billing FR.',
    createdAt: at('2026-03-03T08:02:31Z'),
    public: false,
  },
  {
    externalId: '88001302',
    authorRole: 'agent',
    authorId: '41000388',
    body: 'Bonjour Élodie,\nvoici la facture corrigée.\n— Équipe Facturation',
    createdAt: at('2026-03-03T09:12:40Z'),
    public: true,
  },
];

describe('freshdesk importer: API JSON', () => {
  it('maps a ticket with include=stats,requester and its conversations', async () => {
    const { tickets, rejects } = await read(fixture('freshdesk/tickets.json'));
    expect(rejects).toEqual([]);
    expect(tickets.map((t) => t.externalId)).toEqual(['20931', '20877', '20950']);
    expect(byId(tickets, '20931')).toEqual({
      source: 'freshdesk',
      externalId: '20931',
      subject: 'Facture erronée – TVA appliquée deux fois',
      channel: 'email',
      status: 'other',
      statusRaw: '6',
      priority: 'high',
      tags: ['billing', 'vat'],
      category: null,
      assignee: null,
      group: '41000019',
      createdAt: at('2026-03-02T16:45:09Z'),
      updatedAt: at('2026-03-03T09:12:44Z'),
      firstResponseAt: at('2026-03-03T09:12:40Z'),
      deriveFirstResponse: true,
      resolvedAt: null,
      closedAt: null,
      csatScore: null,
      csatRaw: null,
      handleTimeSeconds: null,
      reopens: null,
      customFields: {
        cf_invoice_number: 'F-2026-0042',
        cf_country: 'FR',
        cf_vip: false,
        is_escalated: false,
        fr_escalated: true,
        nr_escalated: false,
        due_by: '2026-03-05T17:00:00Z',
        fr_due_by: '2026-03-03T09:00:00Z',
      },
      customer: {
        externalId: '77000412',
        email: 'elodie.marchand@client.example',
        name: 'Élodie Marchand',
        segment: null,
        attributes: { phone: '+33 1 23 45 67 89' },
      },
      messages: ELODIE_THREAD,
    });
  });

  it('maps resolved chat tickets: HTML-only bodies, company, flattened custom fields, the latest rating', async () => {
    const { tickets } = await read(fixture('freshdesk/tickets.json'));
    expect(byId(tickets, '20877')).toEqual({
      source: 'freshdesk',
      externalId: '20877',
      subject: 'How do I export my data?',
      channel: 'chat',
      status: 'resolved',
      statusRaw: '4',
      priority: 'low',
      tags: ['how_to'],
      category: 'Question',
      assignee: '41000388',
      group: '41000020',
      createdAt: at('2026-03-01T10:00:00Z'),
      updatedAt: at('2026-03-02T10:00:00Z'),
      firstResponseAt: at('2026-03-01T10:20:00Z'),
      deriveFirstResponse: true,
      resolvedAt: at('2026-03-01T12:00:00Z'),
      closedAt: null,
      csatScore: 1 / 6,
      csatRaw: '-102',
      handleTimeSeconds: null,
      reopens: null,
      customFields: {
        cf_plan: 'pro',
        is_escalated: false,
        fr_escalated: false,
        satisfaction_feedback: 'Slow second answer',
      },
      customer: {
        externalId: '77000520',
        email: 'pat.doe@client.example',
        name: 'Pat Doe',
        segment: null,
        attributes: { company: 'Client SARL' },
      },
      messages: [
        {
          externalId: null,
          authorRole: 'customer',
          authorId: '77000520',
          body: 'Where is the export button?',
          createdAt: at('2026-03-01T10:00:00Z'),
          public: true,
        },
        {
          externalId: '88002000',
          authorRole: 'agent',
          authorId: '41000388',
          body: 'Settings → Export.',
          createdAt: at('2026-03-01T10:20:00Z'),
          public: true,
        },
        {
          // Not incoming, but written by the requester: a portal reply.
          externalId: '88002001',
          authorRole: 'customer',
          authorId: '77000520',
          body: 'Found it, thanks',
          createdAt: at('2026-03-01T11:00:00Z'),
          public: true,
        },
      ],
    });
  });

  it('treats an outbound email description as the agent’s, and keeps unknown codes and flags', async () => {
    const { tickets } = await read(fixture('freshdesk/tickets.json'));
    expect(byId(tickets, '20950')).toMatchObject({
      channel: 'outbound_email',
      status: 'closed',
      statusRaw: '5',
      priority: null,
      customFields: { priority_raw: 9, deleted: true },
      customer: { externalId: '77000600', email: null, name: null, attributes: {} },
      messages: [
        {
          externalId: null,
          authorRole: 'agent',
          authorId: '41000388',
          body: 'Hello, your plan renews next week.',
          createdAt: at('2026-03-02T08:00:00Z'),
          public: true,
        },
      ],
    });
  });

  it('reads a wrapper object with side-loaded conversations and satisfaction ratings', async () => {
    const { tickets, rejects } = await read(fixture('freshdesk/wrapped.json'));
    expect(rejects).toEqual([]);
    expect(tickets.map((t) => t.externalId)).toEqual(['20931', '20950']);
    const t = byId(tickets, '20931');
    expect(t.messages).toEqual(ELODIE_THREAD);
    expect([t.csatScore, t.csatRaw, t.customFields.satisfaction_feedback]).toEqual([
      1,
      '103',
      'Réponse rapide, merci !',
    ]);
    expect(byId(tickets, '20950').messages).toHaveLength(1);
  });

  it('reads a search result wrapper ({"results": [...], "total": n})', async () => {
    const list = JSON.parse(fixture('freshdesk/tickets.json')) as unknown[];
    const { tickets } = await read(JSON.stringify({ results: list, total: list.length }, null, 2));
    expect(tickets.map((t) => t.externalId)).toEqual(['20931', '20877', '20950']);
  });

  it('reads one pretty-printed ticket (the view endpoint)', async () => {
    const { tickets, rejects } = await read(fixture('freshdesk/ticket.json'));
    expect(rejects).toEqual([]);
    expect(tickets).toHaveLength(1);
    expect(tickets[0]).toMatchObject({ externalId: '20931', firstResponseAt: at('2026-03-03T09:12:40Z') });
    expect(tickets[0]?.messages.map((m) => m.authorRole)).toEqual(['customer']);
  });

  it('rejects a malformed record of an array with its record number', async () => {
    const list = [
      { id: 1, requester_id: 5, status: 2, created_at: '2026-03-01T00:00:00Z' },
      { id: 2, requester_id: 5, status: 2, created_at: '2026-02-30T25:00:00Z' },
      { id: 3, requester_id: 5, status: 2, created_at: '2026-03-01T00:00:00Z', tags: 'not-a-list' },
    ];
    const { tickets, rejects } = await read(JSON.stringify(list, null, 2));
    expect(tickets.map((t) => t.externalId)).toEqual(['1']);
    // The lines on which records 2 and 3 start in the pretty-printed array.
    expect(rejects.map((r) => [r.line, r.reason])).toEqual([
      [8, 'record 2: created_at: not a timestamp: "2026-02-30T25:00:00Z"'],
      [14, 'record 3: tags: Invalid input: expected array, received string'],
    ]);
    expect(JSON.parse(rejects[0]?.raw ?? '')).toEqual(list[1]);
  });
});

describe('freshdesk importer: outbound tickets and the stated first response', () => {
  const ticket = (overrides: Record<string, unknown> = {}) => ({
    id: 1,
    created_at: '2024-01-01T10:00:00Z',
    status: 2,
    source: 1,
    requester_id: 100,
    responder_id: 200,
    description_text: 'Hello',
    ...overrides,
  });

  it('marks an outbound email (source 10) as agent-started, in the API and in the CSV export', async () => {
    const { tickets } = await read(JSON.stringify([ticket({ source: 10 }), ticket({ id: 2 })]));
    expect(tickets.map((t) => [t.externalId, t.startedBy])).toEqual([
      ['1', 'agent'],
      ['2', undefined],
    ]);
    const csv = await read(
      'Ticket ID,Subject,Description,Status,Source,Created time,Resolved time\n' +
        '5,Renewal,Your plan renews,Open,Outbound Email,2024-01-01 10:00:00,\n' +
        '6,Help,Where is it,Open,Email,2024-01-01 10:00:00,\n',
    );
    expect(csv.tickets.map((t) => [t.externalId, t.startedBy])).toEqual([
      ['5', 'agent'],
      ['6', undefined],
    ]);
  });

  it('lets stats.first_responded_at: null win over deriving a first response', async () => {
    const stats = (first: string | null) => ({
      first_responded_at: first,
      resolved_at: null,
      closed_at: null,
    });
    const { tickets } = await read(
      JSON.stringify([
        ticket({ source: 10, stats: stats(null) }),
        ticket({ id: 2, stats: stats('2024-01-01T11:00:00Z') }),
        ticket({ id: 3 }),
      ]),
    );
    expect(tickets.map((t) => [t.externalId, t.firstResponseAt, t.deriveFirstResponse])).toEqual([
      ['1', null, false],
      ['2', at('2024-01-01T11:00:00Z'), true],
      ['3', null, true],
    ]);
  });
});

describe('freshdesk importer: CSV dates in the account format', () => {
  const csv = (...created: string[]) =>
    `Ticket ID,Subject,Status,Source,Created time,Resolved time\n${created.map((c, i) => `${i + 1},Help,Resolved,Email,${c},${c}`).join('\n')}\n`;

  it('reads day-first times once a day over 12 settles the order', async () => {
    const { tickets, rejects } = await read(csv('22-03-2021 10:00', '03-04-2021 09:30'));
    expect(rejects).toEqual([]);
    expect(tickets.map((t) => [t.createdAt, t.resolvedAt])).toEqual([
      [at('2021-03-22T10:00:00Z'), at('2021-03-22T10:00:00Z')],
      [at('2021-04-03T09:30:00Z'), at('2021-04-03T09:30:00Z')],
    ]);
  });

  it('refuses an export whose dates are all ambiguous once, and follows --date-format', async () => {
    const text = csv('03-04-2021 10:00', '05-06-2021 11:00');
    const { error, yielded } = await readFailure(freshdeskImporter, text, 'export.csv');
    expect(yielded).toBe(0);
    expect(error).toMatchObject({
      code: 'import.ambiguous_dates',
      location: { file: 'export.csv', line: 2 },
    });
    const { error: none } = await readFailure(freshdeskImporter, text, 'export.csv', {
      dateFormat: 'month-first',
    });
    expect(none).toBeUndefined();
    const { tickets } = await readAll(freshdeskImporter, text, { dateFormat: 'month-first' });
    expect(tickets.map((t) => t.createdAt)).toEqual([at('2021-03-04T10:00:00Z'), at('2021-05-06T11:00:00Z')]);
  });
});

describe('freshdesk importer: JSON Lines', () => {
  it('reads one ticket per line and rejects malformed lines with their physical line', async () => {
    const { tickets, rejects } = await read(fixture('freshdesk/tickets.jsonl'));
    expect(tickets.map((t) => t.externalId)).toEqual(['20877', '20950', '21002']);
    expect(rejects.map((r) => [r.line, r.reason])).toEqual([
      [4, 'id: missing'],
      [5, 'created_at: missing'],
      [6, expect.stringMatching(/^invalid JSON: /)],
      [7, 'conversations.0.created_at: not a timestamp: "soon"'],
    ]);
    expect(rejects[2]?.raw).toBe('{"id": 21000, "status": 2,, "created_at": "2026-03-01T00:00:00Z"}');
  });

  it('accepts status, priority and source given as words', async () => {
    const { tickets } = await read(fixture('freshdesk/tickets.jsonl'));
    expect(byId(tickets, '21002')).toMatchObject({
      status: 'pending',
      statusRaw: 'Waiting on Customer',
      priority: 'normal',
      channel: 'feedback_widget',
      customer: null,
      messages: [],
    });
  });

  it('gives the same tickets with a BOM and CRLF line ends', async () => {
    const lf = fixture('freshdesk/tickets.jsonl');
    const crlf = `\uFEFF${lf.replace(/\n/g, '\r\n')}`;
    const a = await read(lf);
    const b = await read(crlf);
    expect(b.tickets).toEqual(a.tickets);
    expect(b.rejects.map((r) => r.line)).toEqual(a.rejects.map((r) => r.line));
  });
});

describe('freshdesk importer: CSV export', () => {
  it('maps the CSV export (the worked example of generic-csv.md)', async () => {
    const { tickets } = await read(fixture('freshdesk/tickets.csv'));
    expect(byId(tickets, '20931')).toEqual({
      source: 'freshdesk',
      externalId: '20931',
      subject: 'Facture erronée – TVA appliquée deux fois',
      channel: 'email',
      status: 'resolved',
      statusRaw: 'Resolved',
      priority: 'high',
      tags: ['billing', 'vat'],
      category: 'Invoice',
      assignee: 'Camille Roux',
      group: 'Billing FR',
      // No offset in the export: read as UTC.
      createdAt: at('2026-03-02T17:45:09Z'),
      updatedAt: at('2026-03-03T10:12:44Z'),
      firstResponseAt: at('2026-03-03T10:12:40Z'),
      deriveFirstResponse: true,
      resolvedAt: at('2026-03-03T10:12:44Z'),
      closedAt: null,
      csatScore: 1,
      csatRaw: 'Extremely Happy',
      handleTimeSeconds: 0,
      reopens: null,
      customFields: {
        'Due by Time': '2026-03-05 18:00:00',
        'Resolution time (in hrs)': '16:27:31',
        'Agent interactions': '1',
        'Customer interactions': '2',
        'Resolution status': 'Within SLA',
        'First response status': 'SLA Violated',
        Product: 'Acme Cloud',
      },
      customer: {
        externalId: null,
        email: 'elodie.marchand@client.example',
        name: 'Élodie Marchand',
        segment: null,
        attributes: {},
      },
      messages: [
        {
          externalId: null,
          authorRole: 'customer',
          authorId: null,
          body: 'Bonjour,\nla facture F-2026-0042 contient la TVA deux fois.',
          createdAt: at('2026-03-02T17:45:09Z'),
          public: true,
        },
      ],
    });
  });

  it('reads float ids, HTML descriptions, custom statuses, survey labels and H:MM:SS time tracked', async () => {
    const { tickets } = await read(fixture('freshdesk/tickets.csv'));
    expect(byId(tickets, '20877')).toMatchObject({
      status: 'pending',
      statusRaw: 'Waiting on Customer',
      priority: 'normal',
      channel: 'outbound_email',
      category: 'Question',
      csatScore: 0.5,
      csatRaw: 'Neutral',
      handleTimeSeconds: 5415,
      updatedAt: null,
      messages: [{ authorRole: 'agent', body: 'Where is the export button?' }],
    });
  });

  it('rejects bad rows with the line they start on', async () => {
    const { rejects } = await read(fixture('freshdesk/tickets.csv'));
    expect(rejects.map((r) => [r.line, r.reason])).toEqual([
      [5, 'Ticket ID: missing'],
      [6, 'Created time: not a timestamp: "someday"'],
      [7, 'unterminated quoted field'],
    ]);
    expect(rejects[2]?.raw).toBe('21004,"Unclosed quote,Open');
  });

  it('matches headers whatever their capitalisation and reads a very long quoted cell', async () => {
    const long = `${'Lorem ipsum, "quoted"\n'.repeat(20_000)}end`;
    const cell = `"${long.replace(/"/g, '""')}"`;
    const text = `TICKET ID,Status,Created Time,Last Update Time,Description\r\n7,Open,2026-03-01 10:00:00,,${cell}\r\n8,Open,2026-03-01 11:00:00,,short\r\n`;
    const { tickets, rejects } = await read(text);
    expect(rejects).toEqual([]);
    expect(tickets.map((t) => t.externalId)).toEqual(['7', '8']);
    expect(tickets[0]?.messages[0]?.body).toBe(long);
  });
});

describe('freshdesk importer: wrong format', () => {
  const cases: [string, string][] = [
    ['a Zendesk API page', fixture('zendesk/api-page.json')],
    ['a Zendesk single ticket', fixture('zendesk/single-ticket.json')],
    ['Zendesk JSON Lines', fixture('zendesk/export.jsonl')],
    ['a Zendesk CSV export', fixture('zendesk/tickets.csv')],
    ['the Kaggle CSV', 'Ticket ID,Ticket Subject,Ticket Status,First Response Time\n1,Hi,Open,\n'],
    ['JSON without tickets', '{\n  "agents": [{"id": 1}]\n}\n'],
    ['plain text', 'not an export\n'],
  ];
  for (const [name, text] of cases) {
    it(`throws import.wrong_format before yielding anything for ${name}`, async () => {
      const { error, yielded } = await readFailure(freshdeskImporter, text, 'in.dat');
      expect(yielded).toBe(0);
      expect(error).toBeInstanceOf(UserError);
      expect((error as UserError).code).toBe('import.wrong_format');
      expect((error as UserError).location).toEqual({ file: 'in.dat' });
      expect((error as UserError).message).toMatch(/^not a Freshdesk export: /);
    });
  }
});

describe('freshdesk importer: detect', () => {
  const head = (text: string) => textSource(text).head;
  it.each([
    'freshdesk/tickets.json',
    'freshdesk/wrapped.json',
    'freshdesk/ticket.json',
    'freshdesk/tickets.jsonl',
    'freshdesk/tickets.csv',
  ])('recognises %s, which the Zendesk importer does not claim', (name) => {
    expect(freshdeskImporter.detect(head(fixture(name)), name)).toBe(true);
    expect(zendeskImporter.detect(head(fixture(name)), name)).toBe(false);
  });

  it.each([
    'zendesk/api-page.json',
    'zendesk/incremental.json',
    'zendesk/single-ticket.json',
    'zendesk/export.jsonl',
    'zendesk/tickets.csv',
  ])('does not claim %s', (name) => {
    expect(freshdeskImporter.detect(head(fixture(name)), name)).toBe(false);
  });

  it('recognises a minimal ticket by requester_id and a numeric status', () => {
    expect(freshdeskImporter.detect('[{"id":1,"requester_id":2,"status":2,"source":1}]', 'x')).toBe(true);
    expect(freshdeskImporter.detect('[{"id":1,"requester_id":2,"status":"open"}]', 'x')).toBe(false);
    expect(freshdeskImporter.detect('Ticket ID,Subject,Status,Created time\n', 'x')).toBe(false);
    expect(freshdeskImporter.detect('', 'x')).toBe(false);
  });
});

describe('freshdesk importer: into the store', () => {
  it('imports through the runner into SQLite; a second run changes nothing', async () => {
    const store = await openSqliteStore({ path: ':memory:' });
    const dir = mkdtempSync(join(tmpdir(), 'freshdesk-import-'));
    const text = fixture('freshdesk/tickets.json');
    const run = () =>
      importText({
        store,
        importer: freshdeskImporter,
        text,
        path: 'tickets.json',
        rejectsPath: join(dir, 'rejects.jsonl'),
      });
    try {
      expect(await run()).toMatchObject({ read: 3, imported: 3, updated: 0, unchanged: 0, rejected: 0 });
      expect(await run()).toMatchObject({
        read: 3,
        imported: 0,
        updated: 0,
        unchanged: 3,
        rejectsFile: null,
      });

      const stored = await store.getTicket('freshdesk', '20931');
      expect(stored?.firstResponseAt).toBe(at('2026-03-03T09:12:40Z'));
      expect(stored?.firstResponseSeconds).toBe(59_251);
      expect(stored?.customer?.name).toBe('Élodie Marchand');
      expect(stored?.messages?.map((m) => [m.externalId, m.authorRole, m.public])).toEqual([
        [null, 'customer', true],
        ['88001231', 'customer', true],
        ['88001240', 'agent', false],
        ['88001302', 'agent', true],
      ]);
    } finally {
      await store.close();
    }
  });
});
