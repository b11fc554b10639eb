import { hashCredential, parseCredential, type Scope, sameHash } from '../access/index.ts';
import type { Store, StoredApiKey, StoredConversation } from '../store/index.ts';
import type { problem } from './problems.ts';

/** Who is calling: an API key, or a conversation's token (which reaches that conversation only). */
export type Principal =
  | { kind: 'key'; key: StoredApiKey; rateKey: string }
  | { kind: 'token'; conversationId: string; rateKey: string };

type ProblemInput = Parameters<typeof problem>[0];

/** How long a key read from the store is trusted: a revoked key stops working within this. */
export const KEY_CACHE_MS = 10_000;

const bearer = (header: string | undefined) => {
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
  return match?.[1] ?? null;
};

const missing: ProblemInput = {
  status: 401,
  code: 'auth.missing',
  detail: 'send an API key or a conversation token: Authorization: Bearer <credential>',
};
const invalid: ProblemInput = {
  status: 401,
  code: 'auth.invalid',
  detail: 'the credential is not valid (unknown, revoked, or for another conversation)',
};

/**
 * Reads credentials: API keys from the store (their hash compared in constant time, cached for KEY_CACHE_MS so a
 * busy key is not a query per request), conversation tokens against the conversation's stored hash.
 */
export function createAuthenticator(props: { store: Store; now?: () => number }) {
  const { store } = props;
  const now = props.now ?? (() => Date.now());
  const cache = new Map<string, { key: StoredApiKey | undefined; at: number }>();

  async function keyOf(id: string): Promise<StoredApiKey | undefined> {
    const cached = cache.get(id);
    if (cached && now() - cached.at < KEY_CACHE_MS) return cached.key;
    const key = await store.findApiKey(id);
    if (cache.size > 10_000) cache.clear();
    cache.set(id, { key, at: now() });
    return key;
  }

  return {
    /** An API key with one of `scopes`. */
    async key(header: string | undefined, scopes: readonly Scope[]): Promise<Principal | ProblemInput> {
      const text = bearer(header);
      if (!text) return missing;
      const credential = parseCredential(text);
      if (!credential || credential.type === 'token') return invalid;
      const key = await keyOf(credential.id);
      if (!key || key.revokedAt !== null || !sameHash(key.secretHash, hashCredential(text))) return invalid;
      if (!key.scopes.some((s) => (scopes as readonly string[]).includes(s))) {
        return {
          status: 403,
          code: 'auth.scope',
          detail: `this key's scopes (${key.scopes.join(', ')}) do not allow this`,
        };
      }
      return { kind: 'key', key, rateKey: `key:${key.id}` };
    },

    /**
     * A secret key with the `conversations` scope, or the token of this very conversation. The conversation is
     * read here (the routes need it anyway); an unknown one is a 404 only for key holders, so a token never
     * learns which ids exist.
     */
    async conversation(
      header: string | undefined,
      conversationId: string,
    ): Promise<{ principal: Principal; conversation: StoredConversation } | ProblemInput> {
      const text = bearer(header);
      if (!text) return missing;
      const credential = parseCredential(text);
      if (!credential) return invalid;
      if (credential.type === 'token') {
        const conversation = await store.findConversation(conversationId);
        const hash = hashCredential(text);
        if (!conversation?.tokenHash || !sameHash(conversation.tokenHash, hash)) return invalid;
        return {
          principal: { kind: 'token', conversationId, rateKey: `conversation:${conversationId}` },
          conversation,
        };
      }
      const principal = await this.key(header, ['conversations']);
      if (!('kind' in principal)) return principal;
      const conversation = await store.findConversation(conversationId);
      if (!conversation) {
        return { status: 404, code: 'conversation.not_found', detail: 'no conversation with this id' };
      }
      return { principal, conversation };
    },
  };
}

export type Authenticator = ReturnType<typeof createAuthenticator>;
