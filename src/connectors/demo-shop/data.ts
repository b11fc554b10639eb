import {
  type WorldCustomer,
  type WorldOrder,
  worldCustomer,
  worldOrderSlot,
  worldOrdersOf,
} from '../../demo/world.ts';
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
  /**
   * Customers of the demo world (indexes 0 to customers - 1, each with all its orders), on top of the fixtures.
   * The service's default is DEFAULT_DEMO_SHOP_CUSTOMERS; `generateDemoShopData`'s is 150.
   */
  customers?: number;
  anchorMs?: number;
}

const iso = (ms: number) => new Date(ms).toISOString();
const isoDate = (ms: number) => iso(ms).slice(0, 10);
const slug = (s: string) => s.toLowerCase().replace(/[^a-z0-9]+/g, '');

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
 * Their order numbers (SB-1000xx) never collide with the world's (SB-200000 and up).
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
 * Customers of the demo world a shop holds unless told otherwise (indexes 0 to 19,999). A demo history of T
 * tickets writes from its first round(T / 3) customers, so this covers histories of up to 60,000 tickets.
 */
export const DEFAULT_DEMO_SHOP_CUSTOMERS = 20_000;

function worldCustomerRecord(c: WorldCustomer): Customer {
  return {
    customerId: c.customerId,
    name: c.customer.name,
    email: c.customer.email,
    plan: c.customer.plan,
    company: c.customer.company,
    city: c.city,
    currency: c.currency,
  };
}

function worldOrderRecord(o: WorldOrder): Order {
  const shipped = o.status === 'shipped' || o.status === 'delivered';
  return {
    orderNumber: o.orderNumber,
    email: o.email,
    status: o.status,
    placedAt: iso(o.placedAt),
    items: o.items.map((i) => ({ ...i })),
    total: o.total,
    currency: o.currency,
    carrier: shipped ? o.carrier : null,
    trackingNumber: shipped ? o.trackingNumber : null,
    trackingUrl: shipped ? trackingUrl(o.carrier, o.trackingNumber) : null,
    estimatedDelivery: o.estimatedDelivery === null ? null : isoDate(o.estimatedDelivery),
    refundedAmount: 0,
  };
}

/** One customer of the demo world as the shop's records: its customer, account, orders and invoices. */
export function worldCustomerData(seed: number, index: number): DemoShopData {
  const world = worldCustomer(seed, index);
  const customer = worldCustomerRecord(world);
  const orders = worldOrdersOf(seed, world);
  return {
    customers: [customer],
    accounts: [accountFor(customer, world.accountStatus, world.accountCreatedAt)],
    orders: orders.map(worldOrderRecord),
    invoices: orders.flatMap((o) =>
      o.invoiceId === null
        ? []
        : [
            {
              invoiceId: o.invoiceId,
              orderNumber: o.orderNumber,
              email: o.email,
              amount: o.total,
              currency: o.currency,
              issuedAt: iso(o.placedAt),
            },
          ],
    ),
  };
}

/** The fixtures alone, placed relative to `anchorMs`. */
export function fixtureData(anchorMs: number = DEMO_SHOP_ANCHOR_MS): DemoShopData {
  const orders = fixtureOrders(anchorMs);
  return {
    customers: FIXTURE_ACCOUNT_STATUS.map(([c]) => ({ ...c })),
    accounts: FIXTURE_ACCOUNT_STATUS.map(([c, status]) => accountFor(c, status, anchorMs - 400 * DAY_MS)),
    orders,
    invoices: orders
      .filter((o) => o.status !== 'cancelled')
      .map((o, i) => ({
        invoiceId: `INV-${String(3_000_001 + i)}`,
        orderNumber: o.orderNumber,
        email: o.email,
        amount: o.total,
        currency: o.currency,
        issuedAt: o.placedAt,
      })),
  };
}

/**
 * The demo shop's records as lists: the fixtures, then the first `customers` customers of the demo world for
 * `seed` (src/demo/world.ts, default 150 here: a listing, not the whole shop) with all their orders,
 * identical on every machine. A world customer whose email an earlier one has is listed once, with both's
 * orders. `anchorMs` places the fixtures' orders; the world's orders have fixed dates.
 *
 * @example
 * const data = generateDemoShopData({ seed: 7 });
 * data.orders.find((o) => o.orderNumber === FIXTURE_ORDER_SHIPPED)?.status; // 'shipped'
 */
export function generateDemoShopData(options: DemoShopDataOptions = {}): DemoShopData {
  const seed = options.seed ?? DEFAULT_DEMO_SHOP_SEED;
  const data = fixtureData(options.anchorMs);
  const emails = new Set(data.customers.map((c) => c.email));
  for (let index = 0; index < (options.customers ?? 150); index++) {
    const slice = worldCustomerData(seed, index);
    const customer = slice.customers[0] as Customer;
    if (!emails.has(customer.email)) {
      emails.add(customer.email);
      data.customers.push(customer);
      data.accounts.push(...slice.accounts);
    }
    data.orders.push(...slice.orders);
    data.invoices.push(...slice.invoices);
  }
  return data;
}

/** Looks up customers of the demo world one at a time, built only when first asked for. */
export interface DemoShopWorld {
  /** The records of the customer whose order this is (`SB-123456`), if the shop holds that customer. */
  customerOfOrder(orderNumber: string): DemoShopData | undefined;
  /** The records of the first customer with this email (lower case), if the shop holds one. */
  customerByEmail(email: string): DemoShopData | undefined;
}

/**
 * The first `customers` customers of the demo world for `seed`, found by order number (decoded, no search)
 * or by email (customers indexed in order until found, each at most once). The demo shop service uses it so
 * that a shop of 20,000 customers costs only the customers a conversation asks about.
 *
 * @example
 * const world = openDemoShopWorld({ seed: 7 });
 * const ticket = generateDemoTickets({ tickets: 10, seed: 7 }).next().value;
 * world.customerByEmail(ticket.customer.email)?.accounts[0]?.status; // 'active', 'locked' or 'closed'
 */
export function openDemoShopWorld(options: { seed?: number; customers?: number } = {}): DemoShopWorld {
  const seed = options.seed ?? DEFAULT_DEMO_SHOP_SEED;
  const size = options.customers ?? DEFAULT_DEMO_SHOP_CUSTOMERS;
  const byEmail = new Map<string, number>();
  let indexed = 0;
  return {
    customerOfOrder: (orderNumber) => {
      const slot = worldOrderSlot(seed, orderNumber);
      return slot && slot.customerIndex < size ? worldCustomerData(seed, slot.customerIndex) : undefined;
    },
    customerByEmail: (email) => {
      let index = byEmail.get(email);
      while (index === undefined && indexed < size) {
        const found = worldCustomer(seed, indexed).customer.email;
        if (!byEmail.has(found)) byEmail.set(found, indexed);
        if (found === email) index = indexed;
        indexed++;
      }
      return index === undefined ? undefined : worldCustomerData(seed, index);
    },
  };
}
