import { describe, expect, it } from 'vitest';
import { UserError } from '../../shared/index.ts';
import { textSource } from '../source.ts';
import { documentScanner } from './json-document-scanner.ts';
import type { JsonLayout } from './json-layout.ts';
import { firstJsonRecord, type JsonRecord, jsonRecords } from './json-records.ts';
import { chunkedSource, jsonl } from './test-helpers.ts';

const TICKETS: JsonLayout = { listPaths: [['tickets']], itemKeys: ['ticket'] };
const HAL: JsonLayout = {
  listPaths: [['_embedded', 'conversations']],
  isPage: (wrapper) => typeof wrapper.page === 'object',
};
/** Generic JSON's rule: an object with an id is a record, any other object wraps its first array of objects. */
const BY_ID: JsonLayout = { listPaths: [], isRecord: (value) => 'id' in value };

/** The records of `text`, handed out in chunks of `size` characters (the whole text when not given). */
async function read(text: string, layout: JsonLayout, size = text.length || 1): Promise<JsonRecord[]> {
  const chunks: string[] = [];
  for (let i = 0; i < text.length; i += size) chunks.push(text.slice(i, i + size));
  const out: JsonRecord[] = [];
  for await (const batch of jsonRecords(chunkedSource(chunks), layout)) out.push(...batch);
  return out;
}

const summary = (records: JsonRecord[]) =>
  records.map((r) => (r.kind === 'record' ? [r.line, r.where, r.value] : [r.line, r.reason]));

async function failure(text: string, layout: JsonLayout): Promise<{ error: unknown; records: number }> {
  let records = 0;
  try {
    for await (const batch of jsonRecords(textSource(text, 'in.json'), layout)) records += batch.length;
  } catch (error) {
    return { error, records };
  }
  return { error: undefined, records };
}

describe('jsonRecords: JSON Lines', () => {
  it('gives each record its physical line, skips blank lines and goes on after a bad line', async () => {
    const text = `{"id": 1}\n\n{"id": 2,\n{"id": 3}\r\n`;
    const records = await read(text, TICKETS);
    expect(summary(records)).toEqual([
      [1, null, { id: 1 }],
      [3, expect.stringMatching(/^invalid JSON: /)],
      [4, null, { id: 3 }],
    ]);
    expect(records.map((r) => r.raw)).toEqual(['{"id": 1}', '{"id": 2,', '{"id": 3}']);
  });

  it('counts LF, CRLF and a lone CR as one line break each, across chunk boundaries', async () => {
    const text = '{"id": 1}\r\n{"id": 2}\r{"id": 3}\n\r\n{"id": 4}';
    const whole = await read(text, TICKETS);
    expect(whole.map((r) => r.line)).toEqual([1, 2, 3, 5]);
    for (const size of [1, 2, 3, 10]) expect(await read(text, TICKETS, size)).toEqual(whole);
  });

  it('reads a line that is a page, a wrapper of one record, or an array', async () => {
    const text = jsonl({ tickets: [{ id: 1 }, { id: 2 }], users: [] }, { ticket: { id: 3 } }, [{ id: 4 }]);
    const records = await read(text, TICKETS);
    expect(summary(records)).toEqual([
      [1, 'record 1 on this line', { id: 1 }],
      [1, 'record 2 on this line', { id: 2 }],
      [2, null, { id: 3 }],
      [3, 'record 1 on this line', { id: 4 }],
    ]);
    expect(records[0]).toMatchObject({ raw: null, wrapper: { users: [] } });
    expect(records[2]).toMatchObject({ raw: '{"ticket":{"id":3}}' });
  });
});

describe('jsonRecords: documents', () => {
  const pretty = JSON.stringify({ tickets: [{ id: 1 }, { id: 2, tags: ['a', 'b'] }], next: null }, null, 2);

  it('streams the records of a wrapper, each with the line it starts on, whatever the chunk size', async () => {
    const whole = await read(pretty, TICKETS);
    expect(summary(whole)).toEqual([
      [3, 'record 1', { id: 1 }],
      [6, 'record 2', { id: 2, tags: ['a', 'b'] }],
    ]);
    for (const size of [1, 2, 7]) expect(await read(pretty, TICKETS, size)).toEqual(whole);
  });

  it('counts CRLF line ends once', async () => {
    expect(summary(await read(pretty.replace(/\n/g, '\r\n'), TICKETS))).toEqual(
      summary(await read(pretty, TICKETS)),
    );
  });

  it('reads bare arrays, arrays at a nested path, single records and documents one after another', async () => {
    const halPage = { _embedded: { conversations: [{ id: 'a' }] }, page: { number: 1 } };
    const emptyPage = { page: { number: 2 } };
    const text = `[{"id": 1}]\n${JSON.stringify(halPage)}\n${JSON.stringify(emptyPage)}\n{\n  "id": "b"\n}\n"x"`;
    expect(summary(await read(text, HAL))).toEqual([
      [1, 'record 1', { id: 1 }],
      [2, 'record 2', { id: 'a' }],
      [4, null, { id: 'b' }],
      [7, null, 'x'],
    ]);
  });

  it('reads literals and strings surrounded by white space, tabs and CRLF', async () => {
    const text = '[ 1 ,\t-2.5e3 ,\r\n true , null\t, "a b" , { "k" : false } ]';
    expect(summary(await read(text, TICKETS, 3)).map((r) => r[2])).toEqual([
      1,
      -2500,
      true,
      null,
      'a b',
      { k: false },
    ]);
  });

  it('keeps a record whose keys lead part of the way to a record array whole', async () => {
    const conversation = { id: 9, _embedded: { threads: [{ id: 1 }] }, status: 'active' };
    expect(summary(await read(JSON.stringify(conversation, null, 2), HAL))).toEqual([
      [1, null, conversation],
    ]);
  });

  it('reads a wrapper of one record, from the line the record starts on', async () => {
    expect(summary(await read('{\n  "ticket": {\n    "id": 5\n  }\n}', TICKETS))).toEqual([
      [2, null, { id: 5 }],
    ]);
  });

  it('hands side-loads that follow the records to every record, reading the document twice', async () => {
    const layout: JsonLayout = { ...TICKETS, sideKeys: ['users'] };
    const text = '{"tickets": [{"id": 1},\n{"id": 2}], "users": [{"id": 7}], "count": 2}';
    const records = await read(text, layout, 5);
    expect(summary(records)).toEqual([
      [1, 'record 1', { id: 1 }],
      [2, 'record 2', { id: 2 }],
    ]);
    for (const r of records) expect(r).toMatchObject({ wrapper: { users: [{ id: 7 }] } });
  });

  it('takes the first array of objects of an object without an id, and an object with one whole', async () => {
    const wrapped = '{"meta": {"n": 1}, "numbers": [1, 2], "items": [{"id": 1}], "more": [{"id": 2}]}';
    expect(summary(await read(wrapped, BY_ID))).toEqual([[1, 'record 1', { id: 1 }]]);
    const ticket = '{\n"id": 5,\n"messages": [{"body": "x"}]\n}';
    expect(summary(await read(ticket, BY_ID))).toEqual([[1, null, { id: 5, messages: [{ body: 'x' }] }]]);
  });
});

describe('jsonRecords: syntax errors in documents', () => {
  it('yields the records before the error, then one reject on the line of the error, and stops', async () => {
    const text = '[\n{"id": 1},\n{"id": 2, "at": oops},\n{"id": 3}\n]';
    const records = await read(text, TICKETS, 4);
    expect(summary(records)).toEqual([
      [2, 'record 1', { id: 1 }],
      [3, 'invalid JSON after record 1, the rest of the file was not read: expected a value but found "o"'],
    ]);
    expect(records[1]?.raw).toBe('{"id": 2, "at": oops},');
  });

  it.each([
    ['a line break inside a string', '[{"id": 1},\n{"id": "a\nb"}]', 2],
    ['a bad escape', '[{"id": 1},\n{"id": "\\x"}]', 2],
    ['a missing comma', '[{"id": 1}\n{"id": 2}]', 2],
    ['a literal that is not one', '[{"id": 1},\n{"id": tru}]', 2],
    ['the end of the file', '[{"id": 1},\n{"id": 2', 2],
    ['a wrong closing bracket', '[{"id": 1},\n{"id": 2]]', 2],
  ])('finds %s on its line', async (_name, text, line) => {
    const records = await read(text, TICKETS);
    expect(records.map((r) => [r.kind, r.line])).toEqual([
      ['record', 1],
      ['broken', line],
    ]);
  });

  it('throws import.invalid_json, with the line, when nothing could be read before the error', async () => {
    const { error, records } = await failure('{\n  "tickets": [\n    {"id": 1,,}\n  ]\n}\n', TICKETS);
    expect(records).toBe(0);
    expect(error).toBeInstanceOf(UserError);
    expect(error).toMatchObject({ code: 'import.invalid_json', location: { file: 'in.json', line: 3 } });
  });

  it('throws for an error anywhere in a document with side-loads, which its records need', async () => {
    const layout: JsonLayout = { ...TICKETS, sideKeys: ['users'] };
    const { error, records } = await failure('{"tickets": [{"id": 1}], "users": [}', layout);
    expect(records).toBe(0);
    expect(error).toMatchObject({ code: 'import.invalid_json' });
  });

  it('agrees with JSON.parse on what is valid, and on the values', () => {
    let seed = 1;
    const random = () => {
      seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
      return seed / 2_147_483_648;
    };
    const base = JSON.stringify(
      [{ id: 1, s: 'a"\\b\u00e9\n', n: -1.5e3, t: [true, false, null, {}], o: { k: [] } }, 'x', 0],
      null,
      1,
    );
    const edits = ['', ',', ']', '}', '[', '{', '"', ':', 'x', '\\', '\n', '0', '-', 'tru', '1.', '\\u12'];
    for (let round = 0; round < 3000; round++) {
      const at = Math.floor(random() * base.length);
      const edit = edits[Math.floor(random() * edits.length)] as string;
      const text = base.slice(0, at) + edit + base.slice(at + Math.floor(random() * 3));
      let expected: unknown[] | null;
      try {
        expected = JSON.parse(text) as unknown[];
      } catch {
        expected = null;
      }
      const events: Parameters<typeof documentScanner>[1] = [];
      const scanner = documentScanner({ listPaths: [] }, events);
      for (let i = 0; i < text.length; i += 5) scanner.feed(text.slice(i, i + 5), false);
      scanner.feed('', true);
      const failed = events.some((e) => e.kind === 'error');
      const values = events.flatMap((e) => (e.kind === 'record' ? [e.value] : []));
      // A value after the document (an edit past the closing bracket) is valid JSON streaming, not JSON.
      if (expected === null && !failed && values.length > 0) continue;
      expect([text, failed]).toEqual([text, expected === null]);
      if (Array.isArray(expected)) expect(values).toEqual(expected);
    }
  });

  it('reads a record far longer than a chunk in linear time', async () => {
    const body = 'ü'.repeat(2_000_000);
    const started = performance.now();
    const records = await read(`[{"id": 1, "body": "${body}"}, {"id": 2}]`, TICKETS, 16 * 1024);
    expect(performance.now() - started).toBeLessThan(5000);
    expect(records.map((r) => (r.kind === 'record' ? (r.value as { id: number }).id : r.reason))).toEqual([
      1, 2,
    ]);
  });
});

describe('firstJsonRecord', () => {
  it('finds the first record in a head, whatever the shape', () => {
    expect(firstJsonRecord('  [ {"id": 1} ]', BY_ID)).toEqual({ id: 1 });
    expect(firstJsonRecord('{"id": 1, "messages": [{"body": "x"}]}\n{"id": 2}', BY_ID)).toEqual({
      id: 1,
      messages: [{ body: 'x' }],
    });
    expect(firstJsonRecord('{"tickets": [{"id": 1}], "next": null}', BY_ID)).toEqual({ id: 1 });
    expect(firstJsonRecord('{\n "meta": {"id": 5},\n "tickets": [\n{"id": 9}, {"id"', BY_ID)).toEqual({
      id: 9,
    });
    expect(firstJsonRecord('{\n "id": 5,\n "messages": [{"body": "x"}]\n}\n', BY_ID)).toEqual({
      id: 5,
      messages: [{ body: 'x' }],
    });
    expect(firstJsonRecord('{\n "id": 5,\n "messages": [\n', BY_ID)).toBeUndefined();
    expect(firstJsonRecord('id,subject\n', BY_ID)).toBeUndefined();
  });
});
