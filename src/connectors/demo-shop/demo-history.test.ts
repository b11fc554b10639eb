import { describe, expect, it } from 'vitest';
import { type DemoTicket, generateDemoTickets } from '../../demo/index.ts';
import { createDemoShopService } from './service.ts';

/** Every way a customer writes an order number: SB-123456, #123456, no. 123456 (a bare number is ambiguous). */
const ORDER_IN_TEXT = /(?:\bSB-|#|\bno\. )(\d{6,7})\b/g;

const customerText = (t: DemoTicket) =>
  [t.subject ?? '', ...t.messages.filter((m) => m.authorRole === 'customer').map((m) => m.body)].join('\n');

describe('the demo history and the demo shop describe the same shop', () => {
  for (const { seed, tickets } of [
    { seed: 7, tickets: 3000 },
    { seed: 42, tickets: 600 },
  ]) {
    it(`finds every customer and order of a ${tickets}-ticket history of seed ${seed}`, () => {
      const shop = createDemoShopService({ seed });
      const history = [...generateDemoTickets({ tickets, seed })];
      let wrongNumbers = 0;
      for (const t of history) {
        const account = shop.getAccount({ email: t.customer.email });
        expect(account.found, t.customer.email).toBe(true);
        expect(account.account?.plan).toBe(t.customer.plan);

        expect(t.orderId === null).toBe(!t.truth.category.match(/order|shipping|refund|invoice|complaint/));
        if (t.orderId !== null) {
          const order = shop.getOrder({ orderNumber: t.orderId }).order;
          expect(order?.email, t.orderId).toBe(t.customer.email);
          expect(order?.status).toBe(t.truth.orderStatus);
        }
        const written = [...customerText(t).matchAll(ORDER_IN_TEXT)].map((m) => `SB-${m[1]}`);
        for (const number of written) {
          expect(shop.getOrder({ orderNumber: number }).found, `${t.id} ${number}`).toBe(
            !t.truth.wrongOrderNumber,
          );
        }
        if (t.truth.wrongOrderNumber) wrongNumbers++;
      }
      expect(wrongNumbers).toBeGreaterThan(0);
    });
  }

  it('shows the order the ticket tells of: its products, its carrier and tracking once shipped', () => {
    const shop = createDemoShopService({ seed: 7 });
    let tracked = 0;
    for (const t of generateDemoTickets({ tickets: 1500, seed: 7 })) {
      if (t.orderId === null) continue;
      const order = shop.getOrder({ orderNumber: t.orderId }).order;
      const thread = t.messages.map((m) => m.body).join('\n');
      const tracking = /\b(?:PP|NP|SS|BB)\d{10}\b/.exec(thread)?.[0];
      if (tracking && order && order.status !== 'processing') {
        expect(order.trackingNumber).toBe(tracking);
        tracked++;
      }
      const carriers = ['ParcelPoint', 'NorthPost', 'SwiftShip', 'Bluebird Couriers'].filter((c) =>
        thread.includes(c),
      );
      if (order?.carrier && carriers.length > 0) expect(carriers).toEqual([order.carrier]);
    }
    expect(tracked).toBeGreaterThan(50);
  });

  it('keeps each order in a status its story fits', () => {
    const shop = createDemoShopService({ seed: 7 });
    const statuses = new Map<string, Map<string, number>>();
    for (const t of generateDemoTickets({ tickets: 4000, seed: 7 })) {
      if (t.orderId === null) continue;
      const status = shop.getOrder({ orderNumber: t.orderId }).order?.status ?? 'missing';
      const counts = statuses.get(t.category) ?? new Map<string, number>();
      counts.set(status, (counts.get(status) ?? 0) + 1);
      statuses.set(t.category, counts);
    }
    const share = (category: string, ...wanted: string[]) => {
      const counts = statuses.get(category) ?? new Map<string, number>();
      const all = [...counts.values()].reduce((a, b) => a + b, 0);
      return wanted.reduce((sum, s) => sum + (counts.get(s) ?? 0), 0) / all;
    };
    expect(share('order_status', 'shipped', 'processing')).toBeGreaterThan(0.95);
    expect(share('shipping_delay', 'shipped', 'processing')).toBeGreaterThan(0.95);
    expect(share('refund_request', 'delivered')).toBeGreaterThan(0.85);
    expect(share('order_cancellation', 'processing')).toBeGreaterThan(0.55);
    expect(share('order_cancellation', 'shipped')).toBeGreaterThan(0.1);
    expect(share('invoice_request', 'delivered', 'shipped')).toBeGreaterThan(0.95);
  });
});
