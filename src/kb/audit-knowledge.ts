import type { KnowledgeBase } from './knowledge-base.ts';
import type { KnowledgeIndex } from './knowledge-index.ts';
import { DEFAULT_DUPLICATE_THRESHOLD, type NearDuplicate, nearDuplicates } from './near-duplicates.ts';
import { searchTerms } from './text.ts';

export const DEFAULT_STALE_DAYS = 180;
const DAY_MS = 86_400_000;

/** What replaying real questions against the knowledge base found: how often each article answered. */
export interface MatchCounts {
  questions: number;
  answered: number;
  /** Article id -> questions it answered (articles that answered none are absent). */
  byArticle: Map<string, number>;
}

export interface KnowledgeAudit {
  articles: number;
  passages: number;
  /** Intents no article covers; null when no intents were given. */
  intentsWithoutArticle: string[] | null;
  staleDays: number;
  /** Articles whose `updated` date is more than `staleDays` days before now, oldest first. */
  stale: { id: string; title: string; updated: string; days: number }[];
  /** Replay figures, or null when no questions were replayed. */
  replay: { questions: number; answered: number } | null;
  /** Articles that answered none of the replayed questions; null when none were replayed. */
  neverMatched: { id: string; title: string }[] | null;
  duplicateThreshold: number;
  nearDuplicates: NearDuplicate[];
}

export interface AuditKnowledgeProps {
  index: KnowledgeIndex;
  nowMs: number;
  staleDays?: number;
  /** Intent labels (the NLU model's, or a list); the out-of-scope label is the caller's to leave out. */
  intents?: readonly string[];
  matches?: MatchCounts;
  duplicateThreshold?: number;
}

/**
 * The knowledge base's gaps and rot: intents with no article (an article covers an intent when one of its tags
 * is the intent, or its tags and title hold every word of it: `order_status` <- "Track your order status"),
 * articles not updated for `staleDays`, articles that answered none of the replayed questions, and
 * near-duplicate pairs (TF-IDF cosine, `nearDuplicates`).
 *
 * @example
 * const audit = auditKnowledge({ index, nowMs: clock.now(), intents: ['order_status', 'feature_request'] });
 * audit.intentsWithoutArticle; // ['feature_request']
 */
export function auditKnowledge(props: AuditKnowledgeProps): KnowledgeAudit {
  const { index, nowMs } = props;
  const staleDays = props.staleDays ?? DEFAULT_STALE_DAYS;
  const duplicateThreshold = props.duplicateThreshold ?? DEFAULT_DUPLICATE_THRESHOLD;
  const covers = index.articles.map((a) => ({
    tags: new Set(a.tags),
    words: new Set(searchTerms(`${a.title} ${a.tags.join(' ')}`)),
  }));
  const intentsWithoutArticle =
    props.intents?.filter((intent) => {
      const words = searchTerms(intent);
      return !covers.some(
        (c) => c.tags.has(intent.toLowerCase()) || (words.length > 0 && words.every((w) => c.words.has(w))),
      );
    }) ?? null;
  const stale = index.articles
    .map((a) => ({
      id: a.id,
      title: a.title,
      updated: a.updated,
      days: Math.floor((nowMs - Date.parse(`${a.updated}T00:00:00Z`)) / DAY_MS),
    }))
    .filter((a) => a.days > staleDays)
    .sort((x, y) => y.days - x.days || (x.id < y.id ? -1 : 1));
  const textOf = new Map<string, string[]>();
  for (const p of index.passages) {
    const parts = textOf.get(p.articleId) ?? [];
    parts.push(p.heading, p.text);
    textOf.set(p.articleId, parts);
  }
  const duplicates = nearDuplicates(
    index.articles.map((a) => ({ id: a.id, text: [a.title, ...(textOf.get(a.id) ?? [])].join('\n') })),
    duplicateThreshold,
  );
  const matches = props.matches;
  return {
    articles: index.articles.length,
    passages: index.passages.length,
    intentsWithoutArticle,
    staleDays,
    stale,
    replay: matches ? { questions: matches.questions, answered: matches.answered } : null,
    neverMatched: matches
      ? index.articles.filter((a) => !matches.byArticle.has(a.id)).map((a) => ({ id: a.id, title: a.title }))
      : null,
    duplicateThreshold,
    nearDuplicates: duplicates,
  };
}

/**
 * Replays questions (the first messages of past tickets) against the knowledge base and counts, per article,
 * the ones it would have answered at `minScore`. Every audience counts: an agents-only article that matches
 * real questions is in use.
 *
 * @example
 * const matches = countMatches(kb, ['where is my parcel', 'reset my password'], 0.6);
 * matches.byArticle.get('password-reset'); // 1
 */
export function countMatches(kb: KnowledgeBase, questions: Iterable<string>, minScore: number): MatchCounts {
  const counts: MatchCounts = { questions: 0, answered: 0, byArticle: new Map() };
  for (const question of questions) {
    counts.questions++;
    const hit = kb.searchKnowledge(question, { minScore, audience: 'all' });
    if (!hit) continue;
    counts.answered++;
    counts.byArticle.set(hit.articleId, (counts.byArticle.get(hit.articleId) ?? 0) + 1);
  }
  return counts;
}

/** The audit as text for the terminal. */
export function formatKnowledgeAudit(audit: KnowledgeAudit): string {
  const lines = [`Knowledge base: ${audit.articles} articles, ${audit.passages} passages`, ''];
  const section = (title: string, items: string[] | null, none: string, absent: string) => {
    lines.push(`${title}${items ? ` (${items.length})` : ''}`);
    if (items === null) lines.push(`  ${absent}`);
    else if (items.length === 0) lines.push(`  ${none}`);
    else lines.push(...items.map((i) => `  - ${i}`));
    lines.push('');
  };
  section(
    'Intents with no article',
    audit.intentsWithoutArticle,
    'none: every intent has an article',
    'not checked: pass --intents a,b,... or --model FILE',
  );
  section(
    `Not updated for more than ${audit.staleDays} days`,
    audit.stale.map((s) => `${s.id} (${s.title}): updated ${s.updated}, ${s.days} days ago`),
    'none',
    '',
  );
  const replay = audit.replay
    ? `Never matched (${audit.replay.answered} of ${audit.replay.questions} ticket questions answered)`
    : 'Never matched';
  section(
    replay,
    audit.neverMatched?.map((a) => `${a.id} (${a.title})`) ?? null,
    'none: every article answered at least one ticket question',
    'not checked: pass --db to replay the first messages of stored tickets',
  );
  section(
    `Near-duplicates (similarity >= ${audit.duplicateThreshold})`,
    audit.nearDuplicates.map((d) => `${d.a} ~ ${d.b}: ${d.similarity}`),
    'none',
    '',
  );
  return lines.join('\n');
}
