import { describe, expect, it } from 'vitest';
import { UserError } from '../../shared/index.ts';
import type { Importer } from '../importer.ts';
import { readAll } from '../testing.ts';
import { freshdeskImporter } from './freshdesk.ts';
import { genericJsonImporter } from './generic-json.ts';
import { helpscoutImporter } from './helpscout.ts';
import { intercomImporter } from './intercom.ts';
import { readFailure } from './test-helpers.ts';
import { zendeskImporter } from './zendesk.ts';

const at = (iso: string) => Date.parse(iso);

const zendeskComment = (id: number, authorId: number, body: string) => ({
  id,
  type: 'Comment',
  author_id: authorId,
  body,
  html_body: `<p>${body}</p>`,
  public: true,
  audit_id: 900 + id,
  created_at: '2024-01-01T10:00:00Z',
});

const commentsPage = JSON.stringify(
  {
    comments: [zendeskComment(11, 100, 'My order is late'), zendeskComment(12, 200, 'Looking into it')],
    next_page: null,
    previous_page: null,
    count: 2,
  },
  null,
  2,
);

const ticketEvents = JSON.stringify({
  ticket_events: [
    {
      id: 9001,
      ticket_id: 5,
      timestamp: 1704103200,
      created_at: '2024-01-01T10:00:00Z',
      updater_id: 200,
      via: 'Web form',
      event_type: 'Audit',
      child_events: [{ id: 9002, event_type: 'Comment', body: 'Hello' }],
    },
  ],
  next_page: null,
  count: 1,
  end_time: 1704103200,
});

async function refusal(importer: Importer, text: string): Promise<{ code: string; message: string }> {
  const { error, yielded } = await readFailure(importer, text, 'page.json');
  expect(yielded).toBe(0);
  expect(error).toBeInstanceOf(UserError);
  return { code: (error as UserError).code, message: (error as UserError).message };
}

describe('pages that hold something other than tickets', () => {
  it('refuses a Zendesk comments page in every JSON importer, saying how to import comments with their tickets', async () => {
    for (const importer of [zendeskImporter, genericJsonImporter, freshdeskImporter]) {
      const { code, message } = await refusal(importer, commentsPage);
      expect([importer.format, code]).toEqual([importer.format, 'import.not_tickets']);
      expect(message).toMatch(/"comments".*ticket comments/);
      expect(message).toMatch(/with their tickets/);
    }
  });

  it('refuses the comments page in JSON Lines too, and a long page whose end is past the head', async () => {
    const line = JSON.stringify({ comments: [zendeskComment(11, 100, 'Late')], count: 1 });
    expect((await refusal(zendeskImporter, `${line}\n${line}\n`)).code).toBe('import.not_tickets');
    const long = JSON.stringify({
      comments: Array.from({ length: 600 }, (_, i) => zendeskComment(i, 100, 'x'.repeat(100))),
      count: 600,
    });
    expect(long.length).toBeGreaterThan(64 * 1024);
    for (const importer of [zendeskImporter, genericJsonImporter]) {
      expect((await refusal(importer, long)).code).toBe('import.not_tickets');
    }
  });

  it('refuses ticket events, which are changes to tickets, rather than importing each event as a ticket', async () => {
    for (const importer of [zendeskImporter, genericJsonImporter]) {
      const { code, message } = await refusal(importer, ticketEvents);
      expect([importer.format, code]).toEqual([importer.format, 'import.not_tickets']);
      expect(message).toMatch(/"ticket_events".*not the tickets/);
      expect(message).toContain('/api/v2/incremental/tickets/cursor');
    }
  });

  it('names the arrays of an unknown wrapper and where the format expects its records', async () => {
    const page = JSON.stringify({
      data: [{ id: 1, created_at: '2024-01-01T10:00:00Z', requester_id: 5, submitter_id: 5 }],
      links: [{ rel: 'next', href: 'x' }],
      meta: { has_more: false },
    });
    const { code, message } = await refusal(zendeskImporter, page);
    expect(code).toBe('import.wrong_format');
    expect(message).toContain('"data"');
    expect(message).toContain('"links"');
    expect(message).toContain('"tickets"');
    expect(message).not.toContain('none of id');
  });

  it('keeps reading a ticket page whose side-loaded comments come first', async () => {
    const page = JSON.stringify({
      comments: [{ ...zendeskComment(11, 100, 'x'.repeat(70_000)), ticket_id: 1 }],
      tickets: [
        {
          id: 1,
          created_at: '2024-01-01T10:00:00Z',
          status: 'open',
          requester_id: 100,
          submitter_id: 100,
          subject: 'Late',
        },
      ],
    });
    const { tickets, rejects } = await readAll(zendeskImporter, page);
    expect(rejects).toEqual([]);
    expect(tickets.map((t) => [t.externalId, t.messages.length])).toEqual([['1', 1]]);
  });
});

describe('records inside other known wrappers', () => {
  it('reads the tickets of a Zendesk search page and rejects the results that are not tickets', async () => {
    const page = JSON.stringify({
      results: [
        {
          result_type: 'ticket',
          id: 7,
          created_at: '2024-01-01T10:00:00Z',
          status: 'open',
          subject: 'Refund',
          requester_id: 100,
          submitter_id: 100,
          via: { channel: 'email' },
        },
        { result_type: 'user', id: 100, name: 'Ann', created_at: '2023-01-01T00:00:00Z' },
      ],
      count: 2,
      next_page: null,
    });
    const { tickets, rejects } = await readAll(zendeskImporter, page);
    expect(tickets.map((t) => [t.externalId, t.subject])).toEqual([['7', 'Refund']]);
    expect(rejects).toEqual([
      expect.objectContaining({ reason: 'record 2: a search result of type "user", not a ticket' }),
    ]);
  });

  it('reads Help Scout\'s legacy single conversation ({"item": {...}}) and list ({"items": [...]})', async () => {
    const legacy = {
      id: 501,
      number: 12,
      folderId: 6120044,
      isDraft: false,
      threadCount: 2,
      type: 'email',
      status: 'active',
      subject: 'Cannot log in',
      owner: { id: 7, firstName: 'Mette', lastName: 'Kjær', email: 'mette@acme.example' },
      mailbox: { id: 301, name: 'Support' },
      customer: { id: 91, firstName: 'Lars', lastName: 'Holm', email: 'lars@kunde.example' },
      createdBy: {
        id: 91,
        firstName: 'Lars',
        lastName: 'Holm',
        email: 'lars@kunde.example',
        type: 'customer',
      },
      createdAt: '2024-01-01T10:00:00Z',
      modifiedAt: '2024-01-01T11:00:00Z',
      tags: ['login'],
      threads: [
        {
          id: 2,
          type: 'message',
          state: 'published',
          body: '<p>Try again</p>',
          createdBy: { id: 7, firstName: 'Mette', lastName: 'Kjær', type: 'user' },
          createdAt: '2024-01-01T10:30:00Z',
        },
        {
          id: 1,
          type: 'customer',
          state: 'published',
          body: 'I cannot log in',
          createdBy: { id: 91, firstName: 'Lars', lastName: 'Holm', type: 'customer' },
          customer: { id: 91, firstName: 'Lars', lastName: 'Holm', email: 'lars@kunde.example' },
          createdAt: '2024-01-01T10:00:00Z',
        },
      ],
    };
    for (const text of [
      JSON.stringify({ item: legacy }),
      JSON.stringify({ page: 1, pages: 1, count: 1, items: [legacy] }),
    ]) {
      expect(helpscoutImporter.detect(text, 'legacy.json')).toBe(true);
      const { tickets, rejects } = await readAll(helpscoutImporter, text);
      expect(rejects).toEqual([]);
      expect(tickets).toHaveLength(1);
      expect(tickets[0]).toMatchObject({
        externalId: '501',
        subject: 'Cannot log in',
        assignee: '7',
        group: '301',
        updatedAt: at('2024-01-01T11:00:00Z'),
        firstResponseAt: at('2024-01-01T10:30:00Z'),
        customer: { externalId: '91', email: 'lars@kunde.example', name: 'Lars Holm' },
      });
      expect(tickets[0]?.messages.map((m) => [m.authorRole, m.body])).toEqual([
        ['customer', 'I cannot log in'],
        ['agent', 'Try again'],
      ]);
    }
  });

  it('refuses a Help Scout threads page alone, which belongs to one conversation', async () => {
    const page = JSON.stringify({
      _embedded: { threads: [{ id: 1, type: 'customer', body: 'Hi', createdAt: '2024-01-01T10:00:00Z' }] },
      page: { size: 25, totalElements: 1, totalPages: 1, number: 1 },
    });
    const { code, message } = await refusal(helpscoutImporter, page);
    expect(code).toBe('import.not_tickets');
    expect(message).toContain('embed=threads');
  });

  it('refuses a page of Intercom conversation parts alone', async () => {
    const page = JSON.stringify({
      type: 'conversation_part.list',
      conversation_parts: [{ type: 'conversation_part', id: '1', part_type: 'comment', body: 'Hi' }],
    });
    expect((await refusal(intercomImporter, page)).code).toBe('import.not_tickets');
  });
});

describe('a page whose first key is not valid JSON', () => {
  // Found by the import fuzz test: a bad escape in a key of the head crashed the page check with a SyntaxError.
  for (const [name, head] of [
    ['a bad escape', '{"ti\\xckets": [{"id": 1}]}'],
    ['a raw control character', '{"a\u0001": [{"id": 1}]}'],
  ] as const) {
    it(`is read record by record (${name}), not a crash`, async () => {
      const { tickets, rejects } = await readAll(zendeskImporter, `${head}\n`);
      expect(tickets).toEqual([]);
      expect(rejects).toEqual([
        { kind: 'reject', line: 1, reason: expect.stringMatching(/^invalid JSON: Bad /), raw: head },
      ]);
    });
  }
});
