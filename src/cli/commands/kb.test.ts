import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { openStore } from '../../app/index.ts';
import { DEFAULT_TRAIN_OPTIONS, trainIntentModel, writeModelFile } from '../../nlu/index.ts';
import { generateIntentExamples } from '../../nlu/testing.ts';
import { fakeClock } from '../../shared/index.ts';
import { aMessage, aTicket } from '../../store/test-builders.ts';
import { runCommand } from '../testing.ts';
import { registerKb } from './kb.ts';

const DEMO_KB = fileURLToPath(new URL('../../demo/kb/', import.meta.url));
const FIXTURE_KB = fileURLToPath(new URL('../../kb/fixtures/audit-kb/', import.meta.url));
const NOW = Date.UTC(2026, 10, 27);

/** Runs `switchboard kb ...` in-process with its own program (main.ts wires the command in separately). */
async function run(args: string[], cwd: string) {
  return runCommand((program, io) => registerKb(program, io, fakeClock(NOW)), args, cwd);
}

/** A working directory with a copy of a knowledge-base folder in `kb/`. */
function workspace(from: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'kb-cli-'));
  cpSync(from, join(dir, 'kb'), { recursive: true });
  return dir;
}

describe('switchboard kb import', () => {
  it('writes the default index, then counts updated, removed, added and unchanged articles on re-import', async () => {
    const dir = workspace(DEMO_KB);
    const first = await run(['kb', 'import', 'kb'], dir);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/^24 articles, \d+ passages -> \.switchboard\/kb-index\.json\n/);
    expect(first.stdout).toContain('added 24, updated 0, removed 0, unchanged 0');
    expect(existsSync(join(dir, '.switchboard', 'kb-index.json'))).toBe(true);

    const giftCards = join(dir, 'kb', 'gift-cards.md');
    writeFileSync(giftCards, readFileSync(giftCards, 'utf8').replace('24 months', '36 months'));
    rmSync(join(dir, 'kb', 'product-care.md'));
    writeFileSync(
      join(dir, 'kb', 'loyalty-week.md'),
      '---\ntitle: Loyalty week\ntags: [how_to]\nupdated: 2026-11-20\n---\nTriple points for members all week.\n',
    );
    const second = await run(['kb', 'import', 'kb'], dir);
    expect(second.stdout).toContain('added 1, updated 1, removed 1, unchanged 22');
    const search = await run(['kb', 'search', 'how long are gift cards valid', '--json'], dir);
    expect(JSON.parse(search.stdout)[0].passage).toContain('36 months');
  });

  it('stops on bad front matter with file:line, exit 2, and writes nothing', async () => {
    const dir = workspace(FIXTURE_KB);
    writeFileSync(join(dir, 'kb', 'broken.md'), '---\ntitle: Broken\nupdated: 2026-13-01\n---\nText.\n');
    const result = await run(['kb', 'import', 'kb', '--index', 'out/kb.json'], dir);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe('error: kb/broken.md:3: updated: not a real date\n');
    expect(existsSync(join(dir, 'out'))).toBe(false);
  });

  it('refuses to overwrite a file that is not an index, and a folder with no articles', async () => {
    const dir = workspace(FIXTURE_KB);
    writeFileSync(join(dir, 'notes.json'), '{"mine": true}');
    const result = await run(['kb', 'import', 'kb', '--index', 'notes.json'], dir);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('not overwriting it');
    expect(readFileSync(join(dir, 'notes.json'), 'utf8')).toBe('{"mine": true}');
    const empty = await run(['kb', 'import', '.switchboard-none'], dir);
    expect(empty.code).toBe(2);
    expect(empty.stderr).toContain('.switchboard-none: no such folder');
  });
});

describe('switchboard kb search', () => {
  it('prints ranked passages with score, title, heading and link; JSON with --json', async () => {
    const dir = workspace(DEMO_KB);
    await run(['kb', 'import', 'kb', '--index', 'kb.json'], dir);
    const text = await run(
      ['kb', 'search', 'my', 'parcel', 'is', 'late', '--index', 'kb.json', '--limit', '2'],
      dir,
    );
    expect(text.code).toBe(0);
    expect(text.stdout).toMatch(
      /^1\. 1\.00 {2}Late, lost or missing parcels > My parcel is late\n {3}https:\/\/help\.sablebramble\.example\/delivery\/late-or-missing\n {3}\| Carriers sometimes/,
    );
    const json = await run(['kb', 'search', 'refund', '--index', 'kb.json', '--json', '--limit', '3'], dir);
    const hits = JSON.parse(json.stdout);
    expect(hits).toHaveLength(3);
    expect(Object.keys(hits[0]).sort()).toEqual(
      ['articleId', 'heading', 'passage', 'passageId', 'relevance', 'score', 'title', 'url'].sort(),
    );
    expect((await run(['kb', 'search', 'hello', '--index', 'kb.json'], dir)).stdout).toBe(
      'no passage matches\n',
    );
    const missing = await run(['kb', 'search', 'refund', '--index', 'none.json'], dir);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('none.json: no knowledge-base index here');
  });
});

describe('switchboard kb audit', () => {
  it('lists intents without article, stale articles, never-matched articles (from the store) and near-duplicates', async () => {
    const dir = workspace(FIXTURE_KB);
    await run(['kb', 'import', 'kb'], dir);
    const db = join(dir, 'tickets.db');
    const store = await openStore({ db });
    await store.upsertTickets(
      [
        aTicket({
          externalId: '1',
          subject: 'Return',
          messages: [aMessage({ body: 'How do I return an item?' })],
        }),
        aTicket({
          externalId: '2',
          subject: 'Invoice',
          messages: [aMessage({ body: 'Can I download my invoice?' })],
        }),
      ],
      { origin: 'test' },
    );
    await store.close();
    const result = await run(
      ['kb', 'audit', '--intents', 'refund_request,order_status', '--db', db, '--stale-days', '365'],
      dir,
    );
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('Intents with no article (1)\n  - order_status\n');
    expect(result.stdout).toContain(
      'Not updated for more than 365 days (1)\n  - returns-old (How to return an item)',
    );
    expect(result.stdout).toContain('Never matched (2 of 2 ticket questions answered)');
    expect(result.stdout).toContain('  - staff-refund-limits (Refund limits for agents)');
    expect(result.stdout).toMatch(
      /Near-duplicates \(similarity >= 0\.6\) \(1\)\n {2}- returns-old ~ returns: 0\.\d+/,
    );

    const json = JSON.parse((await run(['kb', 'audit', '--json'], dir)).stdout);
    expect(json.stale.map((s: { id: string }) => s.id)).toEqual(['returns-old']);
    expect(json.neverMatched).toBeNull();
    expect(json.intentsWithoutArticle).toBeNull();
  });

  it('checks the labels of an NLU model file, leaving out its out-of-scope label', async () => {
    const dir = workspace(FIXTURE_KB);
    await run(['kb', 'import', 'kb'], dir);
    const model = trainIntentModel(
      generateIntentExamples({ seed: 2, perIntent: 20, outOfScope: 10 }),
      DEFAULT_TRAIN_OPTIONS,
    );
    writeModelFile(join(dir, 'intents.model.json'), model);
    const json = JSON.parse(
      (await run(['kb', 'audit', '--model', 'intents.model.json', '--json'], dir)).stdout,
    );
    expect(json.intentsWithoutArticle.sort()).toEqual(['change_address', 'reset_password', 'track_order']);
  });

  it('rejects --intents with --model, and bad numbers', async () => {
    const dir = workspace(FIXTURE_KB);
    await run(['kb', 'import', 'kb'], dir);
    const both = await run(['kb', 'audit', '--intents', 'a', '--model', 'm.json'], dir);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('--intents: give --intents or --model, not both');
    expect((await run(['kb', 'audit', '--stale-days', 'soon'], dir)).code).toBe(2);
    expect((await run(['kb', 'audit', '--min-score', '1.5'], dir)).code).toBe(2);
    const model = await run(['kb', 'audit', '--model', 'missing.model.json'], dir);
    expect(model.code).toBe(2);
    expect(model.stderr).toContain('missing.model.json');
  });
});
