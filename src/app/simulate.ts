import { randomBytes } from 'node:crypto';
import { signCustomerIdentity } from '../access/index.ts';
import { type WeeklyReview, weeklyReview } from '../analytics/index.ts';
import { chatwootDeliveries, startFakeChatwoot } from '../channels/chatwoot/fake-chatwoot.ts';
import { listCandidates, reviewCandidates } from '../learning/index.ts';
import { type Clock, UserError } from '../shared/index.ts';
import {
  type AgentPlan,
  answerText,
  planSimulation,
  runSimulation,
  type SeenLine,
  type SimulatedConversation,
  type SimulationSummary,
} from '../simulation/index.ts';
import type { StoredUser } from '../store/index.ts';
import { demoPageSource } from './demo-deployment.ts';
import type { Deployment } from './deployment.ts';
import { retrainDeployment } from './retrain.ts';

const DAY_MS = 86_400_000;
/** The simulated helpdesk: a Chatwoot account the simulation runs on loopback, one account per run. */
const HELPDESK_CHANNEL = 'chatwoot';
export const SIMULATED_AGENT_EMAIL = 'sim.agent@example.com';
const LEAD = 'simulation:lead';
/** Pilots the simulated team starts with: one workflow in shadow mode, one live for half its customers. */
const FIRST_PILOTS: ReadonlyArray<{
  workflowId: string;
  settings: { mode: 'shadow' | 'live'; percent?: number };
  why: string;
}> = [
  // A workflow that answers without calling a system: shadow drafts stop at the first call a live run would make.
  {
    workflowId: 'billing-faq',
    settings: { mode: 'shadow' },
    why: 'billing answers: drafts for agents first',
  },
  {
    workflowId: 'order-cancellation',
    settings: { mode: 'live', percent: 50 },
    why: 'cancellations: half the customers to start with',
  },
];

/** What the simulation adds to the deployment's configuration, section by section. */
export interface SimulationConfigPatch {
  channels: Record<string, Record<string, unknown>>;
  server: { rateLimit: { perKeyPerMinute: number; perAddressPerMinute: number } };
  jobs: { pollIntervalMs: number; concurrency: number };
}

/** What the simulation needs of its caller: a deployment opened on its clock and channel, and a server for it. */
export interface SimulateProps {
  /**
   * Opens the deployment with this clock, the configuration's sections merged with `patch` (the simulated helpdesk
   * channel; rate limits for thousands of customers who all come from loopback; jobs polled often, since time
   * jumps), and the channel's secrets in the environment.
   */
  open(extra: {
    clock: Clock;
    patch: SimulationConfigPatch;
    env: Record<string, string>;
  }): Promise<Deployment>;
  /** Serves the deployment on loopback (what `switchboard serve` runs), jobs in the same process. */
  serve(deployment: Deployment): Promise<{ url: string; close(): Promise<void> }>;
  days: number;
  seed: number;
  perDay: number;
  /** The simulation ends here (now): it covers the `days` before. */
  now: number;
  /**
   * Whether the simulated team starts its first pilots (billing-faq in shadow mode, order-cancellation live for
   * 50%) when the store has none for them. They stay after the run, as a lead's would: `start` asks for none.
   */
  pilots?: boolean;
  /** Whether the lead retrains at each week's end on the corrections accepted (a minute or so each). */
  retrain?: boolean;
  onDay?: (day: string, done: number) => void;
}

export interface SimulateResult {
  summary: SimulationSummary;
  /** The review of the simulation's last seven days. */
  review: WeeklyReview;
  from: string;
  to: string;
  /**
   * The helpdesk's side: the public lines (bot and agent) of its conversations in the store, and the replies the
   * simulated Chatwoot received through its API. Equal when every reply was delivered once.
   */
  helpdesk: { stored: number; delivered: number };
}

/**
 * `switchboard simulate`: the demo world's customers over the last `days` days, through the live service. Widget
 * customers use the HTTP API the widget uses (the demo page's publishable key, identities signed); helpdesk
 * customers write in a simulated Chatwoot on loopback, whose webhooks reach the channel and whose API receives the
 * bot's replies. A scripted agent takes escalations in the inbox (judges the bot, corrects intents, uses shadow
 * drafts, answers, closes); customers answer "did this resolve", the survey after close, and some come back. At
 * each week's end a scripted lead reads the weekly review, widens the pilots it finds ready, accepts the agent's
 * corrections and retrains. The deployment's clock runs simulated time, so every event has its day.
 *
 * @example
 * const { summary, review } = await simulate({ open, serve, days: 14, seed: 1, perDay: 30, now: Date.now() });
 */
export async function simulate(props: SimulateProps): Promise<SimulateResult> {
  const firstDay = Math.floor(props.now / DAY_MS) * DAY_MS - (props.days - 1) * DAY_MS;
  let current = firstDay;
  const clock: Clock = { now: () => current };
  const token = randomBytes(16).toString('hex');
  const secret = randomBytes(16).toString('hex');
  // Each run is its own Chatwoot account (the run's second), so a second simulation of the same days starts new
  // conversations instead of meeting the first one's.
  const account = Math.floor(props.now / 1000);
  const fake = await startFakeChatwoot({ accountId: account, token });
  try {
    const deployment = await props.open({
      clock,
      patch: {
        channels: {
          [HELPDESK_CHANNEL]: {
            type: 'chatwoot',
            accountId: account,
            botTokenEnv: 'SWITCHBOARD_SIMULATED_CHATWOOT_TOKEN',
            webhookSecretEnv: 'SWITCHBOARD_SIMULATED_CHATWOOT_SECRET',
            baseUrl: fake.url,
          },
        },
        server: { rateLimit: { perKeyPerMinute: 1_000_000, perAddressPerMinute: 1_000_000 } },
        // One job at a time: the simulation moves one customer at a time, and two jobs of one conversation fetched at
        // once on PostgreSQL put the loser back for 25 ms, which looked like "nothing left to run".
        jobs: { pollIntervalMs: 50, concurrency: 1 },
      },
      env: { SWITCHBOARD_SIMULATED_CHATWOOT_TOKEN: token, SWITCHBOARD_SIMULATED_CHATWOOT_SECRET: secret },
    });
    try {
      if (deployment.nlu() === null) {
        throw new UserError(
          'simulate.no_model',
          'no active NLU model: every customer would go straight to a person; train one (switchboard nlu train --from-store --activate) or run switchboard start first',
        );
      }
      const server = await props.serve(deployment);
      try {
        const plan = planSimulation({
          days: props.days,
          seed: props.seed,
          perDay: props.perDay,
          run: String(account),
          startMs: firstDay,
          endMs: props.now,
        });
        const ports = await simulationPorts({
          deployment,
          url: server.url,
          deliveries: chatwootDeliveries({ accountId: account, secret }),
          account,
          setTime: (ms) => {
            current = Math.max(current, ms);
          },
          retrain: props.retrain ?? true,
        });
        const pilots = (props.pilots ?? true) ? await setFirstPilots(deployment) : [];
        const summary = await runSimulation({
          plan,
          ports,
          startMs: firstDay,
          until: props.now,
          seed: props.seed,
          ...(props.onDay ? { onDay: props.onDay } : {}),
        });
        summary.lead.unshift(...pilots);
        await settled(deployment);
        const to = new Date(Math.min(current, props.now)).toISOString().slice(0, 10);
        const review = await weeklyReview({
          store: deployment.store,
          day: to,
          now: props.now,
          pilots: pilotsOf(deployment),
          workflows: deployment.workflows,
        });
        let stored = 0;
        let delivered = 0;
        for (const c of plan.filter((p) => p.channel === 'helpdesk')) {
          const conversation = await deployment.store.getConversation(helpdeskConversationId(c, account));
          stored += (conversation?.messages ?? []).filter(
            (m) => m.role === 'bot' || m.role === 'agent',
          ).length;
          delivered += fake.timeline(`${account}:${c.ticketId}`).filter((e) => e.kind === 'reply').length;
        }
        return {
          summary,
          review,
          from: new Date(firstDay).toISOString().slice(0, 10),
          to,
          helpdesk: { stored, delivered },
        };
      } finally {
        await server.close();
      }
    } finally {
      await deployment.close();
    }
  } finally {
    await fake.close();
  }
}

/** The stored conversation of a helpdesk customer: the channel's name and Chatwoot's `account:conversation`. */
function helpdeskConversationId(c: SimulatedConversation, account: number): string {
  return `${HELPDESK_CHANNEL}:${account}:${c.ticketId}`;
}

function pilotsOf(deployment: Deployment): Map<string, { mode: string; percent: number }> {
  return new Map(
    [...deployment.pilotState().pilots.entries()].map(([id, p]) => [
      id,
      { mode: p.settings.mode, percent: p.settings.percent },
    ]),
  );
}

/** The simulated team's first pilots, for the workflows it has, unless pilots were set already. */
async function setFirstPilots(deployment: Deployment): Promise<string[]> {
  const known = new Set(deployment.workflows.map((w) => w.id));
  const state = await deployment.pilots.state();
  const lines: string[] = [];
  for (const pilot of FIRST_PILOTS) {
    if (!known.has(pilot.workflowId) || state.pilots.has(pilot.workflowId)) continue;
    await deployment.pilots.set({ ...pilot, by: LEAD });
    const how =
      pilot.settings.mode === 'shadow'
        ? 'in shadow mode'
        : `live for ${pilot.settings.percent}% of customers`;
    lines.push(
      `pilot started: ${pilot.workflowId} ${how} (it stays; switchboard pilot set ${pilot.workflowId} --mode live --why ... ends it)`,
    );
  }
  await deployment.reload();
  return lines;
}

/** Waits until no job is queued or running (the turns, deliveries and channel events of the last step). */
async function settled(deployment: Deployment): Promise<void> {
  for (let i = 0; i < 2000; i++) {
    const counts = await deployment.store.jobs.counts();
    if (counts.queued === 0 && counts.active === 0) return;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
  throw new Error('the simulation waited 10 s for the jobs of one step: the service is stuck');
}

async function simulationPorts(props: {
  deployment: Deployment;
  url: string;
  deliveries: ReturnType<typeof chatwootDeliveries>;
  /** The run's Chatwoot account. */
  account: number;
  setTime: (ms: number) => void;
  retrain: boolean;
}) {
  const { deployment, url, deliveries } = props;
  const { store, inbox, clock } = deployment;
  const key = await demoPageSource(deployment).key();
  const tokens = new Map<string, string>();
  let messageId = 1;
  const agent = await simulatedAgent(deployment);
  const now = () => clock.now();

  const api = async (path: string, body: unknown, headers: Record<string, string>) => {
    const response = await postWithRetry(`${url}${path}`, {
      headers: { 'content-type': 'application/json', origin: url, ...headers },
      body: JSON.stringify(body),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`POST ${path}: ${response.status} ${text.slice(0, 300)}`);
    return text ? (JSON.parse(text) as Record<string, unknown>) : {};
  };
  const lastSeq = async (id: string) => (await store.getConversation(id))?.messages.at(-1)?.seq ?? 0;
  const botLinesAfter = async (id: string, seq: number): Promise<SeenLine[]> => {
    const stored = await store.getConversation(id);
    return (stored?.messages ?? [])
      .filter((m) => m.role === 'bot' && m.seq > seq)
      .map((m) => ({
        text: m.text,
        ...(m.kind ? { kind: m.kind } : {}),
        ...(m.choices ? { choices: m.choices } : {}),
      }));
  };
  const helpdeskId = (c: SimulatedConversation) => helpdeskConversationId(c, props.account);
  const post = async (delivery: { body: string; headers: Record<string, string> }) => {
    const response = await postWithRetry(`${url}/channels/${HELPDESK_CHANNEL}/webhook`, delivery);
    if (!response.ok) throw new Error(`webhook: ${response.status} ${await response.text()}`);
  };
  const widgetSay = async (id: string, text: string, idempotencyKey: string): Promise<SeenLine[]> => {
    const before = await lastSeq(id);
    const answered = await api(
      `/v1/conversations/${encodeURIComponent(id)}/messages`,
      { text },
      { authorization: `Bearer ${tokens.get(id)}`, 'idempotency-key': idempotencyKey, prefer: 'wait=10' },
    );
    if (!Array.isArray(answered.replies)) throw new Error(`no replies within 10 s in ${id}`);
    // Everything the bot said since, as the widget's event stream shows it: the answer of `Prefer: wait` holds the
    // turn's first lines, and a connector call's result comes in a later turn.
    await settled(deployment);
    return botLinesAfter(id, before);
  };
  const helpdeskSay = async (c: SimulatedConversation, text: string): Promise<SeenLine[]> => {
    const id = helpdeskId(c);
    const before = await lastSeq(id);
    await post(
      deliveries.customerMessage({
        conversation: c.ticketId,
        message: messageId++,
        text,
        at: now(),
        from: {
          id: c.ticketId,
          name: c.customer.name,
          email: c.customer.email,
          type: 'contact',
          custom_attributes: { plan: c.customer.plan },
        },
      }),
    );
    await settled(deployment);
    return botLinesAfter(id, before);
  };
  const modelIntents = () => new Set(deployment.nlu()?.model.labels ?? []);
  const workflowIntents = new Set(deployment.workflows.flatMap((w) => w.trigger.intents));

  return {
    setTime: props.setTime,
    async open(c: SimulatedConversation) {
      if (c.channel === 'helpdesk')
        return { conversationId: helpdeskId(c), lines: await helpdeskSay(c, c.opening) };
      const started = await api(
        '/v1/conversations',
        {
          customer: {
            email: c.customer.email,
            name: c.customer.name,
            plan: c.customer.plan,
            segment: c.customer.plan,
            ...(key.identitySecret
              ? { signature: signCustomerIdentity(key.identitySecret, c.customer.email) }
              : {}),
          },
        },
        { authorization: `Bearer ${key.widgetKey}`, 'idempotency-key': c.key },
      );
      const id = (started.conversation as { id: string }).id;
      tokens.set(id, started.token as string);
      return { conversationId: id, lines: await widgetSay(id, c.opening, `${c.key}-0`) };
    },
    say: (c: SimulatedConversation, id: string, text: string, idempotencyKey: string) =>
      c.channel === 'helpdesk' ? helpdeskSay(c, text) : widgetSay(id, text, idempotencyKey),
    async answer(c: SimulatedConversation, id: string, resolved: boolean, idempotencyKey: string) {
      if (c.channel === 'helpdesk') return helpdeskSay(c, answerText(resolved));
      const before = await lastSeq(id);
      await api(
        `/v1/conversations/${encodeURIComponent(id)}/feedback`,
        { resolved },
        {
          authorization: `Bearer ${tokens.get(id)}`,
          'idempotency-key': idempotencyKey,
        },
      );
      await settled(deployment);
      return botLinesAfter(id, before);
    },
    async survey(c: SimulatedConversation, id: string, rating: number, comment: string) {
      if (c.channel === 'helpdesk') {
        await post(
          deliveries.csat({ conversation: c.ticketId, message: messageId++, rating, comment, at: now() }),
        );
        await settled(deployment);
        return;
      }
      await api(
        `/v1/conversations/${encodeURIComponent(id)}/feedback`,
        { rating, ...(comment ? { comment } : {}) },
        { authorization: `Bearer ${tokens.get(id)}` },
      );
    },
    async understood(id: string, category: string) {
      const first = (await store.getConversation(id))?.messages.find((m) => m.role === 'customer');
      return first?.analysis?.intent === category && first.analysis.reason === 'accepted';
    },
    async state(id: string) {
      const found = await store.findConversation(id);
      return { owner: found?.owner ?? 'bot', status: found?.status ?? 'open' };
    },
    async agentView(id: string) {
      const detail = await inbox.conversation(id);
      const first = detail?.messages.find((m) => m.role === 'customer');
      return {
        firstIntent: first?.analysis?.reason === 'accepted' ? first.analysis.intent : null,
        firstSeq: first?.seq ?? null,
        workflow: detail?.conversation.workflowId ?? null,
        escalationCode: detail?.handoff?.code ?? null,
        drafts: (detail?.drafts ?? [])
          .filter((d) => d.used === null)
          .map((d) => ({ id: d.draftId, text: d.text })),
      };
    },
    async agentHandle(id: string, plan: AgentPlan) {
      await handle(deployment, agent, id, plan);
      await settled(deployment);
    },
    intents: () => ({ model: modelIntents(), workflows: workflowIntents }),
    weekEnded: (asOf: number) => leadsWeek(deployment, asOf, props.retrain),
  };
}

/**
 * POSTs, and again (three tries) when the connection fails before an answer: the server closes a kept-alive
 * connection after 5 idle seconds (a week's retraining is longer), and the next request on it is reset. Safe: every
 * request of the simulation carries an idempotency key (the webhooks a delivery id), save the survey's, which the
 * server had not read when the connection was reset.
 */
async function postWithRetry(
  target: string,
  init: { headers: Record<string, string>; body: string },
): Promise<Response> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fetch(target, { method: 'POST', ...init });
    } catch (error) {
      if (attempt >= 3) {
        throw new Error(
          `POST ${new URL(target).pathname}: ${String((error as { cause?: unknown }).cause ?? error)}`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 50 * attempt));
    }
  }
}

/** The simulated agent's account (created once; a lead, so the corrections page is theirs too). */
async function simulatedAgent(deployment: Deployment): Promise<StoredUser> {
  const existing = await deployment.store.findUser({ email: SIMULATED_AGENT_EMAIL });
  if (existing) return existing;
  await deployment.people.addUser({
    email: SIMULATED_AGENT_EMAIL,
    name: 'Sam (simulated agent)',
    role: 'lead',
    password: randomBytes(18).toString('base64url'),
    by: 'simulation',
  });
  const created = await deployment.store.findUser({ email: SIMULATED_AGENT_EMAIL });
  if (!created) throw new Error('the simulated agent was not stored');
  return created;
}

async function handle(deployment: Deployment, user: StoredUser, conversationId: string, plan: AgentPlan) {
  const { inbox } = deployment;
  await inbox.take({ conversationId, user });
  const { intent, ...verdict } = plan.judgement;
  await inbox.judge({ conversationId, user, judgement: verdict });
  if (intent) await inbox.judge({ conversationId, user, judgement: intent });
  for (const draft of plan.drafts) {
    await inbox.useDraft({
      conversationId,
      user,
      draftId: draft.id,
      how: draft.how,
      ...(draft.how === 'edited' ? { text: plan.reply } : {}),
    });
  }
  if (plan.drafts.every((d) => d.how === 'discarded'))
    await inbox.reply({ conversationId, user, text: plan.reply });
  await inbox.close({ conversationId, user, resolved: true });
}

/** The lead's end of week: widen the pilots the review finds ready, accept the corrections, retrain. */
async function leadsWeek(deployment: Deployment, asOf: number, retrain: boolean): Promise<string[]> {
  const day = new Date(asOf).toISOString().slice(0, 10);
  const lines: string[] = [];
  const review = await weeklyReview({
    store: deployment.store,
    day,
    now: asOf,
    pilots: pilotsOf(deployment),
    workflows: deployment.workflows,
  });
  lines.push(
    `${day}: the lead's weekly review: ${review.failurePatterns.length} failure patterns, ${review.fixOrRetire.length} workflows to fix or retire, ${review.readyToWiden.length} pilots ready to widen`,
  );
  for (const ready of review.readyToWiden) {
    const settings =
      ready.mode === 'shadow'
        ? { mode: 'live', percent: 25 }
        : { mode: 'live', percent: Math.min(100, ready.percent * 2) };
    await deployment.pilots.set({
      workflowId: ready.workflow,
      settings,
      by: LEAD,
      why: ready.why.slice(0, 400),
    });
    lines.push(`${day}: widened ${ready.workflow} to live for ${settings.percent}% (${ready.why})`);
  }
  const candidates = (await listCandidates({ store: deployment.store })).filter(
    (c) => c.status === 'candidate',
  );
  if (candidates.length > 0) {
    await reviewCandidates({
      store: deployment.store,
      clock: deployment.clock,
      ids: candidates.map((c) => c.id),
      decision: 'accepted',
      by: LEAD,
    });
    lines.push(`${day}: accepted ${candidates.length} labelled examples from the agent's intent judgements`);
    if (retrain) {
      const { result, stored } = await retrainDeployment({
        deployment,
        testsDir: deployment.learningTestsDir,
        by: LEAD,
      });
      lines.push(
        `${day}: retrained: model v${stored.version} ${result.report.promote ? 'promoted' : `kept out: ${result.report.reasons[0] ?? ''}`}`,
      );
    }
  }
  await deployment.reload();
  return lines;
}
