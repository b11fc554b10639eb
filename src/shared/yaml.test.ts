import { describe, expect, it } from 'vitest';
import { readYaml } from './yaml.ts';

// Ten levels, each a mapping that names the level before twice: 2^10 copies of the first.
const ALIAS_BOMB = Array.from({ length: 10 }, (_, i) =>
  i === 0 ? 'l0: &l0 { x: lol }' : `l${i}: &l${i} { a: *l${i - 1}, b: *l${i - 1} }`,
).join('\n');

describe('readYaml: the one YAML loader, with limits', () => {
  it('reads ordinary YAML, aliases included', () => {
    const read = readYaml({ text: 'a: &x [1, 2]\nb: *x\n', file: 'ok.yaml', code: 't.syntax' });
    expect(read.ok && read.value.value).toEqual({ a: [1, 2], b: [1, 2] });
  });

  it('refuses an alias bomb with the line of its first alias', () => {
    const read = readYaml({ text: ALIAS_BOMB, file: 'bomb.yaml', code: 't.syntax' });
    expect(read.ok).toBe(false);
    if (read.ok) return;
    expect(read.error.code).toBe('t.syntax');
    expect(read.error.describe()).toMatch(
      /^bomb\.yaml:2:\d+: the YAML's aliases \(\*name\) expand to too much data/,
    );
  });

  it('refuses a file nested deeper than the limit, and one larger than the limit', () => {
    const deep = `${'['.repeat(200)}${']'.repeat(200)}\n`;
    const d = readYaml({ text: deep, file: 'deep.yaml', code: 't.syntax' });
    expect(!d.ok && d.error.message).toBe('the YAML is nested more than 64 levels deep');
    const big = readYaml({
      text: `a: "${'x'.repeat(100)}"\n`,
      file: 'big.yaml',
      code: 't.syntax',
      limits: { maxBytes: 50 },
    });
    expect(!big.ok && big.error.message).toBe('the file is 106 bytes; YAML files are limited to 50 bytes');
  });

  it('a syntax error keeps its line and column', () => {
    const read = readYaml({ text: 'a: 1\nb: [\n', file: 'bad.yaml', code: 't.syntax' });
    expect(!read.ok && read.error.location).toMatchObject({ file: 'bad.yaml', line: 3 });
  });
});
