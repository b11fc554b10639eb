import { constants, copyFileSync, existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { type Command, Option } from 'commander';
import { buildConnectorRegistry } from '../../app/connectors.ts';
import { deploymentWorkflowsDir, loadDeploymentConfig } from '../../app/index.ts';
import { DEMO_WORKFLOWS_DIR } from '../../app/workflows-dir.ts';
import { DEFAULT_CONFIG_FILE, type SwitchboardConfig } from '../../config/index.ts';
import { OOS_LABEL } from '../../nlu/index.ts';
import { silentLogger, systemClock, UserError } from '../../shared/index.ts';
import {
  checkWorkflows,
  type Diagnostic,
  drawMermaid,
  drawSvg,
  formatDiagnostic,
  loadWorkflowDir,
  sortDiagnostics,
  workflowJsonSchema,
} from '../../workflows/index.ts';
import type { CliIo } from '../io.ts';
import { DB_HELP, hasStore, outputFile, outputFolder, resolveModel, shownPath } from './options.ts';

interface CheckOpts {
  intents?: string;
  model?: string;
  db?: string;
  config?: string;
}

interface DrawOpts {
  dir?: string;
  config?: string;
  format: 'mermaid' | 'svg';
  out?: string;
}

/**
 * `switchboard workflows init | check | schema | draw`: a starting point for a team's own workflows (a copy of
 * the demo ones), static checks with `file:line:column` messages (exit 2 on any error), the JSON Schema for
 * editors, and diagrams.
 *
 * @example
 * switchboard workflows init workflows
 * switchboard workflows check workflows/ --model intents.model.json
 * switchboard workflows schema --out workflow.schema.json
 * switchboard workflows draw order-status --format svg --out order-status.svg
 */
export function registerWorkflows(program: Command, io: CliIo): void {
  const workflows = program
    .command('workflows')
    .description('start your own workflows, check workflow files, export their JSON Schema, draw them');

  workflows
    .command('init')
    .description(
      'start your own workflows: copy the demo workflows into DIR as a starting point (an existing file is never overwritten), then say what to do next',
    )
    .argument('[dir]', 'the folder to create or fill', 'workflows')
    .action((dirOption: string) => {
      const dir = outputFolder(dirOption, 'dir', io);
      const files = readdirSync(DEMO_WORKFLOWS_DIR)
        .filter((f) => /\.ya?ml$/.test(f))
        .sort();
      const taken = files.filter((f) => existsSync(join(dir, f)));
      if (taken.length > 0) {
        throw new UserError(
          'workflows.init_exists',
          `${taken.join(', ')} already there: nothing written (move them away, or name another folder)`,
          { file: shownPath(dir, io) },
        );
      }
      mkdirSync(dir, { recursive: true });
      for (const f of files) copyFileSync(join(DEMO_WORKFLOWS_DIR, f), join(dir, f), constants.COPYFILE_EXCL);
      const where = shownPath(dir, io);
      io.stdout.write(
        [
          `wrote ${count(files.length, 'workflow')} to ${where}, the demo shop's, as a starting point:`,
          ...files.map((f) => `  ${shownPath(join(dir, f), io)}`),
          '',
          'next:',
          `  1. edit them: triggers name your NLU's intents, \`call\` steps your connectors (they call the demo shop's now; docs/workflows.md, docs/connectors.md)`,
          `  2. check them:  switchboard workflows check ${where}`,
          `  3. run them:    set \`workflows: { dir: ${where} }\` in ${DEFAULT_CONFIG_FILE} (instead of \`demo: true\`), then \`switchboard replay --all\` before going live`,
          '',
        ].join('\n'),
      );
    });

  workflows
    .command('check')
    .description(
      'check every .yaml/.yml workflow of DIR: references, slots, variables, templates, reachability, loops, connectors, overlapping triggers',
    )
    .argument('[dir]', "the workflow folder (default: the configuration's, else ./workflows)")
    .option(
      '--config <file>',
      `the deployment whose connectors the workflows may call (default: ./${DEFAULT_CONFIG_FILE} when it exists; none without)`,
    )
    .option('--intents <list>', 'comma-separated intents the NLU knows; other trigger intents are warnings')
    .option(
      '--model <file>',
      "an NLU model file whose intents the triggers should use (default: the store's active model, when there is one)",
    )
    .option('--db <path>', `the store whose active model is used without --model: ${DB_HELP}`)
    .action(async (dirOption: string | undefined, opts: CheckOpts) => {
      const { config, baseDir } = loadDeploymentConfig({ option: opts.config, cwd: io.cwd });
      const dir = workflowsDirOf(dirOption, config, baseDir, io);
      const knownIntents = await knownIntentsOf(opts, io);
      const loaded = loadWorkflowDir(dir);
      const files = new Set([
        ...loaded.workflows.map((w) => w.file),
        ...loaded.diagnostics.map((d) => d.file),
      ]);
      if (files.size === 0) {
        throw new UserError('workflows.none', `no .yaml or .yml workflow files in ${shownPath(dir, io)}`, {
          file: dir,
        });
      }
      const diagnostics: Diagnostic[] = sortDiagnostics([
        ...loaded.diagnostics,
        ...checkWorkflows({
          workflows: loaded.workflows,
          catalogue: catalogueOf(config),
          ...(knownIntents ? { knownIntents } : {}),
        }),
      ]);
      for (const d of diagnostics) io.stdout.write(`${formatDiagnostic(d, shownPath(d.file, io))}\n`);
      const errors = diagnostics.filter((d) => d.severity === 'error').length;
      const warnings = diagnostics.length - errors;
      const summary = `${count(errors, 'error')} and ${count(warnings, 'warning')} in ${count(files.size, 'workflow file')} of ${shownPath(dir, io)}`;
      // Thrown so that main.ts, the one place that maps errors to exit codes, exits 2.
      if (errors > 0) throw new UserError('workflows.check_failed', summary);
      io.stdout.write(`${summary}: ok\n`);
    });

  workflows
    .command('schema')
    .description('print (or write) the JSON Schema of a workflow file, for editors')
    .option('--out <file>', 'write it to this file instead of printing it')
    .action((opts: { out?: string }) => {
      printOrWrite(`${JSON.stringify(workflowJsonSchema(), null, 2)}\n`, opts.out, io);
    });

  workflows
    .command('draw')
    .description('draw a workflow as Mermaid text or as a standalone SVG')
    .argument('<id>', 'the id of the workflow')
    .option('--dir <dir>', "the workflow folder (default: the configuration's, else ./workflows)")
    .option('--config <file>', `deployment configuration (default: ./${DEFAULT_CONFIG_FILE} when it exists)`)
    .addOption(
      new Option('--format <format>', 'mermaid or svg').choices(['mermaid', 'svg']).makeOptionMandatory(),
    )
    .option('--out <file>', 'write it to this file instead of printing it')
    .action((id: string, opts: DrawOpts) => {
      const { config, baseDir } = loadDeploymentConfig({ option: opts.config, cwd: io.cwd });
      const dir = workflowsDirOf(opts.dir, config, baseDir, io);
      const loaded = loadWorkflowDir(dir);
      const workflow = loaded.workflows.find((w) => w.definition.id === id);
      if (!workflow) {
        const found = loaded.workflows.map((w) => w.definition.id).join(', ') || 'none';
        const failed = new Set(loaded.diagnostics.map((d) => d.file)).size;
        const hint =
          failed > 0 ? `; ${count(failed, 'file')} did not load: run \`switchboard workflows check\`` : '';
        throw new UserError(
          'workflows.not_found',
          `no workflow "${id}" in ${shownPath(dir, io)} (found: ${found})${hint}`,
          {
            field: 'id',
          },
        );
      }
      const text = opts.format === 'svg' ? drawSvg(workflow.definition) : drawMermaid(workflow.definition);
      printOrWrite(text, opts.out, io);
    });
}

/** The folder named on the command line, else the deployment's; a UserError when there is none. */
function workflowsDirOf(
  option: string | undefined,
  config: SwitchboardConfig,
  baseDir: string,
  io: CliIo,
): string {
  if (option !== undefined) return resolve(io.cwd, option);
  const dir = deploymentWorkflowsDir(config, baseDir);
  if (!dir) {
    throw new UserError(
      'workflows.none',
      'no workflows here: name a folder, create ./workflows, or set workflows: { dir: ... } in switchboard.yaml',
      { field: 'dir' },
    );
  }
  return dir;
}

/** The connectors the deployment configures (their configured operations included): what a workflow may call. */
function catalogueOf(config: SwitchboardConfig) {
  return buildConnectorRegistry({
    config: { connectors: config.connectors ?? {} },
    clock: systemClock,
    logger: silentLogger,
  }).catalogue();
}

/** Prints the text, or writes it to `out` (relative to the working directory) and says where. */
function printOrWrite(text: string, out: string | undefined, io: CliIo): void {
  if (out === undefined) {
    io.stdout.write(text);
    return;
  }
  // Written in place, so /dev/stdout or a pipe works too.
  const path = outputFile(out, '--out', io, { inPlace: true });
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, text);
  io.stdout.write(`wrote ${shownPath(path, io)}\n`);
}

/**
 * The intents triggers should use: `--intents`, plus those of `--model FILE`; with neither, the store's active
 * model's when there is one (what the deployment checks its workflows against); else none are checked.
 */
async function knownIntentsOf(opts: CheckOpts, io: CliIo): Promise<string[] | undefined> {
  const listed =
    opts.intents
      ?.split(',')
      .map((s) => s.trim())
      .filter(Boolean) ?? [];
  if (opts.model === undefined && (opts.intents !== undefined || !hasStore(opts, io))) {
    return opts.intents === undefined ? undefined : listed;
  }
  try {
    const model = await resolveModel(opts, io);
    return [...listed, ...model.labels.filter((l) => l !== OOS_LABEL)];
  } catch (error) {
    // No active model in the store: nothing to check the triggers against.
    if (opts.model === undefined && error instanceof UserError && error.code === 'nlu.no_model')
      return undefined;
    throw error;
  }
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}
