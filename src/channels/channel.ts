import type { z } from 'zod';
import type { ConnectorFailure } from '../connectors/index.ts';
import type { CustomerProfile, EscalationPriority } from '../domain/index.ts';
import type { Result } from '../shared/index.ts';

/**
 * A helpdesk Switchboard answers inside (Chatwoot, Zendesk, Intercom): its webhook deliveries become normalised
 * events, and the bot's replies, notes and hand-offs become its API calls. One interface, one contract suite
 * (`channel.suite.ts`) every implementation passes, as the store's two implementations pass the store suite.
 *
 * A channel decides nothing: `verify` and `parse` are pure (a request in, events or a problem out), `send` makes
 * one API call for one operation. What to do with an event (store the message, queue the turn, change the owner)
 * is `inbound.ts`'s; what to send and when is `outbound.ts`'s.
 */
export interface Channel {
  /** The name in `switchboard.yaml` (`channels.<name>`), the webhook's path segment and the conversations' prefix. */
  readonly name: string;
  readonly type: ChannelType;
  /** `shadow`: every reply goes out as a private note for an agent to send, edit or discard. */
  readonly mode: 'live' | 'shadow';
  /** What this helpdesk can do; shared code and the contract suite read these instead of checking the type. */
  readonly capabilities: ChannelCapabilities;
  /** Checks the delivery's signature (when a secret is configured); a problem is answered 401 and nothing is stored. */
  verify(request: WebhookRequest): Result<void, WebhookProblem>;
  /** The delivery's events; an event type the bot does not act on is ignored, with the reason. */
  parse(request: WebhookRequest): Result<ParsedDelivery, WebhookProblem>;
  /** One outbound operation: one API call (or two, for a hand-off that needs them), with the idempotency key. */
  send(conversation: string, operation: OutboundOperation, context: SendContext): Promise<SendResult>;
}

export type ChannelType = 'chatwoot' | 'zendesk' | 'intercom';

export interface ChannelCapabilities {
  /** A hand-off sets the helpdesk's priority (Intercom's API has no way to). */
  priority: boolean;
  /** Signatures cover a timestamp, so an old delivery replayed later is refused (Intercom signs the body alone). */
  timestampedSignatures: boolean;
}

export interface WebhookRequest {
  /** Header lookup, case-insensitive. */
  header(name: string): string | undefined;
  /** The body's bytes as they came (signatures are computed over them). */
  body: Uint8Array;
  /** When the request arrived (epoch ms): the age limit of signed timestamps. */
  receivedAt: number;
}

/** A delivery refused: 400 for a body that is not one this channel understands, 401 for a bad signature. */
export interface WebhookProblem {
  status: 400 | 401;
  code: string;
  detail: string;
  errors?: Array<{ field: string; message: string }>;
}

export interface ParsedDelivery {
  events: InboundEvent[];
  /** Why nothing in the delivery is acted on (an unknown event type, the bot's own message), when nothing is. */
  ignored?: string;
}

/** The helpdesk's conversation: `external` is the channel's own id (`<account>:<display id>` for Chatwoot). */
interface InboundBase {
  external: string;
  /** Stable across the helpdesk's retries of the same delivery: the deduplication key. */
  deliveryKey: string;
  /** The helpdesk's time of the event (epoch ms): stale status signals are recognised by it. */
  at: number;
}

/**
 * What a delivery means, whatever the helpdesk: a customer wrote; an agent wrote (publicly: they took over);
 * the helpdesk's own state says who owns the conversation now (`owner`) or that it is closed or reopened; the
 * customer answered a satisfaction survey.
 */
export type InboundEvent =
  | (InboundBase & {
      type: 'customer_message';
      messageId: string;
      text: string;
      customer: CustomerProfile;
      /**
       * Who the helpdesk says answers the conversation, when it says (Chatwoot: `pending` the bot, `open`
       * people): used when the conversation starts or reopens, and `human` silences the bot.
       */
      owner?: 'bot' | 'human';
    })
  | (InboundBase & {
      type: 'agent_message';
      messageId: string;
      text: string;
      agentId: string;
      private: boolean;
    })
  | (InboundBase & {
      type: 'status';
      /** `bot`: handed back to the bot; `human`: taken by people; `closed`; `open`: reopened. */
      signal: 'bot' | 'human' | 'closed' | 'open';
      /** Who did it: the agent's id in the helpdesk, or `helpdesk` when it does not say. */
      by: string;
    })
  | (InboundBase & { type: 'csat'; rating?: number; comment?: string; resolved?: boolean });

/** What Switchboard asks a helpdesk to do. */
export type OutboundOperation =
  /** A public reply to the customer (choices, when the line has them, are in the text and may become buttons). */
  | { type: 'reply'; text: string; choices?: readonly string[] }
  /** A private note, for agents only. */
  | { type: 'note'; text: string }
  /**
   * To people: the escalation's tags, the queue as the helpdesk's team or group when the channel maps it, the
   * priority, the helpdesk's "needs a person" status. (The packet goes first, as a `note` of its own.)
   */
  | {
      type: 'handoff';
      code: string;
      queue: string;
      priority: EscalationPriority;
      tags: readonly string[];
    }
  /** Back to the bot (an agent handed back in Switchboard). */
  | { type: 'handBack' }
  /** The bot resolved the request: the helpdesk's resolved / solved / closed. */
  | { type: 'close' }
  | { type: 'tag'; tags: readonly string[] };

export interface SendContext {
  /** Carried by the request (an `Idempotency-Key` header) and stable across every retry of the operation. */
  idempotencyKey: string;
  signal: AbortSignal;
}

/** The helpdesk's id of what was created (a message id), when it gives one. */
export type SendResult = Result<{ externalId?: string }, ConnectorFailure>;

/** One channel type: its configuration schema and how to build the channel from a checked configuration. */
export interface ChannelDefinition<C> {
  type: ChannelType;
  /** The configuration under `channels.<name>`, `type` and `mode` excluded. Secrets are named, never written. */
  config: z.ZodType<C>;
  /** The environment variables holding the API token and, when deliveries are signed, the webhook secret. */
  credentialVariables(config: C): { token: string; webhookSecret?: string | undefined };
  create(props: {
    name: string;
    mode: 'live' | 'shadow';
    config: C;
    /** The values of `credentialVariables`, read from the environment by the registry. */
    credentials: ChannelCredentials;
  }): Channel;
}

export interface ChannelCredentials {
  token: string;
  /** Absent: deliveries are not signature-checked. */
  webhookSecret?: string;
}

/** Builds a definition with its config type checked against its schema. */
export function defineChannel<C>(definition: ChannelDefinition<C>): ChannelDefinition<C> {
  return definition;
}
