import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { openStore } from '../../app/index.ts';
import { demoTicketToRecord, generateDemoTickets } from '../../demo/index.ts';
import { generateIntentExamples, generateXorExamples } from '../../nlu/testing.ts';
import { fakeClock } from '../../shared/index.ts';
import { memoryIo } from '../io.ts';
import { main } from '../main.ts';
import { runCli, runCommand } from '../testing.ts';

import { registerNlu } from './nlu.ts';

const NOW = Date.UTC(2026, 10, 27, 9, 30);

/** Runs `switchboard nlu ...` in-process with its own program (main.ts wires the command in separately). */
async function run(args: string[], cwd: string, stdin = '') {
  return runCommand((program, io) => registerNlu(program, io, fakeClock(NOW)), args, cwd, stdin);
}

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** The versions of a kind in a store file, newest first, as [version, active, note]. */
async function storedVersions(db: string) {
  const store = await openStore({ db });
  try {
    return (await store.listArtifacts('nlu-model')).map((a) => [a.version, a.active, a.note]);
  } finally {
    await store.close();
  }
}

function workdir() {
  const dir = mkdtempSync(join(tmpdir(), 'nlu-cli-'));
  const toJsonl = (rows: object[]) => `${rows.map((r) => JSON.stringify(r)).join('\n')}\n`;
  writeFileSync(
    join(dir, 'train.jsonl'),
    toJsonl(generateIntentExamples({ seed: 5, perIntent: 30, outOfScope: 20 })),
  );
  writeFileSync(
    join(dir, 'test.jsonl'),
    toJsonl(generateIntentExamples({ seed: 6, perIntent: 10, outOfScope: 5 })),
  );
  return dir;
}

/** A SQLite store in `dir` (history.db) holding a generated demo history; its path. */
async function storeWithDemoHistory(dir: string, props: { tickets: number; seed: number }): Promise<string> {
  const db = join(dir, 'history.db');
  const store = await openStore({ db });
  try {
    await store.upsertTickets([...generateDemoTickets(props)].map(demoTicketToRecord), { origin: 'test' });
  } finally {
    await store.close();
  }
  return db;
}

describe('switchboard nlu', () => {
  it('keeps the network when it beats the SVM, and the model file carries it to predict', async () => {
    const dir = workdir();
    const toJsonl = (rows: object[]) => `${rows.map((r) => JSON.stringify(r)).join('\n')}\n`;
    writeFileSync(join(dir, 'xor.jsonl'), toJsonl(generateXorExamples({ seed: 1, count: 600 })));
    const train = await run(
      ['nlu', 'train', '--data', 'xor.jsonl', '--model', 'x.json', '--folds', '3'],
      dir,
    );
    expect(train.code).toBe(0);
    expect(train.stdout).toMatch(/classifier: linear SVM averaged with a network \(weight 0\.\d+\)/);
    const test = generateXorExamples({ seed: 2, count: 50 });
    const predict = await run(
      ['nlu', 'predict', '--model', 'x.json'],
      dir,
      test.map((e) => JSON.stringify({ text: e.text })).join('\n'),
    );
    expect(predict.code).toBe(0);
    const labels = predict.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l).label);
    expect(labels.filter((l, i) => l === test[i]!.label).length).toBeGreaterThanOrEqual(48);
  });

  it('trains, predicts in order and evaluates', async () => {
    const dir = workdir();
    const train = await run(
      ['nlu', 'train', '--data', 'train.jsonl', '--model', 'm.json', '--seed', '3', '--folds', '3', '--json'],
      dir,
    );
    expect(train.stderr).toBe('');
    expect(train.code).toBe(0);
    const summary = JSON.parse(train.stdout);
    expect(summary).toMatchObject({ examples: 140, labels: 5, outOfScopeExamples: 20 });
    expect(summary.crossValidation.accuracy).toBeGreaterThan(0.9);
    // Templated intents: the SVM alone is already right, so the network is not kept.
    expect(summary.classifier).toEqual({ kind: 'svm', networkWeight: 0 });

    const inputs = [
      'where is my parcel',
      'tell me a joke',
      'I forgot my password, let me talk to a human',
      'refund my shoes',
    ];
    const predict = await run(
      ['nlu', 'predict', '--model', 'm.json'],
      dir,
      inputs.map((t) => JSON.stringify({ text: t })).join('\n'),
    );
    expect(predict.code).toBe(0);
    const out = predict.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(out).toHaveLength(4);
    expect(out[0]).toMatchObject({ label: 'track_order', outOfScope: false });
    expect(out[1]).toMatchObject({ outOfScope: true, reason: 'out_of_scope' });
    // A request for a person leaves the intent's verdict alone: the guardrails act on humanRequested.
    expect(out[2]).toMatchObject({ label: 'reset_password', humanRequested: true, outOfScope: false });
    expect(out[3].label).toBe('refund');
    for (const o of out) {
      expect(typeof o.confidence).toBe('number');
      expect(o.alternatives).toHaveLength(3);
      expect(o.sentiment.label).toMatch(/negative|neutral|positive/);
      expect(Array.isArray(o.entities)).toBe(true);
    }

    const evalJson = await run(['nlu', 'eval', '--model', 'm.json', '--data', 'test.jsonl', '--json'], dir);
    expect(evalJson.code).toBe(0);
    const report = JSON.parse(evalJson.stdout);
    expect(report.accuracy).toBeGreaterThan(0.85);
    expect(report.oosRecall).toBeGreaterThan(0.5);
    expect(report).toHaveProperty('macroF1');
    expect(report).toHaveProperty('oosPrecision');
    expect(report).toHaveProperty('coverageAtTargetPrecision');
    expect(Object.keys(report.thresholds)).toContain('refund');
    expect(Array.isArray(report.confusedPairs)).toBe(true);

    const evalText = await run(['nlu', 'eval', '--model', 'm.json', '--data', 'test.jsonl'], dir);
    expect(evalText.stdout).toMatch(/accuracy +\d/);
    expect(evalText.stdout).toContain('per-intent thresholds:');
  });

  it('train draws a progress bar in a terminal only; the summary is the same', async () => {
    const dir = workdir();
    const m = memoryIo({}, dir);
    m.io.stderr.isTTY = true;
    const args = ['nlu', 'train', '--data', 'train.jsonl', '--model', 'm.json', '--folds', '3'];
    expect(await main(['node', 'switchboard', ...args], m.io)).toBe(0);
    expect(m.stderr()).toMatch(/training .*\d+% \| \d\/\d steps/);
    const piped = await run(args, dir);
    expect(piped.stderr).toBe('');
    const timeless = (out: string) => out.replace(/trained in [\d.]+ s/, 'trained in N s');
    expect(timeless(m.stdout())).toBe(timeless(piped.stdout));
  });

  it('rejects bad training data with the line, exit 2, and writes no model', async () => {
    const dir = workdir();
    writeFileSync(join(dir, 'bad.jsonl'), '{"text":"a","label":"x"}\n{"text":"b","label":"x"}\nnot json\n');
    const r = await run(['nlu', 'train', '--data', 'bad.jsonl', '--model', 'bad.json'], dir);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('bad.jsonl:3: this line is not JSON');
    expect(existsSync(join(dir, 'bad.json'))).toBe(false);
    expect(readdirSync(dir).filter((f) => f.includes('.tmp'))).toEqual([]);

    writeFileSync(join(dir, 'empty.jsonl'), '');
    expect((await run(['nlu', 'train', '--data', 'empty.jsonl', '--model', 'e.json'], dir)).code).toBe(2);
    expect(
      (
        await run(
          ['nlu', 'train', '--data', 'train.jsonl', '--model', 'm.json', '--target-precision', '1.5'],
          dir,
        )
      ).code,
    ).toBe(2);
  });

  it('rejects a corrupt model and a bad predict line with exit 2', async () => {
    const dir = workdir();
    writeFileSync(join(dir, 'corrupt.json'), '{"format":"switchboard-nlu-model","formatVersion":1,"labels":');
    const corrupt = await run(['nlu', 'predict', '--model', 'corrupt.json'], dir, '{"text":"hi"}');
    expect(corrupt.code).toBe(2);
    expect(corrupt.stderr).toContain('corrupt.json');
    await run(['nlu', 'train', '--data', 'train.jsonl', '--model', 'm.json', '--folds', '3'], dir);
    const bad = await run(
      ['nlu', 'predict', '--model', 'm.json'],
      dir,
      '{"text":"where is my order"}\n{"txt":"x"}\n',
    );
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('stdin:2');
  });

  it('predict streams: each line is answered as it is read, a bad line gets an error in its place, exit 2 at the end', async () => {
    const dir = workdir();
    await run(['nlu', 'train', '--data', 'train.jsonl', '--model', 'm.json', '--folds', '3'], dir);
    const stdin = new PassThrough();
    const m = memoryIo({}, dir);
    m.io.stdin = stdin;
    const done = main(['node', 'switchboard', 'nlu', 'predict', '--model', 'm.json'], m.io);
    const answered = async (lines: number) => {
      for (let waited = 0; m.stdout().split('\n').length <= lines && waited < 5000; waited += 20) {
        await new Promise((r) => setTimeout(r, 20));
      }
      return m
        .stdout()
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l));
    };
    // The first answer comes while stdin is still open: a pipe of questions gets its answers as it goes.
    stdin.write('{"text":"where is my parcel"}\n');
    expect(await answered(1)).toMatchObject([{ label: 'track_order' }]);
    stdin.end('{"txt":"no text"}\n\n{"text":"refund my shoes"}\n');
    expect(await done).toBe(2);
    expect(await answered(3)).toMatchObject([
      { label: 'track_order' },
      { line: 2, error: 'expected {"text": "..."}' },
      { label: 'refund' },
    ]);
    expect(m.stderr()).toBe(
      'error: stdin:2: text: expected {"text": "..."}\n' +
        'error: stdin: 1 line was not {"text": "..."} (the first: line 2); the other lines were predicted\n',
    );
  });

  it('predict as a process: prints the good lines before a bad one, exits 2', async () => {
    const dir = workdir();
    await run(['nlu', 'train', '--data', 'train.jsonl', '--model', 'm.json', '--folds', '3'], dir);
    const lines = ['{"text":"where is my parcel"}', '{"text":"refund my shoes"}', 'not json'];
    const r = await runCli(['nlu', 'predict', '--model', 'm.json'], {
      cwd: dir,
      stdin: `${lines.join('\n')}\n`,
    });
    expect(r.code).toBe(2);
    const out = r.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(out).toMatchObject([{ label: 'track_order' }, { label: 'refund' }, { line: 3 }]);
    expect(r.stderr).toMatch(/^error: stdin:3: this line is not JSON\n/);
  }, 30_000);

  it("predict and eval use the store's active model when --model is not given, as chat does", async () => {
    const dir = workdir();
    const trained = await run(['nlu', 'train', '--data', 'train.jsonl', '--folds', '3', '--activate'], dir);
    expect(trained.code).toBe(0);
    expect(existsSync(join(dir, 'switchboard.db'))).toBe(true);
    const predict = await run(['nlu', 'predict'], dir, '{"text":"where is my parcel"}\n');
    expect(predict.stderr).toBe('');
    expect(JSON.parse(predict.stdout)).toMatchObject({ label: 'track_order' });
    const evaluated = await run(['nlu', 'eval', '--data', 'test.jsonl', '--json'], dir);
    expect(evaluated.code).toBe(0);
    expect(JSON.parse(evaluated.stdout).accuracy).toBeGreaterThan(0.85);
    // A store without an active model says how to get one.
    const empty = join(dir, 'empty.db');
    await (await openStore({ db: empty })).close();
    const none = await run(['nlu', 'predict', '--db', 'empty.db'], dir, '{"text":"hi"}\n');
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(
      /^error: empty\.db: no active NLU model in the store: pass --model FILE, or /,
    );
  });

  it('calibrates for the out-of-scope share of the history outside the workflows, or the one given', async () => {
    const dir = workdir();
    const db = await storeWithDemoHistory(dir, { tickets: 400, seed: 11 });
    writeFileSync(join(dir, 'switchboard.yaml'), 'workflows:\n  demo: true\n');
    const train = async (...extra: string[]) => {
      const r = await run(
        ['nlu', 'train', '--from-store', '--db', db, '--model', 'm.json', '--folds', '3', '--json', ...extra],
        dir,
      );
      expect(r.stderr).toBe('');
      return JSON.parse(r.stdout);
    };
    // The demo workflows serve 7 of the history's categories: the rest of the history is out of their scope.
    const derived = await train('--background', 'none');
    expect(derived.expectedOosShare.from).toBe('history');
    expect(derived.expectedOosShare.outside).toBeGreaterThan(0.1);
    expect(derived.expectedOosShare.outside).toBeLessThan(0.9);
    expect(derived.expectedOosShare.value).toBe(derived.expectedOosShare.outside);
    expect(derived.background).toMatchObject({ source: 'none', examples: 0 });
    // --scope workflows: only the served categories are intents; the others are out-of-scope examples.
    const scoped = await train('--scope', 'workflows', '--oos-share', '0.4');
    expect(scoped.expectedOosShare).toEqual({ value: 0.4, from: 'option' });
    expect(scoped.labels).toBe(8);
    expect(scoped.outOfScopeExamples).toBeGreaterThan(50);
    expect(scoped.background.source).toBe('generic');
    expect(scoped.background.examples).toBeGreaterThan(1000);
    const model = JSON.parse(readFileSync(join(dir, 'm.json'), 'utf8'));
    expect(model.training.options.expectedOosShare).toBe(0.4);

    for (const [args, message] of [
      [['--oos-share', '1.5'], 'error: --oos-share: expected a share from 0 to 0.95, got "1.5"\n'],
      [['--scope', 'some'], 'error: --scope: expected all or workflows, got "some"\n'],
      [
        ['--background', 'nowhere.jsonl'],
        'error: --background: cannot read nowhere.jsonl: give generic, none, or a JSON Lines file\n',
      ],
    ] as const) {
      const bad = await run(['nlu', 'train', '--from-store', '--db', db, '--model', 'x.json', ...args], dir);
      expect(bad.code).toBe(2);
      expect(bad.stderr).toBe(message);
    }
    writeFileSync(join(dir, 'bg.jsonl'), '{"text":"will it rain","group":"weather"}\n{"txt":"oops"}\n');
    const badLine = await run(
      ['nlu', 'train', '--data', 'train.jsonl', '--model', 'x.json', '--background', 'bg.jsonl'],
      dir,
    );
    expect(badLine.code).toBe(2);
    expect(badLine.stderr).toBe('error: bg.jsonl:2: text: expected {"text": "...", "group": "..."}\n');
    expect(existsSync(join(dir, 'x.json'))).toBe(false);
  }, 120_000);

  it('eval reports precision and the share answered at several out-of-scope shares; calibrate moves the thresholds', async () => {
    const dir = workdir();
    expect(
      (await run(['nlu', 'train', '--data', 'train.jsonl', '--model', 'm.json', '--folds', '3'], dir)).code,
    ).toBe(0);
    writeFileSync(
      join(dir, 'foreign.jsonl'),
      '{"text":"will it rain in lisbon tomorrow"}\n{"text":"a recipe for pancakes"}\n',
    );
    const evaluated = await run(
      ['nlu', 'eval', '--model', 'm.json', '--data', 'test.jsonl', '--oos-data', 'foreign.jsonl', '--json'],
      dir,
    );
    expect(evaluated.code).toBe(0);
    const report = JSON.parse(evaluated.stdout);
    expect(report.expectedOosShare).toBe(0.1);
    expect(report.atShares.map((s: { share: number }) => s.share)).toEqual([0, 0.1, 0.25, 0.5]);
    expect(report.examples).toBe(47); // 45 of the test file and 2 foreign
    const text = await run(['nlu', 'eval', '--model', 'm.json', '--data', 'test.jsonl'], dir);
    expect(text.stdout).toMatch(
      /if this share of the messages were out of scope \(thresholds chosen for 10\.0%\):\n {2}out of scope {3}answered {3}precision\n {10}0\.0%/,
    );

    const calibrated = await run(
      ['nlu', 'calibrate', '--from', 'm.json', '--oos-share', '0.5', '--model', 'm50.json', '--json'],
      dir,
    );
    expect(calibrated.code).toBe(0);
    const summary = JSON.parse(calibrated.stdout);
    expect(summary.expectedOosShare).toEqual({ before: 0.1, after: 0.5 });
    const before = JSON.parse(readFileSync(join(dir, 'm.json'), 'utf8'));
    const after = JSON.parse(readFileSync(join(dir, 'm50.json'), 'utf8'));
    expect(after.training.options.expectedOosShare).toBe(0.5);
    expect(after.linear).toEqual(before.linear);
    const noWhere = await run(['nlu', 'calibrate', '--from', 'm.json', '--oos-share', '0.5'], dir);
    expect(noWhere.code).toBe(2);
    expect(noWhere.stderr).toContain('give --model FILE, --activate');
  }, 60_000);

  it('trains from the categorised tickets of the store, leaving out small categories', async () => {
    const dir = workdir();
    const db = await storeWithDemoHistory(dir, { tickets: 400, seed: 11 });

    const train = await run(
      [
        'nlu',
        'train',
        '--from-store',
        '--db',
        db,
        '--source',
        'demo',
        '--out',
        'store.json',
        '--folds',
        '3',
        '--json',
      ],
      dir,
    );
    expect(train.stderr).toBe('');
    expect(train.code).toBe(0);
    const summary = JSON.parse(train.stdout);
    expect(summary.fromStore).toMatchObject({
      source: 'demo',
      ticketsRead: 400,
      categorisedTickets: 400,
      minExamples: 5,
    });
    // The rare categories of the demo history (security, legal, distress) have fewer than 5 tickets here:
    // left out and listed, and the examples are the rest.
    const leftOut = summary.fromStore.leftOut as { label: string; examples: number }[];
    expect(leftOut.length).toBeGreaterThan(0);
    for (const l of leftOut) {
      expect(['security', 'legal', 'distress']).toContain(l.label);
      expect(l.examples).toBeLessThan(5);
    }
    expect(summary.examples).toBe(400 - leftOut.reduce((n, l) => n + l.examples, 0));
    expect(summary.labels).toBeGreaterThanOrEqual(12);

    const predict = await run(
      ['nlu', 'predict', '--model', 'store.json'],
      dir,
      '{"text":"I forgot my password and the reset link never shows up in my inbox"}\n',
    );
    expect(predict.code).toBe(0);
    expect(JSON.parse(predict.stdout)).toMatchObject({ label: 'password_reset' });

    const text = await run(
      [
        'nlu',
        'train',
        '--from-store',
        '--db',
        db,
        '--min-examples',
        '10',
        '--model',
        'store10.json',
        '--folds',
        '3',
      ],
      dir,
    );
    expect(text.code).toBe(0);
    expect(text.stdout).toContain('400 tickets read, 400 with a category');
    expect(text.stdout).toMatch(/left out \(fewer than 10 examples\): (\w+ \(\d\)(, )?)+\n/);

    const otherSource = await run(
      ['nlu', 'train', '--from-store', '--db', db, '--source', 'zendesk', '--model', 'z.json'],
      dir,
    );
    expect(otherSource.code).toBe(2);
    expect(otherSource.stderr).toContain('no ticket in the store carries a category (0 tickets read)');
    expect(existsSync(join(dir, 'z.json'))).toBe(false);
  });

  it('refuses an empty store and contradictory options with exit 2', async () => {
    const dir = workdir();
    const db = join(dir, 'empty.db');
    await (await openStore({ db })).close();
    const empty = await run(['nlu', 'train', '--from-store', '--db', db, '--model', 'm.json'], dir);
    expect(empty.code).toBe(2);
    expect(empty.stderr).toContain(`${db}: no ticket in the store carries a category`);
    expect(existsSync(join(dir, 'm.json'))).toBe(false);

    const both = await run(
      ['nlu', 'train', '--data', 'train.jsonl', '--from-store', '--model', 'm.json'],
      dir,
    );
    expect(both.code).toBe(2);
    expect(both.stderr).toContain('--data FILE or --from-store, not both');
    expect((await run(['nlu', 'train', '--model', 'm.json'], dir)).code).toBe(2);
    expect((await run(['nlu', 'train', '--data', 'train.jsonl'], dir)).stderr).toBe(
      'error: --model: where should the model go? give --model FILE, --activate (store it as the active version), or both\n',
    );
    expect(
      (await run(['nlu', 'train', '--data', 'train.jsonl', '--db', db, '--model', 'm.json'], dir)).stderr,
    ).toBe('error: --db: --db only applies with --from-store or --activate\n');
    expect(
      (await run(['nlu', 'train', '--data', 'train.jsonl', '--note', 'x', '--model', 'm.json'], dir)).stderr,
    ).toBe('error: --note: --note only applies with --activate\n');
    const badMin = await run(
      ['nlu', 'train', '--from-store', '--db', db, '--min-examples', '0', '--model', 'm.json'],
      dir,
    );
    expect(badMin.code).toBe(2);
    expect(badMin.stderr).toContain('--min-examples');
  });

  it('stores deployment entity patterns in the model; predict --entities overrides them', async () => {
    const dir = workdir();
    writeFileSync(join(dir, 'shop.yaml'), "replace:\n  order_number: '\\bSO-\\d{6}\\b'\n");
    writeFileSync(join(dir, 'other.yaml'), "add:\n  sku:\n    - '\\bSKU-\\d+\\b'\n");
    const train = await run(
      [
        'nlu',
        'train',
        '--data',
        'train.jsonl',
        '--model',
        'm.json',
        '--folds',
        '3',
        '--entities',
        'shop.yaml',
        '--json',
      ],
      dir,
    );
    expect(train.code).toBe(0);
    expect(JSON.parse(train.stdout).entityPatterns).toEqual(['order_number']);
    expect(JSON.parse(readFileSync(join(dir, 'm.json'), 'utf8')).entities).toEqual({
      replace: { order_number: ['\\bSO-\\d{6}\\b'] },
      add: {},
    });
    const line = '{"text":"where is SO-123456? it was order #99999 before, SKU-12"}\n';
    const stored = await run(['nlu', 'predict', '--model', 'm.json'], dir, line);
    expect(JSON.parse(stored.stdout).entities.map((e: { value: string }) => e.value)).toEqual(['SO-123456']);
    const overridden = await run(
      ['nlu', 'predict', '--model', 'm.json', '--entities', 'other.yaml'],
      dir,
      line,
    );
    expect(
      JSON.parse(overridden.stdout).entities.map((e: { type: string; value: string }) => [e.type, e.value]),
    ).toEqual([
      ['order_number', '99999'],
      ['sku', 'SKU-12'],
    ]);

    writeFileSync(join(dir, 'bad.yaml'), "replace:\n  order_number: '\\bSO-\\d{6}\\b'\n  sku: '(SKU'\n");
    const bad = await run(
      ['nlu', 'train', '--data', 'train.jsonl', '--model', 'bad.json', '--entities', 'bad.yaml'],
      dir,
    );
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/bad\.yaml:3: replace\.sku: not a valid regular expression/);
    expect(existsSync(join(dir, 'bad.json'))).toBe(false);
    const badPredict = await run(
      ['nlu', 'predict', '--model', 'm.json', '--entities', 'bad.yaml'],
      dir,
      line,
    );
    expect(badPredict.code).toBe(2);
    expect(badPredict.stdout).toBe('');
  });

  it('evaluates the detectors on the bundled tuning and holdout sets, or on your own', async () => {
    const dir = workdir();
    const table = await run(['nlu', 'eval-detectors'], dir);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/sentiment-holdout +holdout +\d+ +0\.\d{3}/);
    expect(table.stdout).toMatch(/human-request-holdout +holdout +\d+ +\d+ +\d\.\d{3} +\d\.\d{3}/);

    const json = JSON.parse((await run(['nlu', 'eval-detectors', '--json'], dir)).stdout);
    expect(json.sentiment.map((r: { set: string; split: string }) => [r.set, r.split])).toEqual([
      ['sentiment', 'tuning'],
      ['sentiment-tuning-2', 'tuning'],
      ['sentiment-holdout', 'holdout'],
    ]);
    expect(json.sentiment[2].messages).toBeGreaterThanOrEqual(60);
    expect(json.sentiment[2].perClass.negative).toHaveProperty('accuracy');
    expect(json.humanRequests[1]).toHaveProperty('recall');
    expect(json.humanRequests[1]).not.toHaveProperty('mistakes');

    writeFileSync(
      join(dir, 'mine.jsonl'),
      '{"text":"This is the third time I ask, still not fixed!!!","label":"negative"}\n{"text":"Thanks, that worked perfectly","label":"positive"}\n',
    );
    const own = JSON.parse(
      (await run(['nlu', 'eval-detectors', '--sentiment', 'mine.jsonl', '--json', '--errors'], dir)).stdout,
    );
    expect(own.humanRequests).toEqual([]);
    expect(own.sentiment).toEqual([
      expect.objectContaining({ set: 'mine.jsonl', split: 'yours', messages: 2, accuracy: 1, mistakes: [] }),
    ]);
    writeFileSync(join(dir, 'broken.jsonl'), '{"text":"agent","requested":true}\n{"text":"x"}\n');
    const broken = await run(['nlu', 'eval-detectors', '--human-requests', 'broken.jsonl'], dir);
    expect(broken.code).toBe(2);
    expect(broken.stderr).toContain('broken.jsonl:2: requested:');
  });
});

describe('switchboard nlu versions in the store', () => {
  it('train --activate stores the model as the active version, with or without a file, and the file is the version', async () => {
    const dir = workdir();
    const db = join(dir, 'sb.db');
    const train = ['nlu', 'train', '--data', 'train.jsonl', '--folds', '3', '--db', db];
    const first = await run([...train, '--activate'], dir);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/^model: \d+ KiB \(no file written\)$/m);
    expect(first.stdout.endsWith('stored as nlu-model v1 (active)\n')).toBe(true);
    expect(readdirSync(dir).filter((f) => f.endsWith('.json'))).toEqual([]);

    // The same data and seed give the same model: the newest version, not a new one.
    const again = await run([...train, '--activate', '--model', 'm.json', '--json'], dir);
    expect(JSON.parse(again.stdout).stored).toMatchObject({ version: 1, active: true, new: false });
    const other = await run(
      [...train, '--seed', '9', '--activate', '--note', 'seed 9', '--out', 'm9.json', '--json'],
      dir,
    );
    const summary = JSON.parse(other.stdout);
    expect(summary).toMatchObject({
      model: 'm9.json',
      stored: { kind: 'nlu-model', version: 2, active: true, new: true },
    });
    expect(summary.stored.sha256).toBe(sha256(readFileSync(join(dir, 'm9.json'), 'utf8')));
    expect(await storedVersions(db)).toEqual([
      [2, true, 'seed 9'],
      [1, false, 'trained on train.jsonl (140 examples, seed 1)'],
    ]);
  });

  it('trains from the store and stores the model in the same store', async () => {
    const dir = workdir();
    const db = await storeWithDemoHistory(dir, { tickets: 200, seed: 3 });
    const train = await run(['nlu', 'train', '--from-store', '--db', db, '--folds', '3', '--activate'], dir);
    expect(train.stderr).toBe('');
    expect(train.stdout).toContain('200 tickets read, 200 with a category');
    expect(train.stdout).toContain('stored as nlu-model v1 (active)');
    expect((await storedVersions(db))[0]![2]).toMatch(/^trained on the store \(\d+ examples, seed 1\)$/);
  });

  it('imports a checked model file, lists, exports and activates versions (a rollback is an older one)', async () => {
    const dir = workdir();
    const db = join(dir, 'sb.db');
    await run(['nlu', 'train', '--data', 'train.jsonl', '--model', 'a.json', '--folds', '3'], dir);
    await run(
      ['nlu', 'train', '--data', 'train.jsonl', '--model', 'b.json', '--folds', '3', '--seed', '2'],
      dir,
    );

    const a = await run(['nlu', 'import', 'a.json', '--db', db], dir);
    expect(a.stderr).toBe('');
    expect(a.stdout).toMatch(/^a\.json: 5 labels, \d+ bytes\n/);
    expect(a.stdout).toContain(
      'stored as nlu-model v1 (not active: `switchboard nlu activate 1` makes it the active one)\n',
    );
    const none = await run(['nlu', 'export', '--out', 'x.json', '--db', db], dir);
    expect(none.code).toBe(2);
    expect(none.stderr).toBe(
      `error: ${db}: no active NLU model in the store: store one with \`switchboard nlu import FILE --activate\` or \`switchboard nlu train ... --activate\`\n`,
    );
    expect(existsSync(join(dir, 'x.json'))).toBe(false);

    const b = await run(
      ['nlu', 'import', 'b.json', '--activate', '--note', 'seed two', '--db', db, '--json'],
      dir,
    );
    expect(JSON.parse(b.stdout)).toEqual({
      kind: 'nlu-model',
      version: 2,
      active: true,
      sha256: sha256(readFileSync(join(dir, 'b.json'), 'utf8')),
      new: true,
      labels: 5,
    });
    expect((await run(['nlu', 'import', 'b.json', '--db', db], dir)).stdout).toContain(
      'already stored as nlu-model v2 (active)',
    );

    const file = (name: string) => readFileSync(join(dir, name), 'utf8');
    const [aBytes, bBytes] = [Buffer.byteLength(file('a.json')), Buffer.byteLength(file('b.json'))];
    const width = Math.max(5, String(aBytes).length, String(bBytes).length);
    expect((await run(['nlu', 'versions', '--db', db], dir)).stdout).toBe(
      [
        `version  active  created (UTC)     by   ${'bytes'.padStart(width)}  sha256        note`,
        `     v2  *       2026-11-27 09:30  cli  ${String(bBytes).padStart(width)}  ${sha256(file('b.json')).slice(0, 12)}  seed two`,
        `     v1          2026-11-27 09:30  cli  ${String(aBytes).padStart(width)}  ${sha256(file('a.json')).slice(0, 12)}  imported from a.json`,
        '',
      ].join('\n'),
    );
    const json = JSON.parse((await run(['nlu', 'versions', '--db', db, '--json'], dir)).stdout);
    expect(json.map((v: { version: number; active: boolean }) => [v.version, v.active])).toEqual([
      [2, true],
      [1, false],
    ]);

    // Export is the stored text, byte for byte, and predict reads it.
    const exported = await run(['nlu', 'export', '--out', 'out/active.json', '--db', db], dir);
    expect(exported.stdout).toMatch(
      /^nlu-model v2 \(active\) -> out\/active\.json \(\d+ bytes, sha256 [0-9a-f]{12}\)\n$/,
    );
    expect(readFileSync(join(dir, 'out', 'active.json'), 'utf8')).toBe(
      readFileSync(join(dir, 'b.json'), 'utf8'),
    );
    await run(['nlu', 'export', '--version', '1', '--out', 'v1.json', '--db', db], dir);
    expect(readFileSync(join(dir, 'v1.json'), 'utf8')).toBe(readFileSync(join(dir, 'a.json'), 'utf8'));
    const predict = await run(
      ['nlu', 'predict', '--model', 'v1.json'],
      dir,
      '{"text":"where is my parcel"}\n',
    );
    expect(JSON.parse(predict.stdout)).toMatchObject({ label: 'track_order' });

    const rollback = await run(['nlu', 'activate', 'v1', '--db', db], dir);
    expect(rollback.stdout).toBe(
      'nlu-model v1 is now active (was v2); running processes pick it up within seconds\n',
    );
    expect((await run(['nlu', 'activate', '1', '--db', db], dir)).stdout).toBe(
      'nlu-model v1 is already the active one\n',
    );
    expect(await storedVersions(db)).toEqual([
      [2, false, 'seed two'],
      [1, true, 'imported from a.json'],
    ]);
    const unknown = await run(['nlu', 'activate', '7', '--db', db], dir);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toBe(
      `error: ${db}: version: there is no nlu-model v7 in the store (stored: v2, v1)\n`,
    );
    const missing = await run(['nlu', 'export', '--version', '7', '--out', 'v7.json', '--db', db], dir);
    expect(missing.code).toBe(2);
    expect(existsSync(join(dir, 'v7.json'))).toBe(false);
    expect((await run(['nlu', 'activate', 'latest', '--db', db], dir)).stderr).toContain(
      'version: expected a positive whole number, got "latest"',
    );
  });

  it('stores nothing from a bad or old-format model file, and will not activate a version it cannot read', async () => {
    const dir = workdir();
    const db = join(dir, 'sb.db');
    await run(['nlu', 'train', '--data', 'train.jsonl', '--model', 'm.json', '--folds', '3'], dir);
    const good = readFileSync(join(dir, 'm.json'), 'utf8');
    writeFileSync(join(dir, 'old.json'), good.replace('"formatVersion":4', '"formatVersion":2'));
    writeFileSync(join(dir, 'cut.json'), good.slice(0, 500));

    const old = await run(['nlu', 'import', 'old.json', '--activate', '--db', db], dir);
    expect(old.code).toBe(2);
    expect(old.stderr).toMatch(/^error: old\.json: formatVersion: model format version 2 cannot be read/);
    const cut = await run(['nlu', 'import', 'cut.json', '--db', db], dir);
    expect(cut.code).toBe(2);
    expect(cut.stderr).toContain('cut.json: the model file is not valid JSON');
    const absent = await run(['nlu', 'import', 'absent.json', '--db', db], dir);
    expect(absent.stderr).toBe('error: absent.json: cannot read the model file\n');
    const note = await run(['nlu', 'import', 'm.json', '--note', 'two\nlines', '--db', db], dir);
    expect(note.stderr).toBe('error: --note: expected one line of text (at most 200 characters)\n');
    // Every refusal came before the store was opened: there is none.
    expect(existsSync(db)).toBe(false);

    // A version another build stored, in a format this one cannot read, is not activated.
    const store = await openStore({ db });
    await store.saveArtifact({
      kind: 'nlu-model',
      content: readFileSync(join(dir, 'old.json'), 'utf8'),
      by: 'older-build',
      activate: false,
      at: NOW,
    });
    await store.close();
    const refused = await run(['nlu', 'activate', '1', '--db', db], dir);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(
      /^error: nlu-model v1: formatVersion: model format version 2 cannot be read/,
    );
    expect(await storedVersions(db)).toEqual([[1, false, null]]);
  });

  it('reads versions only from a store that exists, and says how to store a first one', async () => {
    const dir = workdir();
    for (const args of [['versions'], ['activate', '1'], ['export', '--out', 'm.json']]) {
      const result = await run(['nlu', ...args], dir);
      expect(result.code).toBe(2);
      expect(result.stderr).toBe(
        'error: switchboard.db: no store here: store one with `switchboard nlu import FILE --activate` or `switchboard nlu train ... --activate`\n',
      );
    }
    expect(readdirSync(dir).sort()).toEqual(['test.jsonl', 'train.jsonl']);
    await (await openStore({ db: join(dir, 'switchboard.db') })).close();
    expect((await run(['nlu', 'versions'], dir)).stdout).toBe(
      'no nlu-model stored yet: store one with `switchboard nlu import FILE --activate` or `switchboard nlu train ... --activate`\n',
    );
    expect(JSON.parse((await run(['nlu', 'versions', '--json'], dir)).stdout)).toEqual([]);
  });
});
