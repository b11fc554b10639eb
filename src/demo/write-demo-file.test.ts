import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';
import { afterAll, describe, expect, it } from 'vitest';
import type { DemoTicket } from './demo-ticket.ts';
import { generateDemoTickets } from './generator.ts';
import { csvField, GENERIC_CSV_HEADER, ticketToCsvRows } from './generic-csv.ts';
import { writeDemoFile } from './write-demo-file.ts';
import { ZENDESK_FIELDS } from './zendesk-jsonl.ts';

const dir = mkdtempSync(join(tmpdir(), 'sb-demo-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const sha = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');
const ISO = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/;

describe('writeDemoFile', () => {
  it('writes byte-identical files for the same seed and count, different ones for another seed', async () => {
    const [a, b, c] = ['a.csv', 'b.csv', 'c.csv'].map((f) => join(dir, f)) as [string, string, string];
    await writeDemoFile({ tickets: 2000, seed: 9, out: a, format: 'generic' });
    await writeDemoFile({ tickets: 2000, seed: 9, out: b, format: 'generic' });
    await writeDemoFile({ tickets: 2000, seed: 10, out: c, format: 'generic' });
    expect(sha(a)).toBe(sha(b));
    expect(sha(c)).not.toBe(sha(a));
    const [z1, z2] = ['a.jsonl', 'b.jsonl'].map((f) => join(dir, f)) as [string, string];
    await writeDemoFile({ tickets: 500, seed: 9, out: z1, format: 'zendesk' });
    await writeDemoFile({ tickets: 500, seed: 9, out: z2, format: 'zendesk' });
    expect(sha(z1)).toBe(sha(z2));
  });

  it('writes a generic CSV that csv-parse reads back with the exact header, one row per message', async () => {
    const out = join(dir, 'generic.csv');
    const summary = await writeDemoFile({ tickets: 3000, seed: 4, out, format: 'generic' });
    const text = readFileSync(out, 'utf8');
    expect(text.slice(0, text.indexOf('\n'))).toBe(GENERIC_CSV_HEADER);
    expect(summary.bytes).toBe(statSync(out).size);
    const rows = parse(text, { columns: true }) as Record<string, string>[];
    expect(rows).toHaveLength(summary.messages);
    expect(new Set(rows.map((r) => r.ticket_id)).size).toBe(summary.tickets);

    const tickets = [...generateDemoTickets({ tickets: 3000, seed: 4 })];
    const messages = tickets.flatMap((t) => t.messages.map((m) => ({ t, m })));
    expect(rows.map((r) => r.message_body)).toEqual(messages.map(({ m }) => m.body));
    for (const [i, row] of rows.entries()) {
      const { t, m } = messages[i] as { t: DemoTicket; m: DemoTicket['messages'][number] };
      expect(row.ticket_id).toBe(String(t.id));
      expect(row.tags!.split('|')).toEqual(t.tags);
      expect(row.category).toBe(t.category);
      expect(row.customer_plan).toBe(t.customer.plan);
      expect(row.created_at).toMatch(ISO);
      expect(row.message_created_at).toMatch(ISO);
      expect(Date.parse(row.message_created_at!)).toBe(m.createdAt);
      if (row.resolved_at) expect(row.resolved_at).toMatch(ISO);
      expect(['', '1', '2', '3', '4', '5']).toContain(row.csat);
      expect(['true', 'false']).toContain(row.message_public);
      expect(['customer', 'agent']).toContain(row.author_role);
    }
    // The bodies exercise the escaping: commas, quotes and line breaks all survive the round trip.
    const bodies = rows.map((r) => r.message_body!);
    expect(bodies.some((b) => b.includes(','))).toBe(true);
    expect(bodies.some((b) => b.includes('"'))).toBe(true);
    expect(bodies.some((b) => b.includes('\n'))).toBe(true);
  });

  it('escapes fields exactly as csv-stringify does', () => {
    const tricky = [
      'plain',
      'a,b',
      'say "hi"',
      'line\nbreak',
      'cr\r\nlf',
      '"',
      '',
      ' padded ',
      'ünïcødé €5,00',
      '""',
    ];
    for (const value of tricky) {
      expect(csvField(value)).toBe(stringify([[value]], { quoted_empty: false }).replace(/\n$/, ''));
      expect((parse(`${csvField(value)},x\n`) as string[][])[0]).toEqual([value, 'x']);
    }
  });

  it('writes Zendesk JSON Lines: one ticket object per line with comments, requester and metrics', async () => {
    const out = join(dir, 'zendesk.jsonl');
    const summary = await writeDemoFile({ tickets: 1000, seed: 4, out, format: 'zendesk' });
    const lines = readFileSync(out, 'utf8').split('\n');
    expect(lines.pop()).toBe('');
    expect(lines).toHaveLength(1000);
    let comments = 0;
    for (const line of lines) {
      const ticket = JSON.parse(line) as Record<string, unknown> & {
        comments: { id: number; author_id: number; body: string; public: boolean; created_at: string }[];
        requester: { id: number; name: string; email: string };
        via: { channel: string };
        custom_fields: { id: number; value: unknown }[];
        satisfaction_rating: { score: string };
        metric_set: { solved_at: string | null };
      };
      expect(typeof ticket.id).toBe('number');
      expect(['new', 'open', 'pending', 'solved', 'closed']).toContain(ticket.status);
      expect(['low', 'normal', 'high', 'urgent']).toContain(ticket.priority);
      expect(['question', 'incident', 'problem', 'task']).toContain(ticket.type);
      expect(['email', 'web', 'chat', 'twitter']).toContain(ticket.via.channel);
      expect(ticket.created_at).toMatch(ISO);
      expect(ticket.updated_at).toMatch(ISO);
      expect(ticket.requester_id).toBe(ticket.requester.id);
      expect(ticket.requester.email).toContain('@');
      expect(ticket.description).toBe(ticket.comments[0]?.body);
      expect(ticket.comments[0]?.author_id).toBe(ticket.requester_id);
      for (const c of ticket.comments) {
        expect(typeof c.id).toBe('number');
        expect(typeof c.body).toBe('string');
        expect(typeof c.public).toBe('boolean');
        expect(c.created_at).toMatch(ISO);
      }
      comments += ticket.comments.length;
      expect(['good', 'bad', 'offered', 'unoffered']).toContain(ticket.satisfaction_rating.score);
      expect(ticket.custom_fields.find((f) => f.id === ZENDESK_FIELDS.contactReason)?.value).toEqual(
        expect.any(String),
      );
      if (ticket.status === 'solved' || ticket.status === 'closed')
        expect(ticket.metric_set.solved_at).toMatch(ISO);
      else expect(ticket.metric_set.solved_at).toBeNull();
    }
    expect(comments).toBe(summary.messages);
  });

  it('forces exactly K messages per ticket for the benchmark', async () => {
    const out = join(dir, 'bench.csv');
    const summary = await writeDemoFile({
      tickets: 1500,
      seed: 42,
      out,
      format: 'generic',
      messagesPerTicket: 3,
    });
    expect(summary).toEqual({ tickets: 1500, messages: 4500, bytes: statSync(out).size });
  });

  it('streams in chunks and reports progress along the way', async () => {
    const out = join(dir, 'progress.csv');
    const seen: number[] = [];
    const summary = await writeDemoFile({
      tickets: 8000,
      seed: 1,
      out,
      format: 'generic',
      onProgress: (n) => seen.push(n),
    });
    expect(summary.bytes).toBeGreaterThan(2 << 20);
    expect(seen.length).toBeGreaterThan(2);
    expect(seen.at(-1)).toBe(8000);
    expect([...seen].sort((x, y) => x - y)).toEqual(seen);
  });

  it('leaves nothing behind when the file cannot be written', async () => {
    const folder = join(dir, 'blocked');
    mkdirSync(folder);
    const out = join(folder, 'missing', 'x.csv');
    await expect(writeDemoFile({ tickets: 10, seed: 1, out, format: 'generic' })).rejects.toMatchObject({
      kind: 'operational',
      code: 'demo.write_failed',
    });
    expect(existsSync(out)).toBe(false);
    expect(readdirSync(folder)).toEqual([]);
  });

  it('rejects options no caller should pass before creating anything', async () => {
    const out = join(dir, 'never.csv');
    await expect(writeDemoFile({ tickets: -1, seed: 1, out, format: 'generic' })).rejects.toMatchObject({
      kind: 'bug',
    });
    await expect(
      writeDemoFile({ tickets: 5, seed: 1, out, format: 'generic', messagesPerTicket: 0 }),
    ).rejects.toMatchObject({ kind: 'bug' });
    expect(existsSync(out)).toBe(false);
  });
});

describe('ticketToCsvRows', () => {
  it('repeats the ticket columns on each message row', () => {
    const [ticket] = [...generateDemoTickets({ tickets: 1, seed: 3, messagesPerTicket: 4 })];
    const rows = parse(ticketToCsvRows(ticket!)) as string[][];
    expect(rows).toHaveLength(4);
    for (const row of rows) {
      expect(row).toHaveLength(GENERIC_CSV_HEADER.split(',').length);
      expect(row.slice(0, 18)).toEqual(rows[0]!.slice(0, 18));
    }
  });
});
