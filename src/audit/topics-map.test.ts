import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { applyTopicsMap, type ListedTopic, loadTopicsMap, topicsMapYaml } from './topics-map.ts';

const dir = mkdtempSync(join(tmpdir(), 'topics-map-'));
let n = 0;
/** Writes `lines` to a fresh file and loads it. */
function mapFrom(...lines: string[]) {
  const path = join(dir, `map-${n++}.yaml`);
  writeFileSync(path, `${lines.join('\n')}\n`);
  return { path, load: () => loadTopicsMap(path, 'topics.yaml') };
}

const TOPICS = [
  { id: 0, name: 'password / reset' },
  { id: 1, name: 'parcel / late' },
  { id: 2, name: 'refund / money' },
  { id: 3, name: 'parcel / tracking' },
  { id: 4, name: 'weather / snow' },
];

describe('topics mapping files', () => {
  it('renames by id or name, merges into the smallest id, and sends "other" to -1', () => {
    const map = mapFrom(
      'rename:',
      '  0: password resets',
      '  "refund / money": refunds',
      '  4: other',
      'merge:',
      '  - topics: [3, "parcel / late"]',
      '    name: deliveries',
    ).load();
    const mapped = applyTopicsMap(map, TOPICS);
    expect(Object.fromEntries(mapped)).toEqual({
      0: { id: 0, name: 'password resets' },
      1: { id: 1, name: 'deliveries' },
      2: { id: 2, name: 'refunds' },
      3: { id: 1, name: 'deliveries' },
      4: { id: -1, name: 'other' },
    });
  });

  it('merges two topics renamed to the same name', () => {
    const map = mapFrom('rename:', '  1: deliveries', '  3: deliveries').load();
    expect(applyTopicsMap(map, TOPICS).get(3)).toEqual({ id: 1, name: 'deliveries' });
  });

  it('reads an empty file as no mapping', () => {
    const map = mapFrom('# nothing yet').load();
    expect(applyTopicsMap(map, TOPICS).get(2)).toEqual({ id: 2, name: 'refund / money' });
  });

  it.each([
    [['rename:', '  0: ok', '  9: nine'], 3, 'no topic 9: the topics are 0 to 4'],
    [['rename:', '  "parcel": x'], 2, 'no topic is named "parcel"'],
    [
      ['merge:', '  - topics: [0, 1]', '    name: a', '  - topics: [2, 1]', '    name: b'],
      4,
      'topic 1 is mapped twice',
    ],
    [
      ['rename:', '  1: x', 'merge:', '  - topics: [0, 1]', '    name: b'],
      4,
      'topic 1 is mapped twice (first on line 2)',
    ],
  ])('refuses a reference that is wrong, naming the line (%j)', (lines, line, message) => {
    const map = mapFrom(...lines).load();
    expect(() => applyTopicsMap(map, TOPICS)).toThrow(
      expect.objectContaining({
        message: expect.stringContaining(message),
        location: { file: 'topics.yaml', line },
      }),
    );
  });

  it('refuses a name that several topics share, asking for the id', () => {
    const map = mapFrom('rename:', '  "same": x').load();
    const topics = [
      { id: 0, name: 'same' },
      { id: 1, name: 'same' },
    ];
    expect(() => applyTopicsMap(map, topics)).toThrow(/names topics 0, 1: refer to one by its id/);
  });

  it('refuses a file written for other topics (the tickets or the seed changed)', () => {
    const map = mapFrom(
      'seed: 1',
      'topics:',
      '  - id: 0',
      '    name: password / reset',
      '  - id: 1',
      '    name: card / arrived',
      'rename: {}',
    ).load();
    expect(() => applyTopicsMap(map, TOPICS)).toThrow(
      expect.objectContaining({
        code: 'topics_map.stale',
        message: expect.stringContaining(
          'topic 1 was "card / arrived" when this file was written and is now "parcel / late"',
        ),
        location: { file: 'topics.yaml', line: 5, field: 'topics' },
      }),
    );
  });

  it.each([
    [['rename:', '  0: ""'], 'topics.yaml:2', 'rename.0'],
    [['merge:', '  - topics: [1]', '    name: x'], 'topics.yaml:2', 'merge.0.topics'],
    [['merge:', '  - topics: [0, 1]'], 'topics.yaml:2', 'merge.0.name'],
    [['renames:', '  0: x'], 'topics.yaml:1', ''],
    // An unclosed flow sequence is noticed where the file ends.
    [['rename: [0, 1'], 'topics.yaml:2', ''],
  ])('gives a structural mistake with file and line (%j)', (lines, where, field) => {
    const { load } = mapFrom(...lines);
    try {
      load();
      expect.unreachable();
    } catch (error) {
      const e = error as { code: string; location: { file: string; line?: number; field?: string } };
      expect(e.code).toMatch(/^(topics_map\.invalid|yaml\.syntax)$/);
      const loc = e.location.line ? `${e.location.file}:${e.location.line}` : e.location.file;
      expect(loc).toBe(where);
      if (field) expect(e.location.field).toBe(field);
    }
  });

  it('writes a starting file that loads back, and one that reproduces the mapping applied', () => {
    const listed: ListedTopic[] = TOPICS.map((t, i) => ({
      ...t,
      size: 50 - i,
      example: i === 0 ? `I forgot my password: "help" ${'x'.repeat(200)}\nplease` : 'text',
      category: t.name,
    }));
    const first = topicsMapYaml(7, listed);
    expect(first).toContain('# To rename or merge topics');
    expect(first).toMatch(/example: '.{100,120}\.\.\.'\n/);
    const { path } = mapFrom(first);
    const loaded = loadTopicsMap(path);
    expect(loaded.seed).toBe(7);
    expect(loaded.listed.map((t) => t.id)).toEqual([0, 1, 2, 3, 4]);
    expect(loaded.rename).toEqual([]);
    expect(loaded.merge).toEqual([]);

    const edited = listed.map((t) => ({
      ...t,
      category: t.id === 1 || t.id === 3 ? 'deliveries' : t.id === 0 ? 'password resets' : t.name,
    }));
    const again = loadTopicsMap(mapFrom(topicsMapYaml(7, edited)).path);
    expect(Object.fromEntries([...applyTopicsMap(again, TOPICS)].map(([id, m]) => [id, m.name]))).toEqual({
      0: 'password resets',
      1: 'deliveries',
      2: 'refund / money',
      3: 'deliveries',
      4: 'weather / snow',
    });
  });
});
