import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { memoryIo } from '../io.ts';
import { main } from '../main.ts';
import { runCommand } from '../testing.ts';
import { registerTopics } from './topics.ts';

/** Runs `switchboard topics ...` in-process with its own program (main.ts wires the command in separately). */
async function run(args: string[], cwd: string) {
  return runCommand((program, io) => registerTopics(program, io), args, cwd);
}

/** A directory holding `data.jsonl` with the given content. */
function withData(content: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'topics-cli-'));
  writeFileSync(join(dir, 'data.jsonl'), content);
  return dir;
}

const themed = (): string => {
  const rows: string[] = [];
  for (let i = 0; i < 12; i++) {
    rows.push(JSON.stringify({ text: `reset my password please ${['now', 'today', 'urgently'][i % 3]}` }));
    rows.push(JSON.stringify({ text: `where is my parcel delivery ${['late', 'lost', 'missing'][i % 3]}` }));
  }
  return `${rows.join('\n')}\n`;
};

describe('switchboard topics', () => {
  it('writes one {"topic", "name"} line per input, in order', async () => {
    const result = await run(
      ['topics', '--data', 'data.jsonl', '--k', '2', '--seed', '4'],
      withData(themed()),
    );
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    const lines = result.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(lines).toHaveLength(24);
    for (const line of lines) {
      expect(typeof line.topic).toBe('number');
      expect(typeof line.name).toBe('string');
    }
    // Inputs alternate password / parcel: so must the topics.
    expect(new Set(lines.filter((_, i) => i % 2 === 0).map((l) => l.topic)).size).toBe(1);
    expect(new Set(lines.filter((_, i) => i % 2 === 1).map((l) => l.topic)).size).toBe(1);
    expect(lines[0].topic).not.toBe(lines[1].topic);
    expect(lines[0].name).toContain('password');
    expect(lines[1].name).toMatch(/parcel|delivery/);
  });

  it('in a terminal: a progress bar and a one-line summary on stderr; stdout stays the JSON Lines', async () => {
    const dir = withData(themed());
    const m = memoryIo({}, dir);
    m.io.stderr.isTTY = true;
    const args = ['node', 'switchboard', 'topics', '--data', 'data.jsonl', '--k', '2', '--seed', '4'];
    expect(await main(args, m.io)).toBe(0);
    expect(m.stderr()).toMatch(/topics .*\d+% \| \d\/\d stages/);
    expect(m.stderr()).toMatch(/24 texts in 2 topics \(0 in "other"\) in \d+\.\d s\n$/);
    expect(m.stdout().trim().split('\n')).toHaveLength(24);
    // Not a terminal (a pipe, a log): nothing but the JSON Lines.
    const piped = await run(['topics', '--data', 'data.jsonl', '--k', '2', '--seed', '4'], dir);
    expect(piped.stderr).toBe('');
    expect(piped.stdout).toBe(m.stdout());
  });

  it('accepts --k auto and --min-size', async () => {
    const result = await run(
      ['topics', '--data', 'data.jsonl', '--k', 'auto', '--min-size', '3'],
      withData(themed()),
    );
    expect(result.code).toBe(0);
    expect(result.stdout.trim().split('\n')).toHaveLength(24);
  });

  it.each([
    ['a line that is not JSON', '{"text":"ok"}\nnot json\n', 'data.jsonl:2'],
    ['a line without text', '{"text":"ok"}\n\n{"body":"x"}\n', 'data.jsonl:3'],
    ['an empty file', '\n', 'data.jsonl:1'],
  ])('exits 2 on %s, naming file and line', async (_, content, where) => {
    const result = await run(['topics', '--data', 'data.jsonl'], withData(content));
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(where);
  });

  it('exits 2 on a bad --k or a missing file', async () => {
    const dir = withData(themed());
    for (const k of ['0', 'many', '-3']) {
      const result = await run(['topics', '--data', 'data.jsonl', '--k', k], dir);
      expect(result.code).toBe(2);
      expect(result.stderr).toContain('--k');
    }
    expect((await run(['topics', '--data', 'nope.jsonl'], dir)).code).toBe(2);
  });

  it('writes a starting map with --map-out and applies an edited one with --topics-map', async () => {
    const dir = withData(themed());
    const first = await run(
      ['topics', '--data', 'data.jsonl', '--k', '2', '--seed', '4', '--map-out', 'map.yaml'],
      dir,
    );
    expect(first.code).toBe(0);
    const written = readFileSync(join(dir, 'map.yaml'), 'utf8');
    expect(written).toContain('seed: 4');
    const before = first.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { topic: number; name: string });
    const passwordTopic = before[0]!.topic;
    writeFileSync(
      join(dir, 'edited.yaml'),
      written.replace('rename: {}', `rename:\n  ${passwordTopic}: passwords`),
    );
    // The seed comes from the map.
    const second = await run(
      ['topics', '--data', 'data.jsonl', '--k', '2', '--topics-map', 'edited.yaml'],
      dir,
    );
    expect(second.stderr).toBe('');
    const after = second.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as { topic: number; name: string });
    expect(after[0]).toEqual({ topic: passwordTopic, name: 'passwords' });
    expect(after[1]).toEqual(before[1]);

    writeFileSync(
      join(dir, 'merged.yaml'),
      written.replace('merge: []', 'merge:\n  - topics: [0, 1]\n    name: all'),
    );
    const merged = await run(
      ['topics', '--data', 'data.jsonl', '--k', '2', '--topics-map', 'merged.yaml'],
      dir,
    );
    expect(new Set(merged.stdout.trim().split('\n'))).toEqual(new Set(['{"topic":0,"name":"all"}']));

    const clash = await run(
      ['topics', '--data', 'data.jsonl', '--k', '2', '--seed', '5', '--topics-map', 'edited.yaml'],
      dir,
    );
    expect(clash.code).toBe(2);
    expect(clash.stderr).toContain('--seed: the topics map was written with seed 4');
    writeFileSync(join(dir, 'bad.yaml'), 'rename:\n  7: x\n');
    const bad = await run(['topics', '--data', 'data.jsonl', '--k', '2', '--topics-map', 'bad.yaml'], dir);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe('error: bad.yaml:2: no topic 7: the topics are 0 to 1\n');
  });
});
