import { type ConversationRuntime, readRuntimeState } from '../conversations/index.ts';
import type { Store } from '../store/index.ts';
import type { ConversationTest, Expectation } from './conversation-test.ts';

/** What one customer turn gave, and what of its expectation failed. */
export interface TurnResult {
  say: string;
  bot: string[];
  intent: string | null;
  workflow: string | null;
  step: string | null;
  status: string;
  escalation: string | null;
  failures: string[];
}

export interface ConversationTestResult {
  name: string;
  file: string;
  passed: boolean;
  turns: TurnResult[];
  /** The end expectation's failures. */
  failures: string[];
  ms: number;
}

interface Observed {
  intent: string | null;
  workflow: string | null;
  step: string | null;
  steps: string[];
  slots: Record<string, unknown>;
  bot: string[];
  status: string;
  escalation: string | null;
}

/**
 * Plays one conversation test through a runtime (the real one: NLU, guardrails, workflows, knowledge base,
 * connectors) and checks each turn's expectation, then the end's. Replies are matched loosely: every word of the
 * expectation appears in the bot's lines of the turn (any case, any order), or a `/regex/flags` matches them.
 *
 * @example
 * const result = await runConversationTest({ test, runtime, store, id: 'test-1' });
 * if (!result.passed) console.log(result.turns.flatMap((t) => t.failures));
 */
export async function runConversationTest(props: {
  test: ConversationTest;
  runtime: ConversationRuntime;
  store: Store;
  id: string;
}): Promise<ConversationTestResult> {
  const { test, runtime, store, id } = props;
  const started = performance.now();
  await runtime.startConversation({ id, customer: test.customer, channel: test.channel });
  const turns: TurnResult[] = [];
  let last: Observed | null = null;
  let escalation: string | null = null;
  for (const turn of test.turns) {
    const report = await runtime.handleCustomerMessage({ conversationId: id, text: turn.say });
    const conversation = await store.findConversation(id);
    const workflow = conversation ? readRuntimeState(id, conversation.state).workflow : null;
    escalation = report.escalation?.code ?? escalation;
    const observed: Observed = {
      intent: report.analysis?.reason === 'accepted' ? (report.analysis.intent ?? null) : null,
      workflow: workflow?.workflowId ?? null,
      step: workflow?.stepId ?? null,
      steps: workflow?.trail.map((t) => t.stepId) ?? [],
      slots: workflow?.slots ?? {},
      bot: report.bot.map((line) => line.text),
      status: conversation?.status ?? report.status,
      escalation,
    };
    last = observed;
    turns.push({
      say: turn.say,
      bot: observed.bot,
      intent: observed.intent,
      workflow: observed.workflow,
      step: observed.step,
      status: observed.status,
      escalation: observed.escalation,
      failures: 'expect' in turn && turn.expect ? check(turn.expect, observed) : [],
    });
  }
  const failures =
    test.expect && last ? check(test.expect, { ...last, bot: turns.flatMap((t) => t.bot) }) : [];
  return {
    name: test.name,
    file: test.file,
    passed: failures.length === 0 && turns.every((t) => t.failures.length === 0),
    turns,
    failures,
    ms: performance.now() - started,
  };
}

function check(expected: Expectation, observed: Observed): string[] {
  const failures: string[] = [];
  const same = (what: string, want: string, got: string | null) => {
    if (want !== (got ?? 'none')) failures.push(`${what}: expected ${want}, got ${got ?? 'none'}`);
  };
  if (expected.intent !== undefined) same('intent', expected.intent, observed.intent);
  if (expected.workflow !== undefined) same('workflow', expected.workflow, observed.workflow);
  if (expected.step !== undefined) same('step', expected.step, observed.step);
  if (expected.status !== undefined) same('status', expected.status, observed.status);
  if (expected.escalation !== undefined) same('escalation', expected.escalation, observed.escalation);
  if (expected.steps) {
    let at = 0;
    for (const step of expected.steps) {
      const found = observed.steps.indexOf(step, at);
      if (found < 0) {
        failures.push(
          `steps: ${step} not passed through (after the earlier ones); passed: ${observed.steps.join(', ') || 'none'}`,
        );
        break;
      }
      at = found + 1;
    }
  }
  for (const [slot, want] of Object.entries(expected.slots ?? {})) {
    const got = observed.slots[slot];
    const text =
      got === undefined || got === null ? null : typeof got === 'object' ? JSON.stringify(got) : String(got);
    if (text !== String(want))
      failures.push(`slot ${slot}: expected ${String(want)}, got ${text ?? 'nothing'}`);
  }
  const replies =
    expected.reply === undefined ? [] : Array.isArray(expected.reply) ? expected.reply : [expected.reply];
  const said = observed.bot.join('\n');
  for (const reply of replies) {
    if (!replyMatches(reply, said)) {
      failures.push(
        `reply: expected ${JSON.stringify(reply)}, the bot said ${JSON.stringify(said || '(nothing)')}`,
      );
    }
  }
  return failures;
}

/** `/regex/flags`, or every word of `expected` in `said`, any case. */
export function replyMatches(expected: string, said: string): boolean {
  const regex = /^\/(.+)\/([a-z]*)$/s.exec(expected);
  if (regex) return new RegExp(regex[1] as string, regex[2]).test(said);
  const haystack = said.toLowerCase();
  return expected
    .toLowerCase()
    .split(/\s+/)
    .filter(Boolean)
    .every((word) => haystack.includes(word));
}
