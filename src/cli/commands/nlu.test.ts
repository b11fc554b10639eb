import { existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { generateIntentExamples } from '../../nlu/testing.ts';
import { memoryIo } from '../io.ts';
import { reportError } from '../main.ts';
import { registerNlu } from './nlu.ts';

/** Runs `switchboard nlu ...` in-process with its own program (main.ts wires the command in separately). */
async function run(args: string[], cwd: string, stdin = '') {
  const { io, stdout, stderr } = memoryIo({}, cwd);
  io.stdin = Readable.from([stdin]);
  const program = new Command('switchboard').exitOverride().configureOutput({
    writeOut: (s) => io.stdout.write(s),
    writeErr: (s) => io.stderr.write(s),
  });
  registerNlu(program, io);
  let code = 0;
  try {
    await program.parseAsync(['node', 'switchboard', ...args]);
  } catch (error) {
    code = reportError(error, io);
  }
  return { code, stdout: stdout(), stderr: stderr() };
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

describe('switchboard nlu', () => {
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
    expect(out[2]).toMatchObject({ label: 'reset_password', humanRequested: true, outOfScope: true });
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
});
