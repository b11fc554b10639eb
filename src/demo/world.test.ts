import { describe, expect, it } from 'vitest';
import { createRandom } from './random.ts';
import {
  missingOrderNumber,
  ORDER_SPACING_MS,
  ORDERS_PER_CUSTOMER,
  orderForStory,
  WORLD_END_MS,
  WORLD_START_MS,
  worldCustomer,
  worldOrder,
  worldOrderNumber,
  worldOrderSlot,
  worldOrdersOf,
} from './world.ts';

const DAY_MS = 86_400_000;

describe('the demo world', () => {
  it('is the same for the same seed and index, and differs for another seed', () => {
    expect(worldCustomer(7, 12)).toEqual(worldCustomer(7, 12));
    expect(worldOrder(7, worldCustomer(7, 12), 4)).toEqual(worldOrder(7, worldCustomer(7, 12), 4));
    expect(worldOrdersOf(8, worldCustomer(8, 12))).not.toEqual(worldOrdersOf(7, worldCustomer(7, 12)));
  });

  it('gives every (customer, slot) its own number, and reads the number back', () => {
    const seen = new Set<string>();
    for (let index = 0; index < 2000; index++) {
      for (let slot = 0; slot < ORDERS_PER_CUSTOMER; slot++) {
        const number = worldOrderNumber(3, index, slot);
        expect(number).toMatch(/^SB-[2-9]\d{5}$/);
        seen.add(number);
        expect(worldOrderSlot(3, number)).toEqual({ customerIndex: index, slot });
      }
    }
    expect(seen.size).toBe(2000 * ORDERS_PER_CUSTOMER);
    // Past the six-digit space, seven digits, still read back.
    expect(worldOrderNumber(3, 70_000, 5)).toMatch(/^SB-\d{7}$/);
    expect(worldOrderSlot(3, worldOrderNumber(3, 70_000, 5))).toEqual({ customerIndex: 70_000, slot: 5 });
  });

  it('has no order under a fixture or a misremembered number', () => {
    expect(worldOrderSlot(7, 'SB-100001')).toBeNull();
    expect(worldOrderSlot(7, 'SB-000000')).toBeNull();
    const rng = createRandom('wrong');
    for (let i = 0; i < 100; i++) expect(worldOrderSlot(7, missingOrderNumber(rng))).toBeNull();
  });

  it('places each order in its slot, with a total that adds up and a promised day only before delivery', () => {
    const customer = worldCustomer(5, 1);
    for (const order of worldOrdersOf(5, customer)) {
      expect(order.email).toBe(customer.customer.email);
      expect(order.currency).toBe(customer.currency);
      expect(order.placedAt).toBeGreaterThanOrEqual(WORLD_START_MS + order.slot * ORDER_SPACING_MS);
      expect(order.placedAt).toBeLessThan(
        Math.min(WORLD_END_MS, WORLD_START_MS + (order.slot + 1) * ORDER_SPACING_MS),
      );
      expect(order.total).toBeCloseTo(
        order.items.reduce((sum, i) => sum + i.quantity * i.unitPrice, 0),
        2,
      );
      expect(order.total).toBeLessThanOrEqual(900);
      const open = order.status === 'processing' || order.status === 'shipped';
      expect(order.estimatedDelivery !== null).toBe(open);
      expect(order.invoiceId === null).toBe(order.status === 'cancelled');
    }
  });

  it('picks an order placed before the ticket, in the status the story wants when the customer has one', () => {
    let fits = 0;
    for (let index = 0; index < 300; index++) {
      const customer = worldCustomer(9, index);
      const createdAt = WORLD_END_MS - (1 + (index % 180)) * DAY_MS;
      const order = orderForStory({ seed: 9, customer, createdAt, prefer: ['delivered'] });
      expect(order.customerIndex).toBe(index);
      expect(order.placedAt).toBeLessThanOrEqual(createdAt - DAY_MS);
      if (order.status === 'delivered') fits++;
    }
    expect(fits / 300).toBeGreaterThan(0.9);
  });

  it('gives most accounts an active status and a few a locked or closed one', () => {
    const statuses = Array.from({ length: 2000 }, (_, i) => worldCustomer(7, i).accountStatus);
    const share = (s: string) => statuses.filter((x) => x === s).length / statuses.length;
    expect(share('active')).toBeGreaterThan(0.88);
    expect(share('locked')).toBeGreaterThan(0.02);
    expect(share('closed')).toBeGreaterThan(0.005);
  });
});
