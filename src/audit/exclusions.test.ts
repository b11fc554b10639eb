import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { moneyAmount } from '../domain/index.ts';
import { extractEntities } from '../nlu/index.ts';
import { UserError } from '../shared/index.ts';
import { loadExclusionRules, matchExclusions } from './exclusions.ts';

const rules = loadExclusionRules();
const match = (text: string) => matchExclusions(text, extractEntities(text), rules);

describe('matchExclusions with the default rules', () => {
  it('flags a refund only when the stated amount is above the limit', () => {
    expect(match('I want a refund of $250 for the sofa')).toEqual(['refund_above_limit']);
    expect(match('I want a refund of $25 please')).toEqual([]);
    expect(match('Can I get a refund?')).toEqual([]);
  });

  it('catches security, legal, staff complaints and distress', () => {
    expect(match('My account has been hacked, there are orders I did not place.')).toEqual([
      'account_security',
    ]);
    expect(match('There is an unauthorised charge on my card')).toEqual(['account_security']);
    expect(match('Under GDPR I request a copy of my data')).toEqual(['legal_compliance']);
    expect(match('My lawyer will take you to court')).toEqual(['legal_compliance']);
    expect(match('The agent I spoke to yesterday was rude and hung up on me.')).toEqual(['staff_complaint']);
    expect(match("I can't cope with this anymore")).toEqual(['distress_safety']);
    expect(match("Come down to your warehouse and you'll regret it")).toEqual(['distress_safety']);
  });

  it('leaves routine requests alone', () => {
    expect(match('Where is my order #12345? It was due Monday.')).toEqual([]);
    expect(match('How do I reset my password?')).toEqual([]);
  });
});

describe('moneyAmount', () => {
  it('reads thousands separators and decimal commas', () => {
    expect(moneyAmount('$1,250.00')).toBe(1250);
    expect(moneyAmount('12,50 euros')).toBe(12.5);
    expect(moneyAmount('40 dollars')).toBe(40);
  });
});

describe('loadExclusionRules', () => {
  const dir = mkdtempSync(join(tmpdir(), 'excl-'));
  it('names the file and line of a schema error', () => {
    const file = join(dir, 'bad.yaml');
    writeFileSync(
      file,
      'rules:\n  - id: ok_rule\n    label: OK\n    patterns: ["x"]\n  - id: Bad Id\n    label: L\n    patterns: ["y"]\n',
    );
    const error = (() => {
      try {
        loadExclusionRules(file);
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(UserError);
    expect((error as UserError).describe()).toMatch(new RegExp(`^${file}:5: rules\\.1\\.id: `));
  });

  it('names the line of a YAML syntax error and of a bad pattern', () => {
    const syntax = join(dir, 'syntax.yaml');
    writeFileSync(syntax, 'rules:\n  - id: a\n    label: [unclosed\n');
    expect(() => loadExclusionRules(syntax)).toThrow(UserError);
    const pattern = join(dir, 'pattern.yaml');
    writeFileSync(
      pattern,
      'rules:\n  - id: a\n    label: A\n    patterns:\n      - "ok"\n      - "(unclosed"\n',
    );
    try {
      loadExclusionRules(pattern);
      expect.unreachable();
    } catch (e) {
      expect((e as UserError).describe()).toBe(`${pattern}:6: not a valid regular expression: (unclosed`);
    }
  });
});
