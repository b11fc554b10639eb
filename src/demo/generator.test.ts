import { describe, expect, it } from 'vitest';
import { TicketRecordSchema } from '../domain/ticket.ts';
import { hourOfDay, weekday } from './calendar.ts';
import { CATEGORY_PROFILES, DEMO_CATEGORIES, type DemoCategory } from './categories.ts';
import type { DemoTicket } from './demo-ticket.ts';
import { DEFAULT_ANCHOR_MS, generateDemoTickets } from './generator.ts';
import { demoTicketToRecord } from './to-record.ts';
import { isTypoEligible } from './typos.ts';

const generate = (
  tickets: number,
  seed: number,
  extra: Partial<Parameters<typeof generateDemoTickets>[0]> = {},
) => [...generateDemoTickets({ tickets, seed, ...extra })];

const sample = generate(5000, 11);
const bigSample = generate(30_000, 12);

describe('generateDemoTickets', () => {
  it('gives the same tickets for the same seed and different ones for another seed', () => {
    const a = JSON.stringify(generate(300, 1));
    expect(JSON.stringify(generate(300, 1))).toBe(a);
    expect(JSON.stringify(generate(300, 2))).not.toBe(a);
  });

  it('yields the requested number of tickets with increasing ids and creation times', () => {
    expect(sample).toHaveLength(5000);
    for (let i = 1; i < sample.length; i++) {
      const [prev, cur] = [sample[i - 1] as DemoTicket, sample[i] as DemoTicket];
      expect(cur.id).toBe(prev.id + 1);
      expect(cur.createdAt).toBeGreaterThanOrEqual(prev.createdAt);
    }
  });

  it('matches the category mix of a shop inbox within tolerance', () => {
    const counts = countBy(sample, (t) => t.category);
    for (const category of DEMO_CATEGORIES) {
      const expected = CATEGORY_PROFILES[category].weight / 100;
      const share = (counts.get(category) ?? 0) / sample.length;
      // Three standard deviations of a binomial share, plus a little slack for the small categories.
      const tolerance = 3 * Math.sqrt((expected * (1 - expected)) / sample.length) + 0.002;
      expect(Math.abs(share - expected), category).toBeLessThan(tolerance);
    }
    expect(counts.get('password_reset')! / sample.length).toBeGreaterThan(0.19);
    expect(counts.get('order_status')! / sample.length).toBeGreaterThan(0.17);
  });

  it('includes the rare legal, security and distress cases, with their specific tags', () => {
    const rare = (category: DemoCategory) => bigSample.filter((t) => t.category === category);
    const share =
      (rare('legal').length + rare('security').length + rare('distress').length) / bigSample.length;
    expect(share).toBeGreaterThan(0.006);
    expect(share).toBeLessThan(0.015);
    const tags = new Set(bigSample.flatMap((t) => t.tags));
    for (const tag of [
      'gdpr',
      'lawyer',
      'court',
      'account_takeover',
      'fraud',
      'unauthorised_charge',
      'wellbeing',
    ]) {
      expect(tags, tag).toContain(tag);
    }
    expect(tags).toContain('threat');
    expect(tags).toContain('staff_complaint');
    for (const t of [...rare('legal'), ...rare('security'), ...rare('distress')]) {
      expect(t.group).toBe('Trust & Safety');
      expect(['high', 'urgent']).toContain(t.priority);
    }
  });

  it('creates most tickets on weekdays in business hours, within six months before the anchor', () => {
    const inHours = sample.filter((t) => {
      const day = weekday(t.createdAt);
      const hour = hourOfDay(t.createdAt);
      return day >= 1 && day <= 5 && hour >= 9 && hour < 18;
    });
    expect(inHours.length / sample.length).toBeGreaterThan(0.55);
    expect(inHours.length / sample.length).toBeLessThan(0.85);
    const weekend = sample.filter((t) => weekday(t.createdAt) === 0 || weekday(t.createdAt) === 6);
    expect(weekend.length / sample.length).toBeGreaterThan(0.03);
    for (const t of sample) {
      expect(t.createdAt).toBeLessThanOrEqual(DEFAULT_ANCHOR_MS);
      expect(t.createdAt).toBeGreaterThan(DEFAULT_ANCHOR_MS - 184 * 86_400_000);
      expect(new Date(t.createdAt).getUTCMilliseconds()).toBe(0);
    }
  });

  it('orders every ticket in time: messages, first response, resolution, closing', () => {
    for (const t of sample) {
      expect(t.messages[0]?.createdAt).toBe(t.createdAt);
      expect(t.messages[0]?.authorRole).toBe('customer');
      for (let i = 1; i < t.messages.length; i++) {
        expect(t.messages[i]!.createdAt).toBeGreaterThan(t.messages[i - 1]!.createdAt);
      }
      if (t.firstResponseAt !== null) expect(t.firstResponseAt).toBeGreaterThan(t.createdAt);
      if (t.resolvedAt !== null) {
        expect(t.firstResponseAt).not.toBeNull();
        expect(t.resolvedAt).toBeGreaterThanOrEqual(t.firstResponseAt!);
        expect(t.resolvedAt).toBeGreaterThanOrEqual(t.messages.at(-1)!.createdAt);
      }
      if (t.closedAt !== null) expect(t.closedAt).toBeGreaterThan(t.resolvedAt!);
      expect(t.updatedAt).toBeGreaterThanOrEqual(t.messages.at(-1)!.createdAt);
      expect(t.updatedAt).toBeLessThanOrEqual(DEFAULT_ANCHOR_MS);
    }
  });

  it('answers routine tickets faster than complex ones, and urgent safety cases fastest', () => {
    const median = (xs: number[]) => xs.sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;
    const firstResponse = (pred: (t: DemoTicket) => boolean) =>
      median(
        bigSample
          .filter((t) => pred(t) && t.firstResponseAt !== null)
          .map((t) => t.firstResponseAt! - t.createdAt),
      );
    const routine = firstResponse((t) => !t.truth.complex);
    const complex = firstResponse(
      (t) => t.truth.complex && t.category !== 'security' && t.category !== 'distress',
    );
    expect(routine).toBeLessThan(complex);
    expect(firstResponse((t) => t.category === 'distress')).toBeLessThan(routine);
  });

  it('leaves some tickets open or pending, most resolved, and rates about 40% of the resolved ones', () => {
    const statuses = countBy(sample, (t) => t.status);
    expect(statuses.get('closed')! / sample.length).toBeGreaterThan(0.7);
    expect(statuses.get('open') ?? 0).toBeGreaterThan(0);
    expect(statuses.get('pending') ?? 0).toBeGreaterThan(0);
    expect(statuses.get('resolved') ?? 0).toBeGreaterThan(0);
    for (const t of sample) {
      const resolved = t.status === 'resolved' || t.status === 'closed';
      expect(t.resolvedAt !== null).toBe(resolved);
      if (!resolved) expect(t.csat).toBeNull();
    }
    const resolved = sample.filter((t) => t.resolvedAt !== null);
    const rated = resolved.filter((t) => t.csat !== null);
    expect(rated.length / resolved.length).toBeGreaterThan(0.35);
    expect(rated.length / resolved.length).toBeLessThan(0.45);
    for (const t of rated) expect([1, 2, 3, 4, 5]).toContain(t.csat);
    const mean = (xs: DemoTicket[]) => xs.reduce((s, t) => s + t.csat!, 0) / xs.length;
    const complaints = bigSample.filter((t) => t.category === 'complaint' && t.csat !== null);
    const resets = bigSample.filter((t) => t.category === 'password_reset' && t.csat !== null);
    expect(mean(complaints)).toBeLessThan(mean(resets) - 1);
  });

  it('keeps handle times at 3-6 minutes for routine tickets and 15-60 for complex ones', () => {
    for (const t of sample) {
      if (t.handleTimeSeconds === null) {
        expect(t.messages.some((m) => m.authorRole === 'agent')).toBe(false);
        continue;
      }
      const [low, high] = t.truth.complex ? [900, 3600] : [180, 360];
      expect(t.handleTimeSeconds).toBeGreaterThanOrEqual(low);
      expect(t.handleTimeSeconds).toBeLessThanOrEqual(high);
    }
  });

  it('uses 2-4 messages for routine tickets and 3-8 for complex ones', () => {
    for (const t of sample) {
      const [low, high] = t.truth.complex ? [3, 8] : [2, 4];
      // The history ends mid-conversation for the newest tickets, so only the upper bound always holds.
      expect(t.messages.length).toBeLessThanOrEqual(high);
      if (t.status === 'closed') expect(t.messages.length).toBeGreaterThanOrEqual(low - 1);
    }
    const mean = sample.reduce((s, t) => s + t.messages.length, 0) / sample.length;
    expect(mean).toBeGreaterThan(2.6);
    expect(mean).toBeLessThan(3.6);
    expect(sample.some((t) => t.messages.some((m) => !m.public))).toBe(true);
  });

  it('forces exactly K messages per ticket when asked', () => {
    for (const k of [1, 3, 6]) {
      const tickets = generate(400, 5, { messagesPerTicket: k });
      for (const t of tickets) expect(t.messages).toHaveLength(k);
    }
    const ids = generate(200, 5, { messagesPerTicket: 3 }).flatMap((t) => t.messages.map((m) => m.id));
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('gives routine tickets macro replies and complex tickets far more varied ones', () => {
    const distinctRatio = (tickets: DemoTicket[]) => {
      const replies = tickets.flatMap((t) => {
        const reply = t.messages.find((m) => m.authorRole === 'agent' && m.public);
        return reply ? [normaliseReply(reply.body, t)] : [];
      });
      return new Set(replies).size / replies.length;
    };
    const routine = bigSample.filter((t) => t.category === 'password_reset').slice(0, 400);
    const complex = bigSample.filter((t) => t.category === 'refund_request').slice(0, 400);
    expect(routine).toHaveLength(400);
    expect(complex).toHaveLength(400);
    expect(distinctRatio(routine)).toBeLessThan(0.05);
    expect(distinctRatio(complex)).toBeGreaterThan(0.6);
  });

  it('phrases the same kind of request in many different ways', () => {
    const openings = new Set(
      bigSample
        .filter((t) => t.category === 'password_reset')
        .map((t) => t.messages[0]!.body.replace(/\d/g, '#')),
    );
    expect(openings.size).toBeGreaterThan(1000);
    const angry = sample.filter((t) => t.truth.angry);
    expect(angry.length).toBeGreaterThan(0);
    expect(angry.some((t) => t.messages[0]!.body.includes('!!!'))).toBe(true);
  });

  it('fills every slot and puts a money amount in refund requests, from a few dollars to hundreds', () => {
    for (const t of sample) {
      for (const m of t.messages) expect(m.body).not.toMatch(/\{\w+\}/);
      if (t.subject) expect(t.subject).not.toMatch(/\{\w+\}/);
    }
    const refunds = bigSample.filter((t) => t.category === 'refund_request');
    const amounts = refunds.flatMap((t) => {
      const match = /(?:[$£€]\s?(\d+)[.,]\d\d)|(?:(\d+)[.,]\d\d\s?(?:USD|EUR|GBP|€))/.exec(
        t.messages.map((m) => m.body).join('\n'),
      );
      return match ? [Number(match[1] ?? match[2])] : [];
    });
    expect(amounts.length / refunds.length).toBeGreaterThan(0.5);
    expect(Math.min(...amounts)).toBeLessThan(15);
    expect(Math.max(...amounts)).toBeGreaterThan(400);
    expect(Math.max(...amounts)).toBeLessThanOrEqual(900);
  });

  it('lets customers recur, each with a stable plan tier', () => {
    const byCustomer = new Map<number, DemoTicket[]>();
    for (const t of sample) byCustomer.set(t.customer.id, [...(byCustomer.get(t.customer.id) ?? []), t]);
    expect(byCustomer.size).toBeLessThan(sample.length / 2);
    expect([...byCustomer.values()].some((ts) => ts.length >= 5)).toBe(true);
    for (const tickets of byCustomer.values()) {
      expect(new Set(tickets.map((t) => JSON.stringify(t.customer))).size).toBe(1);
    }
    const plans = countBy(sample, (t) => t.customer.plan);
    expect([...plans.keys()].sort()).toEqual(['business', 'enterprise', 'free', 'pro']);
    expect(new Set(sample.flatMap((t) => (t.assignee ? [t.assignee.id] : []))).size).toBe(12);
  });

  it('injects typos into customer words at roughly the configured rate, and nowhere else', () => {
    const clean = generate(3000, 21, { typoRate: 0 });
    const typed = generate(3000, 21, { typoRate: 0.05 });
    let eligible = 0;
    let changed = 0;
    for (let i = 0; i < clean.length; i++) {
      const [a, b] = [clean[i]!, typed[i]!];
      expect(b.messages.length).toBe(a.messages.length);
      for (let m = 0; m < a.messages.length; m++) {
        const [ma, mb] = [a.messages[m]!, b.messages[m]!];
        if (ma.authorRole === 'agent') {
          expect(mb.body).toBe(ma.body);
          continue;
        }
        const wordsA = ma.body.split(' ');
        const wordsB = mb.body.split(' ');
        expect(wordsB.length).toBe(wordsA.length);
        for (let w = 0; w < wordsA.length; w++) {
          if (!isTypoEligible(wordsA[w]!)) {
            expect(wordsB[w]).toBe(wordsA[w]);
            continue;
          }
          eligible++;
          if (wordsA[w] !== wordsB[w]) changed++;
        }
      }
      expect(clean[i]!.truth.typos).toBe(0);
    }
    const rate = changed / eligible;
    expect(rate).toBeGreaterThan(0.035);
    expect(rate).toBeLessThan(0.065);
    expect(typed.reduce((s, t) => s + t.truth.typos, 0)).toBeGreaterThanOrEqual(changed);
  });

  it('maps onto the domain TicketRecord', () => {
    for (const t of sample.slice(0, 500)) {
      const record = demoTicketToRecord(t);
      expect(TicketRecordSchema.parse(record)).toEqual(record);
      expect(record.source).toBe('demo');
      expect(record.category).toBe(t.truth.category);
      expect(record.messages).toHaveLength(t.messages.length);
      if (t.csat !== null) expect(record.csatScore).toBe((t.csat - 1) / 4);
    }
  });
});

function countBy<T, K>(items: readonly T[], key: (item: T) => K): Map<K, number> {
  const counts = new Map<K, number>();
  for (const item of items) counts.set(key(item), (counts.get(key(item)) ?? 0) + 1);
  return counts;
}

/** The part of a reply a macro fixes: without the greeting, signature, names, digits and the customer's email. */
function normaliseReply(body: string, t: DemoTicket): string {
  let text = body;
  if (t.assignee) text = text.replace(t.assignee.signature, '');
  return text
    .replaceAll(t.customer.email, '<email>')
    .replaceAll(t.customer.name, '<name>')
    .replaceAll(t.customer.firstName, '<first>')
    .replace(/\d/g, '#')
    .replace(/^(Hi|Hello|Hey|Dear) <(first|name)>[,!]\s*/, '')
    .trim();
}
