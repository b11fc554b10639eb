import type { TicketRecord, TicketStatus } from '../domain/index.ts';

/**
 * The store: one interface, two implementations (`sqlite/`, `postgres/`), one shared test suite
 * (`store.suite.ts`). Everything above `store/` sees only this file.
 *
 * @example
 * const store = await openStore({ url: ':memory:' });
 * const result = await store.upsertTickets([ticket], { origin: 'tickets.csv' });
 * console.log(result.inserted, (await store.stats()).tickets);
 * await store.close();
 */
export interface Store {
  /** What this implementation can do; shared code reads these flags instead of checking types. */
  readonly capabilities: StoreCapabilities;

  /**
   * Inserts new tickets and updates changed ones (keyed on source + external id), with their customers and
   * messages, and appends one event per change, all in one transaction: either the whole batch is stored or
   * none of it. A ticket identical to the stored one is left alone (and counted `unchanged`).
   */
  upsertTickets(tickets: readonly TicketRecord[], context: UpsertContext): Promise<UpsertResult>;

  getTicket(source: string, externalId: string): Promise<StoredTicket | undefined>;

  /** Tickets in id order, a page at a time (keyset pagination: pass the last id seen). */
  listTickets(query: TicketQuery): Promise<StoredTicket[]>;

  /** Events in id order after `afterId`. The log is append-only. */
  listEvents(query: { afterId?: number; limit: number; type?: string }): Promise<StoredEvent[]>;

  stats(): Promise<StoreStats>;

  close(): Promise<void>;
}

export interface StoreCapabilities {
  dialect: 'sqlite' | 'postgres';
  /** Several processes may write at once (PostgreSQL); SQLite has a single writer. */
  concurrentWriters: boolean;
  /** A human-readable location with no credentials, for logs and summaries. */
  location: string;
}

export interface UpsertContext {
  /** What the change came from (a file name, `demo`, `api`), recorded on each event. */
  origin: string;
}

export interface UpsertResult {
  inserted: number;
  updated: number;
  unchanged: number;
}

export interface StoredMessage {
  id: number;
  seq: number;
  externalId: string | null;
  authorRole: TicketRecord['messages'][number]['authorRole'];
  authorId: string | null;
  body: string;
  createdAt: number;
  public: boolean;
}

export interface StoredCustomer {
  id: number;
  source: string;
  externalId: string | null;
  email: string | null;
  name: string | null;
  segment: string | null;
  attributes: Record<string, unknown>;
}

export interface StoredTicket extends Omit<TicketRecord, 'messages' | 'customer' | 'deriveFirstResponse'> {
  id: number;
  customer: StoredCustomer | null;
  firstResponseSeconds: number | null;
  resolutionSeconds: number | null;
  customerMessageCount: number;
  agentMessageCount: number;
  /** Present when the query asked for messages. */
  messages?: StoredMessage[];
}

export interface TicketQuery {
  afterId?: number;
  limit: number;
  source?: string;
  /** Inclusive lower bound on createdAt (epoch ms). */
  createdFrom?: number;
  /** Exclusive upper bound on createdAt (epoch ms). */
  createdTo?: number;
  withMessages?: boolean;
}

export interface StoredEvent {
  id: number;
  at: number;
  type: string;
  ticketId: number | null;
  payload: Record<string, unknown>;
}

export interface Percentiles {
  median: number | null;
  p90: number | null;
}

/** The `stats --json` contract: keep these names stable. */
export interface StoreStats {
  tickets: number;
  messages: number;
  customers: number;
  events: number;
  bySource: Record<string, number>;
  byStatus: Partial<Record<TicketStatus, number>>;
  firstResponseSeconds: Percentiles;
  resolutionSeconds: Percentiles;
}
