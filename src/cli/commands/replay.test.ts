import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../app/index.ts';
import { trainDemoIntentModel } from '../../app/testing.ts';
import { DEMO_WORKFLOWS_DIR } from '../../app/workflows-dir.ts';
import { writeModelFile } from '../../nlu/index.ts';
import { aMessage, aTicket } from '../../store/test-builders.ts';
import { memoryIo } from '../io.ts';
import { main } from '../main.ts';

const dir = mkdtempSync(join(tmpdir(), 'sb-replay-cli-'));
const db = join(dir, 'history.db');
const model = join(dir, 'nlu.model.json');
const workflows = join(dir, 'workflows');
// Two of the demo shop's fixture customers (connectors/demo-shop/data.ts; the CLI layer does not import it):
// one shipped order, and an active account without orders.
const FIXTURE_CUSTOMER_ONE_ORDER = {
  customerId: 'C-00002',
  name: 'Olivia Okafor',
  email: 'olivia.okafor@example.net',
  plan: 'pro',
};
const FIXTURE_CUSTOMER_NO_ORDERS = {
  customerId: 'C-00001',
  name: 'Nora Lindqvist',
  email: 'nora.lindqvist@example.com',
  plan: 'free',
};
afterAll(() => rmSync(dir, { recursive: true, force: true }));

beforeAll(async () => {
  writeModelFile(model, await trainDemoIntentModel());
  // The deployment the replay reads: its workflows call the demo shop (answered in process in a replay).
  writeFileSync(join(dir, 'switchboard.yaml'), 'connectors:\n  demo-shop: {}\n');
  // The two workflows the tickets are written for, whatever else the demo folder holds.
  mkdirSync(workflows);
  for (const file of ['order-status.yaml', 'password-reset.yaml']) {
    copyFileSync(join(DEMO_WORKFLOWS_DIR, file), join(workflows, file));
  }
  const store = await openStore({ db });
  const customer = (c: typeof FIXTURE_CUSTOMER_ONE_ORDER) => ({
    externalId: c.customerId,
    email: c.email,
    name: c.name,
    segment: c.plan,
    attributes: {},
  });
  await store.upsertTickets(
    [
      aTicket({
        externalId: 'os-1',
        subject: 'Order status',
        category: 'order_status',
        customer: customer(FIXTURE_CUSTOMER_ONE_ORDER),
        messages: [aMessage({ body: 'Where is my order? It has been a week. <script>alert(1)</script>' })],
      }),
      aTicket({
        externalId: 'pw-1',
        subject: 'Password reset',
        category: 'password_reset',
        status: 'open',
        customer: customer(FIXTURE_CUSTOMER_NO_ORDERS),
        messages: [aMessage({ body: 'I forgot my password and cannot log in, please send a reset link' })],
      }),
    ],
    { origin: 'test' },
  );
  await store.close();
}, 90_000);

async function run(...args: string[]) {
  return runIn({ terminal: false }, ...args);
}

/** `terminal`: stderr is a terminal, as when a person runs it (progress bars are drawn there). */
async function runIn(options: { terminal: boolean }, ...args: string[]) {
  const m = memoryIo({}, dir);
  m.io.stderr.isTTY = options.terminal;
  const code = await main(['node', 'switchboard', 'replay', ...args], m.io);
  return { code, stdout: m.stdout(), stderr: m.stderr() };
}

describe('switchboard replay', () => {
  it('--all writes replay.md, replay.html and replay.json and prints a table', async () => {
    const r = await run('--all', '--db', db, '--model', model, '--workflows', workflows, '--out', 'out');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    // Resolved on the closed ticket's assumed yes: 0 of 1 without assumptions, 1 of 1 with them.
    expect(r.stdout).toContain(
      '| workflow | tickets | resolved | escalated | stuck | unknown | error | resolved without assumptions (95%) | resolved with assumptions (95%) |',
    );
    expect(r.stdout).toContain(
      '| order-status | 1 | 1 | 0 | 0 | 0 | 0 | 0.0% (0.0-79.3%) | 100.0% (20.7-100.0%) |',
    );
    // Sent the link; the open ticket has no answer to "were you able to set a new password?".
    expect(r.stdout).toContain('| password-reset | 1 | 0 | 0 | 1 | 0 | 0 |');
    expect(r.stdout).toContain('out/replay.html');
    const json = JSON.parse(readFileSync(join(dir, 'out', 'replay.json'), 'utf8'));
    expect(json.workflows.map((w: { workflow: string }) => w.workflow)).toEqual([
      'order-status',
      'password-reset',
    ]);
    expect(json.workflows[1]).toMatchObject({
      tickets: 1,
      outcomes: { resolved: 0, escalated: 0, stuck: 1, error: 0 },
      stepCoverage: { send_reset: 1 },
      breaks: { stuckAt: { did_it_help: 1 } },
    });
    const html = readFileSync(join(dir, 'out', 'replay.html'), 'utf8');
    expect(html).not.toContain('<script>');
    expect(existsSync(join(dir, 'out', 'replay.md'))).toBe(true);
    // The history store was only read.
    const store = await openStore({ db });
    expect((await store.listConversations({ limit: 5 })).conversations).toEqual([]);
    await store.close();
  });

  it('masks emails in the example tickets unless privacy.redact is false in the configuration', async () => {
    const email = FIXTURE_CUSTOMER_NO_ORDERS.email;
    const args = ['--workflow', 'password-reset', '--db', db, '--model', model, '--workflows', workflows];
    expect((await run(...args, '--out', 'masked')).code).toBe(0);
    const masked = readFileSync(join(dir, 'masked', 'replay.json'), 'utf8');
    expect(masked).toContain('[email]');
    expect(masked).not.toContain(email);
    writeFileSync(join(dir, 'raw.yaml'), 'connectors:\n  demo-shop: {}\nprivacy:\n  redact: false\n');
    expect((await run(...args, '--config', 'raw.yaml', '--out', 'raw')).code).toBe(0);
    expect(readFileSync(join(dir, 'raw', 'replay.json'), 'utf8')).toContain(email);
  });

  it('draws a progress bar in a terminal, none in a log, and ends with a one-line summary', async () => {
    const args = ['--all', '--db', db, '--model', model, '--workflows', workflows, '--out', 'progress'];
    const logged = await run(...args);
    expect(logged.stderr).toBe('');
    expect(logged.stdout.trimEnd().split('\n').at(-1)).toMatch(
      /^replayed 2 tickets through 2 workflows in \d+\.\d s: 1 resolved, 0 escalated, 1 stuck, 0 unknown, 0 error$/,
    );
    const terminal = await runIn({ terminal: true }, ...args);
    expect(terminal.code).toBe(0);
    expect(terminal.stderr).toMatch(/replay .*\d+% \| [012]\/2 tickets/);
    // The bar goes to stderr: stdout is the same report.
    const timeless = (out: string) => out.replace(/in \d+\.\d s/, 'in N s');
    expect(timeless(terminal.stdout)).toBe(timeless(logged.stdout));
  });

  it('--workflow with --category replays only that workflow', async () => {
    const r = await run(
      '--workflow',
      'password-reset',
      '--category',
      'password_reset',
      '--db',
      db,
      '--model',
      model,
      '--workflows',
      workflows,
      '--out',
      'one',
    );
    expect(r.code).toBe(0);
    const json = JSON.parse(readFileSync(join(dir, 'one', 'replay.json'), 'utf8'));
    expect(json.workflows).toHaveLength(1);
    expect(json.workflows[0]).toMatchObject({ workflow: 'password-reset', selection: { by: 'category' } });
  });

  it('refuses unclear options with exit 2 and says what is wrong', async () => {
    const none = await run('--db', db, '--model', model);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain('--workflow ID or --all');
    const both = await run('--all', '--workflow', 'order-status', '--db', db, '--model', model);
    expect(both.code).toBe(2);
    const unknown = await run('--workflow', 'nope', '--db', db, '--model', model, '--workflows', workflows);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('no workflow "nope"');
    expect(unknown.stderr).toContain('order-status, password-reset');
    const sample = await run('--all', '--sample', 'ten', '--db', db, '--model', model);
    expect(sample.code).toBe(2);
    expect(sample.stderr).toContain('--sample');
    const score = await run('--all', '--min-answer-score', '70', '--db', db, '--model', model);
    expect(score.code).toBe(2);
    expect(score.stderr).toContain('--min-answer-score is a number from 0 to 1');
  });
});
