import { describe, expect, it } from 'vitest';
import { UserError } from '../shared/index.ts';
import { parseConfig } from './config.ts';

describe('parseConfig', () => {
  it('reads every section', () => {
    const config = parseConfig(
      [
        'store: { url: data/switchboard.db }',
        'workflows: { dir: workflows }',
        'guardrails:',
        '  maxExchangesWithoutProgress: 4',
        '  negativeSentimentBelow: -0.6',
        'connectors:',
        '  demo-shop: { baseUrl: "http://127.0.0.1:4010" }',
        'server:',
        '  port: 9090',
        '  corsOrigins: [https://shop.example]',
        'jobs: { concurrency: 4 }',
      ].join('\n'),
      'switchboard.yaml',
    );
    expect(config).toEqual({
      store: { url: 'data/switchboard.db' },
      workflows: { dir: 'workflows' },
      guardrails: { maxExchangesWithoutProgress: 4, negativeSentimentBelow: -0.6 },
      connectors: { 'demo-shop': { baseUrl: 'http://127.0.0.1:4010' } },
      server: {
        host: '127.0.0.1',
        port: 9090,
        corsOrigins: ['https://shop.example'],
        bodyLimitBytes: 65_536,
        rateLimit: { perKeyPerMinute: 600, perAddressPerMinute: 300 },
        trustProxy: false,
        webhookBodyLimitBytes: 524_288,
        demoPage: false,
      },
      jobs: { concurrency: 4, pollIntervalMs: 1000, recoveryIntervalSeconds: 5 },
    });
    expect(parseConfig('', 'empty.yaml')).toEqual({});
  });

  it('reads privacy.redact (on unless set to false) and refuses other privacy keys', () => {
    expect(parseConfig('privacy: { redact: false }\n', 'switchboard.yaml').privacy).toEqual({
      redact: false,
    });
    expect(parseConfig('privacy: {}\n', 'switchboard.yaml').privacy).toEqual({ redact: true });
    expect(() => parseConfig('privacy: { redcat: false }\n', 'switchboard.yaml')).toThrow(UserError);
  });

  it('says where models went, and refuses two workflow sources', () => {
    expect(() => parseConfig('nlu: { model: models/intents.json }\n', 'switchboard.yaml')).toThrow(
      /switchboard nlu import FILE --activate/,
    );
    expect(() => parseConfig('workflows: { dir: w, demo: true }\n', 'switchboard.yaml')).toThrow(
      /either dir or demo: true/,
    );
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
