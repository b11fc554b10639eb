import { describe, expect, it } from 'vitest';
import { demoTicketToRecord, generateDemoTickets } from '../demo/index.ts';
import { UserError } from '../shared/index.ts';
import { openSqliteStore } from '../store/sqlite/index.ts';
import type { StoredTicket } from '../store/store.ts';
import {
  leaveOutSmallLabels,
  parseTrainingJsonl,
  trainingExamplesFromStore,
  trainingExamplesFromTickets,
} from './training-data.ts';

const lines = (...rows: string[]) => rows.join('\n');

function userError(fn: () => unknown): UserError {
  try {
    fn();
  } catch (error) {
    if (error instanceof UserError) return error;
    throw error;
  }
  throw new Error('expected a UserError');
}

describe('parseTrainingJsonl', () => {
  it('reads examples and maps out-of-scope markers to the oos label', () => {
    const text = lines(
      '{"text":"where is my card","label":"card"}',
      '{"text":"card not here","label":"card"}',
      '',
      '{"text":"top up failed","label":"top_up"}',
      '{"text":"top up pending","label":"top_up"}',
      '{"text":"tell me a joke","label":"anything","in_scope":false}',
      '{"text":"sing a song","label":"oos"}',
    );
    const examples = parseTrainingJsonl(text, 'x.jsonl');
    expect(examples).toHaveLength(6);
    expect(examples[4]).toEqual({ text: 'tell me a joke', label: 'oos' });
  });

  it('names the file and line of a line that is not JSON', () => {
    const e = userError(() => parseTrainingJsonl('{"text":"a","label":"x"}\n{oops', 'data.jsonl'));
    expect(e.code).toBe('nlu.bad_training_line');
    expect(e.location).toEqual({ file: 'data.jsonl', line: 2 });
    expect(e.describe()).toBe('data.jsonl:2: this line is not JSON');
  });

  it('rejects a missing text or label, an empty file, a label with one example, a single intent', () => {
    expect(userError(() => parseTrainingJsonl('{"label":"x"}', 'f')).location).toMatchObject({
      line: 1,
      field: 'text',
    });
    expect(userError(() => parseTrainingJsonl('{"text":"hi"}', 'f')).location).toMatchObject({
      line: 1,
      field: 'label',
    });
    expect(userError(() => parseTrainingJsonl('\n\n', 'f')).code).toBe('nlu.empty_training_data');
    const one = userError(() =>
      parseTrainingJsonl(
        lines('{"text":"a","label":"x"}', '{"text":"b","label":"x"}', '{"text":"c","label":"y"}'),
        'f',
      ),
    );
    expect(one.code).toBe('nlu.label_too_small');
    expect(one.location).toMatchObject({ file: 'f', line: 3 });
    expect(
      userError(() => parseTrainingJsonl(lines('{"text":"a","label":"x"}', '{"text":"b","label":"x"}'), 'f'))
        .code,
    ).toBe('nlu.too_few_labels');
  });

  it('allows labels with one example in evaluation data', () => {
    expect(parseTrainingJsonl('{"text":"a","label":"x"}', 'f', { forTraining: false })).toHaveLength(1);
  });
});

describe('trainingExamplesFromTickets', () => {
  const ticket = (id: number, category: string | null, subject: string | null, bodies: [string, string][]) =>
    ({
      id,
      category,
      subject,
      messages: bodies.map(([role, body], seq) => ({ id: seq, seq, authorRole: role, body })),
    }) as unknown as StoredTicket;

  it('takes the subject and the first customer message of categorised tickets', () => {
    const examples = trainingExamplesFromTickets([
      ticket(1, 'refund', 'Refund please', [
        ['agent', 'Hello, how can we help?'],
        ['customer', 'I returned the shoes last week'],
        ['customer', 'any news?'],
      ]),
      ticket(2, null, 'No category', [['customer', 'hi']]),
      ticket(3, 'shipping', null, [['customer', 'Where is my parcel?']]),
      ticket(4, 'shipping', null, []),
    ]);
    expect(examples).toEqual([
      { text: 'Refund please\nI returned the shoes last week', label: 'refund' },
      { text: 'Where is my parcel?', label: 'shipping' },
    ]);
  });
});

describe('trainingExamplesFromStore', () => {
  it('reads every categorised ticket page by page and leaves out small categories', async () => {
    const store = await openSqliteStore({ path: ':memory:' });
    try {
      const records = [...generateDemoTickets({ tickets: 120, seed: 4 })].map(demoTicketToRecord);
      await store.upsertTickets(records, { origin: 'test' });
      const data = await trainingExamplesFromStore({ store, minExamples: 5, pageSize: 25 });
      expect(data.ticketsRead).toBe(120);
      expect(data.categorisedTickets).toBe(120);
      const counts = new Map<string, number>();
      for (const r of records) counts.set(r.category!, (counts.get(r.category!) ?? 0) + 1);
      const small = [...counts].filter(([, n]) => n < 5).map(([label]) => label);
      expect(data.leftOut.map((l) => l.label).sort()).toEqual(small.sort());
      expect(data.examples.length).toBe(120 - data.leftOut.reduce((a, l) => a + l.examples, 0));
      const first = records.find((r) => counts.get(r.category!)! >= 5)!;
      const firstCustomer = first.messages.find((m) => m.authorRole === 'customer')!.body.trim();
      expect(data.examples[0]).toEqual({
        text: [first.subject?.trim(), firstCustomer].filter((s) => s).join('\n'),
        label: first.category,
      });
      expect(
        (await trainingExamplesFromStore({ store, source: 'zendesk', minExamples: 5 })).ticketsRead,
      ).toBe(0);
    } finally {
      await store.close();
    }
  });

  it('keeps out-of-scope examples however few, and lists left-out labels largest first', () => {
    const ex = (label: string, n: number) =>
      Array.from({ length: n }, (_, i) => ({ text: `${label} ${i}`, label }));
    const { kept, leftOut } = leaveOutSmallLabels(
      [...ex('a', 5), ...ex('b', 2), ...ex('c', 3), ...ex('oos', 1)],
      5,
    );
    expect(kept.map((e) => e.label)).toEqual(['a', 'a', 'a', 'a', 'a', 'oos']);
    expect(leftOut).toEqual([
      { label: 'c', examples: 3 },
      { label: 'b', examples: 2 },
    ]);
  });
});
