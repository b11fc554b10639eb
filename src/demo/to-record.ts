import type { TicketRecord } from '../domain/ticket.ts';
import type { DemoTicket } from './demo-ticket.ts';

/**
 * The normalised ticket for a generated one (source `demo`), for callers that load the demo history straight
 * into a store instead of going through a file and an importer.
 */
export function demoTicketToRecord(t: DemoTicket): TicketRecord {
  return {
    source: 'demo',
    externalId: String(t.id),
    subject: t.subject,
    channel: t.channel,
    status: t.status,
    statusRaw: t.status,
    priority: t.priority,
    tags: [...t.tags],
    category: t.category,
    assignee: t.assignee?.name ?? null,
    group: t.group,
    createdAt: t.createdAt,
    updatedAt: t.updatedAt,
    firstResponseAt: t.firstResponseAt,
    deriveFirstResponse: true,
    resolvedAt: t.resolvedAt,
    closedAt: t.closedAt,
    csatScore: t.csat === null ? null : (t.csat - 1) / 4,
    csatRaw: t.csat === null ? null : String(t.csat),
    handleTimeSeconds: t.handleTimeSeconds,
    reopens: 0,
    customFields: { type: t.type, ...(t.orderId ? { order_id: t.orderId } : {}) },
    customer: {
      externalId: String(t.customer.id),
      email: t.customer.email,
      name: t.customer.name,
      segment: t.customer.plan,
      attributes: t.customer.company ? { company: t.customer.company } : {},
    },
    messages: t.messages.map((m) => ({
      externalId: String(m.id),
      authorRole: m.authorRole,
      authorId: String(m.authorId),
      body: m.body,
      createdAt: m.createdAt,
      public: m.public,
    })),
  };
}
