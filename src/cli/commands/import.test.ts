import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openStore } from '../../app/index.ts';
import { runCommand } from '../testing.ts';
import { registerImport } from './import.ts';
import { registerStats } from './stats.ts';

const dir = mkdtempSync(join(tmpdir(), 'sb-cli-import-figures-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs from a working folder of its own, so a file written there by default is seen. */
const run = (args: string[], cwd = dir) =>
  runCommand(
    (program, io) => {
      registerImport(program, io);
      registerStats(program, io);
    },
    args,
    cwd,
  );

let n = 0;
const file = (name: string, text: string) => {
  const path = join(dir, `${++n}-${name}`);
  writeFileSync(path, text);
  return path;
};

describe('switchboard import: the summary and its exit code', () => {
  it('exits 2 with the count and the first reasons when every record is rejected', async () => {
    const csv = file(
      'bad.csv',
      'ticket_id,created_at,subject\n1,yesterday,a\n2,soon,b\n3,later,c\n4,never,d\n',
    );
    const db = join(dir, `${n}.db`);
    const result = await run(['import', csv, '--db', db]);
    expect(result.code).toBe(2);
    expect(result.stdout).toContain('rejected 4');
    expect(result.stderr).toContain('every record was rejected (4), nothing was imported');
    expect(result.stderr).toMatch(/line 2: created_at "yesterday" is not a time stamp/);
    expect(result.stderr).toMatch(/line 4: created_at "later" is not a time stamp/);
    expect(result.stderr).not.toContain('never');
    expect(result.stderr).toContain(join(dir, `${n}-bad.csv.rejects.jsonl`));
    // Some records kept: exit 0 as before.
    const mixed = file(
      'mixed.csv',
      'ticket_id,created_at,subject\n1,yesterday,a\n2,2024-01-01T10:00:00Z,b\n',
    );
    expect((await run(['import', mixed, '--db', db])).code).toBe(0);
  });

  it('writes the rejects file beside a SQLite store by default, not in the working folder, and says where', async () => {
    const storeDir = join(dir, 'store-here');
    const work = join(dir, 'work-here');
    mkdirSync(storeDir);
    mkdirSync(work);
    const csv = file('mixed.csv', 'ticket_id,created_at,subject\n1,yesterday,a\n2,2024-01-01T10:00:00Z,b\n');
    const result = await run(['import', csv, '--db', join(storeDir, 'sb.db')], work);
    expect(result.code).toBe(0);
    const rejects = join(storeDir, `${n}-mixed.csv.rejects.jsonl`);
    expect(result.stdout).toContain(`rejected records: ${rejects}`);
    expect(existsSync(rejects)).toBe(true);
    expect(existsSync(join(work, `${n}-mixed.csv.rejects.jsonl`))).toBe(false);
    // --rejects still wins, relative to the working folder.
    const chosen = await run(['import', csv, '--db', join(storeDir, 'sb.db'), '--rejects', 'r.jsonl'], work);
    expect(chosen.stdout).toContain(`rejected records: ${join(work, 'r.jsonl')}`);
  });

  it('prints the warnings count with the file they are in, and keeps the warned tickets', async () => {
    const csv = file(
      'open.csv',
      'ticket_id,created_at,status,resolution_hours\n1,2024-01-01 10:00:00,Open,5\n',
    );
    const db = join(dir, `${n}.db`);
    const result = await run(['import', csv, '--db', db, '--format', 'generic-csv']);
    expect(result.code).toBe(0);
    const rejects = join(dir, `${n}-open.csv.rejects.jsonl`);
    expect(result.stdout).toContain(`1 warning (see ${rejects})`);
    expect(result.stdout).toContain('imported 1');
    expect(result.stdout).not.toContain('rejected records');
    expect(JSON.parse(readFileSync(rejects, 'utf8'))).toMatchObject({ line: 2, externalId: '1' });
    const stats = JSON.parse((await run(['stats', '--db', db, '--json'])).stdout);
    expect(stats.resolutionSeconds.median).toBeNull();
  });

  it('takes --date-format day-first or month-first and refuses anything else', async () => {
    const csv = file('dates.csv', 'ticket_id,created_at,subject\n1,2024-01-01T10:00:00Z,a\n');
    const bad = await run(['import', csv, '--db', join(dir, 'never.db'), '--date-format', 'dd/mm/yyyy']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('--date-format: expected day-first or month-first, got "dd/mm/yyyy"');
    expect(existsSync(join(dir, 'never.db'))).toBe(false);
    // An ambiguous file is refused without it, and read as the option says with it.
    const ambiguous = file('ambiguous.csv', 'ticket_id,created_at,subject\n1,03-04-2021,a\n2,05-06-2021,b\n');
    const db = join(dir, `${n}.db`);
    const refused = await run(['import', ambiguous, '--db', db, '--format', 'generic-csv']);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('--date-format');
    const args = ['import', ambiguous, '--db', db, '--format', 'generic-csv', '--date-format'];
    expect((await run([...args, 'day-first'])).code).toBe(0);
    const stats = JSON.parse((await run(['stats', '--db', db, '--json'])).stdout);
    expect(stats.tickets).toBe(2);
    const store = await openStore({ db });
    try {
      expect((await store.getTicket('generic', '1'))?.createdAt).toBe(Date.UTC(2021, 3, 3));
    } finally {
      await store.close();
    }
  });
});

describe('switchboard stats: agent-started tickets', () => {
  it('counts them and leaves those without a first response out of the median', async () => {
    const at = (hours: number) => new Date(Date.UTC(2024, 0, 1, 10) + hours * 3_600_000).toISOString();
    /** An open ticket created at hour 0 with messages [author, body, hour]. */
    const thread = (id: string, ...messages: [string, string, number][]) => ({
      id,
      created_at: at(0),
      status: 'open',
      messages: messages.map(([author_role, body, hour]) => ({ author_role, body, created_at: at(hour) })),
    });
    const tickets = [
      // A phone call an agent logged, never answered by the customer: no first response.
      thread('call', ['agent', 'Customer called', 0]),
      // Answered by the customer 2 h later, then by the agent 1 h after that: 1 h.
      thread(
        'outbound',
        ['agent', 'Your renewal is due', 0],
        ['customer', 'Which plan?', 2],
        ['agent', 'Pro', 3],
      ),
      // The customer wrote first: 3 h.
      thread('customer', ['customer', 'Where is my order?', 0], ['agent', 'On its way', 3]),
    ];
    const json = file('tickets.json', JSON.stringify(tickets));
    const db = join(dir, `${n}.db`);
    expect((await run(['import', json, '--db', db])).code).toBe(0);
    const stats = JSON.parse((await run(['stats', '--db', db, '--json'])).stdout);
    expect(stats.agentStarted).toBe(2);
    expect(stats.firstResponseSeconds.median).toBe(2 * 3600);
    const table = (await run(['stats', '--db', db])).stdout;
    expect(table).toContain('agent-started 2 (no first response until the customer writes)');
    expect(table).toMatch(/first response\s+2\.0 h/);
  });
});
