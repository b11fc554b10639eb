/**
 * The contract of topic discovery (`discoverTopics` in topics.ts): clusters texts into named topics; an
 * assignment of -1 means "other". runAudit takes it as a parameter so tests can pass a double.
 */
export type DiscoverTopics = (
  texts: string[],
  options: { k?: number | 'auto'; seed?: number; minTopicSize?: number },
) => {
  assignments: number[];
  topics: { id: number; name: string; terms: string[]; size: number; representative: number }[];
};
