import type { Priority } from '../domain/ticket.ts';
import type { DemoCategory, TicketType } from './categories.ts';
import type { DemoAgent, PlanTier, SupportGroup } from './shop.ts';

export type DemoChannel = 'email' | 'web' | 'chat' | 'social';
export type DemoStatus = 'new' | 'open' | 'pending' | 'resolved' | 'closed';

/** A customer of the shop; the same id always comes with the same name, email and plan. */
export interface DemoCustomer {
  id: number;
  name: string;
  firstName: string;
  email: string;
  plan: PlanTier;
  /** Business and enterprise customers buy for a company. */
  company: string | null;
}

/** One message of a ticket's thread. */
export interface DemoMessage {
  id: number;
  authorRole: 'customer' | 'agent';
  authorId: number;
  body: string;
  /** Epoch milliseconds, UTC, whole seconds. */
  createdAt: number;
  /** False for an agent's internal note. */
  public: boolean;
}

/** One generated ticket: what a helpdesk would export, plus the ground truth the generator used. */
export interface DemoTicket {
  id: number;
  subject: string | null;
  channel: DemoChannel;
  status: DemoStatus;
  priority: Priority;
  type: TicketType;
  tags: string[];
  category: DemoCategory;
  customer: DemoCustomer;
  assignee: DemoAgent | null;
  group: SupportGroup;
  /** `SB-123456` when the ticket is about an order. */
  orderId: string | null;
  createdAt: number;
  updatedAt: number;
  firstResponseAt: number | null;
  resolvedAt: number | null;
  closedAt: number | null;
  /** 1-5 stars, on about 40% of resolved tickets. */
  csat: number | null;
  csatComment: string | null;
  handleTimeSeconds: number | null;
  messages: DemoMessage[];
  truth: {
    category: DemoCategory;
    /** Complex tickets got bespoke agent replies; routine ones macros. */
    complex: boolean;
    angry: boolean;
    /** Typos injected into the customer's messages. */
    typos: number;
    /** The status of the ticket's order (in the demo shop too) when the customer wrote. */
    orderStatus: 'processing' | 'shipped' | 'delivered' | 'cancelled';
    /** The customer typed an order number that exists nowhere (the real one is `orderId`). */
    wrongOrderNumber: boolean;
  };
}
