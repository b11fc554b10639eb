import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { createEntityExtractor, entityOptionsOf } from '../nlu/index.ts';
import { UserError } from '../shared/index.ts';
import { loadEntityPatternsFile, parseEntityPatterns } from './nlu-config.ts';

function failure(text: string): UserError {
  try {
    parseEntityPatterns(text, 'entities.yaml');
  } catch (error) {
    if (error instanceof UserError) return error;
    throw error;
  }
  throw new Error('expected a UserError');
}

describe('entity patterns file', () => {
  it('reads replace and add sections into a working extractor', () => {
    const dir = mkdtempSync(join(tmpdir(), 'nlu-entities-'));
    const file = join(dir, 'entities.yaml');
    writeFileSync(
      file,
      [
        '# the shop numbers its orders SO-123456',
        'replace:',
        "  order_number: '\\bSO-\\d{6}\\b'",
        '  phone: []',
        'add:',
        '  account_id:',
        "    - '\\bCUST-\\d{5}\\b'",
        '',
      ].join('\n'),
    );
    const config = loadEntityPatternsFile(file);
    expect(config).toEqual({
      replace: { order_number: ['\\bSO-\\d{6}\\b'], phone: [] },
      add: { account_id: ['\\bCUST-\\d{5}\\b'] },
    });
    const extract = createEntityExtractor(entityOptionsOf(config));
    const found = extract(
      'Order SO-123456, customer CUST-00412, account number 99887766, call +44 20 7946 0958',
    );
    expect(found.map((e) => [e.type, e.value])).toEqual([
      ['order_number', 'SO-123456'],
      ['account_id', 'CUST-00412'],
      ['account_id', '99887766'],
    ]);
  });

  it('takes an empty file as the defaults', () => {
    expect(parseEntityPatterns('# nothing yet\n', 'entities.yaml')).toEqual({ replace: {}, add: {} });
  });

  it('reports an invalid regular expression at its own line', () => {
    const e = failure(
      [
        'replace:',
        "  order_number: '\\bSO-\\d{6}\\b'",
        '  sku:',
        "    - 'SKU-\\d+'",
        "    - 'SKU-(\\d+'",
        '',
      ].join('\n'),
    );
    expect(e.code).toBe('nlu.entities_bad_pattern');
    expect(e.describe()).toMatch(
      /^entities\.yaml:5: replace\.sku\.1: not a valid regular expression: .*Unterminated group/,
    );
    const single = failure(['add:', "  invoice_id: '[INV'", ''].join('\n'));
    expect(single.describe()).toMatch(/^entities\.yaml:2: add\.invoice_id: not a valid regular expression/);
  });

  it('refuses a pattern that matches the empty string', () => {
    expect(failure("replace:\n  order_number: '\\d*'\n").describe()).toMatch(
      /^entities\.yaml:2: replace\.order_number: .*matches the empty string/,
    );
  });

  it('names the line and field of a schema problem', () => {
    expect(failure("replace:\n  order_number: 'x'\nreplce:\n  sku: 'y'\n").describe()).toBe(
      'entities.yaml:3: replce: unknown key "replce" (expected "replace" or "add")',
    );
    expect(failure("add:\n  Order Number: 'x'\n").describe()).toMatch(
      /^entities\.yaml:2: add\.Order Number: an entity type is lowercase letters/,
    );
    expect(failure("add:\n  sku: 'x'\n  Order Number:\n    - 'y'\n").describe()).toMatch(
      /^entities\.yaml:3: /,
    );
    expect(failure('replace:\n  order_number: 42\n').describe()).toMatch(
      /^entities\.yaml:2: replace\.order_number: expected a regular expression/,
    );
    expect(failure('replace: [\n').code).toBe('yaml.syntax');
  });

  it('says which file it cannot read', () => {
    expect(() => loadEntityPatternsFile('/nonexistent/entities.yaml')).toThrow(/cannot read/);
  });
});
