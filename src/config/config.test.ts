import { describe, expect, it } from 'vitest';
import { UserError } from '../shared/index.ts';
import { parseConfig } from './config.ts';

describe('parseConfig', () => {
  it('reads every section', () => {
    const config = parseConfig(
      [
        'nlu: { model: models/intents.json }',
        'workflows: { dir: workflows }',
        'guardrails:',
        '  maxExchangesWithoutProgress: 4',
        '  negativeSentimentBelow: -0.6',
        'connectors:',
        '  demo-shop: { baseUrl: "http://127.0.0.1:4010" }',
      ].join('\n'),
      'switchboard.yaml',
    );
    expect(config).toEqual({
      nlu: { model: 'models/intents.json' },
      workflows: { dir: 'workflows' },
      guardrails: { maxExchangesWithoutProgress: 4, negativeSentimentBelow: -0.6 },
      connectors: { 'demo-shop': { baseUrl: 'http://127.0.0.1:4010' } },
    });
    expect(parseConfig('', 'empty.yaml')).toEqual({});
  });

  it('names the file, line and field of a bad value', () => {
    const text = 'guardrails:\n  maxSameIntent: 1\n';
    expect(() => parseConfig(text, 'switchboard.yaml')).toThrow(UserError);
    try {
      parseConfig(text, 'switchboard.yaml');
    } catch (error) {
      expect((error as UserError).describe()).toMatch(/^switchboard\.yaml:2: guardrails\.maxSameIntent: /);
    }
  });

  it('lists every problem at once, and refuses unknown sections and YAML errors', () => {
    const text = 'guardrails:\n  minConfidence: 2\n  queue: 7\nmodels: {}\n';
    expect(() => parseConfig(text, 'c.yaml')).toThrow(
      /3 problems:[\s\S]*c\.yaml:2: guardrails\.minConfidence[\s\S]*c\.yaml:3: guardrails\.queue[\s\S]*models/,
    );
    expect(() => parseConfig('guardrails: [1,\n', 'c.yaml')).toThrow(UserError);
    expect(() => parseConfig('- a\n- b\n', 'c.yaml')).toThrow(/mapping of sections/);
  });
});
