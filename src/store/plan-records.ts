import { createHash } from 'node:crypto';
import { UserError } from '../shared/index.ts';
import { event } from './plan-turn.ts';
import type { EventRow, FeedbackRow } from './rows.ts';
import type { ApiKeysTable, ArtifactsTable } from './schema.ts';
import type { ArtifactKind, CreateApiKeyInput, FeedbackInput, SaveArtifactInput } from './store.ts';

/**
 * The rows and events of the store's smaller records (feedback, artifacts, API keys), decided once for both
 * implementations, as `plan-turn.ts` does for conversations.
 */

export function feedbackRow(input: FeedbackInput): FeedbackRow {
  if (
    input.rating !== undefined &&
    !(Number.isInteger(input.rating) && input.rating >= 1 && input.rating <= 5)
  ) {
    throw new UserError('feedback.bad_rating', 'a rating is a whole number from 1 to 5', { field: 'rating' });
  }
  return {
    conversation_id: input.conversationId,
    at: input.at,
    resolved: input.resolved === undefined ? null : input.resolved ? 1 : 0,
    rating: input.rating ?? null,
    comment: input.comment ?? null,
    source: input.source,
  };
}

/** The event says what was answered, never the comment itself. */
export function feedbackEvent(input: FeedbackInput, feedbackId: number): EventRow {
  return event(input.at, 'conversation.feedback', input.conversationId, {
    feedbackId,
    resolved: input.resolved ?? null,
    rating: input.rating ?? null,
    hasComment: Boolean(input.comment),
    source: input.source,
  });
}

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

export function artifactRow(
  input: SaveArtifactInput,
  version: number,
  sha256: string,
): Omit<ArtifactsTable, 'id'> {
  return {
    kind: input.kind,
    version,
    sha256,
    bytes: Buffer.byteLength(input.content),
    content: input.content,
    note: input.note ?? null,
    created_by: input.by,
    created_at: input.at,
  };
}

export function artifactSavedEvent(input: SaveArtifactInput, version: number, sha256: string): EventRow {
  return event(input.at, 'artifact.saved', null, {
    kind: input.kind,
    version,
    sha256,
    bytes: Buffer.byteLength(input.content),
    by: input.by,
  });
}

export function artifactActivatedEvent(
  kind: ArtifactKind,
  version: number,
  previous: number | null,
  by: string,
  at: number,
): EventRow {
  return event(at, 'artifact.activated', null, { kind, version, previous, by });
}

export function unknownArtifactVersion(kind: ArtifactKind, version: number): UserError {
  return new UserError('artifact.not_found', `there is no ${kind} version ${version}`, { field: 'version' });
}

export function apiKeyRow(input: CreateApiKeyInput): ApiKeysTable {
  return {
    id: input.id,
    name: input.name,
    scopes: JSON.stringify([...input.scopes]),
    secret_hash: input.secretHash,
    publishable: input.publishable ? 1 : 0,
    origins: JSON.stringify([...input.origins]),
    identity_secret: input.identitySecret ?? null,
    publishable_key: input.publishable ? (input.publishableKey ?? null) : null,
    created_at: input.at,
    created_by: input.by,
    revoked_at: null,
  };
}

export function apiKeyEvent(
  type: 'api_key.created' | 'api_key.revoked',
  key: { id: string; name: string; scopes: readonly string[] },
  by: string,
  at: number,
): EventRow {
  return event(at, type, null, { keyId: key.id, name: key.name, scopes: [...key.scopes], by });
}
