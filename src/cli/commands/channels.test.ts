import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCommand } from '../testing.ts';
import { formatChannels, registerChannels } from './channels.ts';

const dir = mkdtempSync(join(tmpdir(), 'sb-channels-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('switchboard channels', () => {
  it('refuses a configuration whose channel secrets are not in the environment, naming each, with exit code 2', async () => {
    writeFileSync(
      join(dir, 'switchboard.yaml'),
      [
        'store: { url: ":memory:" }',
        'channels:',
        '  chat: { type: chatwoot, baseUrl: "https://chat.example.com", accountId: 1, botTokenEnv: CW_TOKEN, webhookSecretEnv: CW_SECRET }',
        '  support: { type: chatwoot, baseUrl: "https://chat.example.com" }',
      ].join('\n'),
    );
    const { code, stderr } = await runCommand(registerChannels, ['channels'], dir);
    expect(code).toBe(2);
    expect(stderr).toContain('channels.chat: the environment variable CW_TOKEN is not set');
    expect(stderr).toContain('channels.chat: the environment variable CW_SECRET is not set');
    expect(stderr).toContain('channels.support.accountId');
  });

  it('shows each channel, its webhook and what its helpdesk refused', () => {
    const text = formatChannels([
      {
        name: 'chat',
        type: 'chatwoot',
        mode: 'live',
        webhookPath: '/channels/chat/webhook',
        undelivered: [],
      },
      {
        name: 'desk',
        type: 'chatwoot',
        mode: 'shadow',
        webhookPath: '/channels/desk/webhook',
        undelivered: [
          {
            conversationId: 'desk:1:24',
            key: 'm:1',
            operation: 'reply',
            code: 'http_500',
            attempts: 6,
            failedAt: Date.parse('2026-12-07T10:00:00Z'),
            retryAt: Date.parse('2026-12-07T10:10:00Z'),
          },
        ],
      },
    ]);
    expect(text).toContain('chat             chatwoot  live    POST /channels/chat/webhook        0');
    expect(text).toContain('desk             chatwoot  shadow  POST /channels/desk/webhook        1');
    expect(text).toContain(
      '  desk:1:24 reply (m:1): http_500 after 6 attempt(s), 2026-12-07 10:00 UTC; next try 2026-12-07 10:10 UTC',
    );
    expect(formatChannels([])).toMatch(/^no channels/);
  });
});
