/**
 * Test helpers for the channels' end-to-end tests (not a test file, and free of any test framework): a demo
 * deployment with one helpdesk channel pointed at that helpdesk's fake, served by `switchboard serve` on a real
 * loopback socket with its jobs in the same process, and a clock the test moves on.
 *
 * @example
 * const harnesses = serveHarnesses<FakeChatwoot>();
 * afterEach(() => harnesses.closeAll());
 * const h = await harnesses.start({
 *   model,
 *   startFake: () => startFakeChatwoot({ accountId: 1, token: 'bot-token' }),
 *   name: 'chat',
 *   external: (n) => `1:${n}`,
 *   channel: { type: 'chatwoot', accountId: 1, botTokenEnv: 'CW_BOT_TOKEN', webhookSecretEnv: 'CW_SECRET' },
 *   env: { CW_BOT_TOKEN: 'bot-token', CW_SECRET: 'secret' },
 * });
 * await h.post(chatwootDeliveries({ accountId: 1, secret: 'secret' }).customerMessage({ conversation: 21, ... }));
 * await h.untilReplies(21);
 * await h.settled();
 */
import type { Deployment } from '../app/index.ts';
import { openDemoDeployment } from '../app/testing.ts';
import type { IntentModel } from '../nlu/index.ts';
import { type RunningServer, startServer } from '../server/serve.ts';
import type { DeadJob, StoredConversation, StoredEvent } from '../store/index.ts';
import type { FakeHelpdesk, TimelineEntry } from './fake-helpdesk.ts';
import { DELIVERY_FAILED_EVENT } from './outbound.ts';

/** A delivery as the helpdesk posts it: the raw body and its headers. */
export interface HarnessDelivery {
  body: string;
  headers: Record<string, string>;
}

export interface ServeHarness<F extends FakeHelpdesk> {
  server: RunningServer;
  deployment: Deployment;
  fake: F;
  /** Moves the deployment's clock (jobs' backoff and schedules follow it). */
  advance(ms: number): void;
  /** Posts a delivery to the channel's webhook. */
  post(delivery: HarnessDelivery): Promise<Response>;
  /** Posts a delivery: the answer's status and its JSON body (`undefined` when it has none). */
  answer(delivery: HarnessDelivery): Promise<{ status: number; body: unknown }>;
  /** Posts the same delivery `times` times at once: the answers' statuses, and how long they took in all. */
  postAtOnce(delivery: HarnessDelivery, times: number): Promise<{ statuses: number[]; ms: number }>;
  /** Waits until no job is queued or running (scheduled ones wait for their time). */
  settled(): Promise<void>;
  /** What the channel replied in the helpdesk's conversation `n`, in order. */
  replies(n: number): TimelineEntry[];
  /** Waits until the helpdesk's conversation `n` shows more than `more` replies, and returns them. */
  untilReplies(n: number, more?: number): Promise<TimelineEntry[]>;
  /** Waits until the stored conversation of `n` satisfies `ok`, and returns it. */
  untilConversation(
    n: number,
    ok: (conversation: StoredConversation | undefined) => boolean,
  ): Promise<StoredConversation | undefined>;
  /** Who owns the stored conversation of `n` now. */
  owner(n: number): Promise<StoredConversation['owner'] | undefined>;
  /** The bot's lines in the stored conversation of `n`, in order. */
  botLines(n: number): Promise<string[]>;
  /**
   * Moves the clock on 20 s at a time until a delivery job is dead (its retries spent), and returns that job and
   * the payload of the newest delivery-failed event of the stored conversation of `n`.
   */
  untilParked(n: number): Promise<{ job: DeadJob | undefined; event: StoredEvent['payload'] | undefined }>;
  /**
   * The helpdesk is back: heals the fake, moves the clock past the parked retry, waits for the reply of
   * conversation `n`, and settles twice (the second time past any retry still scheduled).
   */
  recover(n: number): Promise<void>;
  close(): Promise<void>;
}

/** A PostgreSQL for the deployment: a fresh schema on `url`, dropped by `dropSchema` on close. */
export interface HarnessPostgres {
  url: string;
  dropSchema(schema: string): Promise<void>;
}

export interface ServeHarnessProps<F extends FakeHelpdesk> {
  model: IntentModel;
  startFake: () => Promise<F>;
  name: string;
  /** The helpdesk's id of its conversation number `n`, as the channel parses it. */
  external: (n: number) => string;
  channel: Record<string, unknown>;
  /** The channel's secrets. */
  env: Record<string, string>;
  mode?: 'live' | 'shadow';
  postgres?: HarnessPostgres;
}

/**
 * Starts the helpdesk's fake, opens the demo deployment with the channel `name` (its config without `baseUrl`,
 * which is the fake's) and serves it on port 0. On SQLite in memory unless `postgres` is given.
 */
export async function startServeHarness<F extends FakeHelpdesk>(
  props: ServeHarnessProps<F>,
): Promise<ServeHarness<F>> {
  const fake = await props.startFake();
  let offset = 0;
  const schema = props.postgres ? `sb_${props.name}_${Math.random().toString(36).slice(2, 10)}` : undefined;
  const deployment = await openDemoDeployment({
    model: props.model,
    clock: { now: () => Date.now() + offset },
    jobs: { pollIntervalMs: 50 },
    channels: {
      [props.name]: { ...props.channel, ...(props.mode ? { mode: props.mode } : {}), baseUrl: fake.url },
    },
    env: {
      ...props.env,
      ...(props.postgres && schema
        ? { DATABASE_URL: props.postgres.url, SWITCHBOARD_PG_SCHEMA: schema }
        : {}),
    },
  });
  const server = await startServer({ deployment, host: '127.0.0.1', port: 0, widget: async () => null });
  const jobs = deployment.store.jobs;
  const conversationId = (n: number) => `${props.name}:${props.external(n)}`;
  const replies = (n: number) => fake.timeline(props.external(n)).filter((e) => e.kind === 'reply');
  const advance = (ms: number) => {
    offset += ms;
  };
  const settled = async () => {
    await until(
      () => jobs.counts(),
      (c) => c.queued === 0 && c.active === 0,
    );
  };
  const untilReplies = (n: number, more = 0) =>
    until(
      () => replies(n),
      (r) => r.length > more,
    );
  const post = (delivery: HarnessDelivery) =>
    fetch(`${server.url}/channels/${props.name}/webhook`, {
      method: 'POST',
      headers: delivery.headers,
      body: delivery.body,
    });
  return {
    server,
    deployment,
    fake,
    advance,
    post,
    answer: async (delivery) => {
      const response = await post(delivery);
      const text = await response.text();
      return { status: response.status, body: text ? JSON.parse(text) : undefined };
    },
    postAtOnce: async (delivery, times) => {
      const started = performance.now();
      const answers = await Promise.all(Array.from({ length: times }, () => post(delivery)));
      return { statuses: answers.map((a) => a.status), ms: performance.now() - started };
    },
    settled,
    replies,
    untilReplies,
    untilConversation: (n, ok) => until(() => deployment.store.findConversation(conversationId(n)), ok),
    owner: async (n) => (await deployment.store.findConversation(conversationId(n)))?.owner,
    botLines: async (n) => {
      const stored = await deployment.store.getConversation(conversationId(n));
      return stored?.messages.filter((m) => m.role === 'bot').map((m) => m.text) ?? [];
    },
    untilParked: async (n) => {
      // Six attempts, 1 s, 2 s, 4 s ... apart: the clock is moved on instead of waiting.
      const [job] = await until(
        () => {
          advance(20_000);
          return jobs.listDead({ limit: 5, queue: 'channel.deliver' });
        },
        (dead) => dead.length > 0,
        20_000,
      );
      const [event] = await deployment.store.listEvents({
        limit: 10,
        conversationId: conversationId(n),
        type: DELIVERY_FAILED_EVENT,
      });
      return { job, event: event?.payload };
    },
    recover: async (n) => {
      fake.heal();
      advance(11 * 60_000);
      await untilReplies(n);
      await settled();
      advance(11 * 60_000);
      await settled();
    },
    close: async () => {
      await server.close(1000);
      await deployment.close();
      await fake.close();
      if (props.postgres && schema) await props.postgres.dropSchema(schema);
    },
  };
}

/**
 * The harnesses a test file starts, to close after each test: `start` starts one and keeps it, `closeAll` (for an
 * `afterEach`) closes the kept ones.
 */
export function serveHarnesses<F extends FakeHelpdesk>() {
  const open: ServeHarness<F>[] = [];
  return {
    async start(props: ServeHarnessProps<F>): Promise<ServeHarness<F>> {
      const h = await startServeHarness(props);
      open.push(h);
      return h;
    },
    async closeAll(): Promise<void> {
      for (const h of open.splice(0)) await h.close();
    },
  };
}

/** The delivery with its body changed after it was signed (the signature no longer matches). */
export function tampered(delivery: HarnessDelivery): HarnessDelivery {
  return { ...delivery, body: delivery.body.replace('Where', 'Wh3re') };
}

/** Reads until `ok` holds of what `read` gives, every 25 ms, for `ms` at most; throws with the last value. */
export async function until<T>(
  read: () => T | Promise<T>,
  ok: (value: T) => boolean,
  ms = 10_000,
): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await read();
    if (ok(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out; last value: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
