import { writeFileSync } from 'node:fs';
import { isAbsolute, relative, resolve } from 'node:path';
import { type Command, Option } from 'commander';
import { buildConnectorRegistry } from '../../app/connectors.ts';
import { deploymentWorkflowsDir, loadDeploymentConfig } from '../../app/index.ts';
import { DEFAULT_CONFIG_FILE, type SwitchboardConfig } from '../../config/index.ts';
import { OOS_LABEL, readModelFile } from '../../nlu/index.ts';
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

interface CheckOpts {
  intents?: string;
  model?: string;
  config?: string;
}

interface DrawOpts {
  dir?: string;
  config?: string;
  format: 'mermaid' | 'svg';
  out?: string;
}

/**
 * `switchboard workflows check | schema | draw`: static checks with `file:line:column` messages (exit 2 on
 * any error), the JSON Schema for editors, and diagrams.
 *
 * @example
 * switchboard workflows check workflows/ --model intents.model.json
 * switchboard workflows schema --out workflow.schema.json
 * switchboard workflows draw order-status --format svg --out order-status.svg
 */
export function registerWorkflows(program: Command, io: CliIo): void {
  const workflows = program
    .command('workflows')
    .description('check workflow files, export their JSON Schema, draw them');

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
    .option('--model <file>', 'an NLU model (from `nlu train`) whose intents the triggers should use')
    .action((dirOption: string | undefined, opts: CheckOpts) => {
      const { config, baseDir } = loadDeploymentConfig({ option: opts.config, cwd: io.cwd });
      const dir = workflowsDirOf(dirOption, config, baseDir, io);
      const knownIntents = knownIntentsOf(opts, io);
      const loaded = loadWorkflowDir(dir);
      const files = new Set([
        ...loaded.workflows.map((w) => w.file),
        ...loaded.diagnostics.map((d) => d.file),
      ]);
      if (files.size === 0) {
        throw new UserError('workflows.none', `no .yaml or .yml workflow files in ${shown(dir, io)}`, {
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
      for (const d of diagnostics) io.stdout.write(`${formatDiagnostic(d, shown(d.file, io))}\n`);
      const errors = diagnostics.filter((d) => d.severity === 'error').length;
      const warnings = diagnostics.length - errors;
      const summary = `${count(errors, 'error')} and ${count(warnings, 'warning')} in ${count(files.size, 'workflow file')} of ${shown(dir, io)}`;
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
          `no workflow "${id}" in ${shown(dir, io)} (found: ${found})${hint}`,
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
  const path = resolve(io.cwd, out);
  writeFileSync(path, text);
  io.stdout.write(`wrote ${shown(path, io)}\n`);
}

function knownIntentsOf(opts: CheckOpts, io: CliIo): string[] | undefined {
  const known: string[] = [];
  if (opts.intents !== undefined) {
    known.push(
      ...opts.intents
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean),
    );
  }
  if (opts.model !== undefined) {
    known.push(...readModelFile(resolve(io.cwd, opts.model)).labels.filter((l) => l !== OOS_LABEL));
  }
  return opts.intents === undefined && opts.model === undefined ? undefined : known;
}

/** A path as the user would type it: relative to the working directory when inside it. */
function shown(path: string, io: CliIo): string {
  const rel = relative(io.cwd, path);
  return rel && !rel.startsWith('..') && !isAbsolute(rel) ? rel : path;
}

function count(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}
