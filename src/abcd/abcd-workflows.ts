import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Document } from 'yaml';
import { UserError } from '../shared/index.ts';
import { type WorkflowDefinition, type WorkflowInput, WorkflowSchema } from '../workflows/index.ts';
import { type AbcdAction, type AbcdData, type AbcdSubflow, readAbcdData } from './abcd-data.ts';

/** The connector the generated workflows call (`src/connectors/abcd/`), and the version they are written for. */
export const ABCD_CONNECTOR = 'abcd';
export const ABCD_CONNECTOR_VERSION = 1;

/** One generated workflow: the subflow it automates, its file name, its YAML text and the parsed definition. */
export interface AbcdWorkflow {
  subflow: AbcdSubflow;
  fileName: string;
  yaml: string;
  definition: WorkflowDefinition;
}

/**
 * The slot values the customer is asked for, per action whose form has optional fields: the guidelines
 * fill each of these forms from one customer answer (the others are the agent's own choice, such as the
 * team to notify). A `kb_query` action not listed needs every slot value of its form; any other action
 * none. Each name is checked against the ontology, so a changed ontology fails loudly.
 */
const ASKED_SLOTS: Readonly<Record<string, readonly string[]>> = {
  'pull-up-account': ['customer_name'],
  'record-reason': ['reason_slotval'],
  'enter-details': ['details_slotval'],
  'offer-refund': ['amount'],
  'make-purchase': ['product'],
  'shipping-status': ['shipping_option'],
  'update-order': ['change_option'],
  'update-account': ['account_slotval'],
  membership: ['membership_level'],
};

/** How a slot value is asked for; unlisted ones get "What is your <name>?". */
const PROMPTS: Readonly<Record<string, string>> = {
  customer_name: 'Could I have your full name?',
  account_id: 'What is your account ID?',
  order_id: 'What is the order ID?',
  zip_code: 'What is the zip code on the account?',
  username: 'What is your username?',
  email: 'What is the email address on the account?',
  reason_slotval: 'What is the reason for your request?',
  amount: 'What is the amount, in dollars?',
  product: 'Which product is it about?',
  shipping_option: 'What does the shipping status of your order say?',
  change_option: 'What would you like to change?',
  account_slotval: 'What would you like to do with your account?',
  membership_level: 'What is your membership level?',
};

const PATTERNS: Readonly<Record<string, string>> = {
  zip_code: '^\\d{5}$',
  email: '^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$',
};

/**
 * Enumerable in the ontology, but answered in the customer's words: a name is not picked from ten role-play
 * names, and a reason or a detail is whatever applies.
 */
const FREE_TEXT = new Set(['customer_name', 'reason_slotval', 'details_slotval']);

type SlotInput = NonNullable<WorkflowInput['slots']>[string];
type StepInput = WorkflowInput['steps'][number];

const snake = (name: string) => name.replaceAll('-', '_');
const words = (name: string) => name.replaceAll(/[-_]/g, ' ').replace(/ slotval$/, '');

/** The slot values an action asks the customer for, checked against the action's form in the ontology. */
export function askedSlots(action: AbcdAction): string[] {
  const listed = ASKED_SLOTS[action.name];
  if (listed === undefined) return action.kind === 'kb_query' ? [...action.slots] : [];
  for (const slot of listed) {
    if (!action.slots.includes(slot)) {
      throw new UserError(
        'abcd.unknown_slot',
        `action ${action.name} has no slot value ${slot} in the ontology (it has: ${action.slots.join(', ') || 'none'})`,
        { field: `actions.${action.kind}.${action.name}` },
      );
    }
  }
  return [...listed];
}

function slotFor(name: string, action: AbcdAction, data: AbcdData): SlotInput {
  const choices = FREE_TEXT.has(name) ? undefined : data.enumerable[name];
  let prompt = PROMPTS[name] ?? `What is your ${words(name)}?`;
  if (name === 'details_slotval') {
    const fields = action.slots.filter((s) => s !== name).map(words);
    prompt = `To go on I need one more detail: your ${fields.slice(0, -1).join(', ')} or ${fields.at(-1) ?? 'details'}, whichever applies.`;
  }
  const base = { prompt };
  if (choices !== undefined && choices.length > 0) return { ...base, type: 'choice', choices: [...choices] };
  if (name === 'amount') return { ...base, type: 'number', min: 0 };
  const pattern = PATTERNS[name];
  return { ...base, type: 'text', ...(pattern ? { pattern } : {}) };
}

/** The workflow id of a subflow: `recover_username` -> `abcd-recover-username`. */
export const abcdWorkflowId = (subflow: string) => `abcd-${subflow.replaceAll('_', '-')}`;

/**
 * One subflow as a workflow. For each action, in ABCD's order: an `ask` per slot value not yet known, a
 * `call` to the action's operation of the `abcd` connector with those values, and a `branch` that goes on
 * when the action is `done` and escalates otherwise (a failed call escalates too); FAQ and policy actions
 * then say the connector's message. It ends with a confirm and a resolve.
 */
export function abcdWorkflow(subflow: AbcdSubflow, data: AbcdData): WorkflowInput {
  const actionsByName = new Map(data.actions.map((a) => [a.name, a]));
  const slots: Record<string, SlotInput> = {};
  const main: StepInput[] = [];
  const failures: StepInput[] = [];
  /** Branches whose `goto` is the step after them, filled in once the list is complete. */
  const pendingGoto: Array<{ index: number }> = [];

  subflow.actions.forEach((name, i) => {
    const action = actionsByName.get(name);
    if (action === undefined)
      throw new UserError('abcd.unknown_action', `subflow ${subflow.subflow}: no action ${name}`, {});
    const key = snake(name);
    const n = i + 1;
    const failId = `fail_${n}_${key}`;
    const asked = askedSlots(action);
    for (const slot of asked) {
      if (slots[slot] !== undefined) continue;
      slots[slot] = slotFor(slot, action, data);
      main.push({ id: `ask_${slot}`, type: 'ask', slot });
    }
    main.push({
      id: `do_${n}_${key}`,
      type: 'call',
      title: `ABCD action ${name} (${action.kind})`,
      connector: ABCD_CONNECTOR,
      operation: name,
      input: Object.fromEntries(asked.map((slot) => [slot, `{{ slots.${slot} }}`])),
      output: { [`${key}_done`]: 'done', [`${key}_message`]: 'message' },
      onError: failId,
    });
    pendingGoto.push({ index: main.length });
    main.push({
      id: `check_${n}_${key}`,
      type: 'branch',
      cases: [{ when: { var: `vars.${key}_done`, op: 'eq', value: true }, goto: '', label: `${name} done` }],
      else: failId,
    });
    if (action.kind === 'faq_policy')
      main.push({ id: `say_${n}_${key}`, type: 'reply', text: `{{ vars.${key}_message }}` });
    failures.push({
      id: failId,
      type: 'escalate',
      reason: `${key}_failed`,
      queue: subflow.flow,
      text: `I could not complete the step "${words(name)}". A colleague will take it from here.`,
    });
  });

  main.push({
    id: 'did_it_help',
    type: 'confirm',
    question: 'Does that solve your issue?',
    yes: 'done',
  });
  main.push({
    id: 'done',
    type: 'resolve',
    text: 'Glad I could help. Have a nice day!',
    summary: `ABCD ${subflow.flow} / ${subflow.subflow}: ${subflow.actions.join(', ')}.`,
  });
  for (const { index } of pendingGoto) {
    const branch = main[index];
    const next = main[index + 1];
    if (branch?.type === 'branch' && branch.cases[0] && next) branch.cases[0].goto = next.id;
  }

  return {
    id: abcdWorkflowId(subflow.subflow),
    version: 1,
    name: `ABCD ${words(subflow.subflow)}`,
    description: `ABCD flow ${subflow.flow}, subflow ${subflow.subflow}: ${subflow.actions.join(' -> ')}.`,
    trigger: { intents: [subflow.subflow] },
    connectors: { [ABCD_CONNECTOR]: ABCD_CONNECTOR_VERSION },
    slots,
    steps: [...main, ...failures],
  };
}

const HEADER = [
  ' Generated by abcdWorkflows() from ABCD (Action-Based Conversations Dataset), ASAPP Research, MIT License.',
  ' Chen et al., NAACL-HLT 2021, https://arxiv.org/abs/2104.00783. Regenerate rather than edit.',
].join('\n');

/**
 * Every ABCD subflow of the data directory as a workflow (YAML text and definition), generated at run time
 * from `subflow_actions.jsonl` and `original/ontology.json`; see docs/abcd.md.
 *
 * @example
 * const [first] = abcdWorkflows('../shared/data/abcd');
 * first.fileName; // 'abcd-recover-username.yaml'
 * first.definition.steps.map((s) => s.id); // ['ask_customer_name', 'do_1_pull_up_account', ...]
 */
export function abcdWorkflows(dataDir: string): AbcdWorkflow[] {
  const data = readAbcdData(dataDir);
  return data.subflows.map((subflow) => {
    const input = abcdWorkflow(subflow, data);
    const doc = new Document(input);
    doc.commentBefore = HEADER;
    return {
      subflow,
      fileName: `${input.id}.yaml`,
      yaml: doc.toString({ lineWidth: 0 }),
      definition: WorkflowSchema.parse(input),
    };
  });
}

/**
 * Writes the generated workflows to `outDir` (created when missing), one file each, for
 * `switchboard workflows check OUT_DIR` or `loadWorkflowDir`. Returns the paths written.
 *
 * @example
 * writeAbcdWorkflows('../shared/data/abcd', '/tmp/abcd-workflows'); // ['/tmp/abcd-workflows/abcd-boots.yaml', ...]
 */
export function writeAbcdWorkflows(dataDir: string, outDir: string): string[] {
  mkdirSync(outDir, { recursive: true });
  return abcdWorkflows(dataDir).map((workflow) => {
    const path = join(outDir, workflow.fileName);
    writeFileSync(path, workflow.yaml);
    return path;
  });
}
