import { readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { deriveTicketFigures } from '../../domain/index.ts';
import type { ImportItem } from '../importer.ts';
import { textSource } from '../source.ts';
import { readAll } from '../testing.ts';
import { genericJsonImporter } from './generic-json.ts';
import { fixture } from './test-helpers.ts';

const fixturesDir = new URL('./fixtures/', import.meta.url);
const at = (iso: string) => Date.parse(iso);

describe('generic-json, array of ticket objects', () => {
  it('maps keys, nested objects by dotted path and a messages array', async () => {
    const { tickets } = await readAll(genericJsonImporter, fixture('generic/tickets.json'));
    expect(tickets.map((t) => t.externalId)).toEqual(['501', '502']);
    const [first, second] = tickets;
    expect(first).toMatchObject({
      source: 'generic',
      subject: 'Cannot log in',
      status: 'open',
      statusRaw: 'Open',
      priority: 'urgent',
      channel: 'email',
      tags: ['login', '2fa'],
      assignee: 'Dana',
      createdAt: at('2025-06-01T09:00:00Z'),
      csatScore: 1,
      csatRaw: '5',
      customFields: { order_ref: 'A-1' },
      customer: {
        externalId: 'u-1',
        email: 'kim@example.com',
        name: 'Kim Lee',
        segment: 'pro',
        attributes: {},
      },
    });
    expect(first?.messages).toEqual([
      {
        externalId: 'm1',
        authorRole: 'customer',
        authorId: 'u-1',
        body: 'My 2FA codes are rejected.',
        createdAt: at('2025-06-01T09:00:00Z'),
        public: true,
      },
      {
        externalId: 'm2',
        authorRole: 'agent',
        authorId: 'dana',
        body: "Please check your phone's clock.",
        createdAt: at('2025-06-01T09:30:00Z'),
        public: true,
      },
      expect.objectContaining({ externalId: 'm3', public: false }),
    ]);
    expect(deriveTicketFigures(first!).firstResponseSeconds).toBe(1800);
    expect(second).toMatchObject({
      createdAt: 1748775600000,
      status: 'resolved',
      resolvedAt: at('2025-06-01T12:00:00Z'),
      messages: [{ authorRole: 'customer', body: 'Please send the March invoice again.' }],
    });
  });

  it('rejects bad records with the line each starts on', async () => {
    const { rejects } = await readAll(genericJsonImporter, fixture('generic/tickets.json'));
    expect(rejects.map((r) => [r.line, r.reason])).toEqual([
      [28, 'created_at "soon" is not a time stamp'],
      [29, 'expected an object, found string'],
      [30, 'message 1: unknown author role "alien"'],
    ]);
    expect(rejects[1]?.raw).toBe('"not an object"');
  });
});

describe('generic-json, other shapes', () => {
  it('reads an object wrapping the array, skipping arrays that hold no objects', async () => {
    const { tickets, rejects } = await readAll(genericJsonImporter, fixture('generic/wrapped.json'));
    expect(rejects).toEqual([]);
    expect(tickets.map((t) => [t.externalId, t.subject, t.csatScore])).toEqual([
      ['W-1', 'First', null],
      ['W-2', 'Second, with [brackets] and {braces}', 0.8],
    ]);
    expect(tickets[1]?.messages[0]?.body).toBe('Hi "again"');
  });

  it('groups JSON Lines with one message each into tickets and rejects a broken line', async () => {
    const { tickets, rejects } = await readAll(genericJsonImporter, fixture('generic/messages.jsonl'));
    expect(tickets.map((t) => [t.externalId, t.status, t.messages.map((m) => m.authorRole)])).toEqual([
      ['J-1', 'resolved', ['customer', 'agent']],
      ['J-2', 'open', ['customer']],
    ]);
    expect(deriveTicketFigures(tickets[0]!).firstResponseSeconds).toBe(2700);
    expect(rejects).toEqual([
      expect.objectContaining({ line: 3, raw: '{"ticket_id": "J-2", "subject": "Broken line' }),
    ]);
    expect(rejects[0]?.reason).toMatch(/^invalid JSON/);
  });

  it('reads JSON Lines of whole tickets and pretty-printed objects one after another', async () => {
    const lines =
      '{"id": 1, "text": "a", "created": "2025-01-01T00:00:00Z"}\r\n\r\n{"id": 2, "text": "b", "created": "2025-01-02T00:00:00Z"}';
    expect((await readAll(genericJsonImporter, lines)).tickets.map((t) => t.externalId)).toEqual(['1', '2']);
    const pretty =
      '{\n  "id": 1,\n  "text": "a",\n  "created": "2025-01-01T00:00:00Z",\n  "tags": ["x"]\n}\n{\n  "id": 2,\n  "text": "b",\n  "created": "2025-01-02T00:00:00Z"\n}\n';
    const { tickets } = await readAll(genericJsonImporter, pretty);
    expect(tickets.map((t) => [t.externalId, t.tags])).toEqual([
      ['1', ['x']],
      ['2', []],
    ]);
  });
});

describe('generic-json mapping and wrong format', () => {
  it('uses --map keys, including dotted paths', async () => {
    const json = '[{"ref": "X1", "info": {"headline": "Hi", "when": "2025-01-01T00:00:00Z"}}]';
    const { tickets } = await readAll(genericJsonImporter, json, {
      mapping: { externalId: 'ref', subject: 'info.headline', createdAt: 'info.when' },
    });
    expect(tickets[0]).toMatchObject({
      externalId: 'X1',
      subject: 'Hi',
      createdAt: at('2025-01-01T00:00:00Z'),
    });
  });

  it('throws before yielding anything when the first record has no id, or a mapped key is absent', async () => {
    const collect = async (text: string, mapping: Record<string, string> = {}) => {
      const items: ImportItem[] = [];
      try {
        for await (const item of genericJsonImporter.read(textSource(text, 't.json'), { mapping }))
          items.push(item);
      } catch (error) {
        return { items, error };
      }
      return { items, error: null };
    };
    const noId = await collect('[{"name": "x", "created": "2025-01-01T00:00:00Z"}]');
    expect(noId.items).toEqual([]);
    expect(noId.error).toMatchObject({
      code: 'import.wrong_format',
      message: expect.stringMatching(/no ticket id key.*--map externalId=KEY/),
    });
    const typo = await collect('[{"id": 1, "created": "2025-01-01T00:00:00Z"}]', { subject: 'titel' });
    expect(typo.error).toMatchObject({ code: 'import.bad_mapping' });
    const csv = await collect('id,subject\n1,x\n');
    expect(csv.error).toMatchObject({ code: 'import.wrong_format' });
  });
});

describe('generic-json detection', () => {
  const detect = (head: string) => genericJsonImporter.detect(head, 'file.json');

  it('claims generic ticket JSON in every shape', () => {
    expect(detect(fixture('generic/tickets.json'))).toBe(true);
    expect(detect(fixture('generic/wrapped.json'))).toBe(true);
    expect(detect(fixture('generic/messages.jsonl'))).toBe(true);
  });

  it('leaves every vendor fixture, CSV and objects without text alone', () => {
    for (const vendor of ['zendesk', 'freshdesk', 'intercom', 'helpscout']) {
      for (const file of readdirSync(new URL(`${vendor}/`, fixturesDir))) {
        expect([vendor, file, detect(fixture(`${vendor}/${file}`))]).toEqual([vendor, file, false]);
      }
    }
    expect(detect('id,subject\n1,x')).toBe(false);
    expect(detect('[{"id": 1, "amount": 5}]')).toBe(false);
  });
});
