import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { z } from 'zod';
import { csvField } from '../shared/csv.ts';
import { textRedactor } from '../shared/redact.ts';
import { agentStartedNote, duration, mdCell, money, percent } from './format.ts';
import { goalsOf } from './goals.ts';
import { renderHtmlReport } from './report-html.ts';
import { costLine, goalRows, headline, potentialWord, savingsLine, windowLine } from './report-text.ts';
import { type AuditResult, AuditResultSchema } from './run-audit.ts';
import { topicsMapYaml } from './topics-map.ts';

/** The files the audit writes into --out. */
export const AUDIT_OUTPUTS = [
  'opportunity-map.csv',
  'opportunities.json',
  'opportunities.schema.json',
  'goals.yaml',
  'report.md',
  'report.html',
  'topics.yaml',
] as const;

export interface AuditOutputOptions {
  /** Mask card numbers, CVVs, national ids, emails and phone numbers in the customer texts shown (default true). */
  redact?: boolean;
}

/**
 * Writes every output (topics.yaml only when categories come from topic discovery); each file goes to a temporary name first and is renamed, so a failed run never
 * leaves a half-written report beside a complete one. Customer texts are redacted unless `options.redact` is false.
 */
export function writeAuditOutputs(
  audit: AuditResult,
  outDir: string,
  now: Date,
  options: AuditOutputOptions = {},
): string[] {
  const result = redactAuditResult(audit, options.redact ?? true);
  mkdirSync(outDir, { recursive: true });
  const files: Partial<Record<(typeof AUDIT_OUTPUTS)[number], string>> = {
    'opportunity-map.csv': opportunityMapCsv(result),
    'opportunities.json': `${JSON.stringify(result, null, 2)}\n`,
    'opportunities.schema.json': `${JSON.stringify(z.toJSONSchema(AuditResultSchema), null, 2)}\n`,
    'goals.yaml': goalsYaml(result, now),
    'report.md': reportMarkdown(result, now),
    'report.html': renderHtmlReport(result, now),
    ...(result.topicDiscovery
      ? { 'topics.yaml': topicsMapYaml(result.topicDiscovery.seed, result.topicDiscovery.topics) }
      : {}),
  };
  const written: string[] = [];
  for (const [name, content] of Object.entries(files)) {
    const path = join(outDir, name);
    writeFileSync(`${path}.tmp`, content);
    renameSync(`${path}.tmp`, path);
    written.push(path);
  }
  return written;
}

/** The audit with every customer text it carries (category samples, topic examples) passed through `redact`. */
export function redactAuditResult(result: AuditResult, on: boolean): AuditResult {
  if (!on) return result;
  const shown = textRedactor(true);
  return {
    ...result,
    categories: result.categories.map((c) => ({
      ...c,
      representativeTexts: c.representativeTexts.map(shown),
    })),
    topicDiscovery: result.topicDiscovery
      ? {
          ...result.topicDiscovery,
          topics: result.topicDiscovery.topics.map((t) => ({ ...t, example: shown(t.example) })),
        }
      : null,
  };
}

/** The strategy's spreadsheet: one row per category, CRLF line ends and RFC 4180 quoting. */
export function opportunityMapCsv(result: AuditResult): string {
  const header = [
    'rank',
    'ticket type',
    'monthly volume',
    'average handle time (min)',
    'automation potential',
    'score',
    'hours saved per month',
    'agents (FTE) saved',
    `cost saved per month (${result.assumptions.costs.currency})`,
    'integrations',
    'complexity',
    'excluded (always to people)',
    'pain points / notes',
  ];
  const rows = result.categories.map((c) => {
    const handle = c.handleTimeSeconds.mean;
    const notes = [
      ...c.reasons,
      `first response median ${duration(c.firstResponseSeconds.median)}`,
      c.csat.mean !== null ? `CSAT ${percent(c.csat.mean)} (${c.csat.count})` : 'no CSAT',
    ].join('; ');
    return [
      c.rank,
      c.title,
      c.monthlyVolume,
      handle === null ? '' : Math.round((handle / 60) * 10) / 10,
      c.potential,
      c.score,
      c.hoursSavedPerMonth ?? 'not measurable',
      c.agentsSaved ?? '',
      c.costSavedPerMonth ?? '',
      c.integrations.join(' + '),
      c.complexity,
      `${c.exclusions.tickets} (${percent(c.exclusions.rate)})`,
      notes,
    ];
  });
  return `${[header, ...rows].map((r) => r.map(csvField).join(',')).join('\r\n')}\r\n`;
}

/** The goals template for the next phase (see goalsOf), as YAML. */
export function goalsYaml(result: AuditResult, now: Date): string {
  const goals = goalsOf(result, now);
  return `# Goals for the automation phase, filled from the audit baselines. Edit the targets, keep the bars.\n${stringify(goals)}`;
}

export function reportMarkdown(result: AuditResult, now: Date = new Date()): string {
  const t = result.team;
  const lines = [
    '# Support audit',
    '',
    `**${headline(result)}**`,
    '',
    `${windowLine(result)}; categories from ${result.categorySource}.`,
    '',
    ...(result.notInData.length ? [`Not in this data: ${result.notInData.join('; ')}.`, ''] : []),
    `**Savings**: ${savingsLine(result)}`,
    '',
    '## Team baseline',
    '',
    '| first response median | p90 | resolution median | p90 | CSAT | messages/ticket | always to people |',
    '|---|---|---|---|---|---|---|',
    `| ${duration(t.firstResponseSeconds.median)} | ${duration(t.firstResponseSeconds.p90)} | ${duration(t.resolutionSeconds.median)} | ${duration(t.resolutionSeconds.p90)} | ${t.csat.mean === null ? '-' : `${percent(t.csat.mean)} (${t.csat.count})`} | ${t.messagesPerTicket} | ${t.excluded} (${percent(t.exclusionRate)}) |`,
    '',
    agentStartedNote(t.agentStarted),
    '',
    '## Top opportunities',
    '',
    '| # | category | monthly volume | potential | score | hours saved / month | agents | cost / month | integrations | complexity | why |',
    '|---|---|---|---|---|---|---|---|---|---|---|',
    ...result.categories
      .slice(0, 10)
      .map(
        (c) =>
          `| ${c.rank} | ${mdCell(c.title)} | ${c.monthlyVolume} | ${potentialWord(c.potential)} | ${c.score} | ${c.hoursSavedPerMonth ?? '-'} | ${c.agentsSaved ?? '-'} | ${c.costSavedPerMonth === null ? '-' : money(c.costSavedPerMonth, result.assumptions.costs.currency)} | ${mdCell(c.integrations.join(', ') || '-')} | ${c.complexity} | ${mdCell(c.reasons.join('; '))} |`,
      ),
    '',
    '## Goals for the next phase',
    '',
    '| goal | target | baseline |',
    '|---|---|---|',
    ...goalRows(result, now).map((g) => `| ${g.goal} | ${mdCell(g.target)} | ${mdCell(g.baseline)} |`),
    '',
    '## Baselines by category',
    '',
    '| category | tickets | share | first response median / p90 | resolution median / p90 | CSAT (n) | handle time | messages | reopen rate | excluded |',
    '|---|---|---|---|---|---|---|---|---|---|',
    ...result.categories.map(
      (c) =>
        `| ${mdCell(c.title)} | ${c.tickets} | ${percent(c.share)} | ${duration(c.firstResponseSeconds.median)} / ${duration(c.firstResponseSeconds.p90)} | ${duration(c.resolutionSeconds.median)} / ${duration(c.resolutionSeconds.p90)} | ${c.csat.mean === null ? '-' : `${percent(c.csat.mean)} (${c.csat.count})`} | ${duration(c.handleTimeSeconds.median)} | ${c.messagesPerTicket} | ${percent(c.reopenRate)} | ${c.exclusions.tickets} |`,
    ),
    '',
    ...respondersMarkdown(result),
    '## Always to people',
    '',
    ...result.exclusionRules.map(
      (r) => `- **${mdCell(r.label)}** (${mdCell(r.id)}): ${t.exclusionsByRule[r.id] ?? 0} tickets`,
    ),
    '',
    '## Assumptions',
    '',
    `- Score: ${result.assumptions.score}.`,
    `- Time saved: ${result.assumptions.timeSaved}.`,
    `- ${costLine(result)}`,
    `- Expected automation rate: ${Object.entries(result.assumptions.expectedAutomationRate)
      .map(([k, v]) => `${k} ${percent(v)}`)
      .join(
        ', ',
      )}; handle time assumed ${duration(result.assumptions.assumedHandleTimeSeconds)} when unknown.`,
    '',
  ];
  return lines.join('\n');
}

/** The "by responder" table (the company in TWCS, the agent elsewhere), when tickets say who answered. */
function respondersMarkdown(result: AuditResult): string[] {
  const r = result.responders;
  if (!r.list.length) return [];
  return [
    '## By responder',
    '',
    `Who answered: the ticket's assignee, else its group (in TWCS, the company). ${r.total} responders${r.total > r.list.length ? `, the ${r.list.length} busiest shown` : ''}; ${r.withoutResponder} tickets name none.`,
    '',
    '| responder | tickets | share | answered | first response median / p90 | resolution median / p90 | CSAT (n) |',
    '|---|---|---|---|---|---|---|',
    ...r.list.map(
      (x) =>
        `| ${mdCell(x.responder)} | ${x.tickets} | ${percent(x.share)} | ${x.answered} | ${duration(x.firstResponseSeconds.median)} / ${duration(x.firstResponseSeconds.p90)} | ${duration(x.resolutionSeconds.median)} / ${duration(x.resolutionSeconds.p90)} | ${x.csat.mean === null ? '-' : `${percent(x.csat.mean)} (${x.csat.count})`} |`,
    ),
    '',
  ];
}
