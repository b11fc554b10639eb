import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { UserError } from '../shared/index.ts';
import type { Store, StoredApiKey } from '../store/index.ts';

/**
 * What an API key may do. `conversations`: a channel or backend: start conversations, post messages, read and
 * stream any conversation. `widget`: a publishable key for web pages: start a conversation and get its token,
 * nothing else (the token then reads and writes that one conversation).
 */
export const SCOPES = ['conversations', 'widget'] as const;
export type Scope = (typeof SCOPES)[number];

const PREFIX = { secret: 'sb_sk_', publishable: 'sb_pk_', token: 'sb_ct_' } as const;

/** The credential types a request can carry in `Authorization: Bearer ...`. */
export type Credential =
  | { type: 'secret' | 'publishable'; id: string; text: string }
  | { type: 'token'; text: string };

/** Reads a credential's type (and a key's id) from its text; null for anything that is not one of ours. */
export function parseCredential(text: string): Credential | null {
  if (text.length > 200) return null;
  for (const type of ['secret', 'publishable'] as const) {
    const match = new RegExp(`^${PREFIX[type]}([a-z0-9]{12})_[A-Za-z0-9_-]{43}$`).exec(text);
    if (match) return { type, id: match[1]!, text };
  }
  if (/^sb_ct_[A-Za-z0-9_-]{43}$/.test(text)) return { type: 'token', text };
  return null;
}

/** sha256 (hex) of a credential: what the store keeps. Credentials are 256-bit random, so no slow hash is needed. */
export function hashCredential(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

/** Compares two hex hashes in constant time. */
export function sameHash(a: string, b: string): boolean {
  const x = Buffer.from(a, 'hex');
  const y = Buffer.from(b, 'hex');
  return x.length === y.length && x.length > 0 && timingSafeEqual(x, y);
}

/** A new conversation token and the hash the conversation stores. */
export function newConversationToken(): { token: string; hash: string } {
  const token = `${PREFIX.token}${randomBytes(32).toString('base64url')}`;
  return { token, hash: hashCredential(token) };
}

export interface CreatedApiKey {
  key: StoredApiKey;
  /** The whole key: shown once, never stored. */
  secret: string;
  /** For publishable keys that verify identity: the secret a site signs customer emails with (HMAC-SHA256). */
  identitySecret?: string;
}

/**
 * Creates an API key: a random id and secret, stored as a hash (the key is shown once). A `widget` key is
 * publishable (`sb_pk_`, meant for web pages, limited to its origins); any other is secret (`sb_sk_`). With
 * `verifyIdentity`, a widget key comes with an identity secret: customer details a page passes are trusted only
 * with their signature (see `signCustomerIdentity`).
 *
 * @example
 * const { secret } = await createApiKey({ store, name: 'web', scopes: ['widget'], origins: ['https://shop.example'], by: 'cli', at: Date.now() });
 */
export async function createApiKey(props: {
  store: Store;
  name: string;
  scopes: readonly Scope[];
  origins?: readonly string[];
  verifyIdentity?: boolean;
  by: string;
  at: number;
}): Promise<CreatedApiKey> {
  const name = props.name.trim();
  if (!/^[\w .-]{1,64}$/.test(name)) {
    throw new UserError('keys.bad_name', 'a key name is 1 to 64 letters, digits, spaces, dots, dashes or _', {
      field: '--name',
    });
  }
  if (props.scopes.length === 0) {
    throw new UserError('keys.no_scope', `give at least one scope (${SCOPES.join(', ')})`, {
      field: '--scopes',
    });
  }
  const publishable = props.scopes.includes('widget');
  if (publishable && props.scopes.length > 1) {
    throw new UserError(
      'keys.mixed_scopes',
      'a widget key is publishable (it sits in web pages): give it the widget scope alone',
      { field: '--scopes' },
    );
  }
  if (props.verifyIdentity && !publishable) {
    throw new UserError('keys.identity_needs_widget', 'identity verification is for widget keys', {
      field: '--verify-identity',
    });
  }
  const origins = [...(props.origins ?? [])].map((origin) => normaliseOrigin(origin));
  const id = randomBytes(8).toString('hex').slice(0, 12);
  const secret = `${publishable ? PREFIX.publishable : PREFIX.secret}${id}_${randomBytes(32).toString('base64url')}`;
  const identitySecret = props.verifyIdentity ? randomBytes(32).toString('base64url') : undefined;
  const key = await props.store.createApiKey({
    id,
    name,
    scopes: [...props.scopes],
    secretHash: hashCredential(secret),
    publishable,
    origins,
    ...(identitySecret ? { identitySecret } : {}),
    ...(publishable ? { publishableKey: secret } : {}),
    by: props.by,
    at: props.at,
  });
  return { key, secret, ...(identitySecret ? { identitySecret } : {}) };
}

/** `https://Shop.example:443/` -> `https://shop.example`; anything that is not an http(s) origin is a UserError. */
export function normaliseOrigin(origin: string): string {
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    throw new UserError(
      'keys.bad_origin',
      `not an origin: ${JSON.stringify(origin)} (like https://shop.example)`,
      {
        field: '--origins',
      },
    );
  }
  if ((url.protocol !== 'https:' && url.protocol !== 'http:') || url.pathname.length > 1 || url.search) {
    throw new UserError(
      'keys.bad_origin',
      `not an origin: ${JSON.stringify(origin)} (like https://shop.example)`,
      {
        field: '--origins',
      },
    );
  }
  return url.origin;
}

/** Parses `--scopes a,b`. */
export function parseScopes(text: string): Scope[] {
  const scopes = text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  for (const scope of scopes) {
    if (!(SCOPES as readonly string[]).includes(scope)) {
      throw new UserError('keys.bad_scope', `unknown scope "${scope}" (scopes: ${SCOPES.join(', ')})`, {
        field: '--scopes',
      });
    }
  }
  return [...new Set(scopes)] as Scope[];
}

/**
 * The signature a site's server gives the widget for a signed-in customer: HMAC-SHA256 of the lower-cased email
 * with the key's identity secret, hex. The page cannot forge it, so a visitor cannot claim someone else's
 * orders by typing their email.
 *
 * @example
 * signCustomerIdentity(identitySecret, 'olivia.okafor@example.net'); // '3f1c...'
 */
export function signCustomerIdentity(identitySecret: string, email: string): string {
  return createHmac('sha256', identitySecret).update(email.trim().toLowerCase()).digest('hex');
}

export function verifyCustomerIdentity(identitySecret: string, email: string, signature: string): boolean {
  return (
    /^[0-9a-f]{64}$/i.test(signature) && sameHash(signCustomerIdentity(identitySecret, email), signature)
  );
}
