import {
  cpSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { openStore } from '../../app/index.ts';
import { DEFAULT_TRAIN_OPTIONS, serialiseModel, trainIntentModel, writeModelFile } from '../../nlu/index.ts';
import { generateIntentExamples } from '../../nlu/testing.ts';
import { fakeClock } from '../../shared/index.ts';
import { aMessage, aTicket, T0 } from '../../store/test-builders.ts';
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

/** A store file with two tickets: one the fixture knowledge base answers, one it does not. */
async function storeWithTickets(db: string): Promise<void> {
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
}

const intentModel = () =>
  trainIntentModel(generateIntentExamples({ seed: 2, perIntent: 20, outOfScope: 10 }), DEFAULT_TRAIN_OPTIONS);

async function versionsIn(db: string) {
  const store = await openStore({ db });
  try {
    return (await store.listArtifacts('kb-index')).map((a) => [a.version, a.active]);
  } finally {
    await store.close();
  }
}

describe('switchboard kb import', () => {
  it('stores the index as the active version of the store, counting changes against the active one', async () => {
    const dir = workspace(DEMO_KB);
    const first = await run(['kb', 'import', 'kb'], dir);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(
      /^24 articles, \d+ passages -> kb-index v1 \(active\)\nadded 24, updated 0, removed 0, unchanged 0\n$/,
    );
    // The default store is ./switchboard.db of the working directory; no index file is written.
    expect(readdirSync(dir).sort()).toEqual(['kb', 'switchboard.db']);
    expect((await run(['kb', 'import', 'kb'], dir)).stdout).toMatch(
      /^24 articles, \d+ passages: no change, kb-index v1 stays active\nadded 0, updated 0, removed 0, unchanged 24\n$/,
    );

    const giftCards = join(dir, 'kb', 'gift-cards.md');
    writeFileSync(giftCards, readFileSync(giftCards, 'utf8').replace('24 months', '36 months'));
    rmSync(join(dir, 'kb', 'product-care.md'));
    writeFileSync(
      join(dir, 'kb', 'loyalty-week.md'),
      '---\ntitle: Loyalty week\ntags: [how_to]\nupdated: 2026-11-20\n---\nTriple points for members all week.\n',
    );
    const second = await run(['kb', 'import', 'kb'], dir);
    expect(second.stdout).toMatch(
      / -> kb-index v2 \(active; was v1\)\nadded 1, updated 1, removed 1, unchanged 22\n$/,
    );
    const validity = async () =>
      JSON.parse((await run(['kb', 'search', 'how long are gift cards valid', '--json'], dir)).stdout)[0]
        .passage;
    expect(await validity()).toContain('36 months');

    // A rollback is activating the older version; the next import counts against it.
    expect((await run(['kb', 'activate', '1'], dir)).stdout).toBe(
      'kb-index v1 is now active (was v2); running processes pick it up within seconds\n',
    );
    expect(await validity()).toContain('24 months');
    // Counted against v1; the same index as v2 (the clock stands still here, so even `builtAt` is equal) is v2.
    const third = await run(['kb', 'import', 'kb', '--db', join(dir, 'switchboard.db')], dir);
    expect(third.stdout).toMatch(
      / -> kb-index v2 \(active; was v1\)\nadded 1, updated 1, removed 1, unchanged 22\n$/,
    );
    expect(await versionsIn(join(dir, 'switchboard.db'))).toEqual([
      [2, true],
      [1, false],
    ]);
    const table = (await run(['kb', 'versions'], dir)).stdout.split('\n');
    expect(table[0]).toMatch(/^version {2}active {2}created \(UTC\) {5}by {3,}bytes {2}sha256 {8}note$/);
    expect(table[1]).toMatch(
      /^ {5}v2 {2}\* {7}2026-11-27 00:00 {2}cli +\d+ {2}[0-9a-f]{12} {2}imported from kb$/,
    );
    expect(table).toHaveLength(4);

    // Export writes a version as an index file that the offline commands read.
    expect((await run(['kb', 'export', '--version', '1', '--out', 'v1.json'], dir)).stdout).toMatch(
      /^kb-index v1 -> v1\.json \(\d+ bytes, sha256 [0-9a-f]{12}\)\n$/,
    );
    const offline = await run(
      ['kb', 'search', 'gift', 'cards', 'valid', '--index', 'v1.json', '--json'],
      dir,
    );
    expect(JSON.parse(offline.stdout)[0].passage).toContain('24 months');
    await run(['kb', 'export', '--out', 'active.json'], dir);
    const store = await openStore({ db: join(dir, 'switchboard.db') });
    expect(readFileSync(join(dir, 'active.json'), 'utf8')).toBe(
      (await store.getArtifact('kb-index', 'active'))?.content,
    );
    await store.close();
  });

  it('writes an index file instead with --index, as offline use did before the store', async () => {
    const dir = workspace(DEMO_KB);
    const first = await run(['kb', 'import', 'kb', '--index', '.switchboard/kb-index.json'], dir);
    expect(first.stdout).toMatch(/^24 articles, \d+ passages -> \.switchboard\/kb-index\.json\n/);
    expect(first.stdout).toContain('added 24, updated 0, removed 0, unchanged 0');
    rmSync(join(dir, 'kb', 'product-care.md'));
    const second = await run(['kb', 'import', 'kb', '--index', '.switchboard/kb-index.json'], dir);
    expect(second.stdout).toContain('added 0, updated 0, removed 1, unchanged 23');
    expect(readdirSync(dir).sort()).toEqual(['.switchboard', 'kb']);
    const both = await run(['kb', 'import', 'kb', '--index', 'x.json', '--db', 'x.db'], dir);
    expect(both.code).toBe(2);
    expect(both.stderr).toBe('error: --index: give --db (the store) or --index FILE, not both\n');
  });

  it('says in its summary which symbolic links it skipped and where they lead', async () => {
    const dir = workspace(FIXTURE_KB);
    writeFileSync(join(dir, 'secret.md'), '---\ntitle: Not for customers\n---\nThe admin password.\n');
    symlinkSync(join(dir, 'secret.md'), join(dir, 'kb', 'secret.md'));
    symlinkSync(join(dir, 'nowhere.md'), join(dir, 'kb', 'broken.md'));
    const plain = await run(['kb', 'import', 'kb', '--index', 'plain.json'], workspace(FIXTURE_KB));
    const result = await run(['kb', 'import', 'kb', '--index', 'kb-index.json'], dir);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(
      'skipped 2 symbolic links (links are not followed): broken.md (broken), secret.md (leads outside the folder)\n',
    );
    expect(result.stdout.split('\n')[0]).toBe(
      plain.stdout.split('\n')[0]!.replace('plain.json', 'kb-index.json'),
    );
    expect(readFileSync(join(dir, 'kb-index.json'), 'utf8')).not.toContain('admin password');
    const stored = await run(['kb', 'import', 'kb', '--db', 'kb.db'], dir);
    expect(stored.stdout).toContain('skipped 2 symbolic links (links are not followed)');
  });

  it('counts every article as added when the active version is one this build cannot read', async () => {
    const dir = workspace(FIXTURE_KB);
    const db = join(dir, 'sb.db');
    const store = await openStore({ db });
    await store.saveArtifact({
      kind: 'kb-index',
      content: '{"format":"switchboard-kb-index","formatVersion":0}',
      by: 'older-build',
      activate: true,
      at: NOW,
    });
    await store.close();
    const result = await run(['kb', 'import', 'kb', '--db', db], dir);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(
      / -> kb-index v2 \(active; was v1\)\nadded \d+, updated 0, removed 0, unchanged 0\n/,
    );
    expect(result.stdout).toContain(
      'the active version cannot be read, so every article counts as added: kb-index v1: formatVersion:',
    );
  });

  it('stops on bad front matter with file:line, exit 2, and writes nothing', async () => {
    const dir = workspace(FIXTURE_KB);
    writeFileSync(join(dir, 'kb', 'broken.md'), '---\ntitle: Broken\nupdated: 2026-13-01\n---\nText.\n');
    const result = await run(['kb', 'import', 'kb', '--index', 'out/kb.json'], dir);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe('error: kb/broken.md:3: updated: not a real date\n');
    expect(existsSync(join(dir, 'out'))).toBe(false);
    const toStore = await run(['kb', 'import', 'kb', '--db', 'sb.db'], dir);
    expect(toStore.code).toBe(2);
    expect(toStore.stderr).toBe('error: kb/broken.md:3: updated: not a real date\n');
    expect(existsSync(join(dir, 'sb.db'))).toBe(false);
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

  it('--intent shows what the answer step would do with that intent: an article of the intent, or none', async () => {
    const dir = workspace(DEMO_KB);
    await run(['kb', 'import', 'kb', '--index', 'kb.json'], dir);
    const billing = await run(
      [
        'kb',
        'search',
        'why',
        'was',
        'I',
        'charged',
        'twice',
        '--index',
        'kb.json',
        '--intent',
        'billing_question',
        '--json',
      ],
      dir,
    );
    expect(billing.code).toBe(0);
    const { decision, hits } = JSON.parse(billing.stdout);
    expect(hits.length).toBeGreaterThan(0);
    expect(decision.situation).toMatch(/^intent_/);
    expect(decision.hit.title).toBeTruthy();
    const text = await run(
      [
        'kb',
        'search',
        'why',
        'was',
        'I',
        'charged',
        'twice',
        '--index',
        'kb.json',
        '--intent',
        'billing_question',
      ],
      dir,
    );
    expect(text.stdout).toMatch(
      /^the bot (answers|does not answer) with ".+" \(intent_\w+, confidence \d\.\d\d, (threshold \d\.\d\d|never answered)\)\n\n1\. /,
    );
  });

  it('reads the active version of the store, and says what to do when there is none', async () => {
    const dir = workspace(FIXTURE_KB);
    const noStore = await run(['kb', 'search', 'refund'], dir);
    expect(noStore.code).toBe(2);
    expect(noStore.stderr).toBe(
      'error: switchboard.db: no store here: run `switchboard kb import DIR` first, or pass --index FILE\n',
    );
    expect(existsSync(join(dir, 'switchboard.db'))).toBe(false);
    await storeWithTickets(join(dir, 'tickets.db'));
    const noIndex = await run(['kb', 'search', 'refund', '--db', 'tickets.db'], dir);
    expect(noIndex.code).toBe(2);
    expect(noIndex.stderr).toBe(
      `error: ${join(dir, 'tickets.db')}: no active knowledge base in the store: run \`switchboard kb import DIR\` first, or pass --index FILE\n`,
    );
    await run(['kb', 'import', 'kb', '--db', 'tickets.db'], dir);
    const hits = JSON.parse(
      (await run(['kb', 'search', 'return', 'an', 'item', '--db', 'tickets.db', '--json'], dir)).stdout,
    );
    expect(hits[0].articleId).toMatch(/^returns/);
    const both = await run(['kb', 'search', 'refund', '--db', 'tickets.db', '--index', 'x.json'], dir);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('give --db (the store) or --index FILE, not both');
  });
});

describe('switchboard kb audit', () => {
  it("audits the store's active index, replaying its tickets, with the intents of its active NLU model", async () => {
    const dir = workspace(FIXTURE_KB);
    await storeWithTickets(join(dir, 'switchboard.db'));
    await run(['kb', 'import', 'kb'], dir);
    const location = join(dir, 'switchboard.db');
    const result = await run(
      ['kb', 'audit', '--intents', 'refund_request,order_status', '--stale-days', '365'],
      dir,
    );
    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(
      new RegExp(
        `^index: {3}kb-index v1 \\(active\\) in ${location}\nintents: --intents\ntickets: replayed from ${location}\n\nKnowledge base: `,
      ),
    );
    expect(result.stdout).toContain('Intents with no article (1)\n  - order_status\n');
    expect(result.stdout).toContain(
      'Not updated for more than 365 days (1)\n  - returns-old (How to return an item)',
    );
    expect(result.stdout).toContain('Never matched (2 of 2 ticket questions answered)');
    expect(result.stdout).toContain('  - staff-refund-limits (Refund limits for agents)');
    expect(result.stdout).toMatch(
      /Near-duplicates \(similarity >= 0\.6\) \(1\)\n {2}- returns-old ~ returns: 0\.\d+/,
    );

    // No intents given: the store's active model's, without its out-of-scope label.
    const store = await openStore({ db: location });
    await store.saveArtifact({
      kind: 'nlu-model',
      content: serialiseModel(intentModel()),
      by: 'test',
      activate: true,
      at: NOW,
    });
    await store.close();
    const json = JSON.parse((await run(['kb', 'audit', '--json'], dir)).stdout);
    expect(json.intentsWithoutArticle.sort()).toEqual(['change_address', 'reset_password', 'track_order']);
    expect(json.replay).toEqual({ questions: 2, answered: 2 });
    expect(json.sources).toEqual({
      index: `kb-index v1 (active) in ${location}`,
      intents: `nlu-model v1 (active) in ${location}`,
      tickets: location,
    });

    const quick = await run(['kb', 'audit', '--no-replay', '--intents', 'refund'], dir);
    expect(quick.stdout).toContain('tickets: not replayed (--no-replay)\n');
    expect(quick.stdout).toContain('Never matched\n  not checked');
  });

  it('audits an index file offline, and replays the tickets of --db with it', async () => {
    const dir = workspace(FIXTURE_KB);
    await run(['kb', 'import', 'kb', '--index', 'kb.json'], dir);
    const offline = JSON.parse((await run(['kb', 'audit', '--index', 'kb.json', '--json'], dir)).stdout);
    expect(offline.stale.map((s: { id: string }) => s.id)).toEqual(['returns-old']);
    expect(offline.neverMatched).toBeNull();
    expect(offline.intentsWithoutArticle).toBeNull();
    expect(offline.sources).toEqual({ index: 'kb.json', intents: null, tickets: null });
    expect(existsSync(join(dir, 'switchboard.db'))).toBe(false);

    const db = join(dir, 'tickets.db');
    await storeWithTickets(db);
    const replayed = await run(['kb', 'audit', '--index', 'kb.json', '--db', db], dir);
    expect(replayed.stdout).toContain(
      `index:   kb.json\nintents: none (no --intents, no --model, no active NLU model in the store)\ntickets: replayed from ${db}\n`,
    );
    expect(replayed.stdout).toContain('Never matched (2 of 2 ticket questions answered)');

    // A store without tickets replays nothing rather than calling every article never matched.
    const empty = join(dir, 'empty.db');
    await (await openStore({ db: empty })).close();
    const none = await run(['kb', 'audit', '--index', 'kb.json', '--db', empty], dir);
    expect(none.stdout).toContain(`tickets: none in ${empty}\n`);
    expect(none.stdout).toContain('Never matched\n  not checked');
  });

  it('with --index FILE, still takes the tickets and the intents from the store when there is one (no --db)', async () => {
    const dir = workspace(FIXTURE_KB);
    await run(['kb', 'import', 'kb', '--index', 'kb.json'], dir);
    const location = join(dir, 'switchboard.db');
    await storeWithTickets(location);
    const store = await openStore({ db: location });
    await store.saveArtifact({
      kind: 'nlu-model',
      content: serialiseModel(intentModel()),
      by: 'test',
      activate: true,
      at: NOW,
    });
    await store.close();
    const json = JSON.parse((await run(['kb', 'audit', '--index', 'kb.json', '--json'], dir)).stdout);
    expect(json.sources).toEqual({
      index: 'kb.json',
      intents: `nlu-model v1 (active) in ${location}`,
      tickets: location,
    });
    expect(json.replay).toEqual({ questions: 2, answered: 2 });
  });

  it('says what to do when the store has no store or no active index', async () => {
    const dir = workspace(FIXTURE_KB);
    const noStore = await run(['kb', 'audit'], dir);
    expect(noStore.code).toBe(2);
    expect(noStore.stderr).toContain(
      'error: switchboard.db: no store here: run `switchboard kb import DIR` first',
    );
    await storeWithTickets(join(dir, 'switchboard.db'));
    const noIndex = await run(['kb', 'audit'], dir);
    expect(noIndex.code).toBe(2);
    expect(noIndex.stderr).toContain('no active knowledge base in the store');
  });

  it('checks the labels of an NLU model file, leaving out its out-of-scope label', async () => {
    const dir = workspace(FIXTURE_KB);
    await run(['kb', 'import', 'kb'], dir);
    writeModelFile(join(dir, 'intents.model.json'), intentModel());
    const json = JSON.parse(
      (await run(['kb', 'audit', '--model', 'intents.model.json', '--json'], dir)).stdout,
    );
    expect(json.intentsWithoutArticle.sort()).toEqual(['change_address', 'reset_password', 'track_order']);
    expect(json.sources.intents).toBe('intents.model.json');
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
    expect((await run(['kb', 'audit', '--no-replay', '--db', 'none.db'], dir)).stderr).toContain(
      'none.db: no store here',
    );
    expect(existsSync(join(dir, 'none.db'))).toBe(false);
  });

  it('stops on an active NLU model this build cannot read, naming the version', async () => {
    const dir = workspace(FIXTURE_KB);
    await run(['kb', 'import', 'kb'], dir);
    const store = await openStore({ db: join(dir, 'switchboard.db') });
    await store.saveArtifact({
      kind: 'nlu-model',
      content: '{"format":"switchboard-nlu-model","formatVersion":1}',
      by: 'older-build',
      activate: true,
      at: NOW,
    });
    await store.close();
    const result = await run(['kb', 'audit'], dir);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      /^error: nlu-model v1: formatVersion: model format version 1 cannot be read/,
    );
    expect((await run(['kb', 'audit', '--intents', 'refund'], dir)).code).toBe(0);
  });
});

describe('switchboard kb versions, activate, export', () => {
  it('lists nothing in a new store, and refuses unknown or unreadable versions', async () => {
    const dir = workspace(FIXTURE_KB);
    const db = join(dir, 'sb.db');
    await (await openStore({ db })).close();
    expect((await run(['kb', 'versions', '--db', db], dir)).stdout).toBe(
      'no kb-index stored yet: run `switchboard kb import DIR` first\n',
    );
    const none = await run(['kb', 'export', '--out', 'kb.json', '--db', db], dir);
    expect(none.code).toBe(2);
    expect(none.stderr).toBe(
      `error: ${db}: no active knowledge base in the store: run \`switchboard kb import DIR\` first\n`,
    );
    await run(['kb', 'import', 'kb', '--db', db], dir);
    const store = await openStore({ db });
    await store.saveArtifact({
      kind: 'kb-index',
      content: '{"not":"an index"}',
      by: 'test',
      activate: false,
      at: NOW,
    });
    await store.close();
    const unreadable = await run(['kb', 'activate', '2', '--db', db], dir);
    expect(unreadable.code).toBe(2);
    expect(unreadable.stderr).toMatch(
      /^error: kb-index v2: format: not a knowledge-base index of this version/,
    );
    const unknown = await run(['kb', 'activate', '5', '--db', db], dir);
    expect(unknown.stderr).toBe(
      `error: ${db}: version: there is no kb-index v5 in the store (stored: v2, v1)\n`,
    );
    expect(await versionsIn(db)).toEqual([
      [2, false],
      [1, true],
    ]);
    expect(existsSync(join(dir, 'kb.json'))).toBe(false);
  });
});

describe('switchboard kb eval, calibrate', () => {
  const QUESTIONS = fileURLToPath(new URL('../../kb/fixtures/questions.jsonl', import.meta.url));

  it('evaluates question -> article pairs on an index file, calibrates it in place, and evaluates again', async () => {
    const dir = workspace(DEMO_KB);
    cpSync(QUESTIONS, join(dir, 'pairs.jsonl'));
    await run(['kb', 'import', 'kb', '--index', 'kb.json'], dir);
    const before = await run(['kb', 'eval', '--data', 'pairs.jsonl', '--index', 'kb.json'], dir);
    expect(before.code).toBe(0);
    expect(before.stdout).toContain('policy:   not calibrated: every answer needs a score of 0.6');
    expect(before.stdout).toContain('pairs:    182 questions, 162 with an article, 0 with an intent');
    expect(before.stdout).toContain('top-1 87.0%   top-3 95.1%');
    expect(before.stdout).toContain('answered 70.9% (129 of 182), precision 0.930: 120 right, 9 wrong');

    const calibrated = await run(['kb', 'calibrate', '--data', 'pairs.jsonl', '--index', 'kb.json'], dir);
    expect(calibrated.code).toBe(0);
    expect(calibrated.stdout).toMatch(
      /^calibrated for precision 0\.97 on 182 pairs \(pairs\.jsonl, 2026-11-27\)\n/,
    );
    expect(calibrated.stdout).toMatch(/\nno_intent +0\.\d{3} +177 +\d+ +\d+\n/);
    expect(calibrated.stdout).toMatch(/-> kb\.json\n$/);
    const stored = JSON.parse(readFileSync(join(dir, 'kb.json'), 'utf8'));
    expect(stored.answerPolicy).toMatchObject({ targetPrecision: 0.97, intents: [] });

    const after = await run(['kb', 'eval', '--data', 'pairs.jsonl', '--index', 'kb.json', '--json'], dir);
    const report = JSON.parse(after.stdout);
    expect(report.policy.calibration.source).toBe('pairs.jsonl');
    expect(report.targetPrecision).toBe(0.97);
    // On the pairs it was calibrated on, the answers reach the target; fewer are answered than at 0.6.
    expect(report.precision).toBeGreaterThanOrEqual(0.97);
    expect(report.answered).toBeLessThan(0.709);
    expect(report.answered).toBeGreaterThan(0.3);
  });

  it('stores a calibrated version in the store; a re-import keeps it unless the articles changed', async () => {
    const dir = workspace(DEMO_KB);
    cpSync(QUESTIONS, join(dir, 'pairs.jsonl'));
    await run(['kb', 'import', 'kb', '--db', 'sb.db'], dir);
    const calibrated = await run(['kb', 'calibrate', '--data', 'pairs.jsonl', '--db', 'sb.db'], dir);
    expect(calibrated.code).toBe(0);
    expect(calibrated.stdout).toMatch(/kb-index v1 calibrated -> kb-index v2 \(active\)\n$/);
    expect(await versionsIn(join(dir, 'sb.db'))).toEqual([
      [2, true],
      [1, false],
    ]);
    const evaluated = await run(['kb', 'eval', '--data', 'pairs.jsonl', '--db', 'sb.db'], dir);
    expect(evaluated.stdout).toContain('index:    kb-index v2 (active) in ');
    expect(evaluated.stdout).toContain('policy:   calibrated for precision 0.97 on 182 pairs (pairs.jsonl');

    const same = await run(['kb', 'import', 'kb', '--db', 'sb.db'], dir);
    expect(same.stdout).toContain('no change, kb-index v2 stays active');
    writeFileSync(
      join(dir, 'kb', 'store-hours.md'),
      '---\ntitle: Store hours\nupdated: 2026-11-01\n---\nOur shops open at nine.\n',
    );
    const changed = await run(['kb', 'import', 'kb', '--db', 'sb.db'], dir);
    expect(changed.stdout).toContain('-> kb-index v3 (active; was v2)');
    expect(changed.stdout).toContain(
      'the articles changed, so the previous calibration (pairs.jsonl) is not kept: run `switchboard kb calibrate` again',
    );
    // Import and calibrate in one version.
    const both = await run(['kb', 'import', 'kb', '--db', 'sb.db', '--pairs', 'pairs.jsonl'], dir);
    expect(both.stdout).toContain('-> kb-index v4 (active; was v3)');
    expect(both.stdout).toContain('calibrated for precision 0.97 on 182 pairs (pairs.jsonl');
  });

  it("calibrates on the store's tickets whose agent reply cites an article, with their category as intent", async () => {
    const dir = workspace(DEMO_KB);
    const db = join(dir, 'sb.db');
    await run(['kb', 'import', 'kb', '--db', 'sb.db'], dir);
    const store = await openStore({ db });
    const asked = ['I forgot my password', 'how do I reset my password', 'cannot remember my password'];
    await store.upsertTickets(
      Array.from({ length: 45 }, (_, i) =>
        aTicket({
          externalId: String(i + 1),
          subject: asked[i % 3]!,
          category: 'password_reset',
          messages: [
            aMessage({ body: `${asked[i % 3]!}, please help` }),
            aMessage({
              authorRole: 'agent',
              authorId: 'a1',
              body: 'Please follow Reset your password on our help pages.',
              createdAt: T0 + 60_000,
            }),
          ],
        }),
      ),
      { origin: 'test' },
    );
    await store.close();
    const result = await run(['kb', 'calibrate', '--db', 'sb.db'], dir);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^45 tickets answered from an article \(45 cited, 0 matched/);
    expect(result.stdout).toMatch(/\nintent_agrees +0\.\d{3} +45 +45 +45\n/);
    expect(result.stdout).toContain('kb-index v1 calibrated -> kb-index v2 (active)');
  });

  it('stops on bad input with file:line and exit 2, writing nothing', async () => {
    const dir = workspace(DEMO_KB);
    await run(['kb', 'import', 'kb', '--index', 'kb.json'], dir);
    const original = readFileSync(join(dir, 'kb.json'), 'utf8');
    writeFileSync(
      join(dir, 'bad.jsonl'),
      '{"question": "refund?", "article": "refunds"}\n{"question": "x"\n',
    );
    const bad = await run(['kb', 'calibrate', '--data', 'bad.jsonl', '--index', 'kb.json'], dir);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe('error: bad.jsonl:2: not a JSON object: one {"question", "article"} per line\n');
    writeFileSync(join(dir, 'unknown.jsonl'), '{"question": "refund?", "article": "refundz"}\n');
    const unknown = await run(['kb', 'eval', '--data', 'unknown.jsonl', '--index', 'kb.json'], dir);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(
      /^error: unknown\.jsonl:1: article: no article "refundz" in the knowledge base/,
    );
    const target = await run(
      ['kb', 'calibrate', '--data', 'unknown.jsonl', '--index', 'kb.json', '--target-precision', '1.5'],
      dir,
    );
    expect(target.code).toBe(2);
    expect(target.stderr).toContain('--target-precision');
    const missing = await run(['kb', 'eval', '--data', 'none.jsonl', '--index', 'kb.json'], dir);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/^error: none\.jsonl: cannot read the pairs file/);
    const noTickets = await run(['kb', 'calibrate', '--index', 'kb.json'], dir);
    expect(noTickets.code).toBe(2);
    expect(readFileSync(join(dir, 'kb.json'), 'utf8')).toBe(original);
  });
});
