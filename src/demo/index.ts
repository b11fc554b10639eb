export { CATEGORY_PROFILES, type CategoryProfile, DEMO_CATEGORIES, type DemoCategory } from './categories.ts';
export type { DemoChannel, DemoCustomer, DemoMessage, DemoStatus, DemoTicket } from './demo-ticket.ts';
export {
  DEFAULT_ANCHOR_MS,
  DEFAULT_TYPO_RATE,
  type DemoOptions,
  generateDemoTickets,
  validateDemoOptions,
} from './generator.ts';
export { GENERIC_CSV_HEADER, ticketToCsvRows } from './generic-csv.ts';
export { createRandom, type Random } from './random.ts';
export { AGENTS, type DemoAgent, PLAN_TIERS, type PlanTier, SHOP } from './shop.ts';
export { demoTicketToRecord } from './to-record.ts';
export {
  orderForStory,
  type WorldCustomer,
  type WorldOrder,
  worldCustomer,
  worldOrder,
  worldOrderNumber,
  worldOrderSlot,
  worldOrdersOf,
} from './world.ts';
export {
  DEMO_FORMATS,
  type DemoFileSummary,
  type DemoFormat,
  type WriteDemoFileProps,
  writeDemoFile,
} from './write-demo-file.ts';
export { ticketToZendesk, ticketToZendeskLine, ZENDESK_FIELDS } from './zendesk-jsonl.ts';

/** The demo shop's entity patterns (its order numbers), stored in the model `npm start` trains. */
export const DEMO_ENTITIES_FILE = new URL('./entities.yaml', import.meta.url);

/** The demo shop's help articles (Markdown with front matter), imported by `npm start`. */
export const DEMO_KB_DIR = new URL('./kb/', import.meta.url);
