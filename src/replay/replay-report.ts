import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { escapeHtml } from '../escalation/index.ts';
import { markdownCell } from '../shared/markdown.ts';
import { textRedactor } from '../shared/redact.ts';
import {
  type Forecast,
  REPLAY_OUTCOMES,
  type ReplayReport,
  type TicketReplay,
  type WorkflowReplay,
} from './replay.ts';

const pct = (n: number, of: number) => (of > 0 ? `${((100 * n) / of).toFixed(1)}%` : '-');
const pct1 = (x: number) => `${(100 * x).toFixed(1)}%`;
const md = markdownCell;
const h = escapeHtml;
const EXCERPT_CHARS = 280;
const excerpt = (s: string) => {
  const flat = s.replace(/\s+/g, ' ').trim();
  return flat.length > EXCERPT_CHARS ? `${flat.slice(0, EXCERPT_CHARS - 1)}…` : flat;
};

/** A forecast as `20.5% (15.5-26.6%)`: the rate and its 95% interval; `-` without tickets. */
export function forecastCell(f: Forecast | null): string {
  return f ? `${pct1(f.rate)} (${pct1(f.low).slice(0, -1)}-${pct1(f.high)})` : '-';
}

function forecastText(f: Forecast | null): string {
  return f ? `${pct1(f.rate)} (95% interval ${pct1(f.low)} to ${pct1(f.high)})` : 'no tickets';
}

/** The columns of the summary table, in every report and on the console. */
export const SUMMARY_COLUMNS = [
  'workflow',
  'tickets',
  ...REPLAY_OUTCOMES,
  'resolved without assumptions (95%)',
  'resolved with assumptions (95%)',
] as const;

/** One row per workflow: counts of tickets per outcome and the two forecasts, as text. */
export function summaryRows(report: ReplayReport): string[][] {
  return report.workflows.map((w) => [
    w.workflow,
    String(w.tickets),
    ...REPLAY_OUTCOMES.map((o) => String(w.outcomes[o])),
    forecastCell(w.forecastWithoutAssumptions),
    forecastCell(w.forecast),
  ]);
}

/**
 * The summary table as Markdown (`markdown`, what `replay` prints and the README shows) or in padded columns
 * (`columns`, for `start`'s console).
 *
 * @example
 * io.stdout.write(`${replaySummaryTable(report, 'markdown')}\n`);
 */
export function replaySummaryTable(report: ReplayReport, style: 'markdown' | 'columns'): string {
  const rows = summaryRows(report);
  if (style === 'markdown') {
    return [
      `| ${SUMMARY_COLUMNS.join(' | ')} |`,
      `| --- | ${SUMMARY_COLUMNS.slice(1, -2)
        .map(() => '---:')
        .join(' | ')} | --- | --- |`,
      ...rows.map((r) => `| ${[md(r[0] ?? ''), ...r.slice(1)].join(' | ')} |`),
    ].join('\n');
  }
  const header = ['workflow', 'tickets', ...REPLAY_OUTCOMES, 'without assumptions', 'with assumptions'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((c, i) =>
        i === 0 || i >= 2 + REPLAY_OUTCOMES.length ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0),
      )
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}

/** What the resolutions rest on and what the replay did not count, in sentences. */
function caveats(w: WorkflowReplay): string[] {
  const a = w.assumptions;
  const lines = [
    `Forecast automated-resolution rate: ${forecastText(w.forecastWithoutAssumptions)} without assumptions; ` +
      `${forecastText(w.forecast)} with them.`,
  ];
  if (a.resolvedOnAssumptions > 0) {
    lines.push(
      `${a.resolvedOnAssumptions} of the ${w.outcomes.resolved} resolutions rest on an assumption: a closing "yes" the ` +
        `history does not have (the ticket was closed after the agent's answer) ${a.resolvedOnAssumedYes}; an entity ` +
        `found elsewhere in the ticket ${a.resolvedOnEntities}; a free-text answer no rule checks ${a.resolvedOnUncheckedText}.`,
    );
  }
  const k = w.answers;
  if (k.answered > 0) {
    const byArticle = sorted(k.weakByArticle)
      .map(([t, n]) => `${t} ${n}`)
      .join(', ');
    lines.push(
      `Knowledge-base answers: ${k.answered} tickets got one; ${k.weak} below the bar (score under ${k.minScore}: ` +
        `${k.lowScore}; an article for another intent: ${k.otherIntent})${byArticle ? ` (${byArticle})` : ''}. ` +
        `A resolution after such an answer is counted unknown (${w.outcomes.unknown}).`,
    );
  }
  if (w.skippedMessages.messages > 0) {
    lines.push(
      `Later customer messages not played because they answered no question the bot asked: ` +
        `${w.skippedMessages.messages} in ${w.skippedMessages.tickets} tickets.`,
    );
  }
  return lines;
}

function selectionText(w: WorkflowReplay): string {
  return w.selection.by === 'category'
    ? `the ${w.tickets} sampled of ${w.candidates} tickets in category "${w.selection.category}"`
    : `the ${w.tickets} sampled of ${w.candidates} tickets whose first message the NLU routes here`;
}

const sorted = (record: Record<string, number>) => Object.entries(record).sort((a, b) => b[1] - a[1]);

/**
 * `replay.md`: per workflow the forecast, outcome shares, escalation codes, where the logic breaks, the
 * steps and branches never reached, step coverage and example tickets. Customer and agent text is escaped.
 */
export function renderReplayMarkdown(report: ReplayReport): string {
  const out: string[] = [
    '# Replay of past tickets',
    '',
    `${report.ticketsRead} tickets read; up to ${report.sample} per workflow, seed ${report.seed}; ${report.generatedAt}.`,
    '',
    replaySummaryTable(report, 'markdown'),
    '',
    'Tickets per outcome; the forecast is resolved / tickets with its 95% Wilson interval, first counting only the ' +
      'resolutions that rest on no assumption, then all of them. `unknown`: resolved on a knowledge-base answer ' +
      'that was not about what was asked.',
  ];
  for (const w of report.workflows) {
    out.push('', `## ${md(w.name)} (${md(w.workflow)} v${w.version})`, '');
    out.push(`Replayed ${md(selectionText(w))}.`, '');
    out.push(caveats(w).map(md).join('\n\n'));
    out.push('', '| outcome | tickets | share |', '| --- | ---: | ---: |');
    for (const o of REPLAY_OUTCOMES)
      out.push(`| ${o} | ${w.outcomes[o]} | ${pct(w.outcomes[o], w.tickets)} |`);
    const codes = sorted(w.escalationCodes);
    if (codes.length > 0) {
      out.push('', `**Escalations by code:** ${codes.map(([c, n]) => `${md(c)} ${n}`).join(', ')}`);
    }
    const reasons = sorted(w.workflowReasons);
    if (reasons.length > 0) {
      out.push(
        '',
        `**Reasons named by the workflow:** ${reasons.map(([c, n]) => `${md(c)} ${n}`).join(', ')}`,
      );
    }
    out.push('', '### Where the logic breaks', '');
    const stuck = sorted(w.breaks.stuckAt);
    out.push(
      `- Stuck (waiting for an answer the history does not have): ${
        stuck.length ? stuck.map(([s, n]) => `${md(s)} ${n}`).join(', ') : 'none'
      }`,
    );
    out.push(
      `- Errors: ${w.breaks.errors.length ? w.breaks.errors.map((e) => `${e.tickets} × ${md(excerpt(e.message))}`).join('; ') : 'none'}`,
    );
    const revisited = sorted(w.breaks.revisited);
    out.push(
      `- Loops: ${w.breaks.loops} escalated workflow\\_loop; steps come back to: ${
        revisited.length ? revisited.map(([s, n]) => `${md(s)} (${n} tickets)`).join(', ') : 'none'
      }`,
    );
    out.push(
      `- Steps never reached: ${w.neverReachedSteps.length ? w.neverReachedSteps.map(md).join(', ') : 'none'}`,
    );
    out.push(
      `- Branches never taken: ${
        w.neverReachedEdges.length
          ? w.neverReachedEdges
              .map((e) => `${md(e.from)} → ${md(e.to)}${e.label ? ` (${md(e.label)})` : ''}`)
              .join(', ')
          : 'none'
      }`,
    );
    out.push('', '### Step coverage', '', '| step | tickets | share |', '| --- | ---: | ---: |');
    for (const [step, n] of Object.entries(w.stepCoverage))
      out.push(`| ${md(step)} | ${n} | ${pct(n, w.tickets)} |`);
    if (w.examples.length > 0) {
      out.push('', '### Examples');
      for (const t of w.examples) out.push('', ...exampleMarkdown(t));
    }
  }
  return `${out.join('\n')}\n`;
}

function outcomeText(t: TicketReplay): string {
  if (t.outcome === 'escalated') {
    const named = t.escalation?.workflowReason ? `: ${t.escalation.workflowReason}` : '';
    return `escalated (${t.escalation?.code ?? 'unknown'}${named})`;
  }
  if (t.outcome === 'stuck') return `stuck at ${t.stuckAt ?? '?'}`;
  if (t.outcome === 'unknown' && t.weakAnswer) {
    return `unknown: resolved on an answer below the bar (${t.weakAnswer.title}, score ${t.weakAnswer.score.toFixed(2)}, ${t.weakAnswer.why.replace('_', ' ')})`;
  }
  if (t.outcome === 'error') return `error: ${t.error ?? ''}`;
  return t.outcome;
}

/** What a ticket's run rests on and what it left out, for its example. */
function exampleNotes(t: TicketReplay): string {
  const notes = [];
  if (t.assumptions.length > 0) notes.push(`assumptions: ${t.assumptions.join(', ')}`);
  if (t.skippedMessages > 0) notes.push(`later messages not played: ${t.skippedMessages}`);
  return notes.length > 0 ? `; ${notes.join('; ')}` : '';
}

function exampleMarkdown(t: TicketReplay): string[] {
  const lines = [
    `**Ticket ${md(t.source)}/${md(t.externalId)}**: ${md(outcomeText(t))}; steps ${t.steps.length ? t.steps.map(md).join(' → ') : 'none'}${md(exampleNotes(t))}`,
    '',
  ];
  for (const turn of t.turns) {
    const who =
      turn.source === 'first_message' || turn.source === 'later_message'
        ? 'customer'
        : `customer (${turn.source.replace('_', ' ')})`;
    lines.push(`- ${who}: ${md(excerpt(turn.customer))}`);
    for (const b of turn.bot) lines.push(`  - bot: ${md(excerpt(b))}`);
  }
  lines.push(`- agent actually answered: ${t.agentReply ? md(excerpt(t.agentReply)) : '(no agent reply)'}`);
  return lines;
}

const STYLE = `body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:2rem auto;max-width:72rem;padding:0 1rem;color:#1d2430}
table{border-collapse:collapse;margin:.5rem 0 1rem}th,td{border:1px solid #d5dae1;padding:.3rem .6rem;text-align:left;vertical-align:top}
td.n{text-align:right}th{background:#f2f4f7}.bar{display:inline-block;height:.7rem;background:#4b7bd8;vertical-align:middle}
.resolved{color:#17803d}.escalated{color:#a15c00}.stuck{color:#6b4fbb}.unknown{color:#5f6b7a}.error{color:#c0262d}
.turns{margin:.3rem 0 1rem 1rem;padding:0}.turns li{list-style:none;margin:.2rem 0}.who{font-weight:600}
details{margin:.4rem 0}summary{cursor:pointer}code{background:#f2f4f7;padding:0 .2rem}`;

/**
 * `replay.html`: the same content as `replay.md` in one self-contained page (inline CSS, no scripts, no
 * external fonts or images). Every text from tickets, workflows or errors is HTML-escaped.
 */
export function renderReplayHtml(report: ReplayReport): string {
  const body: string[] = [
    '<h1>Replay of past tickets</h1>',
    `<p>${report.ticketsRead} tickets read; up to ${report.sample} per workflow, seed ${report.seed}; ${h(report.generatedAt)}.</p>`,
    `<table><thead><tr>${SUMMARY_COLUMNS.map((c) => `<th>${h(c)}</th>`).join('')}</tr></thead><tbody>`,
    ...summaryRows(report).map(
      ([id = '', ...cells]) =>
        `<tr><td><a href="#wf-${h(id)}">${h(id)}</a></td>${cells
          .map((c, i) => `<td${i <= REPLAY_OUTCOMES.length ? ' class="n"' : ''}>${h(c)}</td>`)
          .join('')}</tr>`,
    ),
    '</tbody></table>',
    '<p>Tickets per outcome; the forecast is resolved / tickets with its 95% Wilson interval, first counting only the ' +
      'resolutions that rest on no assumption, then all of them. <code>unknown</code>: resolved on a knowledge-base ' +
      'answer that was not about what was asked.</p>',
  ];
  for (const w of report.workflows) {
    body.push(
      `<h2 id="wf-${h(w.workflow)}">${h(w.name)} <small>(${h(w.workflow)} v${w.version})</small></h2>`,
    );
    body.push(`<p>Replayed ${h(selectionText(w))}.</p>`);
    body.push(...caveats(w).map((line) => `<p>${h(line)}</p>`));
    body.push(
      '<table><thead><tr><th>outcome</th><th>tickets</th><th>share</th><th></th></tr></thead><tbody>',
    );
    for (const o of REPLAY_OUTCOMES) {
      const share = w.tickets > 0 ? w.outcomes[o] / w.tickets : 0;
      body.push(
        `<tr><td class="${o}">${o}</td><td class="n">${w.outcomes[o]}</td><td class="n">${pct(w.outcomes[o], w.tickets)}</td>` +
          `<td><span class="bar" style="width:${Math.round(share * 200)}px"></span></td></tr>`,
      );
    }
    body.push('</tbody></table>');
    const codes = sorted(w.escalationCodes);
    if (codes.length > 0) {
      body.push(
        `<p><strong>Escalations by code:</strong> ${codes.map(([c, n]) => `<code>${h(c)}</code> ${n}`).join(', ')}</p>`,
      );
    }
    const reasons = sorted(w.workflowReasons);
    if (reasons.length > 0) {
      body.push(
        `<p><strong>Reasons named by the workflow:</strong> ${reasons.map(([c, n]) => `<code>${h(c)}</code> ${n}`).join(', ')}</p>`,
      );
    }
    body.push('<h3>Where the logic breaks</h3><ul>');
    const stuck = sorted(w.breaks.stuckAt);
    body.push(
      `<li>Stuck: ${stuck.length ? stuck.map(([s, n]) => `<code>${h(s)}</code> ${n}`).join(', ') : 'none'}</li>`,
    );
    body.push(
      `<li>Errors: ${w.breaks.errors.length ? w.breaks.errors.map((e) => `${e.tickets} × ${h(excerpt(e.message))}`).join('; ') : 'none'}</li>`,
    );
    const revisited = sorted(w.breaks.revisited);
    body.push(
      `<li>Loops: ${w.breaks.loops} escalated <code>workflow_loop</code>; steps come back to: ${
        revisited.length
          ? revisited.map(([s, n]) => `<code>${h(s)}</code> (${n} tickets)`).join(', ')
          : 'none'
      }</li>`,
    );
    body.push(
      `<li>Steps never reached: ${w.neverReachedSteps.length ? w.neverReachedSteps.map((s) => `<code>${h(s)}</code>`).join(', ') : 'none'}</li>`,
    );
    body.push(
      `<li>Branches never taken: ${
        w.neverReachedEdges.length
          ? w.neverReachedEdges
              .map(
                (e) =>
                  `<code>${h(e.from)}</code> → <code>${h(e.to)}</code>${e.label ? ` (${h(e.label)})` : ''}`,
              )
              .join(', ')
          : 'none'
      }</li></ul>`,
    );
    body.push(
      '<h3>Step coverage</h3><table><thead><tr><th>step</th><th>tickets</th><th>share</th></tr></thead><tbody>',
    );
    for (const [step, n] of Object.entries(w.stepCoverage)) {
      body.push(
        `<tr><td><code>${h(step)}</code></td><td class="n">${n}</td><td class="n">${pct(n, w.tickets)}</td></tr>`,
      );
    }
    body.push('</tbody></table>');
    if (w.examples.length > 0) {
      body.push('<h3>Examples</h3>');
      for (const t of w.examples) body.push(exampleHtml(t));
    }
  }
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Switchboard replay</title><style>${STYLE}</style></head>
<body>
${body.join('\n')}
</body></html>
`;
}

function exampleHtml(t: TicketReplay): string {
  const turns = t.turns
    .map((turn) => {
      const who =
        turn.source === 'first_message' || turn.source === 'later_message'
          ? 'customer'
          : `customer (${turn.source.replace('_', ' ')})`;
      return (
        `<li><span class="who">${h(who)}:</span> ${h(excerpt(turn.customer))}</li>` +
        turn.bot.map((b) => `<li><span class="who">bot:</span> ${h(excerpt(b))}</li>`).join('')
      );
    })
    .join('');
  return (
    `<details><summary>Ticket ${h(t.source)}/${h(t.externalId)}: <span class="${t.outcome}">${h(outcomeText(t))}</span></summary>` +
    `<p>Steps: ${t.steps.length ? t.steps.map((s) => `<code>${h(s)}</code>`).join(' → ') : 'none'}${h(exampleNotes(t))}</p>` +
    `<ul class="turns">${turns}<li><span class="who">agent actually answered:</span> ${
      t.agentReply ? h(excerpt(t.agentReply)) : '(no agent reply)'
    }</li></ul></details>`
  );
}

/** The paths written by `writeReplayReports`. */
export interface ReplayReportFiles {
  markdown: string;
  html: string;
  json: string;
}

/**
 * Writes `replay.md`, `replay.html` and `replay.json` into `dir` (created when missing).
 *
 * @example
 * const files = writeReplayReports({ report, dir: '.switchboard/replay' });
 * console.log(files.html);
 */
export function writeReplayReports(props: {
  report: ReplayReport;
  dir: string;
  /** Mask card numbers, CVVs, national ids, emails and phone numbers in ticket texts (default true). */
  redact?: boolean;
}): ReplayReportFiles {
  const report = redactReplayReport(props.report, props.redact ?? true);
  mkdirSync(props.dir, { recursive: true });
  const files = {
    markdown: join(props.dir, 'replay.md'),
    html: join(props.dir, 'replay.html'),
    json: join(props.dir, 'replay.json'),
  };
  writeFileSync(files.markdown, renderReplayMarkdown(report));
  writeFileSync(files.html, renderReplayHtml(report));
  writeFileSync(files.json, `${JSON.stringify(report, null, 2)}\n`);
  return files;
}

/** The report with every text taken from a ticket (subject, turns, bot replies, agent reply) passed through `redact`. */
export function redactReplayReport(report: ReplayReport, on: boolean): ReplayReport {
  if (!on) return report;
  const shown = textRedactor(true);
  const ticket = (t: TicketReplay): TicketReplay => ({
    ...t,
    subject: t.subject === null ? null : shown(t.subject),
    turns: t.turns.map((turn) => ({ ...turn, customer: shown(turn.customer), bot: turn.bot.map(shown) })),
    agentReply: t.agentReply === null ? null : shown(t.agentReply),
  });
  return { ...report, workflows: report.workflows.map((w) => ({ ...w, examples: w.examples.map(ticket) })) };
}
