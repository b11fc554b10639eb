import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { UserError } from '../../shared/index.ts';
import { openSqliteStore } from '../../store/sqlite/index.ts';
import type { ImportSource } from '../importer.ts';
import { readAll } from '../testing.ts';
import { intercomImporter } from './intercom.ts';
import { fixture, importText, jsonl, readFailure, readItems, warningsById } from './test-helpers.ts';

const at = (epochSeconds: number) => epochSeconds * 1000;

/** A minimal valid Intercom conversation; tests override what they exercise. */
function conversation(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    type: 'conversation',
    id: '42',
    created_at: 1772000000,
    state: 'open',
    source: {
      type: 'email',
      id: 's42',
      subject: 'Where is my order?',
      body: '<p>Hello</p>',
      author: { type: 'user', id: 'u1', name: 'Ada', email: 'ada@example.test' },
    },
    ...overrides,
  };
}

const comment = (id: string, createdAt: number, body: string, author = { type: 'admin', id: 'a1' }) => ({
  type: 'conversation_part',
  id,
  part_type: 'comment',
  body,
  created_at: createdAt,
  author,
});

describe('intercomImporter.read: field mapping', () => {
  it('maps every field of a retrieved conversation', async () => {
    const { tickets, rejects } = await readAll(intercomImporter, fixture('intercom/conversation.json'));
    expect(rejects).toEqual([]);
    expect(tickets).toHaveLength(1);
    const { messages, ...ticket } = tickets[0]!;
    expect(ticket).toEqual({
      source: 'intercom',
      externalId: '215467889012345',
      subject: 'Commande 4471 – colis introuvable',
      channel: 'email',
      status: 'closed',
      statusRaw: 'closed',
      priority: 'normal',
      tags: ['delivery-delay'],
      category: null,
      assignee: '7301122',
      group: '6100045',
      createdAt: at(1772445600),
      updatedAt: at(1772449810),
      firstResponseAt: at(1772447580),
      deriveFirstResponse: true,
      resolvedAt: null,
      closedAt: at(1772449790),
      csatScore: 0.25,
      csatRaw: '2',
      handleTimeSeconds: 4150,
      reopens: 0,
      customFields: {
        'Order ID': '4471',
        Carrier: 'LaPoste',
        refund_offered: false,
        csat_comment: "Résolu, mais c'était lent 🐢",
      },
      customer: {
        externalId: '65f0c0ffee00aa11bb22cc33',
        email: 'm.dubois@mail.example',
        name: null,
        segment: null,
        attributes: { type: 'lead' },
      },
    });
    // The assignment and the close (both without a body) are events, not messages.
    expect(messages).toEqual([
      {
        externalId: '88123401',
        authorRole: 'customer',
        authorId: '65f0c0ffee00aa11bb22cc33',
        body: "Bonjour,\n\nMon colis n° 4471 est marqué livré mais je ne l'ai pas reçu.",
        createdAt: at(1772445600),
        public: true,
      },
      {
        externalId: '30000001',
        authorRole: 'bot',
        authorId: '7300001',
        body: 'Je peux vérifier le suivi. Pouvez-vous confirmer votre code postal ?',
        createdAt: at(1772445610),
        public: true,
      },
      {
        externalId: '30000003',
        authorRole: 'agent',
        authorId: '7301122',
        body: 'Carrier says parcel left at a neighbour. Offer refund if not found by Friday.',
        createdAt: at(1772447400),
        public: false,
      },
      {
        externalId: '30000004',
        authorRole: 'agent',
        authorId: '7301122',
        body: 'Bonjour, le transporteur indique une remise à un voisin. Pouvez-vous vérifier ?',
        createdAt: at(1772447580),
        public: true,
      },
      {
        externalId: '30000005',
        authorRole: 'customer',
        authorId: '65f0c0ffee00aa11bb22cc33',
        body: 'Trouvé chez la voisine, merci.',
        createdAt: at(1772448100),
        public: true,
      },
    ]);
  });

  it('reads a list page: bare and wrapped lists, fallbacks from parts, outbound and reopened conversations', async () => {
    const { tickets, rejects } = await readAll(intercomImporter, fixture('intercom/list-page.json'));
    expect(rejects).toEqual([]);
    expect(tickets.map((t) => t.externalId)).toEqual(['1001', '1002', '1003']);
    const [chat, outbound, tweet] = tickets;

    expect(chat).toMatchObject({
      subject: 'Login loop',
      channel: 'conversation',
      status: 'pending',
      statusRaw: 'snoozed',
      priority: 'high',
      tags: ['vip', 'login'],
      // No admin_assignee_id / team_assignee_id in the export: taken from the assignment parts.
      assignee: '7301999',
      group: '6100099',
      firstResponseAt: null,
      deriveFirstResponse: true,
      closedAt: null,
      csatScore: null,
      customFields: {},
      customer: {
        externalId: '6601aa',
        email: 'jonas@kunde.example',
        name: 'Jonas Weber',
        attributes: { type: 'user', external_id: 'crm-881' },
      },
    });
    // The snoozed part has no body and the attribute update is metadata: neither is a message.
    expect(chat!.messages.map((m) => [m.externalId, m.authorRole, m.body])).toEqual([
      ['500001', 'customer', "I keep getting sent back to the login page & can't get in."],
      ['600003', 'agent', 'Could you clear your cookies and try again?'],
      ['600004', 'customer', 'Still looping 😞'],
    ]);

    expect(outbound).toMatchObject({
      subject: 'Your plan renews soon',
      status: 'open',
      priority: 'normal',
      tags: ['renewal'],
      assignee: '7301122',
      group: null,
      // first_admin_reply_at is the outbound message itself, before the customer wrote: not a response time.
      firstResponseAt: null,
      deriveFirstResponse: true,
      // Closed once and reopened: not closed now.
      closedAt: null,
      reopens: 1,
      handleTimeSeconds: 1200,
      csatScore: 1,
      csatRaw: '5',
      customFields: { Plan: 'pro', Seats: 12, csat_comment: 'Super helpful' },
      customer: { externalId: '6602bb', email: null, name: null, attributes: {} },
    });
    expect(outbound!.messages.map((m) => [m.externalId, m.authorRole, m.public, m.body])).toEqual([
      ['500002', 'agent', true, 'Hi! Your Pro plan renews on 1 April.'],
      ['600101', 'customer', true, 'Can I switch to annual billing?'],
      ['600102', 'agent', true, 'Yes, done – see invoice attached.'],
      ['600103', 'agent', true, 'Closing this, reply anytime.'],
    ]);

    expect(tweet).toMatchObject({
      channel: 'twitter',
      status: 'closed',
      assignee: null,
      closedAt: at(1772200500),
      customer: null,
      tags: [],
    });
    expect(tweet!.messages).toEqual([
      {
        externalId: '500003',
        authorRole: 'system',
        authorId: null,
        body: 'Tweet',
        createdAt: at(1772200000),
        public: true,
      },
    ]);
  });

  it('maps author types, AI answers, notes and bodies carried by routing parts', async () => {
    const parts = [
      comment('p1', 1772000010, 'from a lead', { type: 'lead', id: 'l1' }),
      comment('p2', 1772000020, 'from a contact', { type: 'contact', id: 'c1' }),
      comment('p3', 1772000030, 'from a teammate', { type: 'teammate', id: 't1' }),
      { ...comment('p4', 1772000040, 'Fin here'), author: { type: 'admin', id: 'a9', from_ai_agent: true } },
      { ...comment('p5', 1772000050, 'internal'), part_type: 'note' },
      { ...comment('p6', 1772000060, 'Passing you to billing'), part_type: 'assignment' },
      { ...comment('p7', 1772000070, ''), part_type: 'close' },
      { ...comment('p8', 1772000080, 'custom'), part_type: 'language_change_event' },
    ];
    const { tickets } = await readAll(
      intercomImporter,
      JSON.stringify(conversation({ conversation_parts: { conversation_parts: parts } })),
    );
    expect(tickets[0]!.messages.map((m) => [m.externalId, m.authorRole, m.public])).toEqual([
      ['s42', 'customer', true],
      ['p1', 'customer', true],
      ['p2', 'customer', true],
      ['p3', 'agent', true],
      ['p4', 'bot', true],
      ['p5', 'agent', false],
      ['p6', 'agent', true],
    ]);
  });

  it('sorts parts by time and uses the only participating teammate when nothing else names an assignee', async () => {
    const { tickets } = await readAll(
      intercomImporter,
      JSON.stringify(
        conversation({
          conversation_parts: [comment('late', 1772000900, 'second'), comment('early', 1772000100, 'first')],
          teammates: { type: 'admin.list', teammates: [{ type: 'admin', id: '77' }] },
        }),
      ),
    );
    expect(tickets[0]!.messages.map((m) => m.externalId)).toEqual(['s42', 'early', 'late']);
    expect(tickets[0]!.assignee).toBe('77');
  });
});

describe('intercomImporter.read: containers', () => {
  it('accepts a bare array, an object wrapping conversations, and JSON Lines', async () => {
    const a = conversation({ id: 'a' });
    const b = conversation({ id: 'b' });
    const ids = async (text: string) =>
      (await readAll(intercomImporter, text)).tickets.map((t) => t.externalId);
    expect(await ids(JSON.stringify([a, b], null, 2))).toEqual(['a', 'b']);
    expect(await ids(JSON.stringify({ conversations: [a, b] }))).toEqual(['a', 'b']);
    expect(await ids(jsonl(a, b))).toEqual(['a', 'b']);
  });

  it('reads JSON Lines where each line is a page of the list API', async () => {
    const page = (...conversations: unknown[]) => ({
      type: 'conversation.list',
      conversations,
      total_count: 2,
    });
    const { tickets } = await readAll(
      intercomImporter,
      jsonl(
        page(conversation({ id: 'a' }), conversation({ id: 'b' })),
        page(),
        page(conversation({ id: 'c' })),
      ),
    );
    expect(tickets.map((t) => t.externalId)).toEqual(['a', 'b', 'c']);
  });

  it('yields nothing for an empty list page', async () => {
    const result = await readAll(
      intercomImporter,
      '{"type": "conversation.list", "conversations": [], "total_count": 0}',
    );
    expect(result).toEqual({ tickets: [], rejects: [] });
  });

  it('streams: the first ticket arrives long before the end of a large file', async () => {
    for (const layout of ['array', 'lines'] as const) {
      const { source, chunksRead } = generatedSource(layout, 5000);
      for await (const item of intercomImporter.read(source, { mapping: {} })) {
        expect(item.kind).toBe('ticket');
        break;
      }
      expect(chunksRead()).toBeLessThan(100);
    }
  });
});

/** An export of `count` conversations produced lazily, one conversation per chunk. */
function generatedSource(layout: 'array' | 'lines', count: number) {
  let produced = 0;
  const record = (i: number) => JSON.stringify(conversation({ id: String(i) }));
  async function* chunks() {
    if (layout === 'array') yield '[\n';
    for (let i = 0; i < count; i++) {
      produced++;
      yield layout === 'array' ? `${i ? ',\n' : ''}${record(i)}` : `${record(i)}\n`;
    }
    if (layout === 'array') yield '\n]\n';
  }
  const head = layout === 'array' ? `[\n${record(0)},\n${record(1)}` : `${record(0)}\n${record(1)}\n`;
  const source: ImportSource = { path: `big.${layout}`, head, text: () => Readable.from(chunks()) };
  return { source, chunksRead: () => produced };
}

describe('intercomImporter.read: rejects', () => {
  it('rejects malformed JSON Lines records with their line numbers and keeps going', async () => {
    const { tickets, rejects } = await readAll(intercomImporter, fixture('intercom/malformed.jsonl'));
    expect(tickets.map((t) => t.externalId)).toEqual(['3001', '3007', '3008']);
    expect(rejects.map((r) => [r.line, r.reason])).toEqual([
      [2, 'id: missing'],
      [3, 'created_at: not a timestamp: "yesterday"'],
      [4, expect.stringMatching(/^invalid JSON: /)],
      [6, 'not a JSON object'],
    ]);
    expect(rejects[0]!.raw).toBe('{"type": "conversation", "created_at": 1772400000, "state": "open"}');
    expect(rejects[2]!.raw).toBe('{"type": "conversation", "id": "3004", "created_at": 17724');
  });

  it('gives the line where a bad record starts inside a pretty-printed array, and its record number', async () => {
    const { tickets, rejects } = await readAll(
      intercomImporter,
      fixture('intercom/array-with-bad-record.json'),
    );
    expect(tickets.map((t) => [t.externalId, t.createdAt])).toEqual([
      ['2001', at(1772300000)],
      ['2003', at(1772300100)],
    ]);
    expect(rejects).toEqual([
      {
        kind: 'reject',
        line: 19,
        reason: 'record 2: created_at: missing',
        raw: expect.stringContaining('"id":"2002"'),
      },
    ]);
  });

  it('counts CRLF lines the same way', async () => {
    const text = fixture('intercom/array-with-bad-record.json').replace(/\n/g, '\r\n');
    const { rejects } = await readAll(intercomImporter, text);
    expect(rejects.map((r) => r.line)).toEqual([19]);
  });

  it('rejects a field of the wrong type, naming its path', async () => {
    const { rejects } = await readAll(
      intercomImporter,
      jsonl(
        conversation({
          id: 'x',
          conversation_parts: [{ ...comment('p1', 1772000100, 'hi'), author: 'bob' }],
        }),
      ),
    );
    expect(rejects).toHaveLength(1);
    expect(rejects[0]!.reason).toMatch(/^conversation_parts/);
  });

  it('imports what precedes a JSON syntax error in a document, then rejects the spot and stops', async () => {
    const text = `[\n${JSON.stringify(conversation({ id: 'ok' }))},\n{"id": "broken", "created_at": oops}\n]\n`;
    const { tickets, rejects } = await readAll(intercomImporter, text);
    expect(tickets.map((t) => t.externalId)).toEqual(['ok']);
    expect(rejects).toHaveLength(1);
    expect(rejects[0]).toMatchObject({
      line: 3,
      reason:
        'invalid JSON after record 1, the rest of the file was not read: expected a value but found "o"',
    });
    expect(rejects[0]!.raw).toContain('oops');
  });

  it('rejects a document cut off in the middle of a record', async () => {
    const full = JSON.stringify([conversation({ id: 'a' }), conversation({ id: 'b' })], null, 2);
    const { tickets, rejects } = await readAll(
      intercomImporter,
      full.slice(0, full.lastIndexOf('"id": "b"')),
    );
    expect(tickets.map((t) => t.externalId)).toEqual(['a']);
    expect(rejects).toHaveLength(1);
    expect(rejects[0]!.reason).toMatch(/^invalid JSON/);
  });

  it.each([
    ['a Zendesk export', '{"tickets":[{"id":1,"via":{}}]}'],
    ['a CSV file', 'ticket_id,subject,status\n1,Hello,open\n'],
    ['a Help Scout export', fixture('helpscout/page.json')],
    ['an empty file', ''],
  ])('throws import.wrong_format before yielding anything for %s', async (_name, text) => {
    const { error, yielded } = await readFailure(intercomImporter, text, 'export.json');
    expect(yielded).toBe(0);
    expect(error).toBeInstanceOf(UserError);
    expect(error).toMatchObject({ code: 'import.wrong_format', location: { file: 'export.json' } });
    expect((error as UserError).message).toContain('Intercom');
  });
});

describe('intercomImporter.read: edge cases', () => {
  it('handles a BOM, CRLF line ends and blank lines in JSON Lines', async () => {
    const text = `\uFEFF${jsonl(conversation({ id: 'a' }), conversation({ id: 'b' })).replace(/\n/g, '\r\n')}\r\n\r\n`;
    const { tickets, rejects } = await readAll(intercomImporter, text);
    expect(rejects).toEqual([]);
    expect(tickets.map((t) => t.externalId)).toEqual(['a', 'b']);
  });

  it('accepts nulls in every optional field', async () => {
    const nulls = {
      type: 'conversation',
      id: 7,
      created_at: '2026-03-01T10:00:00Z',
      updated_at: null,
      title: null,
      state: null,
      open: null,
      priority: null,
      admin_assignee_id: null,
      team_assignee_id: null,
      tags: null,
      conversation_rating: null,
      source: null,
      contacts: null,
      teammates: null,
      custom_attributes: null,
      statistics: null,
      conversation_parts: null,
    };
    const { tickets, rejects } = await readAll(intercomImporter, JSON.stringify(nulls));
    expect(rejects).toEqual([]);
    expect(tickets[0]).toMatchObject({
      externalId: '7',
      createdAt: Date.parse('2026-03-01T10:00:00Z'),
      subject: null,
      status: 'open',
      statusRaw: null,
      priority: null,
      tags: [],
      assignee: null,
      group: null,
      csatScore: null,
      customFields: {},
      customer: null,
      messages: [],
    });
  });

  it('derives the status from `open` when `state` is absent, and keeps an out-of-range rating raw only', async () => {
    const { tickets } = await readAll(
      intercomImporter,
      jsonl(conversation({ id: 'a', state: undefined, open: false, conversation_rating: { rating: 7 } })),
    );
    expect(tickets[0]).toMatchObject({
      status: 'closed',
      statusRaw: 'closed',
      csatScore: null,
      csatRaw: '7',
    });
  });

  it('keeps unicode and very long bodies intact', async () => {
    const long = `${'ü漢🙂 '.repeat(200_000)}end`;
    const source = { type: 'chat', id: 's', body: long, author: { type: 'user', id: 'u' } };
    const { tickets } = await readAll(intercomImporter, JSON.stringify([conversation({ source })], null, 2));
    expect(tickets[0]!.messages[0]!.body).toBe(long);
  });
});

describe('intercomImporter.detect', () => {
  it.each([
    ['a retrieved conversation', fixture('intercom/conversation.json')],
    ['a list page', fixture('intercom/list-page.json')],
    ['JSON Lines', jsonl(conversation(), conversation({ id: '43', conversation_parts: [] }))],
  ])('recognises %s', (_name, head) => {
    expect(intercomImporter.detect(head, 'export.json')).toBe(true);
  });

  it.each([
    ['a Help Scout conversation', fixture('helpscout/conversation.json')],
    ['a Help Scout page', fixture('helpscout/page.json')],
    ['a Zendesk export', '{"tickets":[{"id":1,"via":{}}]}'],
    ['a CSV file that mentions part_type', 'id,part_type,conversation_parts\n1,comment,2\n'],
    ['an object with a single weak marker', '{"type": "conversation", "id": "1"}'],
  ])('says no to %s', (_name, head) => {
    expect(intercomImporter.detect(head, 'export.json')).toBe(false);
  });
});

describe('intercom import into SQLite', () => {
  it('is idempotent, and reports a changed conversation as updated rather than duplicated', async () => {
    const store = await openSqliteStore({ path: ':memory:' });
    const rejectsPath = join(mkdtempSync(join(tmpdir(), 'sb-intercom-')), 'rejects.jsonl');
    const run = (text: string) =>
      importText({ store, importer: intercomImporter, text, path: 'list-page.json', rejectsPath });
    try {
      const original = fixture('intercom/list-page.json');
      expect(await run(original)).toMatchObject({
        read: 3,
        imported: 3,
        updated: 0,
        unchanged: 0,
        rejected: 0,
      });
      expect(await run(original)).toMatchObject({ read: 3, imported: 0, updated: 0, unchanged: 3 });

      const page = JSON.parse(original) as { conversations: Record<string, unknown>[] };
      page.conversations[0]!.state = 'closed';
      const parts = page.conversations[1]!.conversation_parts as { conversation_parts: unknown[] };
      parts.conversation_parts.push(
        comment('600199', 1772190000, 'Thanks again!', { type: 'contact', id: '6602bb' }),
      );
      expect(await run(JSON.stringify(page))).toMatchObject({ imported: 0, updated: 2, unchanged: 1 });

      expect(await store.stats()).toMatchObject({ tickets: 3 });
      expect(await store.getTicket('intercom', '1001')).toMatchObject({ status: 'closed' });
    } finally {
      await store.close();
    }
  });
});

describe('intercomImporter.read: Intercom API 1.x conversations', () => {
  /** The 1.x shape: the opening message in `conversation_message`, the customer in `user`, `assignee`. */
  const v1 = (overrides: Record<string, unknown> = {}) => ({
    type: 'conversation',
    id: '147',
    created_at: 1400850973,
    updated_at: 1400857494,
    open: true,
    read: true,
    conversation_message: {
      type: 'conversation_message',
      id: '2001',
      subject: 'Billing question',
      body: '<p>Why was I charged twice?</p>',
      author: { type: 'user', id: '536e564f316c83104c000020' },
      attachments: [],
    },
    user: { type: 'user', id: '536e564f316c83104c000020' },
    customers: [{ type: 'user', id: '536e564f316c83104c000020' }],
    assignee: { type: 'admin', id: '25' },
    conversation_parts: {
      type: 'conversation_part.list',
      conversation_parts: [
        comment('3001', 1400851000, '<p>Refunded the second charge.</p>', { type: 'admin', id: '25' }),
      ],
    },
    tags: { type: 'tag.list', tags: [] },
    ...overrides,
  });

  it('reads the opening message, the customer and the assignee', async () => {
    expect(intercomImporter.detect(JSON.stringify(v1()), 'v1.json')).toBe(true);
    const { tickets, rejects } = await readAll(intercomImporter, JSON.stringify(v1()));
    expect(rejects).toEqual([]);
    expect(tickets[0]).toMatchObject({
      externalId: '147',
      subject: 'Billing question',
      status: 'open',
      assignee: '25',
      group: null,
      customer: { externalId: '536e564f316c83104c000020', attributes: { type: 'user' } },
    });
    expect(tickets[0]?.startedBy).toBeUndefined();
    expect(tickets[0]?.messages.map((m) => [m.externalId, m.authorRole, m.body])).toEqual([
      ['2001', 'customer', 'Why was I charged twice?'],
      ['3001', 'agent', 'Refunded the second charge.'],
    ]);
  });

  it('takes a team assignee as the group, reads nobody_admin as unassigned, and an admin opener as agent-started', async () => {
    const team = await readAll(intercomImporter, JSON.stringify(v1({ assignee: { type: 'team', id: '9' } })));
    expect(team.tickets[0]).toMatchObject({ assignee: null, group: '9' });
    const nobody = await readAll(
      intercomImporter,
      JSON.stringify(v1({ assignee: { type: 'nobody_admin', id: null } })),
    );
    expect(nobody.tickets[0]).toMatchObject({ assignee: null });
    const opened = v1();
    (opened.conversation_message as Record<string, unknown>).author = { type: 'admin', id: '25' };
    const { tickets } = await readAll(intercomImporter, JSON.stringify(opened));
    expect(tickets[0]).toMatchObject({
      startedBy: 'agent',
      customer: { externalId: '536e564f316c83104c000020' },
    });
    expect(tickets[0]?.messages[0]).toMatchObject({ authorRole: 'agent', authorId: '25' });
  });

  it('warns when a conversation has no opening message at all, rather than thinning it silently', async () => {
    const items = await readItems(
      intercomImporter,
      JSON.stringify(v1({ conversation_message: undefined, source: undefined })),
    );
    expect(warningsById(items)).toEqual({
      '147': ['no opening message (neither source nor conversation_message): the ticket has only its parts'],
    });
  });
});

describe('intercomImporter.read: who opened the conversation and the stated first reply', () => {
  it('marks a conversation an admin opened as agent-started, and leaves customer-opened ones unmarked', async () => {
    const admin = conversation({
      source: {
        type: 'email',
        id: 's1',
        delivered_as: 'admin_initiated',
        body: 'Your renewal',
        author: { type: 'admin', id: 'a1' },
      },
      contacts: { type: 'contact.list', contacts: [{ type: 'contact', id: 'c1' }] },
    });
    const { tickets } = await readAll(intercomImporter, jsonl(admin, conversation({ id: '43' })));
    expect(tickets.map((t) => [t.externalId, t.startedBy])).toEqual([
      ['42', 'agent'],
      ['43', undefined],
    ]);
    expect(tickets[0]?.customer).toMatchObject({ externalId: 'c1' });
  });

  it('lets a stated null first_admin_reply_at win over deriving one from the messages', async () => {
    const stated = conversation({
      statistics: {
        type: 'conversation_statistics',
        first_contact_reply_at: 1772000000,
        first_admin_reply_at: null,
      },
      conversation_parts: [comment('p1', 1772000100, 'Fin here', { type: 'bot', id: 'b1' })],
    });
    const unstated = conversation({ id: '43', statistics: { first_close_at: null } });
    const { tickets } = await readAll(intercomImporter, jsonl(stated, unstated));
    expect(tickets.map((t) => [t.firstResponseAt, t.deriveFirstResponse])).toEqual([
      [null, false],
      [null, true],
    ]);
  });

  it('keeps a part without a time, at the conversation time, with a warning; it never counts as the first reply', async () => {
    const c = conversation({
      conversation_parts: [
        { ...comment('p1', 0, 'Looking into it'), created_at: null },
        comment('p2', 1772000500, 'Can you share the order number?', { type: 'user', id: 'u1' }),
      ],
    });
    const items = await readItems(intercomImporter, JSON.stringify(c));
    expect(warningsById(items)).toEqual({
      '42': ['conversation_parts.0 (comment p1): created_at missing or invalid; given the conversation time'],
    });
    const ticket = items[0]?.kind === 'ticket' ? items[0].ticket : null;
    expect(ticket?.messages.map((m) => [m.externalId, m.createdAt])).toEqual([
      ['s42', at(1772000000)],
      ['p1', at(1772000000)],
      ['p2', at(1772000500)],
    ]);
    expect(ticket).toMatchObject({ firstResponseAt: null, deriveFirstResponse: false });
  });
});
