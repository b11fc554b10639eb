import { z } from 'zod';
import type { ConversationService, TurnPlan } from '../conversations/index.ts';
import type { JobHandler, JobOutcome } from '../jobs/index.ts';
import { type Clock, err, type Logger, ok, type Result, silentLogger, UserError } from '../shared/index.ts';
import type { ClaimedJob, JobRequest, Store, StoredConversation } from '../store/index.ts';
import type { Channel, InboundEvent, WebhookProblem, WebhookRequest } from './channel.ts';
import {
  DELIVERED_EVENT,
  DELIVERY_FAILED_EVENT,
  deliveryIdempotencyKey,
  planDeliveries,
} from './outbound.ts';

export const CHANNEL_QUEUES = {
  /** Apply one normalised webhook event: store the message and queue its turn, or change the owner. */
  inbound: 'channel.inbound',
  /** Do in the helpdesk what a conversation still owes it (replies, notes, hand-offs), in order. */
  deliver: 'channel.deliver',
} as const;

/** The event recording a status signal applied from a helpdesk, with the helpdesk's time (for ordering). */
const SIGNAL_EVENT = 'channel.signal';
/** A delivery the helpdesk keeps refusing is tried again this long after its job gave up... */
export const PARKED_RETRY_MS = 10 * 60_000;
/** ... for this long after the line was written; then it stays undelivered, with its failure event. */
export const PARKED_RETRY_FOR_MS = 24 * 3600_000;
/** A delivery's attempts before it is parked (backoff 1 s, 2 s, 4 s, 8 s, 16 s between them). */
export const DELIVERY_ATTEMPTS = 6;

/** A conversation's id in Switchboard: the channel's name and the helpdesk's own id. */
export function conversationIdOf(channel: string, external: string): string {
  return `${channel}:${external}`;
}

/** The helpdesk's id of a conversation of `channel` (the inverse of `conversationIdOf`). */
export function externalIdOf(channel: string, conversationId: string): string {
  return conversationId.slice(channel.length + 1);
}

const InboundPayload = z.object({
  channel: z.string().min(1),
  event: z
    .object({ type: z.string(), external: z.string(), deliveryKey: z.string(), at: z.number() })
    .loose(),
});
const DeliverPayload = z.object({ conversationId: z.string().min(1) });

export interface UndeliveredOperation {
  conversationId: string;
  /** What it delivers: `m:<seq>` a line, `h:<id>` a hand-off, `s:<event id>` a close. */
  key: string;
  operation: string;
  code: string;
  attempts: number;
  failedAt: number;
  /** When the parked retry runs; null when none will (a refusal that retrying cannot fix, or too old). */
  retryAt: number | null;
}

export interface ChannelStatus {
  name: string;
  type: Channel['type'];
  mode: Channel['mode'];
  /** Where the helpdesk posts its webhooks. */
  webhookPath: string;
  undelivered: UndeliveredOperation[];
}

export interface AcceptedDelivery {
  /** Events queued (duplicates of earlier deliveries are dropped by their key). */
  queued: number;
  ignored?: string;
}

/**
 * The helpdesk channels at work: a webhook delivery is checked and turned into jobs in one short write (the
 * helpdesk gets its answer in milliseconds, whatever the turn costs), each event is applied by a job keyed by its
 * delivery key (three deliveries of one message: one job), and what a turn says goes out by a delivery job,
 * retried with backoff, parked and retried later when the helpdesk stays down, never sent twice once recorded.
 *
 * @example
 * const service = createChannelService({ store, conversations, channels, clock, logger });
 * const accepted = await service.accept('chat', { header, body, receivedAt: Date.now() });
 * // handlers for the runner:
 * const handlers = { ...conversations.jobHandlers(), ...service.jobHandlers() };
 */
export interface ChannelService {
  readonly channels: ReadonlyMap<string, Channel>;
  /** Each channel with the deliveries its helpdesk refused and that have not gone out since: what an operator checks. */
  status(): Promise<ChannelStatus[]>;
  /** Queues a delivery now for every conversation with an undelivered operation (the helpdesk is back); how many. */
  retryUndelivered(): Promise<number>;
  /**
   * The delivery job of a change made outside a turn (an agent's reply or hand-back in the inbox), to write with
   * the change; none for a conversation whose channel is not a helpdesk.
   */
  deliveryJobs(conversation: StoredConversation): JobRequest[];
  /** Verifies and parses a delivery and queues its events; a problem (401, 400) stores nothing. */
  accept(name: string, request: WebhookRequest): Promise<Result<AcceptedDelivery, WebhookProblem | null>>;
  jobHandlers(): Record<string, JobHandler>;
}

/**
 * The delivery jobs a turn asks for, written in the turn's own transaction: a turn of a helpdesk conversation
 * that says something or hands off (pure; the conversation service calls it while committing).
 */
export function deliveryJobsOf(channels: ReadonlyMap<string, Channel>) {
  return (conversation: StoredConversation, plan: TurnPlan): JobRequest[] => {
    if (!channels.has(conversation.channel)) return [];
    if (plan.bot.length === 0 && !plan.escalation && plan.status !== 'resolved') return [];
    return [deliverJob(conversation.id, `r${conversation.revision + 1}`)];
  };
}

function deliverJob(conversationId: string, suffix: string, runAt?: number): JobRequest {
  return {
    queue: CHANNEL_QUEUES.deliver,
    payload: { conversationId },
    key: `deliver:${conversationId}:${suffix}`,
    exclusiveKey: conversationId,
    maxAttempts: DELIVERY_ATTEMPTS,
    ...(runAt !== undefined ? { runAt } : {}),
  };
}

export function createChannelService(props: {
  store: Store;
  conversations: ConversationService;
  channels: ReadonlyMap<string, Channel>;
  clock: Clock;
  logger?: Logger;
}): ChannelService {
  const { store, conversations, channels, clock } = props;
  const logger = props.logger ?? silentLogger;

  async function accept(
    name: string,
    request: WebhookRequest,
  ): Promise<Result<AcceptedDelivery, WebhookProblem | null>> {
    const channel = channels.get(name);
    if (!channel) return err(null);
    const verified = channel.verify(request);
    if (!verified.ok) {
      logger.warn({ channel: name, code: verified.error.code }, 'webhook refused');
      return verified;
    }
    const parsed = channel.parse(request);
    if (!parsed.ok) {
      logger.warn({ channel: name, code: parsed.error.code }, 'webhook refused');
      return parsed;
    }
    const { events, ignored } = parsed.value;
    await store.jobs.enqueue(
      events.map((event) => ({
        queue: CHANNEL_QUEUES.inbound,
        payload: { channel: name, event },
        key: `inbound:${name}:${event.deliveryKey}`,
        exclusiveKey: conversationIdOf(name, event.external),
      })),
    );
    return ok({ queued: events.length, ...(ignored ? { ignored } : {}) });
  }

  /** The channel of a job's payload; one no longer configured is a UserError (dead-lettered at once). */
  function channelOf(name: string): Channel {
    const channel = channels.get(name);
    if (!channel) {
      throw new UserError('channel.unknown', `no channel ${JSON.stringify(name)} is configured any more`);
    }
    return channel;
  }

  async function apply(channel: Channel, event: InboundEvent, job: ClaimedJob): Promise<void> {
    const id = conversationIdOf(channel.name, event.external);
    const by = `channel:${channel.name}`;
    const at = clock.now();
    if (event.type === 'customer_message') {
      let conversation = await store.findConversation(id);
      if (!conversation) {
        conversation = await conversations.start({
          id,
          customer: event.customer,
          channel: channel.name,
          idempotencyKey: id,
        });
      }
      // The helpdesk says people answer it (or it was closed and the customer came back): say so first, so
      // the turn that handles the message knows who answers.
      const owner =
        conversation.status === 'closed'
          ? (event.owner ?? 'bot')
          : event.owner === 'human'
            ? 'human'
            : undefined;
      if (owner !== undefined || conversation.status === 'closed') {
        await store.changeConversation({
          conversationId: id,
          ...(owner ? { owner } : {}),
          ...(conversation.status === 'closed' ? { status: 'open' as const } : {}),
          by,
          at,
        });
      }
      await conversations.receive({
        conversationId: id,
        text: event.text,
        idempotencyKey: event.deliveryKey,
      });
      return;
    }
    const conversation = await store.findConversation(id);
    // A conversation the bot never saw: people have it, nothing to record.
    if (!conversation) return;
    if (event.type === 'agent_message') {
      if (event.private) return;
      await store.changeConversation({
        conversationId: id,
        owner: 'human',
        messages: [{ role: 'agent', text: event.text, at: event.at }],
        by: `agent:${channel.name}:${event.agentId}`,
        completes: job,
        at,
      });
      return;
    }
    if (event.type === 'status') {
      const signals = await store.listEvents({ limit: 1000, conversationId: id, type: SIGNAL_EVENT });
      const latest = Math.max(-Infinity, ...signals.map((e) => Number(e.payload.at)));
      // Deliveries overtake each other: a signal older than one applied already is stale.
      if (event.at < latest) {
        logger.info({ channel: channel.name, signal: event.signal }, 'stale status signal ignored');
        return;
      }
      const change =
        event.signal === 'bot'
          ? {
              owner: 'bot' as const,
              ...(conversation.status === 'escalated' || conversation.status === 'closed'
                ? { status: 'open' as const }
                : {}),
            }
          : event.signal === 'human'
            ? { owner: 'human' as const }
            : event.signal === 'closed'
              ? { status: 'closed' as const }
              : { status: 'open' as const };
      await store.changeConversation({
        conversationId: id,
        ...change,
        events: [{ type: SIGNAL_EVENT, payload: { signal: event.signal, at: event.at } }],
        by: event.by === 'helpdesk' ? by : `agent:${channel.name}:${event.by}`,
        completes: job,
        at,
      });
      return;
    }
    // A survey answer: recorded once (a repeated job finds it).
    const earlier = await store.listFeedback({ conversationId: id });
    if (earlier.some((f) => f.source === channel.name && f.at === event.at)) return;
    await conversations.feedback({
      conversationId: id,
      source: channel.name,
      at: event.at,
      ...(event.rating !== undefined ? { rating: event.rating } : {}),
      ...(event.comment !== undefined ? { comment: event.comment } : {}),
      ...(event.resolved !== undefined ? { resolved: event.resolved } : {}),
    });
  }

  async function deliver(
    conversationId: string,
    job: ClaimedJob,
    signal: AbortSignal,
  ): Promise<JobOutcome | undefined> {
    const found = await store.getConversation(conversationId);
    if (!found) return undefined;
    const channel = channelOf(found.conversation.channel);
    const external = externalIdOf(channel.name, conversationId);
    const [handoffs, events] = await Promise.all([
      store.listHandoffs({ conversationId }),
      store.listEvents({ limit: 100_000, conversationId }),
    ]);
    const planned = planDeliveries({ messages: found.messages, handoffs, events, mode: channel.mode });
    for (const item of planned) {
      const sent = await channel.send(external, item.operation, {
        idempotencyKey: deliveryIdempotencyKey(conversationId, item.key),
        signal,
      });
      const at = clock.now();
      if (sent.ok) {
        await store.changeConversation({
          conversationId,
          events: [
            {
              type: DELIVERED_EVENT,
              payload: {
                key: item.key,
                operation: item.operation.type,
                ...(sent.value.externalId ? { externalId: sent.value.externalId } : {}),
              },
            },
          ],
          by: `channel:${channel.name}`,
          at,
        });
        continue;
      }
      const failure = sent.error;
      const lastAttempt = job.attempt >= job.maxAttempts || !failure.retryable;
      if (!lastAttempt) {
        return {
          ok: false,
          failure: { code: `channel.${failure.code}`, message: failure.message, retryable: true },
        };
      }
      // Given up for now: an event an operator sees, and (while the helpdesk may come back) a later try.
      const park = failure.retryable && at - item.at < PARKED_RETRY_FOR_MS;
      const bucket = Math.floor(at / PARKED_RETRY_MS);
      await store.changeConversation({
        conversationId,
        events: [
          {
            type: DELIVERY_FAILED_EVENT,
            payload: {
              key: item.key,
              operation: item.operation.type,
              code: failure.code,
              attempts: job.attempt,
              retryAt: park ? (bucket + 1) * PARKED_RETRY_MS : null,
            },
          },
        ],
        ...(park
          ? { jobs: [deliverJob(conversationId, `parked:${bucket}`, (bucket + 1) * PARKED_RETRY_MS)] }
          : {}),
        by: `channel:${channel.name}`,
        at,
      });
      logger.error(
        { channel: channel.name, code: failure.code, operation: item.operation.type, attempts: job.attempt },
        'the helpdesk refused a delivery',
      );
      return {
        ok: false,
        failure: { code: `channel.${failure.code}`, message: failure.message, retryable: false },
      };
    }
    return undefined;
  }

  /** Events of one type, all of them, in id order. */
  async function eventsOfType(type: string) {
    const all: Awaited<ReturnType<Store['listEvents']>> = [];
    for (let afterId = 0; ; ) {
      const page = await store.listEvents({ type, afterId, limit: 1000 });
      all.push(...page);
      if (page.length < 1000) return all;
      afterId = page.at(-1)?.id ?? afterId;
    }
  }

  async function undelivered(): Promise<UndeliveredOperation[]> {
    const [failed, delivered] = await Promise.all([
      eventsOfType(DELIVERY_FAILED_EVENT),
      eventsOfType(DELIVERED_EVENT),
    ]);
    const deliveredAt = new Map(
      delivered.map((e) => [`${e.conversationId}\u0000${String(e.payload.key)}`, e.id]),
    );
    const latest = new Map<string, UndeliveredOperation & { id: number }>();
    for (const e of failed) {
      const id = `${e.conversationId}\u0000${String(e.payload.key)}`;
      if ((deliveredAt.get(id) ?? 0) > e.id) continue;
      latest.set(id, {
        id: e.id,
        conversationId: e.conversationId ?? '',
        key: String(e.payload.key),
        operation: String(e.payload.operation),
        code: String(e.payload.code),
        attempts: Number(e.payload.attempts),
        failedAt: e.at,
        retryAt: typeof e.payload.retryAt === 'number' ? e.payload.retryAt : null,
      });
    }
    return [...latest.values()].map(({ id: _, ...rest }) => rest);
  }

  return {
    channels,
    async status() {
      const pending = await undelivered();
      return [...channels.values()].map((channel) => ({
        name: channel.name,
        type: channel.type,
        mode: channel.mode,
        webhookPath: `/channels/${channel.name}/webhook`,
        undelivered: pending.filter((u) => u.conversationId.startsWith(`${channel.name}:`)),
      }));
    },
    async retryUndelivered() {
      const conversationIds = [...new Set((await undelivered()).map((u) => u.conversationId))];
      const at = clock.now();
      await store.jobs.enqueue(conversationIds.map((id) => deliverJob(id, `retry:${at}`)));
      return conversationIds.length;
    },
    accept,
    deliveryJobs: (conversation) =>
      channels.has(conversation.channel)
        ? [deliverJob(conversation.id, `change:${conversation.revision + 1}:${clock.now()}`)]
        : [],
    jobHandlers() {
      return {
        [CHANNEL_QUEUES.inbound]: async (job) => {
          const payload = parsePayload(InboundPayload, job.payload);
          await apply(channelOf(payload.channel), payload.event as unknown as InboundEvent, job);
          return undefined;
        },
        [CHANNEL_QUEUES.deliver]: async (job, { signal }) =>
          deliver(parsePayload(DeliverPayload, job.payload).conversationId, job, signal),
      };
    },
  };
}

function parsePayload<T extends z.ZodType>(schema: T, payload: unknown): z.infer<T> {
  const parsed = schema.safeParse(payload);
  if (!parsed.success)
    throw new UserError('jobs.bad_payload', 'the job payload is not one this version writes');
  return parsed.data;
}
