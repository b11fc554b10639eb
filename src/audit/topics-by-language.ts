import { detectLanguage } from './language.ts';
import type { DiscoverTopics } from './topic-discovery.ts';

/** Texts of one other language that make a topic of their own; fewer go to "Written in other languages". */
export const LANGUAGE_TOPIC_MIN = 5;

/**
 * Topic discovery on the English texts (and those with no sign of a language), each other language a topic of
 * its own when it has LANGUAGE_TOPIC_MIN texts, the rest together "Written in other languages": mixed in, a
 * dozen Spanish and Dutch tweets made a topic named "service / de / en" on TWCS. Language topics follow the
 * discovered ones, largest first, with the next ids; a topic's representative indexes `texts`.
 *
 * @example
 * const { assignments, topics } = discoverByLanguage(texts, discoverTopics, 1);
 * topics.at(-1); // { id: 30, name: 'Written in Spanish', terms: [], size: 15, representative: 212 }
 */
export function discoverByLanguage(texts: string[], discover: DiscoverTopics, seed: number) {
  const english: number[] = [];
  const byLanguage = new Map<string, number[]>();
  texts.forEach((text, i) => {
    const l = detectLanguage(text);
    if (l.code === 'en' || l.code === 'und') english.push(i);
    else byLanguage.set(l.name, [...(byLanguage.get(l.name) ?? []), i]);
  });
  const found = discover(
    english.map((i) => texts[i]!),
    { k: 'auto', seed },
  );
  const assignments = new Array<number>(texts.length).fill(-1);
  english.forEach((i, j) => {
    assignments[i] = found.assignments[j] ?? -1;
  });
  const topics = found.topics.map((t) => ({ ...t, representative: english[t.representative]! }));
  const groups = [...byLanguage].sort((a, b) => b[1].length - a[1].length || (a[0] < b[0] ? -1 : 1));
  const rest = groups
    .filter(([, members]) => members.length < LANGUAGE_TOPIC_MIN)
    .flatMap(([, m]) => m)
    .sort((a, b) => a - b);
  const languageTopics: [string, number[]][] = groups
    .filter(([, members]) => members.length >= LANGUAGE_TOPIC_MIN)
    .map(([name, members]) => [`Written in ${name}`, members]);
  if (rest.length) languageTopics.push(['Written in other languages', rest]);
  for (const [name, members] of languageTopics) {
    const id = topics.length;
    for (const i of members) assignments[i] = id;
    topics.push({ id, name, terms: [], size: members.length, representative: members[0]! });
  }
  return { assignments, topics };
}
