import { wilsonInterval } from '../shared/index.ts';
import type { Store, StoredEvent } from '../store/index.ts';

/** Below this many judged answers the figure is shown but no warning is given: too few to say. */
export const MIN_JUDGED_FOR_WARNING = 20;

export interface ObservedPrecision {
  /** Automated answers (customer turns the NLU accepted) that an agent judged. */
  judged: number;
  right: number;
  precision: number | null;
  /** 95% Wilson interval. */
  interval: { low: number; high: number } | null;
  /** The active model's target precision, or null without a model. */
  target: number | null;
  /** `below_target`: the observed precision is under the target on MIN_JUDGED_FOR_WARNING or more answers. */
  status: 'ok' | 'below_target' | 'too_few' | 'no_model';
  byIntent: Array<{ intent: string; judged: number; right: number }>;
}

/**
 * The precision of the bot's automated answers as agents judged them in the inbox: the promise the thresholds are
 * calibrated for (docs/nlu.md), measured on live traffic. A customer turn the NLU accepted counts as judged when an
 * agent named its right intent (right when it is the NLU's), or judged the whole conversation handled right (each
 * of its accepted turns then counts as right); the newest judgement of a turn wins. A conversation judged wrong
 * without a turn named says nothing about which answer was wrong, and is left out.
 *
 * @example
 * const observed = await observedPrecision({ store, target: 0.97 });
 * if (observed.status === 'below_target') console.warn(observed.precision, observed.interval);
 */
export async function observedPrecision(props: {
  store: Store;
  target: number | null;
}): Promise<ObservedPrecision> {
  const { store, target } = props;
  const judgements: StoredEvent[] = [];
  for (let afterId = 0; ; ) {
    const page = await store.listEvents({ type: 'agent.judgement', afterId, limit: 1000 });
    judgements.push(...page);
    if (page.length < 1000) break;
    afterId = page.at(-1)?.id ?? afterId;
  }
  // Per conversation: the named intents of its turns (newest wins) and whether it was judged handled right.
  const byConversation = new Map<string, { turns: Map<number, string | null>; right: boolean }>();
  for (const event of judgements) {
    if (!event.conversationId) continue;
    const entry = byConversation.get(event.conversationId) ?? { turns: new Map(), right: false };
    const p = event.payload;
    if (typeof p.seq === 'number' && (typeof p.intent === 'string' || p.intent === null))
      entry.turns.set(p.seq, p.intent);
    if (p.verdict === 'right') entry.right = true;
    else if (p.verdict === 'wrong') entry.right = false;
    byConversation.set(event.conversationId, entry);
  }
  let judged = 0;
  let right = 0;
  const perIntent = new Map<string, { judged: number; right: number }>();
  for (const [conversationId, entry] of byConversation) {
    const messages = await store.listConversationMessages({ conversationId });
    for (const m of messages) {
      const analysis = m.role === 'customer' ? m.analysis : undefined;
      if (analysis?.reason !== 'accepted' || !analysis.intent) continue;
      let correct: boolean;
      if (entry.turns.has(m.seq)) correct = entry.turns.get(m.seq) === analysis.intent;
      else if (entry.right) correct = true;
      else continue;
      judged++;
      if (correct) right++;
      const intent = perIntent.get(analysis.intent) ?? { judged: 0, right: 0 };
      intent.judged++;
      if (correct) intent.right++;
      perIntent.set(analysis.intent, intent);
    }
  }
  const interval = wilsonInterval(right, judged);
  const precision = judged > 0 ? right / judged : null;
  const status =
    target === null
      ? 'no_model'
      : judged < MIN_JUDGED_FOR_WARNING
        ? 'too_few'
        : (precision ?? 1) < target
          ? 'below_target'
          : 'ok';
  return {
    judged,
    right,
    precision,
    interval: interval ? { low: interval.low, high: interval.high } : null,
    target,
    status,
    byIntent: [...perIntent.entries()]
      .map(([intent, v]) => ({ intent, ...v }))
      .sort((a, b) => b.judged - a.judged || a.intent.localeCompare(b.intent)),
  };
}
