import type { Change, ChangeFeed, ChangeTopic } from './store.ts';

export type { Change, ChangeFeed, ChangeTopic, WrittenToConversation } from './store.ts';

/**
 * The in-process half every implementation shares: listeners, and delivery that never lets a throwing listener
 * stop the others.
 */
export function createLocalChanges(): { subscribe: ChangeFeed['subscribe']; emit: (change: Change) => void } {
  const listeners = new Set<(change: Change) => void>();
  return {
    subscribe(listener) {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },
    emit(change) {
      for (const listener of [...listeners]) {
        try {
          listener(change);
        } catch {
          // A listener's failure is its own: the others still hear the change.
        }
      }
    },
  };
}

/** `topic:id` on the wire (PostgreSQL NOTIFY payloads). */
export function encodeChange(change: Change): string {
  return `${change.topic}:${change.id ?? ''}`;
}

export function decodeChange(text: string): Change | null {
  const at = text.indexOf(':');
  if (at < 0) return null;
  const topic = text.slice(0, at) as ChangeTopic;
  if (!['conversation', 'jobs', 'artifacts', 'settings', 'any'].includes(topic)) return null;
  const id = text.slice(at + 1);
  return { topic, id: id === '' ? null : id };
}
