import { describe, expect, it } from 'vitest';
import { PLAN_TIERS } from '../../demo/shop.ts';
import {
  FIXTURE_CUSTOMER_CLOSED,
  FIXTURE_CUSTOMER_LOCKED,
  FIXTURE_CUSTOMER_NO_ORDERS,
  FIXTURE_CUSTOMER_ONE_ORDER,
  FIXTURE_CUSTOMER_THREE_ORDERS,
  FIXTURE_ORDER_CANCELLED,
  FIXTURE_ORDER_DELIVERED,
  FIXTURE_ORDER_PROCESSING,
  FIXTURE_ORDER_SHIPPED,
  FIXTURE_ORDER_UNKNOWN,
  generateDemoShopData,
} from './data.ts';
import { AccountSchema, CustomerSchema, InvoiceSchema, OrderSchema } from './schemas.ts';

describe('generateDemoShopData', () => {
  it('is identical for the same seed and differs for another', () => {
    expect(generateDemoShopData({ seed: 3 })).toEqual(generateDemoShopData({ seed: 3 }));
    expect(generateDemoShopData({ seed: 3 }).orders).not.toEqual(generateDemoShopData({ seed: 4 }).orders);
  });

  it('produces records that pass their schemas, with shop order numbers and .example emails', () => {
    const data = generateDemoShopData({ seed: 11, customers: 300 });
    // World customers who happen to share an email are listed once.
    expect(data.customers.length).toBeGreaterThan(295);
    expect(data.customers.length).toBeLessThanOrEqual(305);
    for (const c of data.customers) CustomerSchema.parse(c);
    for (const a of data.accounts) AccountSchema.parse(a);
    for (const o of data.orders) OrderSchema.parse(o);
    for (const i of data.invoices) InvoiceSchema.parse(i);
    const numbers = data.orders.map((o) => o.orderNumber);
    expect(new Set(numbers).size).toBe(numbers.length);
    for (const n of numbers) expect(n).toMatch(/^SB-\d{6}$/);
    expect(numbers).not.toContain(FIXTURE_ORDER_UNKNOWN);
    const emails = data.customers.map((c) => c.email);
    expect(new Set(emails).size).toBe(emails.length);
    for (const e of emails) expect(e).toMatch(/@[a-z.]*example(\.[a-z]+)?$/);
    expect(new Set(data.customers.map((c) => c.plan))).toEqual(new Set(PLAN_TIERS));
    expect(new Set(data.accounts.map((a) => a.status))).toEqual(new Set(['active', 'locked', 'closed']));
    expect(new Set(data.orders.map((o) => o.status))).toEqual(
      new Set(['processing', 'shipped', 'delivered', 'cancelled']),
    );
  });

  it('gives shipped and delivered orders tracking, and the others none', () => {
    for (const o of generateDemoShopData({ seed: 5 }).orders) {
      const shipped = o.status === 'shipped' || o.status === 'delivered';
      expect(o.trackingNumber !== null).toBe(shipped);
      expect(o.trackingUrl !== null).toBe(shipped);
      expect(o.carrier !== null).toBe(shipped);
      expect(o.total).toBeCloseTo(
        o.items.reduce((s, i) => s + i.quantity * i.unitPrice, 0),
        2,
      );
    }
  });

  it('contains the fixtures whatever the seed', () => {
    for (const seed of [1, 2, 99]) {
      const data = generateDemoShopData({ seed });
      const ordersOf = (email: string) => data.orders.filter((o) => o.email === email);
      const account = (email: string) => data.accounts.find((a) => a.email === email);
      expect(ordersOf(FIXTURE_CUSTOMER_NO_ORDERS.email)).toEqual([]);
      expect(ordersOf(FIXTURE_CUSTOMER_ONE_ORDER.email).map((o) => [o.orderNumber, o.status])).toEqual([
        [FIXTURE_ORDER_SHIPPED, 'shipped'],
      ]);
      expect(ordersOf(FIXTURE_CUSTOMER_THREE_ORDERS.email).map((o) => [o.orderNumber, o.status])).toEqual([
        [FIXTURE_ORDER_PROCESSING, 'processing'],
        [FIXTURE_ORDER_DELIVERED, 'delivered'],
        [FIXTURE_ORDER_CANCELLED, 'cancelled'],
      ]);
      expect(account(FIXTURE_CUSTOMER_LOCKED.email)?.status).toBe('locked');
      expect(account(FIXTURE_CUSTOMER_CLOSED.email)?.status).toBe('closed');
      expect(account(FIXTURE_CUSTOMER_NO_ORDERS.email)?.status).toBe('active');
    }
  });
});
