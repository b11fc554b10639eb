import { z } from 'zod';
import { type Baseline, type CategoryAccumulator, threadConsistency, weekStart } from './accumulate.ts';
import { categoryTitle } from './format.ts';
import {
  ASSUMED_HANDLE_SECONDS,
  assessPotential,
  EXPECTED_AUTOMATION_RATE,
  entitiesNeeded,
  INTEGRATIONS,
} from './potential.ts';
import { type CostSettings, DEFAULT_COSTS, savingsOf } from './savings.ts';
import { meanPairwiseSimilarity } from './similarity.ts';

const spread = z.object({ median: z.number().nullable(), p90: z.number().nullable() });

/** One category of the audit: baseline, potential with its reasons, and its place in the ranking. */
export const CategoryResultSchema = z.object({
  category: z.string(),
  /** The category as words, for people: "Password reset" for password_reset. */
  title: z.string(),
  rank: z.number().int().positive(),
  score: z.number(),
  tickets: z.number().int(),
  share: z.number(),
  monthlyVolume: z.number(),
  automatableMonthlyVolume: z.number(),
  perMonth: z.record(z.string(), z.number()),
  /** Tickets per week, keyed by the week's Monday (YYYY-MM-DD), weeks without tickets left out. */
  perWeek: z.record(z.string(), z.number()),
  firstResponseSeconds: spread,
  resolutionSeconds: spread,
  csat: z.object({ mean: z.number().nullable(), count: z.number().int() }),
  handleTimeSeconds: z.object({ median: z.number().nullable(), mean: z.number().nullable() }),
  handleTimeAssumed: z.boolean(),
  messagesPerTicket: z.number(),
  medianExchanges: z.number().nullable(),
  reopenRate: z.number().nullable(),
  replySimilarity: z.number().nullable(),
  consistency: z.number(),
  potential: z.enum(['high', 'medium', 'low', 'unknown']),
  simplicity: z.number().nullable(),
  complexity: z.enum(['simple', 'moderate', 'complex', 'unknown']),
  reasons: z.array(z.string()),
  /** Why potential could not be measured (then potential is 'unknown'), else null. */
  unmeasured: z.string().nullable(),
  /** Share of first replies that move to a private message; null without replies. */
  privateReplyShare: z.number().nullable(),
  entitiesNeeded: z.array(z.string()),
  integrations: z.array(z.string()),
  exclusions: z.object({
    tickets: z.number().int(),
    rate: z.number(),
    byRule: z.record(z.string(), z.number()),
  }),
  /** Null when potential is unknown: no saving is estimated for it. */
  expectedAutomationRate: z.number().nullable(),
  hoursSavedPerMonth: z.number().nullable(),
  /** Hours saved as full-time agents and money (see savings.ts); null when potential is unknown. */
  agentsSaved: z.number().nullable(),
  costSavedPerMonth: z.number().nullable(),
  representativeTexts: z.array(z.string()),
});
export type CategoryResult = z.infer<typeof CategoryResultSchema>;

/** From this exclusion rate a category goes to people: it needs no integration, whatever its texts name. */
export const TO_PEOPLE_RATE = 0.5;

/**
 * Scores and ranks categories: score = automatable monthly volume (excluded tickets removed) x simplicity.
 * Time saved = handle time (median; assumed when unknown) x automatable volume x expected automation rate.
 * Categories whose potential could not be measured come after the others, by automatable volume, with no
 * time saved.
 */
export function rankCategories(
  entries: readonly { acc: CategoryAccumulator; baseline: Baseline }[],
  costs: CostSettings = DEFAULT_COSTS,
): CategoryResult[] {
  const results = entries.map(({ acc, baseline }) => {
    const replySimilarity = meanPairwiseSimilarity(acc.replySample);
    const consistency = threadConsistency(acc);
    const toPeople = baseline.exclusionRate >= TO_PEOPLE_RATE;
    const needed = toPeople ? [] : entitiesNeeded(baseline);
    const assessment = assessPotential({
      replySimilarity,
      medianExchanges: baseline.medianExchanges,
      exclusionRate: baseline.exclusionRate,
      consistency,
      entitiesNeeded: needed,
      privateReplyShare: baseline.privateReplyShare,
    });
    if (toPeople) assessment.reasons.push('goes to people: no integration');
    const automatableMonthlyVolume = baseline.monthlyVolume * (1 - baseline.exclusionRate);
    const rate = assessment.potential === 'unknown' ? null : EXPECTED_AUTOMATION_RATE[assessment.potential];
    const handle = baseline.handleTimeSeconds.median ?? ASSUMED_HANDLE_SECONDS;
    const hours = rate === null ? null : (handle * automatableMonthlyVolume * rate) / 3600;
    const saved = hours === null ? null : savingsOf(hours, costs);
    return {
      category: acc.name,
      title: categoryTitle(acc.name),
      rank: 1,
      score: round(automatableMonthlyVolume * (assessment.simplicity ?? 1), 2),
      tickets: baseline.tickets,
      share: baseline.share,
      monthlyVolume: round(baseline.monthlyVolume, 1),
      automatableMonthlyVolume: round(automatableMonthlyVolume, 1),
      perMonth: baseline.perMonth,
      perWeek: Object.fromEntries(
        [...acc.weeks].sort(([a], [b]) => a - b).map(([week, n]) => [weekStart(week), n]),
      ),
      firstResponseSeconds: baseline.firstResponseSeconds,
      resolutionSeconds: baseline.resolutionSeconds,
      csat: baseline.csat,
      handleTimeSeconds: baseline.handleTimeSeconds,
      handleTimeAssumed: baseline.handleTimeSeconds.median === null,
      messagesPerTicket: round(baseline.messagesPerTicket, 2),
      medianExchanges: baseline.medianExchanges,
      reopenRate: baseline.reopenRate,
      replySimilarity: replySimilarity === null ? null : round(replySimilarity, 3),
      consistency: round(consistency, 3),
      ...assessment,
      privateReplyShare: baseline.privateReplyShare === null ? null : round(baseline.privateReplyShare, 3),
      entitiesNeeded: needed,
      integrations: [...new Set(needed.map((e) => INTEGRATIONS[e] as string))].sort(),
      exclusions: {
        tickets: baseline.excluded,
        rate: baseline.exclusionRate,
        byRule: baseline.exclusionsByRule,
      },
      expectedAutomationRate: rate,
      hoursSavedPerMonth: saved?.hoursPerMonth ?? null,
      agentsSaved: saved?.agents ?? null,
      costSavedPerMonth: saved?.costPerMonth ?? null,
      representativeTexts: acc.textSample.slice(0, 3),
    } satisfies CategoryResult;
  });
  const unknown = (c: CategoryResult) => (c.potential === 'unknown' ? 1 : 0);
  results.sort(
    (a, b) => unknown(a) - unknown(b) || b.score - a.score || a.category.localeCompare(b.category),
  );
  results.forEach((r, i) => {
    r.rank = i + 1;
  });
  return results;
}

function round(v: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}
