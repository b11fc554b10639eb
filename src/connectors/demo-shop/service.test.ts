import { describe, expect, it } from 'vitest';
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
} from './data.ts';
import { createDemoShopService, normaliseOrderNumber } from './service.ts';

/** The fixture orders below belong to this customer (the shipped one to the one-order customer). */
const OWNER = FIXTURE_CUSTOMER_THREE_ORDERS.email;

describe('normaliseOrderNumber', () => {
  it.each([
    ['SB-123456', 'SB-123456'],
    ['sb123456', 'SB-123456'],
    ['#123456', 'SB-123456'],
    ['123456', 'SB-123456'],
    [' no. 123456 ', 'SB-123456'],
    ['ORDER-1', null],
    ['', null],
  ])('%j -> %j', (text, expected) => {
    expect(normaliseOrderNumber(text)).toBe(expected);
  });
});

describe('createDemoShopService', () => {
  it('finds an order written in any of the usual forms', () => {
    const shop = createDemoShopService();
    for (const form of ['SB-100001', '#100001', '100001']) {
      const res = shop.getOrder({ orderNumber: form });
      expect(res.found).toBe(true);
      expect(res.order?.orderNumber).toBe(FIXTURE_ORDER_SHIPPED);
      expect(res.order?.trackingUrl).toMatch(/^https:\/\/track\.sablebramble\.example\//);
    }
    expect(shop.getOrder({ orderNumber: FIXTURE_ORDER_UNKNOWN })).toEqual({ found: false });
    expect(shop.getOrder({ orderNumber: 'not a number' })).toEqual({ found: false });
  });

  it("lists a customer's orders newest first, whatever the email's case", () => {
    const shop = createDemoShopService();
    expect(shop.listOrders({ email: FIXTURE_CUSTOMER_NO_ORDERS.email })).toEqual({ orders: [], count: 0 });
    expect(shop.listOrders({ email: FIXTURE_CUSTOMER_ONE_ORDER.email.toUpperCase() }).count).toBe(1);
    const three = shop.listOrders({ email: FIXTURE_CUSTOMER_THREE_ORDERS.email });
    expect(three.orders.map((o) => o.orderNumber)).toEqual([
      FIXTURE_ORDER_PROCESSING,
      FIXTURE_ORDER_DELIVERED,
      FIXTURE_ORDER_CANCELLED,
    ]);
  });

  it('answers accounts and sends password resets only to open ones', () => {
    const shop = createDemoShopService();
    expect(shop.getAccount({ email: FIXTURE_CUSTOMER_LOCKED.email }).account?.status).toBe('locked');
    expect(shop.getAccount({ email: 'nobody@nowhere.example' })).toEqual({ found: false });
    expect(shop.sendPasswordReset({ email: FIXTURE_CUSTOMER_LOCKED.email })).toEqual({
      sent: true,
      expiresInMinutes: 30,
    });
    expect(shop.sendPasswordReset({ email: FIXTURE_CUSTOMER_CLOSED.email }).sent).toBe(false);
    expect(shop.sendPasswordReset({ email: 'nobody@nowhere.example' }).sent).toBe(false);
  });

  it("sends an invoice only to the order's own customer", () => {
    const shop = createDemoShopService();
    const sent = shop.sendInvoice({ orderNumber: '#100001', email: FIXTURE_CUSTOMER_ONE_ORDER.email });
    expect(sent.sent).toBe(true);
    expect(sent.invoiceId).toMatch(/^INV-\d{7}$/);
    expect(shop.sendInvoice({ orderNumber: '#100001', email: FIXTURE_CUSTOMER_THREE_ORDERS.email })).toEqual({
      sent: false,
    });
    expect(
      shop.sendInvoice({ orderNumber: FIXTURE_ORDER_CANCELLED, email: FIXTURE_CUSTOMER_THREE_ORDERS.email }),
    ).toEqual({
      sent: false,
    });
  });

  it('cancels processing orders only, once', () => {
    const shop = createDemoShopService();
    expect(shop.cancelOrder({ orderNumber: FIXTURE_ORDER_PROCESSING, email: OWNER })).toEqual({
      cancelled: true,
    });
    expect(shop.getOrder({ orderNumber: FIXTURE_ORDER_PROCESSING }).order?.status).toBe('cancelled');
    expect(shop.cancelOrder({ orderNumber: FIXTURE_ORDER_PROCESSING, email: OWNER })).toEqual({
      cancelled: false,
      reason: 'already_cancelled',
    });
    expect(
      shop.cancelOrder({ orderNumber: FIXTURE_ORDER_SHIPPED, email: FIXTURE_CUSTOMER_ONE_ORDER.email }),
    ).toEqual({
      cancelled: false,
      reason: 'already_shipped',
    });
    expect(
      shop.cancelOrder({ orderNumber: FIXTURE_ORDER_PROCESSING, email: FIXTURE_CUSTOMER_ONE_ORDER.email }),
    ).toEqual({
      cancelled: false,
      reason: 'not_your_order',
    });
    expect(shop.refundOrder({ orderNumber: FIXTURE_ORDER_DELIVERED, amount: 1, email: '' })).toEqual({
      refunded: false,
      reason: 'not_your_order',
    });
    expect(shop.cancelOrder({ orderNumber: FIXTURE_ORDER_UNKNOWN, email: OWNER })).toEqual({
      cancelled: false,
      reason: 'not_found',
    });
  });

  it('refunds up to what is left of the order total', () => {
    const shop = createDemoShopService();
    const first = shop.refundOrder({ orderNumber: FIXTURE_ORDER_DELIVERED, amount: 100, email: OWNER });
    expect(first).toEqual({ refunded: true, refundId: 'RF-500001' });
    expect(shop.refundOrder({ orderNumber: FIXTURE_ORDER_DELIVERED, amount: 20.01, email: OWNER })).toEqual({
      refunded: false,
      reason: 'exceeds_order_total',
    });
    expect(
      shop.refundOrder({ orderNumber: FIXTURE_ORDER_DELIVERED, amount: 20, email: OWNER }).refunded,
    ).toBe(true);
    expect(shop.getOrder({ orderNumber: FIXTURE_ORDER_DELIVERED }).order?.refundedAmount).toBe(120);
    expect(shop.refundOrder({ orderNumber: FIXTURE_ORDER_CANCELLED, amount: 1, email: OWNER })).toEqual({
      refunded: false,
      reason: 'order_cancelled',
    });
    expect(shop.refundOrder({ orderNumber: FIXTURE_ORDER_UNKNOWN, amount: 1, email: OWNER })).toEqual({
      refunded: false,
      reason: 'not_found',
    });
  });

  it('updates the address of active accounts only', () => {
    const shop = createDemoShopService();
    expect(
      shop.updateAddress({ email: FIXTURE_CUSTOMER_NO_ORDERS.email, address: '3 Elm Row, Leeds' }),
    ).toEqual({
      updated: true,
    });
    expect(shop.getAccount({ email: FIXTURE_CUSTOMER_NO_ORDERS.email }).account?.address).toBe(
      '3 Elm Row, Leeds',
    );
    expect(shop.updateAddress({ email: FIXTURE_CUSTOMER_LOCKED.email, address: '3 Elm Row, Leeds' })).toEqual(
      {
        updated: false,
      },
    );
  });

  it('keeps each instance its own: changes and returned copies do not leak', () => {
    const a = createDemoShopService();
    const b = createDemoShopService();
    a.cancelOrder({ orderNumber: FIXTURE_ORDER_PROCESSING, email: OWNER });
    expect(b.getOrder({ orderNumber: FIXTURE_ORDER_PROCESSING }).order?.status).toBe('processing');
    const copy = b.getOrder({ orderNumber: FIXTURE_ORDER_PROCESSING }).order!;
    copy.status = 'delivered';
    expect(b.getOrder({ orderNumber: FIXTURE_ORDER_PROCESSING }).order?.status).toBe('processing');
  });
});
