import { DAY_MS, HOUR_MS } from './calendar.ts';
import { type CustomerProfile, customerAt } from './customers.ts';
import { createRandom, type Random, weightedTable } from './random.ts';
import { CARRIERS, CITIES, PRODUCTS, SHOP } from './shop.ts';

/*
 * The demo shop's world: its customers and their orders, a pure function of the seed. Customer `i` and the
 * `k`-th order of customer `i` each come from their own seeded stream, so any of them can be computed alone,
 * by index, without the others: the history generator picks a ticket's order from its customer's orders, and
 * the demo shop's data builds the first N customers with all their orders. Both therefore describe the same
 * shop for the same seed, whatever the number of tickets.
 */

export type WorldOrderStatus = 'processing' | 'shipped' | 'delivered' | 'cancelled';
export type AccountStatus = 'active' | 'locked' | 'closed';
export type Carrier = (typeof CARRIERS)[number];

/** Every customer has this many orders, one in each slot of `ORDER_SPACING_MS` before `WORLD_END_MS`. */
export const ORDERS_PER_CUSTOMER = 12;
export const ORDER_SPACING_MS = 21 * DAY_MS;
/** The world's last moment: the demo history's default export time (2026-10-31T23:59:59Z). */
export const WORLD_END_MS = Date.UTC(2026, 9, 31, 23, 59, 59);
/** The first order slot opens 252 days before the end: the history's default 183-day window and more. */
export const WORLD_START_MS = WORLD_END_MS - ORDERS_PER_CUSTOMER * ORDER_SPACING_MS;

/** Six-digit order numbers from SB-200000 up; SB-100000..SB-199999 are fixtures and numbers that never exist. */
const NUMBER_BASE = 200_000;
const NUMBER_SPACE = 800_000;
/** Odd and not a multiple of 5, so `n * STRIDE mod NUMBER_SPACE` visits every number once. */
const NUMBER_STRIDE = 494_441;
/** NUMBER_STRIDE * NUMBER_STRIDE_INVERSE = 1 (mod NUMBER_SPACE): turns a number back into its index. */
const NUMBER_STRIDE_INVERSE = 595_161;

// The generator asks for the same seed's offset on every ticket: remember the last one.
let lastOffset = { seed: '', offset: 0 };
function numberOffset(seed: string | number): number {
  if (lastOffset.seed !== String(seed)) {
    lastOffset = {
      seed: String(seed),
      offset: createRandom(`${seed}:order-numbers`).int(0, NUMBER_SPACE - 1),
    };
  }
  return lastOffset.offset;
}

const ACCOUNT_STATUSES = weightedTable<AccountStatus>([
  ['active', 93],
  ['locked', 5],
  ['closed', 2],
]);
/** The order's status when its customer wrote about it (see `orderForStory`). */
const ORDER_STATUSES = weightedTable<WorldOrderStatus>([
  ['processing', 24],
  ['shipped', 30],
  ['delivered', 40],
  ['cancelled', 6],
]);
const MAX_ORDER_TOTAL = 900;
const ITEM_COUNTS = weightedTable<number>([
  [1, 60],
  [2, 30],
  [3, 10],
]);
const QUANTITIES = weightedTable<number>([
  [1, 80],
  [2, 15],
  [3, 5],
]);

export const CARRIER_PREFIX: Record<Carrier, string> = {
  ParcelPoint: 'PP',
  NorthPost: 'NP',
  SwiftShip: 'SS',
  'Bluebird Couriers': 'BB',
};

/** A customer of the world: the history's profile plus what only the shop shows (account, city). */
export interface WorldCustomer extends CustomerProfile {
  index: number;
  customerId: string;
  city: string;
  accountStatus: AccountStatus;
  accountCreatedAt: number;
}

export interface WorldOrderItem {
  product: string;
  quantity: number;
  unitPrice: number;
}

/** One order of the world. Carrier and tracking are set on every order; the shop shows them once shipped. */
export interface WorldOrder {
  orderNumber: string;
  customerIndex: number;
  slot: number;
  email: string;
  status: WorldOrderStatus;
  placedAt: number;
  items: WorldOrderItem[];
  total: number;
  currency: CustomerProfile['currency'];
  carrier: Carrier;
  trackingNumber: string;
  /** Epoch ms of the promised delivery day while processing or shipped, else null. */
  estimatedDelivery: number | null;
  /** Null for a cancelled order. */
  invoiceId: string | null;
}

/** A number of `n` digits (n <= 15) with no leading zero, in one draw. */
const digits = (rng: Random, n: number) => {
  const low = 10 ** (n - 1);
  return String(low + Math.floor(rng.next() * 9 * low));
};

/** Shop prices: mostly ending in .99, some round. */
const price = (rng: Random, value: number) => {
  const whole = Math.max(1, Math.round(value));
  return rng.chance(0.7) ? whole - 0.01 : whole;
};

/**
 * The customer at `index`: `customerAt`'s profile (name, email, plan, currency, voice) and, from a stream of
 * its own so the history's customers stay as they were, the account's status and the city.
 *
 * @example
 * worldCustomer(7, 0).accountStatus; // 'active' for most customers, 'locked' or 'closed' for a few
 */
export function worldCustomer(seed: string | number, index: number): WorldCustomer {
  const profile = customerAt(String(seed), index);
  const rng = createRandom(`${seed}:account:${index}`);
  return {
    ...profile,
    index,
    customerId: `C-${profile.customer.id}`,
    city: rng.pick(CITIES),
    accountStatus: rng.weighted(ACCOUNT_STATUSES),
    accountCreatedAt: WORLD_START_MS - rng.int(30, 900) * DAY_MS - rng.int(0, 86_399) * 1000,
  };
}

/**
 * The number of order `slot` of customer `customerIndex`: distinct for every (customer, slot) of the seed,
 * six digits for the first 66,666 customers (histories of up to 200,000 tickets), seven beyond.
 */
export function worldOrderNumber(seed: string | number, customerIndex: number, slot: number): string {
  const n = customerIndex * ORDERS_PER_CUSTOMER + slot;
  if (n >= NUMBER_SPACE) return `${SHOP.orderPrefix}${1_000_000 + n - NUMBER_SPACE}`;
  return `${SHOP.orderPrefix}${NUMBER_BASE + ((n * NUMBER_STRIDE + numberOffset(seed)) % NUMBER_SPACE)}`;
}

/**
 * The inverse of `worldOrderNumber`: whose order `SB-123456` would be, or null for a number outside the world's
 * range (fixtures, misremembered numbers). Whether that customer exists is the shop's size to say.
 *
 * @example
 * worldOrderSlot(7, worldOrderNumber(7, 42, 3)); // { customerIndex: 42, slot: 3 }
 */
export function worldOrderSlot(
  seed: string | number,
  orderNumber: string,
): { customerIndex: number; slot: number } | null {
  const match = /^SB-(\d{6,7})$/.exec(orderNumber);
  if (!match) return null;
  const value = Number(match[1]);
  let n: number;
  if (value >= 1_000_000) n = value - 1_000_000 + NUMBER_SPACE;
  else if (value >= NUMBER_BASE) {
    const shifted = (value - NUMBER_BASE - numberOffset(seed) + NUMBER_SPACE) % NUMBER_SPACE;
    // Below 2^53: the product has at most 12 digits.
    n = (shifted * NUMBER_STRIDE_INVERSE) % NUMBER_SPACE;
  } else return null;
  return { customerIndex: Math.floor(n / ORDERS_PER_CUSTOMER), slot: n % ORDERS_PER_CUSTOMER };
}

/**
 * Order `slot` (0 .. ORDERS_PER_CUSTOMER - 1) of a customer, placed somewhere in its 21-day slot.
 *
 * @example
 * const order = worldOrder(7, worldCustomer(7, 0), 3);
 * order.orderNumber; // 'SB-' and six digits, the same on every machine
 */
export function worldOrder(
  seed: string | number,
  customer: Pick<WorldCustomer, 'index' | 'currency' | 'customer'>,
  slot: number,
): WorldOrder {
  return finishOrder(seed, customer, orderHead(seed, customer.index, slot));
}

/** The first draws of an order's stream: enough to choose an order for a story without building the rest. */
interface OrderHead {
  rng: Random;
  slot: number;
  status: WorldOrderStatus;
  placedAt: number;
}

function orderHead(seed: string | number, customerIndex: number, slot: number): OrderHead {
  const rng = createRandom(`${seed}:order:${customerIndex}:${slot}`);
  const status = rng.weighted(ORDER_STATUSES);
  const placedAt =
    WORLD_START_MS +
    slot * ORDER_SPACING_MS +
    Math.floor((rng.next() * (ORDER_SPACING_MS - HOUR_MS)) / 1000) * 1000;
  return { rng, slot, status, placedAt };
}

function finishOrder(
  seed: string | number,
  customer: Pick<WorldCustomer, 'index' | 'currency' | 'customer'>,
  head: OrderHead,
): WorldOrder {
  const { rng, slot, status, placedAt } = head;
  // Baskets stay under MAX_ORDER_TOTAL: an item that would take the order over it is left out.
  const items: WorldOrderItem[] = [];
  let cents = 0;
  for (let count = rng.weighted(ITEM_COUNTS), i = 0; i < count; i++) {
    const item = {
      product: rng.pick(PRODUCTS),
      quantity: rng.weighted(QUANTITIES),
      unitPrice: price(rng, Math.min(600, Math.max(8, rng.lognormal(42, 0.8)))),
    };
    const itemCents = Math.round(item.quantity * item.unitPrice * 100);
    if (items.length > 0 && cents + itemCents > MAX_ORDER_TOTAL * 100) continue;
    if (itemCents > MAX_ORDER_TOTAL * 100) item.quantity = 1;
    items.push(item);
    cents += Math.round(item.quantity * item.unitPrice * 100);
  }
  const total = cents / 100;
  const carrier = rng.pick(CARRIERS);
  const trackingNumber = `${CARRIER_PREFIX[carrier]}${digits(rng, 10)}`;
  const deliveryDays = rng.int(4, 8);
  const orderNumber = worldOrderNumber(seed, customer.index, slot);
  return {
    orderNumber,
    customerIndex: customer.index,
    slot,
    email: customer.customer.email,
    status,
    placedAt,
    items,
    total,
    currency: customer.currency,
    carrier,
    trackingNumber,
    estimatedDelivery:
      status === 'processing' || status === 'shipped' ? placedAt + deliveryDays * DAY_MS : null,
    invoiceId:
      status === 'cancelled' ? null : `INV-${4_000_000 + customer.index * ORDERS_PER_CUSTOMER + slot}`,
  };
}

/** All of a customer's orders, oldest first. */
export function worldOrdersOf(seed: string | number, customer: WorldCustomer): WorldOrder[] {
  return Array.from({ length: ORDERS_PER_CUSTOMER }, (_, slot) => worldOrder(seed, customer, slot));
}

/** How far back a ticket looks for an order that fits its story: the last six slots, about four months. */
const LOOK_BACK_SLOTS = 6;

/**
 * The order a ticket written at `createdAt` is about: among the customer's orders placed at least a day
 * before, newest first, the first whose status is the first of `prefer`, else the second, and so on; else
 * the newest one not cancelled; else the newest. The shop keeps each order in the status its ticket saw.
 *
 * @example
 * const customer = worldCustomer(7, 12);
 * orderForStory({ seed: 7, customer, createdAt: Date.UTC(2026, 8, 1), prefer: ['delivered'] }).status;
 */
export function orderForStory(props: {
  seed: string | number;
  customer: Pick<WorldCustomer, 'index' | 'currency' | 'customer'>;
  createdAt: number;
  prefer: readonly WorldOrderStatus[];
}): WorldOrder {
  const { seed, customer, createdAt } = props;
  const latest = Math.min(
    ORDERS_PER_CUSTOMER - 1,
    Math.max(0, Math.floor((createdAt - DAY_MS - WORLD_START_MS) / ORDER_SPACING_MS)),
  );
  const candidates: OrderHead[] = [];
  for (let slot = latest; slot >= 0 && slot > latest - LOOK_BACK_SLOTS; slot--) {
    const head = orderHead(seed, customer.index, slot);
    // The newest slot may still be in the future of the ticket; a ticket from before the world's first order
    // keeps that order all the same.
    if (head.placedAt <= createdAt - DAY_MS || slot === 0) candidates.push(head);
    // Nothing further back can beat the newest order in the most wanted status (or, wanting none, the newest
    // not cancelled).
    const wanted = props.prefer[0];
    const best = wanted === undefined ? head.status !== 'cancelled' : head.status === wanted;
    if (best && candidates.at(-1) === head) break;
  }
  let chosen: OrderHead | undefined;
  for (const status of props.prefer) {
    chosen = candidates.find((o) => o.status === status);
    if (chosen) break;
  }
  chosen ??= candidates.find((o) => o.status !== 'cancelled') ?? (candidates[0] as OrderHead);
  return finishOrder(seed, customer, chosen);
}

/** A number no order of any seed has (SB-110000..SB-199999): what a customer who misremembers it writes. */
export function missingOrderNumber(rng: Random): string {
  return `${SHOP.orderPrefix}${rng.int(110_000, 199_999)}`;
}
