import { z } from 'zod';
import type { CustomerProfile } from './conversation.ts';

/**
 * How a workflow runs for the customers in its pilot: `off` (never started: people handle the request),
 * `shadow` (the bot plans its lines as drafts for an agent, the customer sees none of them) or `live`.
 */
export const PILOT_MODES = ['off', 'shadow', 'live'] as const;
export const PilotModeSchema = z.enum(PILOT_MODES);
export type PilotMode = z.infer<typeof PilotModeSchema>;

const names = (what: string) =>
  z
    .array(z.string().trim().min(1, `a ${what} may not be empty`).max(200))
    .max(200)
    .default([]);

/**
 * A workflow's pilot: its mode and who is in. Empty lists mean everyone; a customer must match every list that
 * is not empty, then fall within `percent` (sticky per customer, see `pilotBucket`).
 */
export const PilotSettingsSchema = z
  .object({
    mode: PilotModeSchema,
    /** Customer segments (the profile's `segment`, else its `attributes.segment`). */
    segments: names('segment'),
    /** Channels (`api`, `widget`, `chatwoot`, ...). */
    channels: names('channel'),
    /** Categories: the conversation's category (the message's intent) when known, else the workflow's intents. */
    categories: names('category'),
    /** The share of customers in, 0 to 100 (two decimals count). */
    percent: z.number().min(0).max(100).default(100),
  })
  .strict();
export type PilotSettings = z.infer<typeof PilotSettingsSchema>;

/** The kill switch's state: every workflow stopped (`all`) or some of them. */
export interface KillState {
  all: boolean;
  workflows: ReadonlySet<string>;
}

/**
 * Where a customer falls for a workflow, 0 (inclusive) to 100 (exclusive), in steps of 0.01: the same customer and
 * workflow always give the same number, so a customer never flips between the bot and people while the percentage
 * stays; widening the percentage only adds customers. A customer with no id or email is decided per conversation.
 *
 * @example
 * pilotBucket(pilotKey({ id: 'c-42', attributes: {} }, 'conv-1'), 'order-status'); // e.g. 37.12
 */
export function pilotBucket(customerKey: string, workflowId: string): number {
  return (fnv1a32(`${workflowId}\u0000${customerKey}`) % 10_000) / 100;
}

/** What makes a customer the same customer for the percentage: the id, else the email, else the conversation. */
export function pilotKey(customer: CustomerProfile, conversationId: string): string {
  if (customer.id) return `id:${customer.id}`;
  if (customer.email) return `email:${customer.email.trim().toLowerCase()}`;
  return `conversation:${conversationId}`;
}

/**
 * The mode a workflow runs in for one conversation: `live` when the workflow has no pilot settings (a deployment
 * without pilots behaves as before), else the settings' mode for a customer who is in, and `off` for one who is
 * not. Pure.
 *
 * @example
 * decidePilot({
 *   settings: { mode: 'shadow', segments: ['vip'], channels: [], categories: [], percent: 10 },
 *   workflowId: 'refund', workflowIntents: ['refund_request'],
 *   conversation: { id: 'c1', customer: { id: 'k7', segment: 'vip', attributes: {} }, channel: 'api' },
 *   category: 'refund_request',
 * }); // 'shadow' for about one vip customer in ten, else 'off'
 */
export function decidePilot(props: {
  settings: PilotSettings | undefined;
  workflowId: string;
  workflowIntents: readonly string[];
  conversation: { id: string; customer: CustomerProfile; channel: string };
  /** The conversation's category when known (the message's intent); null: the workflow's intents are used. */
  category: string | null;
}): PilotMode {
  const { settings, conversation } = props;
  if (!settings) return 'live';
  if (settings.mode === 'off') return 'off';
  if (settings.segments.length > 0) {
    const segment = segmentOf(conversation.customer);
    if (segment === null || !settings.segments.includes(segment)) return 'off';
  }
  if (settings.channels.length > 0 && !settings.channels.includes(conversation.channel)) return 'off';
  if (settings.categories.length > 0) {
    const categories = props.category !== null ? [props.category] : props.workflowIntents;
    if (!categories.some((c) => settings.categories.includes(c))) return 'off';
  }
  if (settings.percent < 100) {
    const bucket = pilotBucket(pilotKey(conversation.customer, conversation.id), props.workflowId);
    if (bucket >= settings.percent) return 'off';
  }
  return settings.mode;
}

function segmentOf(customer: CustomerProfile): string | null {
  if (customer.segment) return customer.segment;
  const attribute = customer.attributes?.segment;
  return typeof attribute === 'string' && attribute !== '' ? attribute : null;
}

/** FNV-1a, 32 bits, over UTF-16 code units, with a final avalanche so close keys spread over the buckets. */
function fnv1a32(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  hash ^= hash >>> 16;
  hash = Math.imul(hash, 0x85ebca6b);
  hash ^= hash >>> 13;
  hash = Math.imul(hash, 0xc2b2ae35);
  hash ^= hash >>> 16;
  return hash >>> 0;
}
