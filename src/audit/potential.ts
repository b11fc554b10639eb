import type { Baseline } from './accumulate.ts';

/** 'unknown' when the threads do not show how tickets were answered (see PRIVATE_REPLY_LIMIT). */
export type Potential = 'high' | 'medium' | 'low' | 'unknown';
export type MeasuredPotential = Exclude<Potential, 'unknown'>;
export type Complexity = 'simple' | 'moderate' | 'complex' | 'unknown';

/** The signals potential is computed from, each shown in the report as a reason. */
export interface PotentialSignals {
  /** Mean pairwise Jaccard of agents' first replies (word 3-shingles); null when fewer than two replies. */
  replySimilarity: number | null;
  medianExchanges: number | null;
  exclusionRate: number;
  /** Share of tickets whose thread length is within one message of the most common length. */
  consistency: number;
  /** Entity types a resolution needs (present in at least ENTITY_NEED_SHARE of the tickets). */
  entitiesNeeded: string[];
  /** Share of first replies that move the conversation to a private channel ("DM us"); null without replies. */
  privateReplyShare?: number | null;
}

export interface PotentialAssessment {
  potential: Potential;
  /** 0..1: how scriptable the category is; the "simplicity" of volume x simplicity. Null when not measurable. */
  simplicity: number | null;
  complexity: Complexity;
  reasons: string[];
  /** Why potential could not be measured, when it could not. */
  unmeasured: string | null;
}

/**
 * From this share of first replies that move to a private message, the threads do not show the answer: on
 * Twitter (TWCS) 29% of first replies say "DM us", and the answer, the customer's details and the number of
 * exchanges it took are in the private messages. Reply similarity, exchanges and thread length then measure
 * the public triage, not the work, so the category's potential is reported as not measurable.
 */
export const PRIVATE_REPLY_LIMIT = 0.25;

/** An entity needed in at least this share of a category's tickets counts as needed for its resolution. */
export const ENTITY_NEED_SHARE = 0.2;

/** Which system an entity points to. */
export const INTEGRATIONS: Record<string, string> = {
  order_number: 'orders/shipping',
  invoice_id: 'billing',
  money: 'billing',
  account_id: 'CRM/accounts',
  plan: 'CRM/product',
};

/** Weights of the simplicity score; they sum to 1. */
const WEIGHTS = { similarity: 0.4, exchanges: 0.25, exclusions: 0.2, consistency: 0.15 };
/** Replies this alike (Jaccard of 3-shingles) count as fully scripted; free-written replies sit near 0.05. */
const SCRIPTED_SIMILARITY = 0.35;

export function entitiesNeeded(baseline: Baseline): string[] {
  return Object.entries(baseline.entityShare)
    .filter(([type, share]) => share >= ENTITY_NEED_SHARE && type in INTEGRATIONS)
    .map(([type]) => type)
    .sort();
}

/**
 * Automation potential from the data: scripted first replies, short threads, few exclusions and consistent
 * threads make a category simple. High needs simplicity >= 0.6 and under 10% exclusions; medium >= 0.4.
 *
 * @example
 * assessPotential({ replySimilarity: 0.5, medianExchanges: 1, exclusionRate: 0, consistency: 0.9, entitiesNeeded: [] });
 * // { potential: 'high', simplicity: 0.985, complexity: 'simple', reasons: [...] }
 */
export function assessPotential(s: PotentialSignals): PotentialAssessment {
  const pct = (v: number) => `${Math.round(v * 100)}%`;
  if ((s.privateReplyShare ?? 0) >= PRIVATE_REPLY_LIMIT) {
    const unmeasured = `${pct(s.privateReplyShare!)} of first replies move to a private message, so the answer and the rest of the thread are not in the data`;
    return {
      potential: 'unknown',
      simplicity: null,
      complexity: 'unknown',
      reasons: [unmeasured, `${pct(s.exclusionRate)} always to people`],
      unmeasured,
    };
  }
  const similarity = s.replySimilarity === null ? 0 : Math.min(1, s.replySimilarity / SCRIPTED_SIMILARITY);
  // One customer message is one exchange; every extra round trip makes a script less likely to finish the job.
  const ex = s.medianExchanges ?? 3;
  const exchanges = ex <= 1 ? 1 : ex <= 2 ? 0.7 : ex <= 3 ? 0.35 : 0;
  const exclusions = Math.max(0, 1 - s.exclusionRate * 4);
  const simplicity = round(
    WEIGHTS.similarity * similarity +
      WEIGHTS.exchanges * exchanges +
      WEIGHTS.exclusions * exclusions +
      WEIGHTS.consistency * s.consistency,
  );
  const potential: Potential =
    simplicity >= 0.6 && s.exclusionRate < 0.1
      ? 'high'
      : simplicity >= 0.4 && s.exclusionRate < 0.5
        ? 'medium'
        : 'low';
  const integrations = new Set(s.entitiesNeeded.map((e) => INTEGRATIONS[e]).filter(Boolean));
  const complexity: Complexity =
    potential === 'low' || integrations.size >= 2
      ? 'complex'
      : integrations.size === 1 || potential === 'medium'
        ? 'moderate'
        : 'simple';
  const reasons = [
    s.replySimilarity === null
      ? 'no agent replies to compare'
      : `first replies ${s.replySimilarity >= SCRIPTED_SIMILARITY * 0.6 ? 'scripted' : s.replySimilarity >= 0.1 ? 'partly scripted' : 'bespoke'} (similarity ${s.replySimilarity.toFixed(2)})`,
    `median ${s.medianExchanges ?? '?'} customer message${s.medianExchanges === 1 ? '' : 's'}`,
    `${pct(s.exclusionRate)} always to people`,
    `${pct(s.consistency)} of threads the usual length`,
    s.entitiesNeeded.length ? `needs ${s.entitiesNeeded.join(', ')}` : 'needs no lookup',
  ];
  return { potential, simplicity, complexity, reasons, unmeasured: null };
}

/** Share of potentially automatable tickets a workflow is expected to resolve, by potential (an assumption, stated in the report). */
export const EXPECTED_AUTOMATION_RATE: Record<MeasuredPotential, number> = {
  high: 0.7,
  medium: 0.4,
  low: 0.1,
};
/** Handle time assumed when the export has none (minutes), stated in the report. */
export const ASSUMED_HANDLE_SECONDS = 360;

function round(v: number): number {
  return Math.round(v * 1000) / 1000;
}
