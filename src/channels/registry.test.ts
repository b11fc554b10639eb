import { describe, expect, it } from 'vitest';
import { buildChannels } from './registry.ts';

const chatwoot = {
  type: 'chatwoot',
  baseUrl: 'https://chat.example.com',
  accountId: 1,
  botTokenEnv: 'CW_TOKEN',
};

describe('buildChannels', () => {
  it('builds each configured channel with its mode', () => {
    const channels = buildChannels({
      config: { chat: chatwoot, drafts: { ...chatwoot, mode: 'shadow' } },
      env: { CW_TOKEN: 'token' },
    });
    expect([...channels.values()].map((c) => [c.name, c.type, c.mode])).toEqual([
      ['chat', 'chatwoot', 'live'],
      ['drafts', 'chatwoot', 'shadow'],
    ]);
  });

  it('lists every problem at once, with the field, and never a secret value', () => {
    let message = '';
    try {
      buildChannels({
        config: {
          'Bad Name': chatwoot,
          nokind: { baseUrl: 'https://x.example' },
          typo: { ...chatwoot, acountId: 2 },
          noenv: { ...chatwoot, botTokenEnv: 'MISSING_TOKEN', webhookSecretEnv: 'MISSING_SECRET' },
          badurl: { ...chatwoot, baseUrl: 'ftp://x' },
        },
        env: { CW_TOKEN: 'super-secret-token-value' },
      });
    } catch (error) {
      expect(error).toMatchObject({ kind: 'user', code: 'config.invalid' });
      message = (error as Error).message;
    }
    expect(message).toMatch(/^6 problems:/);
    expect(message).toContain('channels.Bad Name: a channel name is lower-case');
    expect(message).toContain('channels.nokind.type: one of chatwoot');
    expect(message).toContain('channels.typo: unknown field acountId');
    expect(message).toContain('channels.noenv: the environment variable MISSING_TOKEN is not set');
    expect(message).toContain('channels.noenv: the environment variable MISSING_SECRET is not set');
    expect(message).toContain('channels.badurl.baseUrl');
    expect(message).not.toContain('super-secret-token-value');
  });
});
