import { z } from 'zod';
import { type Baseline, type CategoryAccumulator, threadConsistency } from './accumulate.ts';
import {
  ASSUMED_HANDLE_SECONDS,
  assessPotential,
  EXPECTED_AUTOMATION_RATE,
  entitiesNeeded,
  INTEGRATIONS,
} from './potential.ts';
import { meanPairwiseSimilarity } from './similarity.ts';

const spread = z.object({ median: z.number().nullable(), p90: z.number().nullable() });

/** One category of the audit: baseline, potential with its reasons, and its place in the ranking. */
export const CategoryResultSchema = z.object({
  category: z.string(),
  rank: z.number().int().positive(),
  score: z.number(),
  tickets: z.number().int(),
  share: z.number(),
  monthlyVolume: z.number(),
  automatableMonthlyVolume: z.number(),
  perMonth: z.record(z.string(), z.number()),
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
  potential: z.enum(['high', 'medium', 'low']),
  simplicity: z.number(),
  complexity: z.enum(['simple', 'moderate', 'complex']),
  reasons: z.array(z.string()),
  entitiesNeeded: z.array(z.string()),
  integrations: z.array(z.string()),
  exclusions: z.object({
    tickets: z.number().int(),
    rate: z.number(),
    byRule: z.record(z.string(), z.number()),
  }),
  expectedAutomationRate: z.number(),
  hoursSavedPerMonth: z.number(),
  representativeTexts: z.array(z.string()),
});
export type CategoryResult = z.infer<typeof CategoryResultSchema>;

/**
 * Scores and ranks categories: score = automatable monthly volume (excluded tickets removed) x simplicity.
 * Time saved = handle time (median; assumed when unknown) x automatable volume x expected automation rate.
 */
export function rankCategories(
  entries: readonly { acc: CategoryAccumulator; baseline: Baseline }[],
): CategoryResult[] {
  const results = entries.map(({ acc, baseline }) => {
    const replySimilarity = meanPairwiseSimilarity(acc.replySample);
    const consistency = threadConsistency(acc);
    const needed = entitiesNeeded(baseline);
    const assessment = assessPotential({
      replySimilarity,
      medianExchanges: baseline.medianExchanges,
      exclusionRate: baseline.exclusionRate,
      consistency,
      entitiesNeeded: needed,
    });
    const automatableMonthlyVolume = baseline.monthlyVolume * (1 - baseline.exclusionRate);
    const rate = EXPECTED_AUTOMATION_RATE[assessment.potential];
    const handle = baseline.handleTimeSeconds.median ?? ASSUMED_HANDLE_SECONDS;
    return {
      category: acc.name,
      rank: 1,
      score: round(automatableMonthlyVolume * assessment.simplicity, 2),
      tickets: baseline.tickets,
      share: baseline.share,
      monthlyVolume: round(baseline.monthlyVolume, 1),
      automatableMonthlyVolume: round(automatableMonthlyVolume, 1),
      perMonth: baseline.perMonth,
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
      entitiesNeeded: needed,
      integrations: [...new Set(needed.map((e) => INTEGRATIONS[e] as string))].sort(),
      exclusions: {
        tickets: baseline.excluded,
        rate: baseline.exclusionRate,
        byRule: baseline.exclusionsByRule,
      },
      expectedAutomationRate: rate,
      hoursSavedPerMonth: round((handle * automatableMonthlyVolume * rate) / 3600, 1),
      representativeTexts: acc.textSample.slice(0, 3),
    } satisfies CategoryResult;
  });
  results.sort((a, b) => b.score - a.score || a.category.localeCompare(b.category));
  results.forEach((r, i) => {
    r.rank = i + 1;
  });
  return results;
}

function round(v: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}
