import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStore } from '../../app/index.ts';
import { DEMO_KB_DIR } from '../../demo/index.ts';
import { UserError } from '../../shared/index.ts';
import { memoryIo } from '../io.ts';
import { main } from '../main.ts';
import { runCli } from '../testing.ts';
import { outputFile, outputFolder, requireStore } from './options.ts';

const dir = mkdtempSync(join(tmpdir(), 'sb-options-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
writeFileSync(join(dir, 'plain.txt'), 'a file, not a folder\n');
const { io } = memoryIo({}, dir);

/** The UserError a check throws, as the CLI prints it. */
function refusal(check: () => unknown): string {
  try {
    check();
  } catch (error) {
    if (error instanceof UserError) return error.describe();
    throw error;
  }
  throw new Error('expected a UserError');
}

// Only Linux has /proc: mkdir there answers ENOENT, on which Node's recursive mkdir loops forever.
const hasProc = existsSync('/proc/self');

describe('outputFile and outputFolder: an output path is checked before any work', () => {
  it('refuses a path under a file, a folder named as a file, a trailing slash and a file named as a folder', () => {
    expect(refusal(() => outputFile('plain.txt/x.json', '--out', io))).toBe(
      '--out: cannot write plain.txt/x.json: plain.txt is a file, not a folder',
    );
    expect(refusal(() => outputFile('.', '--out', io))).toBe(
      '--out: cannot write .: it is a folder: name a file',
    );
    expect(refusal(() => outputFile('new.json/', '--model', io))).toBe(
      '--model: cannot write new.json/: it ends with a slash: name a file',
    );
    expect(refusal(() => outputFolder('plain.txt', '--out', io))).toBe(
      '--out: cannot write plain.txt: it is a file, not a folder',
    );
    expect(refusal(() => outputFolder('plain.txt/reports', '--out', io))).toMatch(/plain\.txt is a file/);
  });

  it('accepts new folders and leaves nothing behind; a file in a folder that must exist is refused', () => {
    expect(outputFolder('a/b/c', '--out', io)).toBe(join(dir, 'a', 'b', 'c'));
    expect(outputFile('d/e/model.json', '--model', io)).toBe(join(dir, 'd', 'e', 'model.json'));
    expect(readdirSync(dir).sort()).toEqual(['plain.txt']);
    expect(refusal(() => outputFile('f/x.csv', '--out', io, { newFolders: false }))).toBe(
      '--out: cannot write f/x.csv: folder f does not exist',
    );
  });

  it.skipIf(!hasProc)('answers at once where folders cannot be created (/proc)', () => {
    const started = performance.now();
    expect(refusal(() => outputFolder('/proc/self/reports', '--out', io))).toBe(
      '--out: cannot write /proc/self/reports: folders cannot be created there',
    );
    expect(performance.now() - started).toBeLessThan(1000);
  });

  // Root may write anywhere, so this case only runs as an ordinary user.
  it.skipIf(process.getuid?.() === 0)('refuses a folder that cannot be written', () => {
    const locked = join(dir, 'locked');
    mkdirSync(locked, { mode: 0o500 });
    expect(refusal(() => outputFolder('locked/reports', '--out', io))).toBe(
      '--out: cannot write locked/reports: permission denied',
    );
  });
});

describe('every command with an output path: one line, exit 2, before any work', () => {
  // Inputs that work, so that only the output path is wrong: a store with versions to export, labelled and
  // unlabelled texts.
  const work = mkdtempSync(join(tmpdir(), 'sb-options-out-'));
  afterAll(() => rmSync(work, { recursive: true, force: true }));
  beforeAll(async () => {
    writeFileSync(join(work, 'plain.txt'), 'a file, not a folder\n');
    const rows = ['reset my password', 'I forgot my password', 'where is my parcel', 'my order is late'];
    const labels = ['password', 'password', 'delivery', 'delivery'];
    const lines = Array.from({ length: 40 }, (_, i) =>
      JSON.stringify({ text: `${rows[i % 4]} ${i}`, label: labels[i % 4] }),
    );
    writeFileSync(join(work, 'data.jsonl'), `${lines.join('\n')}\n`);
    const store = await openStore({ db: join(work, 'store.db') });
    for (const kind of ['nlu-model', 'kb-index'] as const) {
      await store.saveArtifact({ kind, content: '{}', by: 'test', activate: true, at: 0 });
    }
    await store.close();
  });
  const kb = fileURLToPath(DEMO_KB_DIR);
  const cases: [string, string[], string][] = [
    ['audit', ['audit', '--out', 'plain.txt/report', '--db', 'store.db'], '--out'],
    ['replay', ['replay', '--all', '--out', 'plain.txt', '--db', 'store.db'], '--out'],
    ['nlu train', ['nlu', 'train', '--data', 'data.jsonl', '--model', 'plain.txt/m.json'], '--model'],
    ['nlu export', ['nlu', 'export', '--out', 'plain.txt/m.json', '--db', 'store.db'], '--out'],
    ['kb export', ['kb', 'export', '--out', 'plain.txt/kb.json', '--db', 'store.db'], '--out'],
    ['kb import', ['kb', 'import', kb, '--index', 'plain.txt/kb.json'], '--index'],
    ['workflows schema', ['workflows', 'schema', '--out', 'plain.txt/schema.json'], '--out'],
    ['workflows init', ['workflows', 'init', 'plain.txt'], 'dir'],
    ['topics', ['topics', '--data', 'data.jsonl', '--map-out', 'plain.txt/t.yaml'], '--map-out'],
    ['demo generate', ['demo', 'generate', '--tickets', '10', '--out', 'plain.txt/x.csv'], '--out'],
  ];
  it.each(cases)('%s', async (_, args, flag) => {
    const before = readdirSync(work).sort();
    const m = memoryIo({}, work);
    const code = await main(['node', 'switchboard', ...args], m.io);
    expect({ code, stderr: m.stderr() }).toEqual({
      code: 2,
      stderr: expect.stringMatching(new RegExp(`^error: ${flag}: cannot write [^\\n]+\\n$`)),
    });
    expect(m.stdout()).toBe('');
    expect(readdirSync(work).sort()).toEqual(before);
  });

  it('as a process: audit prints one line, no stack trace, exit 2', async () => {
    const r = await runCli(['audit', '--out', 'plain.txt/report'], { cwd: dir });
    expect(r).toMatchObject({ code: 2, stdout: '' });
    expect(r.stderr).toBe('error: --out: cannot write plain.txt/report: plain.txt is a file, not a folder\n');
  });

  it.skipIf(!hasProc)(
    'as a process: a path under /proc ends at once instead of spinning',
    async () => {
      const r = await runCli(
        ['kb', 'import', fileURLToPath(DEMO_KB_DIR), '--index', '/proc/self/x/kb.json'],
        {
          cwd: dir,
          timeoutMs: 15_000,
        },
      );
      expect(r.timedOut).toBe(false);
      expect(r.code).toBe(2);
      expect(r.stderr).toBe(
        'error: --index: cannot write /proc/self/x/kb.json: folders cannot be created there\n',
      );
    },
    30_000,
  );
});

describe('a command that only reads a store refuses one that does not exist', () => {
  it('requireStore names the file and says how to make one', () => {
    expect(refusal(() => requireStore({ db: 'nothing.db' }, io))).toBe(
      'nothing.db: no store here: import your tickets with `switchboard import FILE` (or run `npm start` for the demo), or pass --db PATH',
    );
    expect(() => requireStore({ db: ':memory:' }, io)).not.toThrow();
  });

  it.each([
    ['stats', ['stats']],
    ['audit', ['audit', '--out', 'reports']],
    ['replay', ['replay', '--all']],
    ['kb audit', ['kb', 'audit']],
    ['keys list', ['keys', 'list']],
    ['nlu predict', ['nlu', 'predict']],
  ])('%s: exit 2, and no store is created', async (_, args) => {
    const m = memoryIo({}, dir);
    expect(await main(['node', 'switchboard', ...args], m.io)).toBe(2);
    // Each says how to get what it reads: tickets, a model, a knowledge base.
    expect(m.stderr()).toMatch(
      /^error: switchboard\.db: no store here: .*`(switchboard (kb )?import|npm start)[^\n]*\n$/,
    );
    expect(m.stdout()).toBe('');
    expect(readdirSync(dir).sort()).toEqual(['plain.txt']);
  });

  it('as a process: stats exits 2 with one line', async () => {
    const r = await runCli(['stats', '--db', 'missing.db'], { cwd: dir });
    expect(r).toMatchObject({ code: 2, stdout: '' });
    expect(r.stderr).toMatch(/^error: missing\.db: no store here: [^\n]+`npm start`[^\n]+\n$/);
    expect(existsSync(join(dir, 'missing.db'))).toBe(false);
  });

  it("follows the deployment: ./switchboard.yaml's store", async () => {
    const project = mkdtempSync(join(tmpdir(), 'sb-options-config-'));
    try {
      writeFileSync(join(project, 'switchboard.yaml'), 'store:\n  url: data/team.db\n');
      const m = memoryIo({}, project);
      expect(await main(['node', 'switchboard', 'stats'], m.io)).toBe(2);
      expect(m.stderr()).toMatch(/^error: data\/team\.db: no store here/);
    } finally {
      rmSync(project, { recursive: true, force: true });
    }
  });
});
