import { isoSeconds } from './calendar.ts';
import type { DemoChannel, DemoStatus, DemoTicket } from './demo-ticket.ts';
import { GROUP_IDS, SHOP } from './shop.ts';

const ZENDESK_STATUS: Record<DemoStatus, string> = {
  new: 'new',
  open: 'open',
  pending: 'pending',
  resolved: 'solved',
  closed: 'closed',
};
const ZENDESK_CHANNEL: Record<DemoChannel, string> = {
  email: 'email',
  web: 'web',
  chat: 'chat',
  social: 'twitter',
};

/** Ids of the custom fields the demo account defines. */
export const ZENDESK_FIELDS = {
  contactReason: 360001,
  orderNumber: 360002,
  plan: 360003,
  handleTimeSeconds: 360004,
  csatStars: 360005,
} as const;

const time = (ms: number | null) => (ms === null ? null : isoSeconds(ms));
const minutes = (from: number, to: number | null) => (to === null ? null : Math.round((to - from) / 60_000));

/**
 * A ticket as the Zendesk API returns it, plus three inline conveniences an export script would side-load:
 * `requester` (the user), `comments` (the thread) and `metric_set` (first reply and solve times, which the
 * ticket object itself lacks). CSAT is good for 4-5 stars, bad for 1-3; the stars are in a custom field.
 */
export function ticketToZendesk(t: DemoTicket): Record<string, unknown> {
  const first = t.messages[0];
  const rated = t.csat !== null;
  return {
    id: t.id,
    external_id: null,
    type: t.type,
    subject: t.subject,
    raw_subject: t.subject,
    description: first?.body ?? '',
    priority: t.priority,
    status: ZENDESK_STATUS[t.status],
    recipient: SHOP.supportEmail,
    requester_id: t.customer.id,
    submitter_id: t.customer.id,
    assignee_id: t.assignee?.id ?? null,
    organization_id: null,
    group_id: GROUP_IDS[t.group],
    tags: t.tags,
    custom_fields: [
      { id: ZENDESK_FIELDS.contactReason, value: t.category },
      { id: ZENDESK_FIELDS.orderNumber, value: t.orderId },
      { id: ZENDESK_FIELDS.plan, value: t.customer.plan },
      { id: ZENDESK_FIELDS.handleTimeSeconds, value: t.handleTimeSeconds },
      { id: ZENDESK_FIELDS.csatStars, value: t.csat },
    ],
    satisfaction_rating: rated
      ? { id: t.id * 10, score: (t.csat as number) >= 4 ? 'good' : 'bad', comment: t.csatComment ?? '' }
      : { score: t.resolvedAt !== null ? 'offered' : 'unoffered' },
    via: {
      channel: ZENDESK_CHANNEL[t.channel],
      source: {
        from: { address: t.customer.email, name: t.customer.name },
        to: { address: SHOP.supportEmail, name: `${SHOP.name} Support` },
        rel: null,
      },
    },
    is_public: true,
    created_at: isoSeconds(t.createdAt),
    updated_at: isoSeconds(t.updatedAt),
    requester: { id: t.customer.id, name: t.customer.name, email: t.customer.email },
    comments: t.messages.map((m) => ({
      id: m.id,
      type: 'Comment',
      author_id: m.authorId,
      body: m.body,
      public: m.public,
      created_at: isoSeconds(m.createdAt),
    })),
    metric_set: {
      ticket_id: t.id,
      solved_at: time(t.resolvedAt),
      reply_time_in_minutes: { calendar: minutes(t.createdAt, t.firstResponseAt), business: null },
      full_resolution_time_in_minutes: { calendar: minutes(t.createdAt, t.resolvedAt), business: null },
      replies: t.messages.filter((m) => m.authorRole === 'agent' && m.public).length,
      reopens: 0,
    },
  };
}

/** One JSON line per ticket, ending in `\n`. */
export const ticketToZendeskLine = (t: DemoTicket): string => `${JSON.stringify(ticketToZendesk(t))}\n`;
