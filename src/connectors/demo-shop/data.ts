import {
  CARRIERS,
  CITIES,
  COMPANIES,
  FIRST_NAMES,
  LAST_NAMES,
  PERSONAL_EMAIL_DOMAINS,
  PLAN_TIERS,
  PRODUCTS,
  SHOP,
} from '../../demo/shop.ts';
import { seededRandom } from '../../shared/index.ts';
import type { Account, Customer, Invoice, Order } from './schemas.ts';

/** "Today" for the demo shop's data: orders are placed in the 60 days before it. */
export const DEMO_SHOP_ANCHOR_MS = Date.UTC(2026, 9, 31, 12, 0, 0);
export const DEFAULT_DEMO_SHOP_SEED = 7;
const DAY_MS = 86_400_000;

export interface DemoShopData {
  customers: Customer[];
  accounts: Account[];
  orders: Order[];
  invoices: Invoice[];
}

export interface DemoShopDataOptions {
  seed?: number;
  /** Generated customers, on top of the fixtures. */
  customers?: number;
  anchorMs?: number;
}

const iso = (ms: number) => new Date(ms).toISOString();
const isoDate = (ms: number) => iso(ms).slice(0, 10);
const slug = (s: string) => s.toLowerCase().replace(/[^a-z0-9]+/g, '');

const CARRIER_PREFIX: Record<(typeof CARRIERS)[number], string> = {
  ParcelPoint: 'PP',
  NorthPost: 'NP',
  SwiftShip: 'SS',
  'Bluebird Couriers': 'BB',
};

export const trackingUrl = (carrier: string, trackingNumber: string) =>
  `https://track.sablebramble.example/${slug(carrier)}/${trackingNumber}`;

function customer(
  n: number,
  name: string,
  email: string,
  plan: Customer['plan'],
  extra: Partial<Customer> = {},
): Customer {
  return {
    customerId: `C-${String(n).padStart(5, '0')}`,
    name,
    email,
    plan,
    company: null,
    city: 'Leeds',
    currency: 'GBP',
    ...extra,
  };
}

/*
 * Fixtures: the same in every data set whatever the seed, so tests, scripted chats and demos can name them.
 * Their order numbers (SB-1000xx) never collide with generated ones (SB-2xxxxx and up).
 */

/** A customer with an active account and no orders. */
export const FIXTURE_CUSTOMER_NO_ORDERS = customer(1, 'Nora Lindqvist', 'nora.lindqvist@example.com', 'free');
/** A customer with exactly one order, shipped, with tracking. */
export const FIXTURE_CUSTOMER_ONE_ORDER = customer(2, 'Olivia Okafor', 'olivia.okafor@example.net', 'pro', {
  city: 'Dublin',
  currency: 'EUR',
});
/** A customer with three orders: processing, delivered and cancelled. */
export const FIXTURE_CUSTOMER_THREE_ORDERS = customer(
  3,
  'Liam Garcia',
  'liam.garcia@mail.example',
  'business',
  {
    company: 'Harbor Lane Interiors',
    city: 'Austin',
    currency: 'USD',
  },
);
/** A customer whose account is locked (too many sign-in attempts). */
export const FIXTURE_CUSTOMER_LOCKED = customer(4, 'Amara Nguyen', 'amara.nguyen@inbox.example', 'pro', {
  city: 'Toronto',
  currency: 'USD',
});
/** A customer whose account is closed. */
export const FIXTURE_CUSTOMER_CLOSED = customer(5, 'Kenji Tanaka', 'kenji.tanaka@post.example', 'free');

export const FIXTURE_ORDER_SHIPPED = 'SB-100001';
export const FIXTURE_ORDER_PROCESSING = 'SB-100002';
export const FIXTURE_ORDER_DELIVERED = 'SB-100003';
export const FIXTURE_ORDER_CANCELLED = 'SB-100004';
/** An order number that exists in no data set. */
export const FIXTURE_ORDER_UNKNOWN = 'SB-000000';

function fixtureOrders(anchorMs: number): Order[] {
  const base = {
    refundedAmount: 0,
    carrier: null,
    trackingNumber: null,
    trackingUrl: null,
    estimatedDelivery: null,
  };
  return [
    {
      ...base,
      orderNumber: FIXTURE_ORDER_SHIPPED,
      email: FIXTURE_CUSTOMER_ONE_ORDER.email,
      status: 'shipped',
      placedAt: iso(anchorMs - 3 * DAY_MS),
      items: [{ product: 'linen duvet cover', quantity: 1, unitPrice: 89.99 }],
      total: 89.99,
      currency: 'EUR',
      carrier: 'NorthPost',
      trackingNumber: 'NP4821937755',
      trackingUrl: trackingUrl('NorthPost', 'NP4821937755'),
      estimatedDelivery: isoDate(anchorMs + 2 * DAY_MS),
    },
    {
      ...base,
      orderNumber: FIXTURE_ORDER_PROCESSING,
      email: FIXTURE_CUSTOMER_THREE_ORDERS.email,
      status: 'processing',
      placedAt: iso(anchorMs - DAY_MS / 2),
      items: [
        { product: 'oak bedside table', quantity: 2, unitPrice: 149 },
        { product: 'rattan floor lamp', quantity: 1, unitPrice: 64.99 },
      ],
      total: 362.99,
      currency: 'USD',
      estimatedDelivery: isoDate(anchorMs + 6 * DAY_MS),
    },
    {
      ...base,
      orderNumber: FIXTURE_ORDER_DELIVERED,
      email: FIXTURE_CUSTOMER_THREE_ORDERS.email,
      status: 'delivered',
      placedAt: iso(anchorMs - 21 * DAY_MS),
      items: [{ product: 'stoneware dinner set', quantity: 1, unitPrice: 120 }],
      total: 120,
      currency: 'USD',
      carrier: 'SwiftShip',
      trackingNumber: 'SS7730129846',
      trackingUrl: trackingUrl('SwiftShip', 'SS7730129846'),
    },
    {
      ...base,
      orderNumber: FIXTURE_ORDER_CANCELLED,
      email: FIXTURE_CUSTOMER_THREE_ORDERS.email,
      status: 'cancelled',
      placedAt: iso(anchorMs - 40 * DAY_MS),
      items: [{ product: 'copper kettle', quantity: 1, unitPrice: 54.99 }],
      total: 54.99,
      currency: 'USD',
    },
  ];
}

function accountFor(c: Customer, status: Account['status'], createdAt: number): Account {
  return {
    email: c.email,
    customerId: c.customerId,
    name: c.name,
    plan: c.plan,
    status,
    createdAt: iso(createdAt),
    address: `${12 + (Number(c.customerId.slice(2)) % 80)} Mill Lane, ${c.city}`,
  };
}

const FIXTURE_ACCOUNT_STATUS: Array<[Customer, Account['status']]> = [
  [FIXTURE_CUSTOMER_NO_ORDERS, 'active'],
  [FIXTURE_CUSTOMER_ONE_ORDER, 'active'],
  [FIXTURE_CUSTOMER_THREE_ORDERS, 'active'],
  [FIXTURE_CUSTOMER_LOCKED, 'locked'],
  [FIXTURE_CUSTOMER_CLOSED, 'closed'],
];

/**
 * The demo shop's customers, accounts, orders and invoices: the fixtures above plus `customers` generated ones,
 * identical for the same seed and anchor on every machine.
 *
 * @example
 * const data = generateDemoShopData({ seed: 7 });
 * data.orders.find((o) => o.orderNumber === FIXTURE_ORDER_SHIPPED)?.status; // 'shipped'
 */
export function generateDemoShopData(options: DemoShopDataOptions = {}): DemoShopData {
  const seed = options.seed ?? DEFAULT_DEMO_SHOP_SEED;
  const count = options.customers ?? 150;
  const anchorMs = options.anchorMs ?? DEMO_SHOP_ANCHOR_MS;
  const random = seededRandom(seed);
  const int = (min: number, max: number) => min + Math.floor(random() * (max - min + 1));
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;

  const customers: Customer[] = FIXTURE_ACCOUNT_STATUS.map(([c]) => ({ ...c }));
  const accounts: Account[] = FIXTURE_ACCOUNT_STATUS.map(([c, status]) =>
    accountFor(c, status, anchorMs - 400 * DAY_MS),
  );
  const orders: Order[] = fixtureOrders(anchorMs);
  const emails = new Set(customers.map((c) => c.email));
  const orderNumbers = new Set(orders.map((o) => o.orderNumber));

  for (let n = customers.length + 1; customers.length < FIXTURE_ACCOUNT_STATUS.length + count; n++) {
    const first = pick(FIRST_NAMES);
    const last = pick(LAST_NAMES);
    const plan = pick(PLAN_TIERS);
    const company = plan === 'business' || plan === 'enterprise' ? pick(COMPANIES) : null;
    const local = `${slug(first)}.${slug(last)}`;
    const email = company ? `${local}@${company.domain}` : `${local}@${pick(PERSONAL_EMAIL_DOMAINS)}`;
    if (emails.has(email)) continue;
    emails.add(email);
    const c = customer(n, `${first} ${last}`, email, plan, {
      company: company?.name ?? null,
      city: pick(CITIES),
      currency: pick(['USD', 'USD', 'GBP', 'EUR'] as const),
    });
    customers.push(c);
    const roll = random();
    accounts.push(
      accountFor(
        c,
        roll < 0.05 ? 'locked' : roll < 0.08 ? 'closed' : 'active',
        anchorMs - int(30, 900) * DAY_MS,
      ),
    );

    const orderCount = int(0, 4);
    for (let k = 0; k < orderCount; k++) {
      let orderNumber: string;
      do orderNumber = `${SHOP.orderPrefix}${int(200_000, 999_999)}`;
      while (orderNumbers.has(orderNumber));
      orderNumbers.add(orderNumber);
      const placedMs = anchorMs - int(1, 60 * 24) * 3_600_000;
      const ageDays = (anchorMs - placedMs) / DAY_MS;
      const status: Order['status'] =
        random() < 0.08 ? 'cancelled' : ageDays < 2 ? 'processing' : ageDays < 7 ? 'shipped' : 'delivered';
      const items = Array.from({ length: int(1, 3) }, () => ({
        product: pick(PRODUCTS),
        quantity: int(1, 3),
        unitPrice: int(9, 240) - (random() < 0.7 ? 0.01 : 0),
      }));
      const total = Math.round(items.reduce((sum, i) => sum + i.quantity * i.unitPrice, 0) * 100) / 100;
      const carrier = pick(CARRIERS);
      const shipped = status === 'shipped' || status === 'delivered';
      const trackingNumber = shipped
        ? `${CARRIER_PREFIX[carrier]}${int(1_000_000_000, 9_999_999_999)}`
        : null;
      orders.push({
        orderNumber,
        email,
        status,
        placedAt: iso(placedMs),
        items,
        total,
        currency: c.currency,
        carrier: shipped ? carrier : null,
        trackingNumber,
        trackingUrl: trackingNumber ? trackingUrl(carrier, trackingNumber) : null,
        estimatedDelivery:
          status === 'processing' || status === 'shipped' ? isoDate(placedMs + int(5, 8) * DAY_MS) : null,
        refundedAmount: 0,
      });
    }
  }

  const invoices: Invoice[] = orders
    .filter((o) => o.status !== 'cancelled')
    .map((o, i) => ({
      invoiceId: `INV-${String(3_000_001 + i)}`,
      orderNumber: o.orderNumber,
      email: o.email,
      amount: o.total,
      currency: o.currency,
      issuedAt: o.placedAt,
    }));

  return { customers, accounts, orders, invoices };
}
