import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openStore } from '../../app/index.ts';
import { memoryIo } from '../io.ts';
import { main } from '../main.ts';

const dir = mkdtempSync(join(tmpdir(), 'sb-start-'));
const db = join(dir, 'start.db');
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const DEMO_WORKFLOWS = [
  'address-change',
  'billing-faq',
  'invoice-request',
  'order-cancellation',
  'order-status',
  'password-reset',
  'refund-request',
];

describe('switchboard start', () => {
  it('runs the whole loop on an empty store, and reuses the store on a second run', async () => {
    // The first run in a terminal: a progress bar per long step, on stderr.
    const first = memoryIo({}, dir);
    first.io.stderr.isTTY = true;
    expect(
      await main(['node', 'switchboard', 'start', '--db', db, '--tickets', '600', '--no-serve'], first.io),
    ).toBe(0);
    const out = first.stdout();
    for (const step of ['generate', 'import', 'training', 'audit', 'replay']) {
      expect(first.stderr()).toMatch(new RegExp(`\\u001b\\[1G${step} [░█]+ \\d+%`));
    }
    expect(out).toMatch(
      /^the loop took \d+\.\d s: demo history imported, NLU active, \d+ categories audited, workflows replayed, demo conversations played$/m,
    );

    const headings = [...out.matchAll(/^── (.+?) ─+$/gm)].map((m) => m[1]);
    expect(headings).toEqual([
      'History',
      'NLU and knowledge base',
      'Audit',
      'Workflows',
      'Replay of the history',
      'Demo conversations',
      'The agent inbox',
      'A few simulated days',
      'What next',
    ]);
    // A few days through the live service, so the dashboard has days to show.
    expect(out).toMatch(
      /^simulated \d{4}-\d{2}-\d{2} to \d{4}-\d{2}-\d{2}: \d+ conversations \(widget \d+, helpdesk \d+\)/m,
    );
    expect(out).toMatch(/^the simulated agent handled \d+ escalated conversations$/m);
    // ...and leaves the demo's workflows live for everyone: no pilot started.
    const simulated = await openStore({ db });
    expect(await simulated.listPilotEvents()).toEqual([]);
    await simulated.close();
    // The inbox has people waiting, and the demo agent can sign in with the password printed.
    const agent = /demo agent: (\S+), password (\S+) /.exec(out);
    expect(agent?.[1]).toBe('demo.agent@example.com');
    expect(out).toMatch(/^2 escalated conversation\(s\) wait in the inbox/m);
    expect(out).toMatch(/imported 600 tickets \(0 rejected\)/);
    expect(out).toMatch(/tickets\s+600/);
    expect(out).toMatch(/trained the NLU on \d+ tickets \(\d+ intents/);
    expect(out).toMatch(/top opportunities:\n\s+1\. (password_reset|order_status)/);
    expect(existsSync(join(dir, '.switchboard', 'audit', 'report.html'))).toBe(true);

    // The workflows: checked, then per workflow the tickets per outcome and the two forecasts, without the
    // resolutions resting on assumptions and with them (a dash when no ticket is routed there).
    expect(out).toContain('7 workflows checked: 0 errors');
    const forecast = '(\\d+\\.\\d% \\(\\d+\\.\\d-\\d+\\.\\d%\\)|-)';
    for (const id of DEMO_WORKFLOWS) {
      expect(out).toMatch(new RegExp(`^ {2}${id} +(\\d+ +){6}${forecast} +${forecast}$`, 'm'));
    }
    for (const file of ['replay.md', 'replay.html', 'replay.json']) {
      expect(out).toContain(`  .switchboard/replay/${file}\n`);
      expect(existsSync(join(dir, '.switchboard', 'replay', file))).toBe(true);
    }

    // One scripted conversation per top opportunity with a workflow; the last one is handed to a person.
    const tour = out.slice(out.indexOf('── Demo conversations'), out.indexOf('── What next'));
    const conversations = [...tour.matchAll(/^(\d)\. (\w+) -> ([\w-]+): /gm)];
    expect(conversations.length).toBeGreaterThanOrEqual(2);
    expect(conversations.map((m) => m[1])).toEqual(conversations.map((_, i) => String(i + 1)));
    for (const m of conversations) expect(DEMO_WORKFLOWS).toContain(m[3]);
    expect(tour).toMatch(/^ {3}customer> .+\n {3}bot> {6}.+/m);
    expect(tour.match(/=> resolved by the bot/g)).toHaveLength(conversations.length - 1);
    expect(tour.match(/=> handed to a person: /g)).toHaveLength(1);
    const last = conversations.at(-1)?.[3];
    expect(tour).toContain(
      `   --- handoff packet ---\n   # Handoff: conversation tour-${conversations.length}-${last}`,
    );
    expect(tour).toContain('   --- end of handoff ---');
    expect(out).toMatch(/What next[\s\S]+switchboard chat --customer[\s\S]+switchboard replay --all/);

    const second = memoryIo({}, dir);
    expect(
      await main(['node', 'switchboard', 'start', '--db', db, '--tickets', '600', '--no-serve'], second.io),
    ).toBe(0);
    expect(second.stderr()).toBe('');
    expect(second.stdout()).toContain('the store already holds tickets');
    expect(second.stdout()).toMatch(/^the loop took \d+\.\d s: the store kept, NLU active, /m);
    expect(second.stdout()).toMatch(/tickets\s+600/);
    expect(second.stdout()).toMatch(/NLU model: v1 in the store \(kept;/);
    expect(second.stdout()).toContain('kb-index v1 in the store (active)');
    // A second run keeps the waiting conversations (with the simulated days' that wait for the next morning),
    // gives the demo agent a new password, and simulates no more days.
    const waiting = /^(\d+) escalated conversation\(s\) wait in the inbox/m.exec(second.stdout());
    expect(Number(waiting?.[1])).toBeGreaterThanOrEqual(2);
    expect(second.stdout()).toContain('the store already holds simulated days: skipping');
    expect(/demo agent: \S+, password (\S+) /.exec(second.stdout())?.[1]).not.toBe(agent?.[2]);
    // The demo conversations ran in memory again: the same ids, nothing left behind in the store.
    expect(second.stdout()).toContain(`# Handoff: conversation tour-${conversations.length}-${last}`);

    // An active model of another format version (an older Switchboard's) is retrained, not a failure.
    const store = await openStore({ db });
    await store.saveArtifact({
      kind: 'nlu-model',
      content: JSON.stringify({ format: 'switchboard-nlu-model', formatVersion: 1 }),
      by: 'test',
      activate: true,
      at: Date.now(),
    });
    await store.close();
    const third = memoryIo({}, dir);
    expect(
      await main(['node', 'switchboard', 'start', '--db', db, '--tickets', '600', '--no-serve'], third.io),
    ).toBe(0);
    expect(third.stdout()).toContain('NLU model: v2 in the store was written by another version: retraining');
    expect(third.stdout()).toMatch(/trained the NLU on \d+ tickets .*nlu-model v3 in the store \(active\)/);
    // The demo configuration was written once, on the first run, and asks for the demo shop.
    expect(readFileSync(join(dir, 'switchboard.yaml'), 'utf8')).toMatch(/demo-shop: \{\}/);
    expect(first.stdout()).toContain('wrote switchboard.yaml: the demo deployment');
    expect(second.stdout()).not.toContain('wrote switchboard.yaml');
  }, 180_000);

  it('lists the problems of a broken workflow folder and exits 2', async () => {
    const broken = join(dir, 'broken-workflows');
    mkdirSync(broken, { recursive: true });
    writeFileSync(
      join(broken, 'greet.yaml'),
      'id: greet\nversion: 1\ntrigger: { intents: [greeting] }\nsteps:\n  - id: hello\n    type: reply\n    text: Hi\n    next: nowhere\n',
    );
    const m = memoryIo({}, dir);
    const code = await main(
      [
        'node',
        'switchboard',
        'start',
        '--db',
        db,
        '--tickets',
        '600',
        '--workflows',
        'broken-workflows',
        '--no-serve',
      ],
      m.io,
    );
    expect(code).toBe(2);
    expect(m.stdout()).toMatch(/1 workflow checked: [1-9]\d* errors?/);
    expect(m.stdout()).toMatch(/broken-workflows\/greet\.yaml:\d+:\d+/);
    expect(m.stdout()).not.toContain('── Replay of the history');
    expect(m.stderr()).toContain('broken-workflows');
  }, 60_000);

  it('exits 2 on a bad option', async () => {
    const m = memoryIo({}, dir);
    expect(await main(['node', 'switchboard', 'start', '--tickets', 'many'], m.io)).toBe(2);
    expect(m.stderr()).toContain('--tickets');
  });
});
