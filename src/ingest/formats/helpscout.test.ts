import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UserError } from '../../shared/index.ts';
import { openSqliteStore } from '../../store/sqlite/index.ts';
import { readAll } from '../testing.ts';
import { helpscoutImporter } from './helpscout.ts';
import { fixture, importText, jsonl, readFailure, readItems, warningsById } from './test-helpers.ts';

const at = (iso: string) => Date.parse(iso);

/** A minimal valid Help Scout conversation; tests override what they exercise. */
function conversation(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: 100,
    number: 1,
    type: 'email',
    status: 'active',
    subject: 'Password reset',
    mailboxId: 301177,
    createdAt: '2026-03-10T09:00:00Z',
    primaryCustomer: { id: 7, first: 'Ada', last: 'Byron', email: 'ada@example.test' },
    ...overrides,
  };
}

function thread(id: number, type: string, createdAt: string, overrides: Record<string, unknown> = {}) {
  const author = type === 'customer' ? { id: 7, type: 'customer' } : { id: 550012, type: 'user' };
  return {
    id,
    type,
    state: 'published',
    body: `<p>${type} ${id}</p>`,
    createdBy: author,
    createdAt,
    ...overrides,
  };
}

const withThreads = (threads: unknown[], overrides: Record<string, unknown> = {}) =>
  conversation({ _embedded: { threads }, ...overrides });
/** The 1-based line of the `{` just above the first line containing `marker`, in pretty-printed JSON. */
const recordStartLine = (text: string, marker: string) =>
  text.split('\n').findIndex((l) => l.includes(marker));

describe('helpscoutImporter.read: field mapping', () => {
  it('maps every field of a conversation with embedded threads', async () => {
    const { tickets, rejects } = await readAll(helpscoutImporter, fixture('helpscout/conversation.json'));
    expect(rejects).toEqual([]);
    expect(tickets).toHaveLength(1);
    const { messages, ...ticket } = tickets[0]!;
    expect(ticket).toEqual({
      source: 'helpscout',
      externalId: '2918402211',
      subject: 'Kan ikke logge ind efter opdatering 😕',
      channel: 'email',
      status: 'closed',
      statusRaw: 'closed',
      priority: null,
      tags: ['login', 'app-2.4'],
      category: null,
      assignee: '550012',
      group: '301177',
      createdAt: at('2026-03-04T09:15:00Z'),
      // The later of userUpdatedAt and customerWaitingSince.time.
      updatedAt: at('2026-03-04T11:02:31Z'),
      firstResponseAt: at('2026-03-04T10:31:40Z'),
      deriveFirstResponse: true,
      resolvedAt: null,
      closedAt: at('2026-03-04T11:02:31Z'),
      csatScore: 1,
      csatRaw: 'great',
      handleTimeSeconds: null,
      reopens: null,
      customFields: { Platform: 'iOS', csat_comment: 'Hurtigt svar 👍' },
      customer: {
        externalId: '91000777',
        email: 'lars@kunde.example',
        name: 'Lars',
        segment: null,
        attributes: {},
      },
    });
    // Threads come newest first; messages are oldest first.
    expect(messages).toEqual([
      {
        externalId: '77120001',
        authorRole: 'customer',
        authorId: '91000777',
        body: 'Efter opdateringen til 2.4 kan jeg ikke logge ind. Fejlkode: «AUTH-401».',
        createdAt: at('2026-03-04T09:15:00Z'),
        public: true,
      },
      {
        externalId: '77120002',
        authorRole: 'agent',
        authorId: '550099',
        body: 'Bot triage: intent=login_after_update (0.87). Known issue in app 2.4 – see KB-1123.',
        createdAt: at('2026-03-04T09:15:20Z'),
        public: false,
      },
      {
        externalId: '77120003',
        authorRole: 'agent',
        authorId: '550012',
        body: 'Hej Lars,\n\nPrøv at logge ud og ind igen – så bliver din session fornyet.',
        createdAt: at('2026-03-04T10:31:40Z'),
        public: true,
      },
      {
        externalId: '77120004',
        authorRole: 'system',
        authorId: '550012',
        body: 'Mette marked as Closed',
        createdAt: at('2026-03-04T11:02:31Z'),
        public: false,
      },
    ]);
  });

  it('reads a HAL page: chat threads, drafts, hidden replies, AI notes, forwards and several ratings', async () => {
    const { tickets, rejects } = await readAll(helpscoutImporter, fixture('helpscout/page.json'));
    expect(rejects).toEqual([]);
    expect(tickets.map((t) => t.externalId)).toEqual(['3000000001', '3000000002']);
    const [chat, outbound] = tickets;

    expect(chat).toMatchObject({
      channel: 'chat',
      status: 'open',
      statusRaw: 'active',
      tags: ['billing'],
      assignee: null,
      group: '301178',
      updatedAt: at('2026-03-05T08:12:00Z'),
      firstResponseAt: at('2026-03-05T08:05:00Z'),
      deriveFirstResponse: true,
      closedAt: null,
      csatScore: null,
      // An empty display text falls back to the value; a field without a name is keyed by its id.
      customFields: { Order: 'A-77', '8803': 3 },
      // `customer` instead of `primaryCustomer`.
      customer: { externalId: '91000888', email: 'ingrid@kunde.example', name: 'Ingrid Berg' },
    });
    // The draft reply was never sent.
    expect(chat!.messages.map((m) => [m.externalId, m.authorRole, m.public])).toEqual([
      ['38', 'customer', true],
      ['39', 'agent', true],
      ['40', 'customer', true],
    ]);

    expect(outbound).toMatchObject({
      status: 'pending',
      assignee: '550012',
      group: '301177',
      // Outbound: the first reply after the customer wrote (the note is private, the hidden reply not sent).
      firstResponseAt: at('2026-03-06T12:00:00Z'),
      deriveFirstResponse: true,
      // The later rating wins.
      csatScore: 0,
      csatRaw: 'not-good',
      customFields: { csat_comment: 'Should have been automatic' },
      customer: { externalId: '91000999', email: 'paul@kunde.example', name: 'Paul' },
    });
    // The forward marker carries no content.
    expect(outbound!.messages.map((m) => [m.externalId, m.authorRole, m.public])).toEqual([
      ['51', 'agent', true],
      ['53', 'customer', true],
      ['54', 'bot', false],
      ['55', 'agent', false],
      ['56', 'agent', true],
      ['57', 'system', false],
    ]);
  });

  it('maps chat and phone threads by their author, and keeps a customer thread logged by an agent as the customer', async () => {
    const threads = [
      thread(1, 'customer', '2026-03-10T09:00:00Z', {
        createdBy: { id: 550012, type: 'user' },
        customer: { id: 7 },
      }),
      thread(2, 'phone', '2026-03-10T09:01:00Z'),
      thread(3, 'chat', '2026-03-10T09:02:00Z', { createdBy: { id: 7, type: 'customer' } }),
      thread(4, 'beaconchat', '2026-03-10T09:03:00Z', { createdBy: { id: 9, type: 'system_user' } }),
      thread(5, 'forwardchild', '2026-03-10T09:04:00Z'),
      thread(6, 'something-new', '2026-03-10T09:05:00Z'),
    ];
    const { tickets } = await readAll(helpscoutImporter, JSON.stringify(withThreads(threads)));
    expect(tickets[0]!.messages.map((m) => [m.externalId, m.authorRole, m.authorId])).toEqual([
      ['1', 'customer', '7'],
      ['2', 'agent', '550012'],
      ['3', 'customer', '7'],
      ['4', 'bot', '9'],
    ]);
  });

  it('maps ok to a neutral CSAT, spam to closed, and falls back to the creator and source type', async () => {
    const rated = thread(2, 'reply', '2026-03-10T10:00:00Z', { rating: { rating: 'ok', comments: null } });
    const { tickets } = await readAll(
      helpscoutImporter,
      JSON.stringify(
        withThreads([rated], {
          status: 'spam',
          type: null,
          source: { type: 'beacon', via: 'customer' },
          primaryCustomer: undefined,
          createdBy: { id: 12, type: 'customer', first: 'Zoë', last: 'Ødegård', email: 'zoe@example.test' },
          closedAt: '2026-03-10T11:00:00Z',
        }),
      ),
    );
    expect(tickets[0]).toMatchObject({
      status: 'closed',
      statusRaw: 'spam',
      channel: 'beacon',
      csatScore: 0.5,
      csatRaw: 'ok',
      customFields: {},
      // Only a closed conversation has a close time.
      closedAt: null,
      customer: { externalId: '12', name: 'Zoë Ødegård', email: 'zoe@example.test' },
    });
  });
});

describe('helpscoutImporter.read: containers', () => {
  it('accepts a HAL page, a bare array, a single conversation and JSON Lines', async () => {
    const a = conversation({ id: 1 });
    const b = conversation({ id: 2 });
    const ids = async (text: string) =>
      (await readAll(helpscoutImporter, text)).tickets.map((t) => t.externalId);
    const page = {
      _embedded: { conversations: [a, b] },
      page: { size: 25, totalElements: 2, totalPages: 1, number: 1 },
    };
    expect(await ids(JSON.stringify(page, null, 2))).toEqual(['1', '2']);
    expect(await ids(JSON.stringify([a, b]))).toEqual(['1', '2']);
    expect(await ids(JSON.stringify(a, null, 2))).toEqual(['1']);
    expect(await ids(jsonl(a, b))).toEqual(['1', '2']);
    expect(
      await ids(jsonl(page, { ...page, _embedded: { conversations: [conversation({ id: 3 })] } })),
    ).toEqual(['1', '2', '3']);
  });

  it('yields nothing for an empty HAL page, which has no _embedded at all', async () => {
    const empty = {
      page: { size: 25, totalElements: 0, totalPages: 0, number: 1 },
      _links: { self: { href: 'https://api.helpscout.net/v2/conversations' } },
    };
    expect(await readAll(helpscoutImporter, JSON.stringify(empty, null, 2))).toEqual({
      tickets: [],
      rejects: [],
    });
  });

  it('accepts the thread list under `threads` when a dump puts it there', async () => {
    const { tickets } = await readAll(
      helpscoutImporter,
      JSON.stringify(conversation({ threads: [thread(1, 'customer', '2026-03-10T09:00:00Z')] })),
    );
    expect(tickets[0]!.messages.map((m) => m.body)).toEqual(['customer 1']);
  });
});

describe('helpscoutImporter.read: rejects', () => {
  it('rejects malformed JSON Lines records with their line numbers and keeps going', async () => {
    const { tickets, rejects } = await readAll(helpscoutImporter, fixture('helpscout/malformed.jsonl'));
    expect(tickets.map((t) => [t.externalId, t.statusRaw])).toEqual([
      ['4001', 'active'],
      ['4005', 'active'],
      ['4006', 'spam'],
    ]);
    expect(rejects.map((r) => [r.line, r.reason])).toEqual([
      [2, 'id: missing'],
      [3, 'createdAt: not a timestamp: "not a date"'],
      [4, expect.stringMatching(/^invalid JSON: /)],
    ]);
    expect(rejects[2]!.raw).toBe('{"id": 4004, "createdAt": "2026-03-07T10:00:00Z", "mailboxId": ');
  });

  it('gives the starting line and record number of a bad conversation inside a HAL page', async () => {
    const page = {
      _embedded: { conversations: [conversation({ id: 1 }), conversation({ id: 2, createdAt: null })] },
      page: { size: 25, totalElements: 2, totalPages: 1, number: 1 },
    };
    const text = JSON.stringify(page, null, 2);
    const { tickets, rejects } = await readAll(helpscoutImporter, text);
    const startLine = recordStartLine(text, '"id": 2');
    expect(tickets.map((t) => t.externalId)).toEqual(['1']);
    expect(rejects).toEqual([
      {
        kind: 'reject',
        line: startLine,
        reason: 'record 2: createdAt: missing',
        raw: expect.stringContaining('"id":2'),
      },
    ]);
  });

  it('rejects a field of the wrong type, naming its path', async () => {
    const { rejects } = await readAll(helpscoutImporter, jsonl(conversation({ tags: 'vip' })));
    expect(rejects.map((r) => r.reason)).toEqual([expect.stringMatching(/^tags: /)]);
  });

  it.each([
    ['a Zendesk export', '{"tickets":[{"id":1,"via":{}}]}'],
    ['a CSV file', 'ticket_id,subject,status\n1,Hello,open\n'],
    ['an Intercom export', fixture('intercom/list-page.json')],
    ['plain text', 'hello'],
  ])('throws import.wrong_format before yielding anything for %s', async (_name, text) => {
    const { error, yielded } = await readFailure(helpscoutImporter, text, 'export.json');
    expect(yielded).toBe(0);
    expect(error).toBeInstanceOf(UserError);
    expect(error).toMatchObject({ code: 'import.wrong_format', location: { file: 'export.json' } });
    expect((error as UserError).message).toContain('Help Scout');
  });
});

describe('helpscoutImporter.read: edge cases', () => {
  it('handles a BOM and CRLF line ends', async () => {
    const text = `\uFEFF${JSON.stringify([conversation({ id: 1 }), conversation({ id: 2, createdAt: 'x' })], null, 2)}`;
    const { tickets, rejects } = await readAll(helpscoutImporter, text.replace(/\n/g, '\r\n'));
    expect(tickets.map((t) => t.externalId)).toEqual(['1']);
    expect(rejects.map((r) => r.line)).toEqual([recordStartLine(text, '"id": 2')]);
  });

  it('accepts nulls in every optional field', async () => {
    const nulls = {
      id: 5,
      createdAt: '2026-03-10T09:00:00Z',
      type: null,
      status: null,
      subject: null,
      mailboxId: null,
      assignee: null,
      createdBy: null,
      closedAt: null,
      userUpdatedAt: null,
      customerWaitingSince: null,
      source: null,
      tags: null,
      primaryCustomer: null,
      customer: null,
      customFields: null,
      _embedded: null,
      threads: null,
    };
    const { tickets, rejects } = await readAll(helpscoutImporter, JSON.stringify(nulls));
    expect(rejects).toEqual([]);
    expect(tickets[0]).toMatchObject({
      externalId: '5',
      subject: null,
      channel: null,
      status: 'open',
      statusRaw: null,
      tags: [],
      assignee: null,
      group: null,
      updatedAt: null,
      customer: null,
      messages: [],
    });
  });

  it('keeps unicode and very long HTML bodies, as text', async () => {
    const long = 'ø漢🙂 '.repeat(100_000);
    const body = `<div><p>${long}</p><p>Mvh</p></div>`;
    const { tickets } = await readAll(
      helpscoutImporter,
      jsonl(withThreads([thread(1, 'customer', '2026-03-10T09:00:00Z', { body })])),
    );
    expect(tickets[0]!.messages[0]!.body).toBe(`${long.trim()}\n\nMvh`);
  });
});

describe('helpscoutImporter.detect', () => {
  it.each([
    ['a conversation with threads', fixture('helpscout/conversation.json')],
    ['a HAL page', fixture('helpscout/page.json')],
    ['JSON Lines', jsonl(conversation(), conversation({ id: 2 }))],
  ])('recognises %s', (_name, head) => {
    expect(helpscoutImporter.detect(head, 'export.json')).toBe(true);
  });

  it.each([
    ['an Intercom conversation', fixture('intercom/conversation.json')],
    ['an Intercom list page', fixture('intercom/list-page.json')],
    ['a Zendesk export', '{"tickets":[{"id":1,"via":{}}]}'],
    ['a CSV file with the same column names', 'mailboxId,primaryCustomer\n1,2\n'],
    ['a generic HAL document', '{"_embedded": {"items": []}, "_links": {}}'],
  ])('says no to %s', (_name, head) => {
    expect(helpscoutImporter.detect(head, 'export.json')).toBe(false);
  });
});

describe('helpscout import into SQLite', () => {
  it('is idempotent, and reports a changed conversation as updated rather than duplicated', async () => {
    const store = await openSqliteStore({ path: ':memory:' });
    const rejectsPath = join(mkdtempSync(join(tmpdir(), 'sb-helpscout-')), 'rejects.jsonl');
    const run = (text: string) =>
      importText({ store, importer: helpscoutImporter, text, path: 'page.json', rejectsPath });
    try {
      const original = fixture('helpscout/page.json');
      expect(await run(original)).toMatchObject({
        read: 2,
        imported: 2,
        updated: 0,
        unchanged: 0,
        rejected: 0,
      });
      expect(await run(original)).toMatchObject({ read: 2, imported: 0, updated: 0, unchanged: 2 });

      const page = JSON.parse(original) as { _embedded: { conversations: Record<string, unknown>[] } };
      const chat = page._embedded.conversations[0]!;
      chat.status = 'closed';
      (chat._embedded as { threads: unknown[] }).threads.unshift(thread(42, 'reply', '2026-03-05T08:20:00Z'));
      expect(await run(JSON.stringify(page))).toMatchObject({ imported: 0, updated: 1, unchanged: 1 });

      expect(await store.stats()).toMatchObject({ tickets: 2 });
      expect(await store.getTicket('helpscout', '3000000001')).toMatchObject({ status: 'closed' });
    } finally {
      await store.close();
    }
  });
});

describe('helpscoutImporter.read: what is kept of imperfect conversations', () => {
  it('keeps a conversation whose one thread has no createdAt: the thread takes its time, with a warning', async () => {
    const c = withThreads([
      thread(3, 'reply', '2026-03-10T09:30:00Z'),
      thread(2, 'note', '', { createdAt: undefined }),
      thread(1, 'customer', '2026-03-10T09:00:00Z'),
    ]);
    const items = await readItems(helpscoutImporter, JSON.stringify(c));
    expect(items.map((i) => i.kind)).toEqual(['ticket']);
    expect(warningsById(items)).toEqual({
      '100': ['_embedded.threads.1 (note 2): createdAt missing or invalid; given the conversation time'],
    });
    const ticket = items[0]?.kind === 'ticket' ? items[0].ticket : null;
    expect(ticket?.messages.map((m) => [m.externalId, m.createdAt])).toEqual([
      ['2', at('2026-03-10T09:00:00Z')],
      ['1', at('2026-03-10T09:00:00Z')],
      ['3', at('2026-03-10T09:30:00Z')],
    ]);
    expect(ticket?.firstResponseAt).toBe(at('2026-03-10T09:30:00Z'));
  });

  it('never takes a reply without a time as the first response', async () => {
    const c = withThreads([
      thread(2, 'reply', '', { createdAt: null }),
      thread(1, 'customer', '2026-03-10T09:00:00Z'),
    ]);
    const { tickets } = await readAll(helpscoutImporter, JSON.stringify(c));
    expect(tickets[0]).toMatchObject({ firstResponseAt: null, deriveFirstResponse: false });
  });

  it('keeps the names of people given as firstName / lastName', async () => {
    const c = withThreads([thread(1, 'customer', '2026-03-10T09:00:00Z')], {
      primaryCustomer: { id: 7, firstName: 'Ada', lastName: 'Byron', email: 'ada@example.test' },
    });
    const { tickets } = await readAll(helpscoutImporter, JSON.stringify(c));
    expect(tickets[0]?.customer).toMatchObject({ externalId: '7', name: 'Ada Byron' });
  });

  it('marks a conversation an agent created as agent-started, and leaves the others unmarked', async () => {
    const outbound = withThreads(
      [thread(2, 'customer', '2026-03-10T10:00:00Z'), thread(1, 'reply', '2026-03-10T09:00:00Z')],
      { createdBy: { id: 550012, type: 'user' }, source: { type: 'email', via: 'user' } },
    );
    const inbound = withThreads([thread(1, 'customer', '2026-03-10T09:00:00Z')], {
      id: 101,
      createdBy: { id: 7, type: 'customer' },
    });
    const { tickets } = await readAll(helpscoutImporter, jsonl(outbound, inbound));
    expect(tickets.map((t) => [t.externalId, t.startedBy, t.firstResponseAt])).toEqual([
      ['100', 'agent', null],
      ['101', undefined, null],
    ]);
  });
});
