import type { Priority } from '../domain/ticket.ts';
import { type WeightedTable, weightedTable } from './random.ts';
import type { SupportGroup } from './shop.ts';

/** The categories of the demo inbox; each ticket's `category` is one of them. */
export const DEMO_CATEGORIES = [
  'password_reset',
  'order_status',
  'billing_question',
  'account_update',
  'how_to',
  'shipping_delay',
  'refund_request',
  'order_change',
  'order_cancellation',
  'invoice_request',
  'bug_report',
  'feature_request',
  'complaint',
  'legal',
  'security',
  'distress',
] as const;
export type DemoCategory = (typeof DEMO_CATEGORIES)[number];

/** Zendesk ticket types. */
export type TicketType = 'question' | 'incident' | 'problem' | 'task';

/** How a category behaves in the inbox: volume, who handles it, how fast, how it is rated. */
export interface CategoryProfile {
  /** Share of the inbox, in percent. */
  weight: number;
  /** Complex tickets get bespoke agent replies and longer threads; routine ones get macros. */
  complex: boolean;
  type: TicketType;
  tags: readonly string[];
  /** Groups that take the category, by share. */
  groups: WeightedTable<SupportGroup>;
  priority: WeightedTable<Priority>;
  /** Whether the order number belongs in the ticket's custom fields. */
  aboutOrder: boolean;
  /** Share of customers who write angrily. */
  angerRate: number;
  /** First agent reply, in minutes after creation: lognormal median and spread. */
  firstResponseMinutes: { median: number; sigma: number };
  /** Later agent replies, in minutes after the customer's last message. */
  agentGapMinutes: number;
  /** Share of tickets left unresolved however old they are (waiting on the customer, or forgotten). */
  stallRate: number;
  /** Mean CSAT (1-5) before the penalty for slow handling. */
  csatMean: number;
  /** Median agent handle time in seconds. */
  handleSeconds: number;
}

const groups = (entries: ReadonlyArray<readonly [SupportGroup, number]>) => weightedTable(entries);
const priorities = (low: number, normal: number, high: number, urgent: number) =>
  weightedTable<Priority>([
    ['low', low],
    ['normal', normal],
    ['high', high],
    ['urgent', urgent],
  ]);

const SUPPORT = groups([['Support', 1]]);
const TRUST = groups([['Trust & Safety', 1]]);

const routine = (
  p: Omit<CategoryProfile, 'complex' | 'stallRate' | 'groups'> & { groups?: CategoryProfile['groups'] },
): CategoryProfile => ({ complex: false, stallRate: 0.015, groups: SUPPORT, ...p });
const complex = (
  p: Omit<CategoryProfile, 'complex' | 'stallRate' | 'groups'> & { groups?: CategoryProfile['groups'] },
): CategoryProfile => ({ complex: true, stallRate: 0.05, groups: SUPPORT, ...p });

/** The mix of a real shop's inbox: a long tail behind password resets and "where is my order". */
export const CATEGORY_PROFILES: Record<DemoCategory, CategoryProfile> = {
  password_reset: routine({
    weight: 22,
    type: 'question',
    tags: ['account', 'login', 'password'],
    priority: priorities(30, 65, 5, 0),
    aboutOrder: false,
    angerRate: 0.05,
    firstResponseMinutes: { median: 50, sigma: 1 },
    agentGapMinutes: 90,
    csatMean: 4.5,
    handleSeconds: 230,
  }),
  order_status: routine({
    weight: 20,
    type: 'question',
    tags: ['order', 'wismo'],
    priority: priorities(15, 78, 7, 0),
    aboutOrder: true,
    angerRate: 0.12,
    firstResponseMinutes: { median: 90, sigma: 1 },
    agentGapMinutes: 180,
    csatMean: 4.3,
    handleSeconds: 250,
  }),
  billing_question: routine({
    weight: 12,
    type: 'question',
    tags: ['billing', 'charge'],
    groups: groups([
      ['Billing', 7],
      ['Support', 3],
    ]),
    priority: priorities(5, 75, 20, 0),
    aboutOrder: false,
    angerRate: 0.15,
    firstResponseMinutes: { median: 150, sigma: 1 },
    agentGapMinutes: 240,
    csatMean: 4.0,
    handleSeconds: 320,
  }),
  account_update: routine({
    weight: 7,
    type: 'task',
    tags: ['account', 'profile'],
    priority: priorities(40, 58, 2, 0),
    aboutOrder: false,
    angerRate: 0.02,
    firstResponseMinutes: { median: 120, sigma: 1 },
    agentGapMinutes: 180,
    csatMean: 4.4,
    handleSeconds: 240,
  }),
  how_to: routine({
    weight: 6,
    type: 'question',
    tags: ['how_to', 'faq'],
    priority: priorities(45, 55, 0, 0),
    aboutOrder: false,
    angerRate: 0.02,
    firstResponseMinutes: { median: 100, sigma: 1 },
    agentGapMinutes: 180,
    csatMean: 4.4,
    handleSeconds: 260,
  }),
  shipping_delay: routine({
    weight: 6,
    type: 'incident',
    tags: ['shipping', 'delivery', 'delay'],
    priority: priorities(2, 70, 28, 0),
    aboutOrder: true,
    angerRate: 0.3,
    firstResponseMinutes: { median: 120, sigma: 1 },
    agentGapMinutes: 300,
    csatMean: 3.5,
    handleSeconds: 330,
  }),
  refund_request: complex({
    weight: 7,
    type: 'task',
    tags: ['refund', 'returns'],
    groups: groups([
      ['Billing', 5],
      ['Support', 5],
    ]),
    priority: priorities(3, 65, 28, 4),
    aboutOrder: true,
    angerRate: 0.25,
    firstResponseMinutes: { median: 180, sigma: 1.1 },
    agentGapMinutes: 600,
    csatMean: 3.7,
    handleSeconds: 1500,
  }),
  order_change: routine({
    weight: 4,
    type: 'task',
    tags: ['order', 'order_change'],
    priority: priorities(10, 80, 10, 0),
    aboutOrder: true,
    angerRate: 0.03,
    firstResponseMinutes: { median: 60, sigma: 1 },
    agentGapMinutes: 120,
    csatMean: 4.3,
    handleSeconds: 240,
  }),
  order_cancellation: routine({
    weight: 4,
    type: 'task',
    tags: ['order', 'cancellation'],
    priority: priorities(10, 80, 10, 0),
    aboutOrder: true,
    angerRate: 0.05,
    firstResponseMinutes: { median: 60, sigma: 1 },
    agentGapMinutes: 120,
    csatMean: 4.3,
    handleSeconds: 220,
  }),
  invoice_request: routine({
    weight: 4,
    type: 'task',
    tags: ['billing', 'invoice'],
    groups: groups([
      ['Billing', 8],
      ['Support', 2],
    ]),
    priority: priorities(50, 50, 0, 0),
    aboutOrder: true,
    angerRate: 0,
    firstResponseMinutes: { median: 200, sigma: 1 },
    agentGapMinutes: 240,
    csatMean: 4.4,
    handleSeconds: 200,
  }),
  bug_report: complex({
    weight: 3,
    type: 'problem',
    tags: ['bug', 'website'],
    priority: priorities(5, 55, 35, 5),
    aboutOrder: false,
    angerRate: 0.15,
    firstResponseMinutes: { median: 240, sigma: 1.1 },
    agentGapMinutes: 1440,
    csatMean: 3.4,
    handleSeconds: 1800,
  }),
  feature_request: routine({
    weight: 2,
    type: 'question',
    tags: ['feedback', 'feature_request'],
    priority: priorities(80, 20, 0, 0),
    aboutOrder: false,
    angerRate: 0,
    firstResponseMinutes: { median: 360, sigma: 1 },
    agentGapMinutes: 600,
    csatMean: 3.9,
    handleSeconds: 200,
  }),
  complaint: complex({
    weight: 2,
    type: 'incident',
    tags: ['complaint', 'escalation'],
    priority: priorities(0, 40, 50, 10),
    aboutOrder: true,
    angerRate: 0.6,
    firstResponseMinutes: { median: 240, sigma: 1 },
    agentGapMinutes: 600,
    csatMean: 2.4,
    handleSeconds: 2100,
  }),
  legal: complex({
    weight: 0.35,
    type: 'task',
    tags: ['legal'],
    groups: TRUST,
    priority: priorities(0, 0, 70, 30),
    aboutOrder: false,
    angerRate: 0.1,
    firstResponseMinutes: { median: 480, sigma: 0.8 },
    agentGapMinutes: 2880,
    csatMean: 3.2,
    handleSeconds: 2700,
  }),
  security: complex({
    weight: 0.4,
    type: 'incident',
    tags: ['security'],
    groups: TRUST,
    priority: priorities(0, 0, 40, 60),
    aboutOrder: false,
    angerRate: 0.3,
    firstResponseMinutes: { median: 25, sigma: 0.9 },
    agentGapMinutes: 240,
    csatMean: 3.8,
    handleSeconds: 2400,
  }),
  distress: complex({
    weight: 0.25,
    type: 'incident',
    tags: ['safety'],
    groups: TRUST,
    priority: priorities(0, 0, 20, 80),
    aboutOrder: false,
    angerRate: 0.3,
    firstResponseMinutes: { median: 15, sigma: 0.8 },
    agentGapMinutes: 120,
    csatMean: 4.1,
    handleSeconds: 2400,
  }),
};

/** Categories weighted by their share of the inbox, for drawing one per ticket. */
export const CATEGORY_TABLE: WeightedTable<DemoCategory> = weightedTable(
  DEMO_CATEGORIES.map((c) => [c, CATEGORY_PROFILES[c].weight] as const),
);
