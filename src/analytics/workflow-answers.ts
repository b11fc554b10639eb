import { z } from 'zod';
import type { StoredConversationMessage } from '../store/index.ts';
import type { WorkflowDefinition } from '../workflows/index.ts';
import { answerSpace, termCount } from './answer-similarity.ts';

/**
 * What a workflow says to the customer when it answers: the text of each `reply` step, Liquid tags taken out
 * (`{{ vars.order.orderNumber }}` is a value the agent writes out, not a word to match). Asking (`ask`), checking
 * (`confirm`), closing (`resolve`: "Glad I could help", the same in every workflow) and handing over (`escalate`)
 * are not answers; an `answer` step's text comes from the knowledge base and is not known in advance.
 * Plain JSON: the deployment's definitions reduced to what the metrics compare with.
 */
export const WorkflowAnswersSchema = z.object({
  workflow: z.string(),
  lines: z.array(z.object({ step: z.string(), text: z.string() })),
});
export type WorkflowAnswers = z.infer<typeof WorkflowAnswersSchema>;

/**
 * The least cosine similarity (TF-IDF, `answerSpace`) between an agent's message and a workflow's reply line for
 * the agent's answer to count as the workflow's. Chosen on the demo workflows' 13 reply lines against 29 agents'
 * answers written by hand (workflow-answers.test.ts; docs/metrics.md, "False negatives"): 12 answers of a workflow
 * in other words scored 0.36 to 0.76 with it, 17 answers about something else 0.31 at most. 0.35 sits at the top of
 * that gap: a false negative is not claimed on a loose resemblance.
 */
export const ANSWER_MATCH_THRESHOLD = 0.35;
/** An agent's message with fewer distinct terms ("Thanks, done!") says too little to match anything. */
export const ANSWER_MATCH_MIN_TERMS = 4;

/** The agent's message that matched a workflow's line, and how closely. */
export const AnswerMatchSchema = z.object({
  workflow: z.string(),
  step: z.string(),
  /** Cosine similarity of the TF-IDF vectors, 0..1, 3 decimals. */
  similarity: z.number(),
  /** The agent's message in the transcript. */
  seq: z.number(),
});
export type AnswerMatch = z.infer<typeof AnswerMatchSchema>;

/**
 * The reply lines of a deployment's workflows (those with at least one), in id order.
 *
 * @example
 * const answers = workflowAnswersOf(deployment.workflows);
 * // [{ workflow: 'order-status', lines: [{ step: 'say_shipped', text: 'Order has shipped ...' }, ...] }, ...]
 */
export function workflowAnswersOf(definitions: readonly WorkflowDefinition[]): WorkflowAnswers[] {
  return definitions
    .map((d) => ({
      workflow: d.id,
      lines: d.steps.flatMap((s) => (s.type === 'reply' ? [{ step: s.id, text: withoutTags(s.text) }] : [])),
    }))
    .filter((w) => w.lines.length > 0)
    .sort((a, b) => a.workflow.localeCompare(b.workflow));
}

function withoutTags(template: string): string {
  return template
    .replace(/\{\{[\s\S]*?\}\}|\{%[\s\S]*?%\}/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
}

export type AnswerMatcher = (messages: readonly StoredConversationMessage[]) => AnswerMatch | null;

const matchers = new WeakMap<readonly WorkflowAnswers[], AnswerMatcher>();

/**
 * The best match of agents' messages against the workflows' reply lines, or null when none reaches
 * `ANSWER_MATCH_THRESHOLD`. Each message with `ANSWER_MATCH_MIN_TERMS` terms or more is compared with each line
 * (IDF over the lines: the same for every report, whatever its period or filter); the highest similarity wins,
 * ties to the earlier message, then the workflow and step first in id order. Deterministic; built once per list.
 *
 * @example
 * const match = answerMatcher(workflowAnswersOf(definitions))(agentMessages);
 * match; // { workflow: 'refund-request', step: 'say_refunded', similarity: 0.61, seq: 4 }
 */
export function answerMatcher(workflows: readonly WorkflowAnswers[]): AnswerMatcher {
  const cached = matchers.get(workflows);
  if (cached) return cached;
  const lines = workflows.flatMap((w) => w.lines.map((l) => ({ workflow: w.workflow, ...l })));
  const space = answerSpace(lines.map((l) => l.text));
  const matcher: AnswerMatcher = (messages) => {
    let best: AnswerMatch | null = null;
    for (const m of messages) {
      if (termCount(m.text) < ANSWER_MATCH_MIN_TERMS) continue;
      const v = space.vectorOf(m.text);
      for (const [i, line] of lines.entries()) {
        const similarity = Math.round(space.similarity(v, space.vectors[i] as typeof v) * 1000) / 1000;
        if (similarity >= ANSWER_MATCH_THRESHOLD && similarity > (best?.similarity ?? 0)) {
          best = { workflow: line.workflow, step: line.step, similarity, seq: m.seq };
        }
      }
    }
    return best;
  };
  matchers.set(workflows, matcher);
  return matcher;
}
