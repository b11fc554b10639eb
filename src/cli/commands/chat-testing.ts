import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { memoryIo } from '../io.ts';
import { main } from '../main.ts';

/** The JSON transcript `switchboard chat --script` prints, as far as the tests read it. */
export interface Transcript {
  turns: Array<{
    customer: string;
    intent: string | null;
    guardrail: string;
    bot: Array<{ kind: string; text: string; step?: string; choices?: string[] }>;
    status: string;
    owner: string;
  }>;
  outcome: { status: string; owner: string; workflow: string | null; escalation: { code: string } | null };
  handoff: {
    escalation: { code: string; workflowReason?: string; queue: string };
    suggestedNextStep: string;
    transcript: unknown[];
  } | null;
}

export const EXAMPLE_CHATS = fileURLToPath(new URL('../../../examples/chat/', import.meta.url));

/** The steps (or, for lines without one, the kinds) of the bot's lines, in order. */
export const steps = (t: Transcript) => t.turns.flatMap((turn) => turn.bot.map((b) => b.step ?? b.kind));

/**
 * The demo deployment as `npm start` leaves it, in a folder of its own: a generated history, the NLU trained on
 * it (with the shop's order-number pattern), the demo knowledge base, the demo workflows and the in-process
 * demo shop. `play` runs one script of examples/chat/ as `switchboard chat --script` does.
 *
 * @example
 * const demo = demoDeployment('sb-chat-');
 * beforeAll(() => demo.setUp(), 120_000);
 * afterAll(() => demo.tearDown());
 * const { transcript } = await demo.play('order-status-happy.yaml', 'happy');
 */
export function demoDeployment(prefix: string) {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const db = join(dir, 'chat.db');
  return {
    dir,
    db,
    /** Runs `switchboard start` on a 1,500-ticket history; returns its output. */
    async setUp(): Promise<string> {
      const m = memoryIo({}, dir);
      const code = await main(
        ['node', 'switchboard', 'start', '--db', db, '--tickets', '1500', '--no-serve'],
        m.io,
      );
      if (code !== 0) throw new Error(`switchboard start failed (${code}): ${m.stderr()}`);
      return m.stdout();
    },
    tearDown: () => rmSync(dir, { recursive: true, force: true }),
    /** Plays a script in its own conversation; the exit code, stderr and the parsed transcript. */
    async play(script: string, id: string, extra: string[] = []) {
      const m = memoryIo({}, dir);
      const code = await main(
        ['node', 'switchboard', 'chat', '--db', db, '--script', script, '--conversation', id, ...extra],
        m.io,
      );
      return {
        code,
        stderr: m.stderr(),
        transcript: code === 0 ? (JSON.parse(m.stdout()) as Transcript) : null,
      };
    },
  };
}
