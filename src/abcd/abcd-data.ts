import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { UserError } from '../shared/index.ts';

/** ABCD's three kinds of agent action (its ontology spells the first `kb_query`). */
export const ABCD_ACTION_KINDS = ['kb_query', 'interaction', 'faq_policy'] as const;
export type AbcdActionKind = (typeof ABCD_ACTION_KINDS)[number];

/** One agent action (a button in ABCD's agent interface) and the slot values its form takes. */
export interface AbcdAction {
  name: string;
  kind: AbcdActionKind;
  slots: string[];
}

/** One subflow (a customer intent), its flow, and the actions that resolve it, in ABCD's order. */
export interface AbcdSubflow {
  subflow: string;
  flow: string;
  actions: string[];
}

/** What the workflows and the connector are generated from, read at run time, never copied. */
export interface AbcdData {
  subflows: AbcdSubflow[];
  actions: AbcdAction[];
  /** The ontology's enumerable slot values: `membership_level -> [guest, bronze, ...]`. */
  enumerable: Record<string, string[]>;
}

const RowSchema = z.strictObject({ subflow: z.string().min(1), actions: z.array(z.string().min(1)).min(1) });

const OntologySchema = z.object({
  intents: z.object({ subflows: z.record(z.string(), z.array(z.string())) }),
  actions: z.object({
    kb_query: z.record(z.string(), z.array(z.string())),
    interaction: z.record(z.string(), z.array(z.string())),
    faq_policy: z.record(z.string(), z.array(z.string())),
  }),
  values: z.object({ enumerable: z.record(z.string(), z.array(z.string())) }),
});

const SUBFLOWS_FILE = 'subflow_actions.jsonl';
const ONTOLOGY_FILE = join('original', 'ontology.json');

function readText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw new UserError('abcd.unreadable', `cannot read the ABCD file ${file}`, { file }, { cause: error });
  }
}

function parseJson(text: string, file: string, line?: number): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    throw new UserError('abcd.invalid_json', `not valid JSON: ${reason}`, {
      file,
      ...(line ? { line } : {}),
    });
  }
}

function invalid(file: string, error: z.ZodError, line?: number): UserError {
  const issue = error.issues[0];
  const field = issue ? issue.path.map(String).join('.') : '';
  return new UserError('abcd.invalid', `not the ABCD shape: ${issue?.message ?? 'invalid'}`, {
    file,
    ...(line ? { line } : {}),
    ...(field ? { field } : {}),
  });
}

/**
 * Reads ABCD's subflows (`subflow_actions.jsonl`) and ontology (`original/ontology.json`) from the data
 * directory. Every action a subflow names must be in the ontology, and every subflow must belong to a flow.
 * Bad or missing files are UserErrors naming the file and line.
 *
 * @example
 * const abcd = readAbcdData('../shared/data/abcd');
 * abcd.subflows[0]; // { subflow: 'recover_username', flow: 'account_access', actions: ['pull-up-account', ...] }
 */
export function readAbcdData(dir: string): AbcdData {
  const ontologyFile = join(dir, ONTOLOGY_FILE);
  const parsedOntology = OntologySchema.safeParse(parseJson(readText(ontologyFile), ontologyFile));
  if (!parsedOntology.success) throw invalid(ontologyFile, parsedOntology.error);
  const ontology = parsedOntology.data;

  const actions: AbcdAction[] = ABCD_ACTION_KINDS.flatMap((kind) =>
    Object.entries(ontology.actions[kind]).map(([name, slots]) => ({ name, kind, slots })),
  );
  const known = new Set(actions.map((a) => a.name));
  const flowOf = new Map<string, string>();
  for (const [flow, subflows] of Object.entries(ontology.intents.subflows)) {
    for (const subflow of subflows) flowOf.set(subflow, flow);
  }

  const subflowsFile = join(dir, SUBFLOWS_FILE);
  const subflows: AbcdSubflow[] = [];
  const seen = new Set<string>();
  readText(subflowsFile)
    .split('\n')
    .forEach((text, index) => {
      const line = index + 1;
      if (text.trim() === '') return;
      const row = RowSchema.safeParse(parseJson(text, subflowsFile, line));
      if (!row.success) throw invalid(subflowsFile, row.error, line);
      const { subflow, actions: names } = row.data;
      const where = { file: subflowsFile, line };
      if (seen.has(subflow))
        throw new UserError('abcd.duplicate_subflow', `subflow ${subflow} appears twice`, where);
      seen.add(subflow);
      const unknown = names.find((name) => !known.has(name));
      if (unknown !== undefined)
        throw new UserError(
          'abcd.unknown_action',
          `subflow ${subflow}: action ${unknown} is not in the ontology`,
          {
            ...where,
            field: 'actions',
          },
        );
      const flow = flowOf.get(subflow);
      if (flow === undefined)
        throw new UserError(
          'abcd.unknown_subflow',
          `subflow ${subflow} belongs to no flow of the ontology`,
          where,
        );
      subflows.push({ subflow, flow, actions: names });
    });
  return { subflows, actions, enumerable: ontology.values.enumerable };
}
