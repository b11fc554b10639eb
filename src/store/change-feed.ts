/**
 * Tells every process that something it may be waiting for has changed: a conversation was written (a stream
 * sends the new events), jobs were enqueued (an idle worker wakes up), the active model or knowledge base
 * changed (every process reloads). A change is only a hint to read the store again: listeners never trust a
 * change for data, and a change may arrive twice. SQLite: within the process, plus a poll of the file's data
 * version for writes from other processes. PostgreSQL: LISTEN / NOTIFY, sent in the writing transaction, so a
 * change is heard only once it is committed.
 *
 * @example
 * const stop = store.changes.subscribe((change) => {
 *   if (change.topic === 'conversation' && change.id === 'c1') void sendNewEvents();
 * });
 * stop();
 */
export interface ChangeFeed {
  subscribe(listener: (change: Change) => void): () => void;
  /** Tells this process's listeners, and (PostgreSQL) every other process's, outside any write. */
  publish(change: Change): Promise<void>;
}

export type ChangeTopic = 'conversation' | 'jobs' | 'artifacts' | 'settings' | 'any';

export interface Change {
  topic: ChangeTopic;
  /** The conversation id, the artifact kind; null when not known (`any`: something changed, read again). */
  id: string | null;
}

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
