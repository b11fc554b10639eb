import { z } from 'zod';
import { EscalationPrioritySchema, GuardrailOverridesSchema } from '../domain/escalation.ts';

/**
 * The workflow format: one YAML file per workflow, validated by these schemas. `workflows schema` exports the
 * JSON Schema for editors; `workflows check` adds the checks a schema cannot express (references, reachability,
 * loops, overlapping triggers, connectors). docs/workflows.md documents the format with a complete example.
 *
 * Templates (`text`, `prompt`, call inputs, ...) are Liquid, rendered with HTML escaping by default. They see:
 * `slots.<name>`, `vars.<name>` (call outputs), `customer.<field>` (name, email, segment, plan, attributes),
 * `conversation.channel`, `conversation.intent`, `entities.<type>` (the first value of each entity type found
 * so far), `answer` (the last knowledge-base answer) and, inside choice labels, `item`.
 *
 * Conditions are data, never code: `{ var: slots.amount, op: gt, value: 100 }`, combined with `all`, `any`
 * and `not`.
 */

const IdSchema = z
  .string()
  .regex(/^[a-z][a-z0-9_-]*$/, 'ids are lower case: letters, digits, _ or -, starting with a letter');

/**
 * Names every JavaScript object answers to (`constructor`, `__proto__`, `toString`, ...): as a slot or variable
 * name they would read as filled before anything was asked, or write to an object's prototype.
 */
const RESERVED_NAMES: ReadonlySet<string> = new Set([
  'prototype',
  ...Object.getOwnPropertyNames(Object.prototype),
]);
const notReserved = <T extends z.ZodType<string>>(schema: T) =>
  schema.refine((name) => !RESERVED_NAMES.has(name), {
    error: (issue) =>
      `"${String(issue.input)}" is a reserved name (a property of every JavaScript object): choose another`,
  });
/** A slot's name: an id that is not a reserved name. */
const SlotNameSchema = notReserved(IdSchema);

/** A dotted path into the template/condition scope: `slots.order_number`, `vars.orders.length`. */
const VarPathSchema = z
  .string()
  .regex(/^[A-Za-z_][\w-]*(\.[\w-]+)*$/, 'a dotted path like slots.order_number');

export const CONDITION_OPS = [
  'eq',
  'ne',
  'gt',
  'gte',
  'lt',
  'lte',
  'in',
  'contains',
  'matches',
  'exists',
  'missing',
] as const;

const ScalarSchema = z.union([z.string(), z.number(), z.boolean(), z.null()]);

export type Condition =
  | {
      var: string;
      op: (typeof CONDITION_OPS)[number];
      value?: string | number | boolean | null | Array<string | number>;
    }
  | { all: Condition[] }
  | { any: Condition[] }
  | { not: Condition };

export const ConditionSchema: z.ZodType<Condition> = z.lazy(() =>
  z.union([
    z.strictObject({
      var: VarPathSchema,
      op: z.enum(CONDITION_OPS),
      value: z.union([ScalarSchema, z.array(z.union([z.string(), z.number()]))]).optional(),
    }),
    z.strictObject({ all: z.array(ConditionSchema).min(1) }),
    z.strictObject({ any: z.array(ConditionSchema).min(1) }),
    z.strictObject({ not: ConditionSchema }),
  ]),
);

export const SLOT_TYPES = ['text', 'number', 'yes_no', 'choice', 'entity'] as const;

/** The built-in formats a free-text slot can require (`rules: [{ format: address }]`). */
export const TEXT_FORMATS = ['address'] as const;

/** Said to the customer, before the question is asked again, when an answer breaks the rule (a template). */
const RuleReason = z.string().min(1);

/**
 * A validation rule of a `text` or `entity` slot: a built-in `format` (`address`), a regular expression the
 * answer must match (`matches`) or must not (`notMatches`), or a least number of words (`minWords`).
 */
export const TextRuleSchema = z.union([
  z.strictObject({ format: z.enum(TEXT_FORMATS), reason: RuleReason.optional() }),
  z.strictObject({ matches: z.string(), reason: RuleReason }),
  z.strictObject({ notMatches: z.string(), reason: RuleReason }),
  z.strictObject({ minWords: z.number().int().positive(), reason: RuleReason }),
]);
export type TextRule = z.infer<typeof TextRuleSchema>;

export const SlotSchema = z.strictObject({
  /** text: any answer; number; yes_no; choice: one of `choices`/`choicesFrom`; entity: an NLU entity type. */
  type: z.enum(SLOT_TYPES).default('text'),
  /**
   * For `type: entity`: the entity type (order_number, email, money, date, invoice_id, ...). For `type: number`,
   * `entity: money` fills the slot with the amount of a money entity the customer wrote ("$25.00" -> 25).
   */
  entity: z.string().optional(),
  /** What the bot asks (a template). */
  prompt: z.string().min(1),
  /** Asked instead of `prompt` after an answer that did not validate. */
  retryPrompt: z.string().optional(),
  /** A regular expression the value must match (case-insensitive). */
  pattern: z.string().optional(),
  min: z.number().optional(),
  max: z.number().optional(),
  /**
   * For `text` and `entity` slots: rules every answer must pass, each with the reason said to the customer when
   * it does not (`[{ format: address }]`: an address must look like one).
   */
  rules: z.array(TextRuleSchema).optional(),
  /** For `type: choice`: fixed choices ... */
  choices: z.array(z.string()).optional(),
  /** ... or the items of a list variable (e.g. `vars.orders`), shown with `choiceLabel` and stored as `choiceValue`. */
  choicesFrom: VarPathSchema.optional(),
  choiceLabel: z.string().optional(),
  choiceValue: z.string().optional(),
  /** How many invalid answers are re-asked before the slot counts as failed. */
  retries: z.number().int().min(0).max(5).default(2),
  /** Filled from the entities of earlier customer messages when present (no question asked). */
  fromEntities: z.boolean().default(true),
  /**
   * For `type: choice` with fixed `choices`: filled from the customer's opening message when it names exactly
   * one of the choices ("I moved, how do I update my address?" -> address), so the question is not asked.
   */
  fromMessage: z.boolean().default(false),
});
export type SlotDefinition = z.infer<typeof SlotSchema>;

const StepBase = {
  id: IdSchema,
  /** Shown in diagrams and handoff packets. */
  title: z.string().optional(),
};
/** The step that follows; defaults to the next step in the list. */
const Next = { next: IdSchema.optional() };

export const AskStepSchema = z.strictObject({
  ...StepBase,
  ...Next,
  type: z.literal('ask'),
  slot: notReserved(z.string()),
  /** Overrides the slot's prompt for this step. */
  prompt: z.string().optional(),
  /** Where to go when the slot's retries run out; without it the conversation escalates. */
  onFail: IdSchema.optional(),
});

/** An input value for a call: a template string, or a literal. */
const CallInputValue = z.union([z.string(), z.number(), z.boolean(), z.null()]);

export const CallStepSchema = z.strictObject({
  ...StepBase,
  ...Next,
  type: z.literal('call'),
  connector: z.string(),
  operation: z.string(),
  input: z.record(z.string(), CallInputValue).default({}),
  /** `vars.<key>` = the operation's output at the path given (`orders`, `orders.length`, `link.url`). */
  output: z.record(notReserved(z.string()), z.string()).default({}),
  timeoutMs: z.number().int().positive().max(120_000).default(5000),
  /** Attempts after the first, with backoff, before the call counts as failed. */
  retries: z.number().int().min(0).max(5).default(2),
  /** Where to go when the call fails after its retries; without it the conversation escalates. */
  onError: IdSchema.optional(),
});

export const BranchStepSchema = z.strictObject({
  ...StepBase,
  type: z.literal('branch'),
  cases: z
    .array(z.strictObject({ when: ConditionSchema, goto: IdSchema, label: z.string().optional() }))
    .min(1),
  /** Required by `workflows check`: every branch says where the other cases go. */
  else: IdSchema.optional(),
});

export const ReplyStepSchema = z.strictObject({
  ...StepBase,
  ...Next,
  type: z.literal('reply'),
  text: z.string().min(1),
});

export const AnswerStepSchema = z.strictObject({
  ...StepBase,
  ...Next,
  type: z.literal('answer'),
  /** What to search the knowledge base for (a template); defaults to the customer's last message. */
  query: z.string().optional(),
  /** Below this search score the answer counts as not found. */
  minScore: z.number().nonnegative().default(0),
  /** Where to go when no passage scores high enough; without it the conversation escalates. */
  fallback: IdSchema.optional(),
});

export const ConfirmStepSchema = z.strictObject({
  ...StepBase,
  type: z.literal('confirm'),
  question: z.string().default('Did this resolve your issue?'),
  /** On yes; defaults to resolving the conversation. */
  yes: IdSchema.optional(),
  /** On no; defaults to escalating with `not_resolved`. */
  no: IdSchema.optional(),
});

export const ResolveStepSchema = z.strictObject({
  ...StepBase,
  type: z.literal('resolve'),
  /** Said to the customer before closing (a template). */
  text: z.string().optional(),
  /** For the record (a template). */
  summary: z.string().optional(),
});

export const EscalateStepSchema = z.strictObject({
  ...StepBase,
  type: z.literal('escalate'),
  /** A short stable reason of this workflow's own (lower_snake_case), recorded beside `workflow_escalated`. */
  reason: z.string().regex(/^[a-z][a-z0-9_]*$/, 'reasons are lower_snake_case'),
  /** Said to the customer (a template). */
  text: z.string().optional(),
  queue: z.string().optional(),
  priority: EscalationPrioritySchema.default('normal'),
});

export const GotoStepSchema = z.strictObject({
  ...StepBase,
  type: z.literal('goto'),
  target: IdSchema,
});

export const StepSchema = z.discriminatedUnion('type', [
  AskStepSchema,
  CallStepSchema,
  BranchStepSchema,
  ReplyStepSchema,
  AnswerStepSchema,
  ConfirmStepSchema,
  ResolveStepSchema,
  EscalateStepSchema,
  GotoStepSchema,
]);
export type Step = z.infer<typeof StepSchema>;
export type StepType = Step['type'];
export const STEP_TYPES: readonly StepType[] = [
  'ask',
  'call',
  'branch',
  'reply',
  'answer',
  'confirm',
  'resolve',
  'escalate',
  'goto',
];

export const TriggerSchema = z.strictObject({
  /** The NLU intents (or audit categories) that start this workflow. */
  intents: z.array(z.string().min(1)).min(1),
  /** Only for these customer segments / plans (any when absent). */
  segments: z.array(z.string()).optional(),
  /** Only on these channels (any when absent). */
  channels: z.array(z.string()).optional(),
  /** Only when the first message carries these entity types. */
  entities: z.array(z.string()).optional(),
});

/** The most steps a workflow may have: far beyond any hand-written flow, low enough to check in a moment. */
export const MAX_WORKFLOW_STEPS = 1000;

export const WorkflowSchema = z.strictObject({
  id: IdSchema,
  version: z.number().int().positive(),
  name: z.string().optional(),
  description: z.string().optional(),
  trigger: TriggerSchema,
  /** The connector versions this workflow was written for: `{ demo-shop: 1 }`. */
  connectors: z.record(z.string(), z.number().int().positive()).default({}),
  slots: z.record(SlotNameSchema, SlotSchema).default({}),
  /** Overrides of the global guardrails for this workflow. */
  guardrails: GuardrailOverridesSchema.optional(),
  /** The first step; defaults to the first in the list. */
  start: IdSchema.optional(),
  steps: z
    .array(StepSchema)
    .min(1)
    .max(MAX_WORKFLOW_STEPS, {
      message: `a workflow has at most ${MAX_WORKFLOW_STEPS} steps: split it into several workflows`,
    }),
});
/** A workflow as written (defaults applied). */
export type WorkflowDefinition = z.infer<typeof WorkflowSchema>;
export type WorkflowInput = z.input<typeof WorkflowSchema>;

/** The JSON Schema of a workflow file, for editors (`switchboard workflows schema`). */
export function workflowJsonSchema(): unknown {
  return z.toJSONSchema(WorkflowSchema, { io: 'input', unrepresentable: 'any' });
}
