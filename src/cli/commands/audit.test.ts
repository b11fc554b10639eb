import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { openStore } from '../../app/index.ts';
import { demoTicketToRecord, generateDemoTickets } from '../../demo/index.ts';
import { aMessage, aTicket, T0 } from '../../store/test-builders.ts';
import { runCommand } from '../testing.ts';
import { registerAudit } from './audit.ts';

async function run(args: string[], cwd: string) {
  return runCommand((program, io) => registerAudit(program, io), args, cwd);
}

describe('switchboard audit', () => {
  const dir = mkdtempSync(join(tmpdir(), 'audit-cli-'));
  const db = join(dir, 'demo.db');

  it('masks personal data in the customer texts it writes, unless --no-redact', async () => {
    const personalDb = join(dir, 'personal.db');
    const store = await openStore({ db: personalDb });
    await store.upsertTickets(
      [0, 1, 2].map((i) =>
        aTicket({
          externalId: `p${i}`,
          category: 'billing',
          createdAt: T0 + i * 3_600_000,
          messages: [
            aMessage({
              body: `Charge card 4111 1111 1111 1111, mail ann${i}@example.com`,
              createdAt: T0 + i * 3_600_000,
            }),
          ],
        }),
      ),
      { origin: 'test' },
    );
    await store.close();
    expect((await run(['audit', '--db', personalDb, '--out', 'masked'], dir)).code).toBe(0);
    const masked = readFileSync(join(dir, 'masked', 'opportunities.json'), 'utf8');
    expect(masked).toContain('Charge card [card ending 1111], mail [email]');
    expect(readFileSync(join(dir, 'masked', 'report.html'), 'utf8')).not.toMatch(/4111 1111|@example\.com/);
    expect((await run(['audit', '--db', personalDb, '--out', 'raw', '--no-redact'], dir)).code).toBe(0);
    expect(readFileSync(join(dir, 'raw', 'opportunities.json'), 'utf8')).toContain('4111 1111 1111 1111');
  }, 60_000);

  it('writes every output for the demo history', async () => {
    const store = await openStore({ db });
    await store.upsertTickets([...generateDemoTickets({ tickets: 800, seed: 3 })].map(demoTicketToRecord), {
      origin: 'demo',
    });
    await store.close();
    const r = await run(['audit', '--db', db, '--out', 'out'], dir);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^audited 800 tickets in [\d.]+ s \(categories from labels\)/);
    const json = JSON.parse(readFileSync(join(dir, 'out', 'opportunities.json'), 'utf8')) as {
      team: { tickets: number };
    };
    expect(json.team.tickets).toBe(800);
    const schema = JSON.parse(readFileSync(join(dir, 'out', 'opportunities.schema.json'), 'utf8')) as {
      type: string;
    };
    expect(schema.type).toBe('object');
    expect(readFileSync(join(dir, 'out', 'opportunity-map.csv'), 'utf8')).toMatch(
      /^rank,ticket type,monthly volume,/,
    );
    expect(readFileSync(join(dir, 'out', 'report.html'), 'utf8')).toContain('<svg');
    expect(readFileSync(join(dir, 'out', 'goals.yaml'), 'utf8')).toContain('automatedResolutionRate: 0.8');
  }, 60_000);

  it('says how many tickets an agent started (no first response until the customer writes)', async () => {
    const agentDb = join(dir, 'agent-started.db');
    const store = await openStore({ db: agentDb });
    const records = [...generateDemoTickets({ tickets: 60, seed: 5 })].map(demoTicketToRecord);
    await store.upsertTickets(
      records.map((r, i) => (i < 7 ? { ...r, startedBy: 'agent' as const } : r)),
      { origin: 'demo' },
    );
    await store.close();
    const r = await run(['audit', '--db', agentDb, '--out', 'out-agent'], dir);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^7 started by an agent \(a logged call, an outbound message\)/m);
    const plain = await run(['audit', '--db', db, '--out', 'out-plain'], dir);
    expect(plain.stdout).not.toContain('started by an agent');
  }, 60_000);

  it('classifies with a taxonomy file', async () => {
    const tax = join(dir, 'taxonomy.yaml');
    writeFileSync(
      tax,
      [
        'buckets:',
        '  - name: passwords',
        '    examples: ["I forgot my password", "reset my password please", "cannot log in, password reset", "password link expired"]',
        '  - name: orders',
        '    examples: ["where is my order", "my parcel has not arrived", "track my order", "order status please"]',
        '',
      ].join('\n'),
    );
    const r = await run(['audit', '--db', db, '--taxonomy', tax, '--out', 'out-tax'], dir);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('categories from taxonomy');
    const json = JSON.parse(readFileSync(join(dir, 'out-tax', 'opportunities.json'), 'utf8')) as {
      categories: { category: string }[];
    };
    expect(json.categories.map((c) => c.category).sort()).toEqual(['orders', 'other', 'passwords']);
  }, 60_000);

  it('exits 2 naming the line of a bad taxonomy file, and on bad options', async () => {
    const tax = join(dir, 'bad.yaml');
    writeFileSync(
      tax,
      'buckets:\n  - name: a\n    examples: ["x", "y"]\n  - name: b\n    examples: ["only one"]\n',
    );
    const r = await run(['audit', '--db', db, '--taxonomy', tax, '--out', 'o'], dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`error: ${tax}:5: buckets.1.examples: give at least two example phrases\n`);
    const d = await run(['audit', '--db', db, '--since', '2026-13-01', '--out', 'o'], dir);
    expect(d.code).toBe(2);
    expect(d.stderr).toContain('--since: expected a day as YYYY-MM-DD');
    expect((await run(['audit', '--db', db], dir)).code).toBe(2);
    const cost = await run(['audit', '--db', db, '--agent-hour-cost', '-5', '--out', 'o'], dir);
    expect(cost.code).toBe(2);
    expect(cost.stderr).toContain('--agent-hour-cost: expected a positive number, got "-5"');
  });

  it('turns hours saved into agents and money with the cost settings given', async () => {
    const r = await run(
      [
        'audit',
        '--db',
        db,
        '--agent-hour-cost',
        '50',
        '--hours-per-agent-month',
        '120',
        '--currency',
        'EUR',
        '--out',
        'costs',
      ],
      dir,
    );
    expect(r.code).toBe(0);
    const json = JSON.parse(readFileSync(join(dir, 'costs', 'opportunities.json'), 'utf8')) as {
      assumptions: { costs: unknown };
      savings: { total: { hoursPerMonth: number; agents: number; costPerMonth: number } };
    };
    expect(json.assumptions.costs).toEqual({ agentHourCost: 50, hoursPerAgentMonth: 120, currency: 'EUR' });
    const { hoursPerMonth, agents, costPerMonth } = json.savings.total;
    expect(hoursPerMonth).toBeGreaterThan(0);
    expect(agents).toBeCloseTo(hoursPerMonth / 120, 1);
    expect(costPerMonth).toBeCloseTo(hoursPerMonth * 50, -1);
    expect(r.stdout).toContain(`all ${hoursPerMonth} h = ${agents} agents = EUR ${costPerMonth}`);
    expect(readFileSync(join(dir, 'costs', 'report.html'), 'utf8')).toContain(
      '120 working hours per agent-month and EUR 50 per agent hour',
    );
  });

  it('discovers topics on unlabelled tickets, writes topics.yaml, and applies an edited copy on the next run', async () => {
    const plain = join(dir, 'plain.db');
    const store = await openStore({ db: plain });
    const tickets = [...generateDemoTickets({ tickets: 400, seed: 5 })]
      .map(demoTicketToRecord)
      .map((t) => ({ ...t, category: null, tags: [] }));
    await store.upsertTickets(tickets, { origin: 'demo' });
    await store.close();

    const first = await run(['audit', '--db', plain, '--out', 'topics-out'], dir);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout).toContain('categories from topics');
    expect(first.stdout).toContain(`topics: ${join(dir, 'topics-out', 'topics.yaml')}`);
    const written = readFileSync(join(dir, 'topics-out', 'topics.yaml'), 'utf8');
    const listing = parse(written) as {
      seed: number;
      topics: { id: number; name: string; size: number; example: string }[];
    };
    expect(listing.seed).toBe(1);
    expect(listing.topics.length).toBeGreaterThanOrEqual(3);
    const [a, b, c] = listing.topics as [
      (typeof listing.topics)[0],
      (typeof listing.topics)[0],
      (typeof listing.topics)[0],
    ];

    // The lead renames topic 0 and merges 1 and 2 (one by name), keeping the listing as written.
    const edited = written
      .replace('rename: {}', `rename:\n  0: first topic renamed`)
      .replace(
        'merge: []',
        `merge:\n  - topics: [${b.id}, ${JSON.stringify(c.name)}]\n    name: merged pair`,
      );
    writeFileSync(join(dir, 'edited.yaml'), edited);
    const second = await run(
      ['audit', '--db', plain, '--topics-map', 'edited.yaml', '--out', 'topics-out2'],
      dir,
    );
    expect(second.stderr).toBe('');
    expect(second.code).toBe(0);
    const json = JSON.parse(readFileSync(join(dir, 'topics-out2', 'opportunities.json'), 'utf8')) as {
      categories: { category: string; tickets: number }[];
    };
    const sizes = new Map(json.categories.map((x) => [x.category, x.tickets]));
    expect(sizes.get('first topic renamed')).toBe(a.size);
    expect(sizes.get('merged pair')).toBe(b.size + c.size);
    expect(sizes.has(a.name)).toBe(false);
    // The topics.yaml of the second run carries the mapping, so the lead keeps editing the same file.
    const carried = parse(readFileSync(join(dir, 'topics-out2', 'topics.yaml'), 'utf8')) as {
      rename: Record<string, string>;
      merge: { topics: number[]; name: string }[];
    };
    expect(carried.rename).toEqual({ 0: 'first topic renamed' });
    expect(carried.merge).toEqual([{ topics: [b.id, c.id], name: 'merged pair' }]);

    const renameLine = written.split('\n').indexOf('rename: {}') + 1;
    writeFileSync(join(dir, 'bad-map.yaml'), `${written.replace('rename: {}', 'rename:\n  99: nope')}`);
    const bad = await run(['audit', '--db', plain, '--topics-map', 'bad-map.yaml', '--out', 'o3'], dir);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe(
      `error: bad-map.yaml:${renameLine + 1}: no topic 99: the topics are 0 to ${listing.topics.length - 1}\n`,
    );

    writeFileSync(join(dir, 'syntax.yaml'), 'merge:\n  - topics: [0]\n    name: x\n');
    const syntax = await run(['audit', '--db', plain, '--topics-map', 'syntax.yaml', '--out', 'o4'], dir);
    expect(syntax.code).toBe(2);
    expect(syntax.stderr).toMatch(/^error: syntax\.yaml:2: merge\.0\.topics: merge at least two topics\n$/);

    const labelled = await run(['audit', '--db', db, '--topics-map', 'edited.yaml', '--out', 'o5'], dir);
    expect(labelled.code).toBe(2);
    expect(labelled.stderr).toContain('a topics map applies only when categories come from topic discovery');
  }, 120_000);
});
