import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger, logLevelFromEnv } from './logger.ts';

function captured(level = 'debug') {
  const lines: string[] = [];
  const logger = createLogger({
    level,
    destination: new Writable({
      write(chunk, _encoding, done) {
        lines.push(String(chunk));
        done();
      },
    }),
  });
  return { logger, text: () => lines.join('') };
}

const PLANTED = [
  'ann.lee@example.com',
  '4111 1111 1111 1111',
  '+44 20 7946 0958',
  '123-45-6789',
  'tok_live_9f8e7d6c5b4a',
];

describe('createLogger', () => {
  it('keeps personal data and credentials out of every field and message', () => {
    const { logger, text } = captured();
    logger.warn(
      {
        code: 'connector_error',
        error: 'refused for ann.lee@example.com (card 4111 1111 1111 1111)',
        detail: { header: 'Bearer tok_live_9f8e7d6c5b4a', phones: ['+44 20 7946 0958'] },
        cause: new Error('SSN 123-45-6789 rejected'),
        token: 'tok_live_9f8e7d6c5b4a',
      },
      'call failed for ann.lee@example.com',
    );
    const log = text();
    expect(log).toContain('connector_error');
    expect(log).toContain('[card ending 1111]');
    for (const planted of PLANTED) expect(log).not.toContain(planted);
  });

  it('logs at the level it is given, from SWITCHBOARD_LOG_LEVEL', () => {
    const { logger, text } = captured(logLevelFromEnv({ SWITCHBOARD_LOG_LEVEL: 'warn' }));
    logger.info({ n: 1 }, 'not shown');
    logger.warn({ n: 2 }, 'shown');
    expect(text()).not.toContain('not shown');
    expect(text()).toContain('shown');
    expect(logLevelFromEnv({})).toBe('info');
    expect(() => logLevelFromEnv({ SWITCHBOARD_LOG_LEVEL: 'loud' })).toThrow(/one of fatal, error, warn/);
  });
});
