import { z } from 'zod';
import { UserError } from '../shared/index.ts';
import type { Channel, ChannelDefinition, ChannelType } from './channel.ts';
import { chatwootChannel } from './chatwoot/chatwoot-channel.ts';
import { intercomChannel } from './intercom/intercom-channel.ts';
import { zendeskChannel } from './zendesk/zendesk-channel.ts';

/** The channel types this build ships. */
const DEFINITIONS: ReadonlyArray<ChannelDefinition<unknown>> = [
  chatwootChannel as ChannelDefinition<unknown>,
  intercomChannel as ChannelDefinition<unknown>,
  zendeskChannel as ChannelDefinition<unknown>,
];

const CHANNEL_NAME = /^[a-z0-9][a-z0-9_-]{0,39}$/;

const Common = z.object({
  type: z.enum(DEFINITIONS.map((d) => d.type) as [ChannelType, ...ChannelType[]], {
    error: `one of ${DEFINITIONS.map((d) => d.type).join(', ')}`,
  }),
  /** `shadow`: replies go out as private drafts for agents; the bot never answers the customer itself. */
  mode: z.enum(['live', 'shadow']).default('live'),
});

/**
 * The deployment's `channels` section, checked: each entry by its type's schema, each secret it names present
 * in the environment. Every problem is listed at once, with the field it is about; secret values never appear.
 *
 * @example
 * // switchboard.yaml
 * //   channels:
 * //     chat: { type: chatwoot, baseUrl: https://chat.example.com, accountId: 1, botTokenEnv: CHATWOOT_BOT_TOKEN }
 * const channels = buildChannels({ config: config.channels ?? {}, env: process.env });
 * channels.get('chat')?.type; // 'chatwoot'
 */
export function buildChannels(props: {
  config: Readonly<Record<string, unknown>>;
  env: Readonly<Record<string, string | undefined>>;
}): ReadonlyMap<string, Channel> {
  const problems: string[] = [];
  const built = new Map<string, Channel>();
  for (const [name, raw] of Object.entries(props.config)) {
    if (!CHANNEL_NAME.test(name)) {
      problems.push(
        `channels.${name}: a channel name is lower-case letters, digits, - and _ (it is part of URLs)`,
      );
      continue;
    }
    const common = Common.safeParse(raw);
    if (!common.success) {
      problems.push(
        ...common.error.issues.map((i) => `channels.${name}.${i.path.join('.') || '(entry)'}: ${i.message}`),
      );
      continue;
    }
    const definition = DEFINITIONS.find((d) => d.type === common.data.type) as ChannelDefinition<unknown>;
    const { type: _type, mode: _mode, ...rest } = raw as Record<string, unknown>;
    const config = definition.config.safeParse(rest);
    if (!config.success) {
      problems.push(
        ...config.error.issues.map((i) =>
          i.code === 'unrecognized_keys'
            ? `channels.${name}: unknown field ${i.keys.join(', ')}`
            : `channels.${name}.${i.path.join('.') || '(entry)'}: ${i.message}`,
        ),
      );
      continue;
    }
    const variables = definition.credentialVariables(config.data);
    const read = (variable: string | undefined) => {
      if (variable === undefined) return undefined;
      const value = props.env[variable];
      if (!value)
        problems.push(
          `channels.${name}: the environment variable ${variable} is not set (it holds a token or secret)`,
        );
      return value;
    };
    const token = read(variables.token);
    const webhookSecret = read(variables.webhookSecret);
    if (problems.length > 0 || token === undefined) continue;
    built.set(
      name,
      definition.create({
        name,
        mode: common.data.mode,
        config: config.data,
        credentials: { token, ...(webhookSecret ? { webhookSecret } : {}) },
      }),
    );
  }
  if (problems.length > 0) {
    throw new UserError(
      'config.invalid',
      problems.length === 1
        ? (problems[0] as string)
        : `${problems.length} problems:\n  ${problems.join('\n  ')}`,
      { field: 'channels' },
    );
  }
  return built;
}
