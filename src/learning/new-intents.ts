import { discoverTopics } from '../audit/index.ts';
import type { CandidateExample } from './corrections.ts';

/** Fewer out-of-scope candidates than this say nothing about a new intent. */
const MIN_TEXTS = 6;

export interface NewIntentProposal {
  /** A short phrase of the cluster's own texts (the topic discovery's name). */
  name: string;
  terms: string[];
  /** The candidates of the cluster: accept them with the intent's name to create it. */
  ids: number[];
  /** A few of its texts, the most central first. */
  examples: string[];
}

/**
 * New intents proposed from the messages agents said no intent fits ("none of these"), still waiting for review:
 * the audit's topic discovery clusters them, and each cluster of 3 or more is a proposal a lead can name (accepting
 * its candidates with the new name teaches the model the intent at the next retrain).
 *
 * @example
 * const proposals = proposeNewIntents(await listCandidates({ store }));
 * // [{ name: 'Do you sell gift cards?', terms: ['gift', 'card', ...], ids: [41, 44, ...], examples: [...] }]
 */
export function proposeNewIntents(candidates: readonly CandidateExample[]): NewIntentProposal[] {
  const pool = candidates.filter((c) => c.status === 'candidate' && c.proposed === null);
  if (pool.length < MIN_TEXTS) return [];
  const texts = pool.map((c) => c.text);
  const { assignments, topics } = discoverTopics(texts, { k: 'auto', seed: 1, minTopicSize: 3 });
  return topics.map((topic) => {
    const members = pool.filter((_, i) => assignments[i] === topic.id);
    const central = texts[topic.representative] ?? members[0]?.text ?? '';
    return {
      name: topic.name,
      terms: topic.terms,
      ids: members.map((c) => c.id),
      examples: [central, ...members.map((c) => c.text).filter((t) => t !== central)].slice(0, 3),
    };
  });
}
