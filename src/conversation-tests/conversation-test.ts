import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { z } from 'zod';
import { CustomerProfileSchema, EscalationCodeSchema } from '../domain/index.ts';
import { loadYaml, UserError } from '../shared/index.ts';

/** A reply expectation: words the bot's lines contain (any case), or `/regex/flags`. */
const ReplyExpectation = z.string().min(1);

/** What a turn (or the whole conversation, at its end) must show. Every key is optional: say what matters. */
export const ExpectationSchema = z.strictObject({
  /** The intent the NLU accepted for the customer's message; `none` when it accepted none. */
  intent: z.string().min(1).optional(),
  /** The running workflow after the turn; `none` when none runs. */
  workflow: z.string().min(1).optional(),
  /** The workflow's step after the turn. */
  step: z.string().min(1).optional(),
  /** Steps the workflow has passed through so far, in order (others may come between). */
  steps: z.array(z.string().min(1)).optional(),
  /** Slots collected so far, compared as text. */
  slots: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])).optional(),
  /** The bot's lines of the turn, together, contain this (loosely) or match it (`/.../i`). */
  reply: z.union([ReplyExpectation, z.array(ReplyExpectation)]).optional(),
  /** The conversation's status after the turn. */
  status: z.enum(['open', 'resolved', 'escalated', 'closed']).optional(),
  /** The escalation code, once escalated. */
  escalation: EscalationCodeSchema.optional(),
});
export type Expectation = z.infer<typeof ExpectationSchema>;

/** A connector answer given in the test instead of a call: output, or a failure code. */
const StubSchema = z.union([
  z.strictObject({ output: z.unknown() }),
  z.strictObject({ error: z.string().min(1), retryable: z.boolean().default(false) }),
]);

export const ConversationTestSchema = z.strictObject({
  name: z.string().min(1),
  customer: CustomerProfileSchema.default({ attributes: {} }),
  channel: z.string().min(1).default('test'),
  /** `connector.operation` -> its answer; a call with no stub goes to the deployment's in-process connectors. */
  stubs: z.record(z.string().regex(/^[\w-]+\.[\w-]+$/, 'connector.operation'), StubSchema).default({}),
  turns: z
    .array(
      // A turn is the customer's text, or { say, expect }.
      z.preprocess(
        (turn) => (typeof turn === 'string' ? { say: turn } : turn),
        z.strictObject({ say: z.string().min(1), expect: ExpectationSchema.optional() }),
      ),
    )
    .min(1, 'a test has at least one customer turn'),
  /** What the conversation shows once every turn is played. */
  expect: ExpectationSchema.optional(),
});
export type ConversationTest = z.infer<typeof ConversationTestSchema> & { file: string };

/**
 * The conversation tests of a folder (every `.yaml` / `.yml` file, sorted, one test per file), each checked
 * against the schema; every problem of every file is listed at once, with its file and line.
 *
 * @example
 * const tests = loadConversationTests('examples/conversation-tests');
 * tests[0]?.turns[0]?.say; // 'Where is my order?'
 */
export function loadConversationTests(dir: string): ConversationTest[] {
  let files: string[];
  try {
    files = readdirSync(dir)
      .filter((f) => /\.ya?ml$/i.test(f))
      .sort()
      .map((f) => join(dir, f))
      .filter((f) => statSync(f).isFile());
  } catch (cause) {
    throw new UserError(
      'tests.unreadable',
      'cannot read the folder of conversation tests',
      { file: dir },
      { cause },
    );
  }
  if (files.length === 0) {
    throw new UserError('tests.none', 'no conversation test (.yaml) in this folder', { file: dir });
  }
  const problems: string[] = [];
  const tests: ConversationTest[] = [];
  for (const file of files) {
    const shown = relative(process.cwd(), file) || file;
    let loaded: ReturnType<typeof loadYaml>;
    try {
      loaded = loadYaml({ text: readFileSync(file, 'utf8'), file: shown, code: 'tests.syntax' });
    } catch (error) {
      if (error instanceof UserError) {
        problems.push(error.describe());
        continue;
      }
      throw error;
    }
    const parsed = ConversationTestSchema.safeParse(loaded.value);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        const node = loaded.doc.getIn(issue.path as (string | number)[], true) as
          | { range?: [number] }
          | undefined;
        const line = node?.range ? `:${loaded.lineCounter.linePos(node.range[0]).line}` : '';
        problems.push(`${shown}${line}: ${issue.path.join('.') || '(test)'}: ${issue.message}`);
      }
      continue;
    }
    tests.push({ ...parsed.data, file: shown });
  }
  if (problems.length > 0) {
    throw new UserError(
      'tests.invalid',
      problems.length === 1
        ? (problems[0] as string)
        : `${problems.length} problems:\n  ${problems.join('\n  ')}`,
      { file: dir },
    );
  }
  return tests;
}
