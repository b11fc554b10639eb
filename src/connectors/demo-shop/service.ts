import { SHOP } from '../../demo/shop.ts';
import { type DemoShopData, type DemoShopDataOptions, fixtureData, openDemoShopWorld } from './data.ts';
import type { Account, DemoShopInput, DemoShopOperation, DemoShopOutput, Invoice, Order } from './schemas.ts';

/** The demo shop's operations as plain functions; the HTTP server and the in-process transport both use them. */
export type DemoShopService = {
  [Op in DemoShopOperation]: (input: DemoShopInput<Op>) => DemoShopOutput<Op>;
};

export const PASSWORD_RESET_EXPIRES_IN_MINUTES = 30;

/** `SB-123456`, `sb123456`, `#123456`, `no. 123456` and `123456` all name order SB-123456. */
export function normaliseOrderNumber(text: string): string | null {
  const match = /^(?:SB-?|#|no\.?\s*)?(\d{1,12})$/i.exec(text.trim());
  return match ? `${SHOP.orderPrefix}${match[1]}` : null;
}

const key = (email: string) => email.trim().toLowerCase();

/**
 * A demo shop over its own copy of the data: cancellations, refunds and address changes stay in this instance,
 * so two services (two tests, two registries) never see each other's changes. Without `data` it holds the
 * fixtures and the first `customers` customers of the demo world for `seed` (default 20,000, see
 * `openDemoShopWorld`): the demo history generated with the same seed finds every customer and order it
 * names. A customer is built the first time an operation names it or one of its orders.
 *
 * @example
 * const shop = createDemoShopService({ seed: 7 });
 * shop.getOrder({ orderNumber: '#100001' }).order?.status; // 'shipped'
 */
export function createDemoShopService(
  options: DemoShopDataOptions & { data?: DemoShopData } = {},
): DemoShopService {
  const orders = new Map<string, Order>();
  const accounts = new Map<string, Account>();
  const invoices = new Map<string, Invoice>();
  const ordersByEmail = new Map<string, Order[]>();
  const add = (data: DemoShopData) => {
    for (const account of data.accounts) {
      if (!accounts.has(key(account.email))) accounts.set(key(account.email), account);
    }
    for (const invoice of data.invoices) invoices.set(invoice.orderNumber, invoice);
    for (const order of data.orders) {
      if (orders.has(order.orderNumber)) continue;
      orders.set(order.orderNumber, order);
      const list = ordersByEmail.get(key(order.email)) ?? [];
      list.push(order);
      ordersByEmail.set(key(order.email), list);
    }
  };
  add(structuredClone(options.data ?? fixtureData(options.anchorMs)));
  const world = options.data ? undefined : openDemoShopWorld(options);
  // Emails already asked of the world, found or not: each customer is added once.
  const askedEmails = new Set<string>();
  const withEmail = (email: string) => {
    const k = key(email);
    if (world && !askedEmails.has(k)) {
      askedEmails.add(k);
      const data = world.customerByEmail(k);
      if (data) add(data);
    }
    return k;
  };
  let refunds = 0;

  const findOrder = (orderNumber: string): Order | undefined => {
    const normalised = normaliseOrderNumber(orderNumber);
    if (!normalised) return undefined;
    if (world && !orders.has(normalised)) {
      const data = world.customerOfOrder(normalised);
      if (data) {
        add(data);
        for (const customer of data.customers) askedEmails.add(key(customer.email));
      }
    }
    return orders.get(normalised);
  };
  const openAccount = (email: string): Account | undefined => {
    const account = accounts.get(withEmail(email));
    return account && account.status !== 'closed' ? account : undefined;
  };

  return {
    getOrder: ({ orderNumber }) => {
      const order = findOrder(orderNumber);
      return order ? { found: true, order: structuredClone(order) } : { found: false };
    },
    listOrders: ({ email }) => {
      const list = [...(ordersByEmail.get(withEmail(email)) ?? [])].sort((a, b) =>
        b.placedAt.localeCompare(a.placedAt),
      );
      return { orders: structuredClone(list), count: list.length };
    },
    getAccount: ({ email }) => {
      const account = accounts.get(withEmail(email));
      return account ? { found: true, account: { ...account } } : { found: false };
    },
    sendPasswordReset: ({ email }) => ({
      sent: openAccount(email) !== undefined,
      expiresInMinutes: PASSWORD_RESET_EXPIRES_IN_MINUTES,
    }),
    sendInvoice: ({ orderNumber, email }) => {
      const order = findOrder(orderNumber);
      const invoice = order && key(order.email) === key(email) ? invoices.get(order.orderNumber) : undefined;
      return invoice ? { sent: true, invoiceId: invoice.invoiceId } : { sent: false };
    },
    cancelOrder: ({ orderNumber, email }) => {
      const order = findOrder(orderNumber);
      if (!order) return { cancelled: false, reason: 'not_found' };
      if (key(order.email) !== key(email)) return { cancelled: false, reason: 'not_your_order' };
      if (order.status !== 'processing') return { cancelled: false, reason: `already_${order.status}` };
      order.status = 'cancelled';
      order.estimatedDelivery = null;
      return { cancelled: true };
    },
    refundOrder: ({ orderNumber, amount, email }) => {
      const order = findOrder(orderNumber);
      if (!order) return { refunded: false, reason: 'not_found' };
      if (key(order.email) !== key(email)) return { refunded: false, reason: 'not_your_order' };
      if (order.status === 'cancelled') return { refunded: false, reason: 'order_cancelled' };
      const cents = Math.round(amount * 100);
      if (cents > Math.round((order.total - order.refundedAmount) * 100)) {
        return { refunded: false, reason: 'exceeds_order_total' };
      }
      order.refundedAmount = (Math.round(order.refundedAmount * 100) + cents) / 100;
      refunds++;
      return { refunded: true, refundId: `RF-${String(500_000 + refunds)}` };
    },
    updateAddress: ({ email, address }) => {
      const account = accounts.get(withEmail(email));
      if (account?.status !== 'active') return { updated: false };
      account.address = address;
      return { updated: true };
    },
  };
}
