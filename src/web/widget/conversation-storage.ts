/** The part of Web Storage the widget uses (localStorage in the browser, a Map in tests). */
export interface KeyValueStore {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

/** What a page remembers to resume a conversation after a reload. */
export interface SavedConversation {
  id: string;
  token: string;
  /** The resolve message whose feedback was already given (0: none). */
  feedbackSeq: number;
  /** The resolve message the customer answered "Yes" to: the survey follows it (absent: none). */
  confirmedSeq?: number;
  /** The survey was answered: it is not asked again for this conversation. */
  surveyDone?: boolean;
}

/**
 * The storage key: per widget key and per signed-in customer, so that another customer signing in on the same
 * browser never resumes (or reads) someone else's conversation.
 */
export function conversationStorageKey(widgetKey: string, customerEmail: string | undefined): string {
  return `switchboard:v1:${widgetKey}:${(customerEmail ?? '').trim().toLowerCase()}`;
}

// Storage can throw (disabled cookies, Safari private mode, quota): the widget then simply does not remember.
export function loadConversation(
  store: KeyValueStore | undefined,
  key: string,
): SavedConversation | undefined {
  try {
    const value: unknown = JSON.parse(store?.getItem(key) ?? 'null');
    if (typeof value !== 'object' || value === null) return undefined;
    const { id, token, feedbackSeq, confirmedSeq, surveyDone } = value as Record<string, unknown>;
    if (typeof id !== 'string' || typeof token !== 'string' || id === '' || token === '') return undefined;
    return {
      id,
      token,
      feedbackSeq: typeof feedbackSeq === 'number' ? feedbackSeq : 0,
      ...(typeof confirmedSeq === 'number' ? { confirmedSeq } : {}),
      ...(surveyDone === true ? { surveyDone: true } : {}),
    };
  } catch {
    return undefined;
  }
}

export function saveConversation(
  store: KeyValueStore | undefined,
  key: string,
  saved: SavedConversation,
): void {
  try {
    store?.setItem(key, JSON.stringify(saved));
  } catch {
    // not remembered: the conversation still works in this page
  }
}

export function forgetConversation(store: KeyValueStore | undefined, key: string): void {
  try {
    store?.removeItem(key);
  } catch {
    // nothing to forget then
  }
}
