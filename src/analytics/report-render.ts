import { duration, escapeHtml as esc, mdCell, percent } from '../audit/format.ts';
import type { GoalCheck } from './goals.ts';
import type { Metrics } from './metrics.ts';
import type { Report } from './report.ts';

/** One row of the KPI tables: a label and the figure as text. */
interface Kpi {
  label: string;
  value: string;
  /** How it is computed, in one phrase (docs/metrics.md has the whole definition). */
  how: string;
}

const STATUS_WORDS: Record<GoalCheck['status'], string> = {
  on_track: 'on track',
  off_track: 'off track',
  no_data: 'no data',
};

function title(report: Report): string {
  const period = report.kind === 'daily' ? report.from : `${report.from} to ${report.to}`;
  return `${report.kind === 'daily' ? 'Daily' : 'Weekly'} report, ${period}`;
}

function filterLine(report: Report): string {
  const parts = Object.entries(report.filter).map(([k, v]) => `${k} ${v}`);
  return parts.length ? `Only conversations with ${parts.join(', ')}.` : 'All conversations.';
}

function intro(report: Report): string {
  return `${filterLine(report)} Conversations counted on the day they started; outcomes read from the event log as of ${report.asOf} (assumed resolved after ${report.windows.assumeAfterHours} h without a customer message, reopened when the customer came back within ${report.windows.reopenWithinHours} h). Rates leave out conversations still pending.`;
}

const rate = (v: number | null) => percent(v);
const num = (v: number | null, digits = 2) =>
  v === null ? '-' : String(Math.round(v * 10 ** digits) / 10 ** digits);
const csat = (c: Metrics['csat']['automated']) =>
  c.mean === null ? '-' : `${num(c.mean, 2)} / 5 (${c.count})`;
const spread = (s: Metrics['firstResponseSeconds']['bot']) =>
  s.count ? `${duration(s.median)} median, ${duration(s.p90)} p90 (${s.count})` : '-';

/** The period's KPIs as label / value / how rows, the same in Markdown and HTML. */
export function kpiRows(m: Metrics, currency: string): Kpi[] {
  const o = m.outcomes;
  return [
    { label: 'Conversations', value: String(m.conversations), how: 'started in the period' },
    {
      label: 'Involvement rate',
      value: rate(m.involvementRate),
      how: `automated ${m.automated} / conversations`,
    },
    {
      label: 'Resolution rate',
      value: `${rate(m.resolutionRate.total)} (confirmed ${rate(m.resolutionRate.confirmed)}, assumed ${rate(m.resolutionRate.assumed)})`,
      how: `(confirmed ${o.confirmed_resolved} + assumed ${o.assumed_resolved}) / decided ${m.decided}`,
    },
    { label: 'Automation rate', value: rate(m.automationRate), how: 'involvement x resolution' },
    {
      label: 'Escalation rate',
      value: rate(m.escalationRate),
      how: m.escalationsByReason.length
        ? m.escalationsByReason.map((e) => `${e.code} ${e.count} (${rate(e.rate)})`).join(', ')
        : 'no escalation',
    },
    {
      label: 'Abandoned',
      value: `${o.abandoned} (${rate(m.abandonmentRate)})`,
      how: 'left while the bot asked',
    },
    { label: 'Reopened', value: `${o.reopened} (${rate(m.reopenRate)})`, how: 'came back within the window' },
    { label: 'Pending', value: String(o.pending), how: 'no outcome yet (a window has not passed)' },
    {
      label: 'False positives',
      value: `${m.falsePositives.count} (${rate(m.falsePositives.rate)})`,
      how: `said no ${m.falsePositives.saidNo}, reopened ${m.falsePositives.reopened}, judged wrong ${m.falsePositives.judgedWrong}; / automated`,
    },
    {
      label: 'False negatives',
      value: `${m.falseNegatives.count} (${rate(m.falseNegatives.rate)})`,
      how: `escalated, and an agent said the bot could have resolved it (${m.falseNegatives.judged}) or the agent's answer matched a workflow's (${m.falseNegatives.byWorkflow.map((w) => `${w.workflow} ${w.count}`).join(', ') || '0'}); / escalated`,
    },
    {
      label: 'Intent accuracy',
      value: `${rate(m.intentAccuracy.rate)} (${m.intentAccuracy.correct} of ${m.intentAccuracy.judged})`,
      how: "agents' intent corrections",
    },
    {
      label: 'Shadow drafts',
      value: `${m.drafts.drafts}: as is ${m.drafts.asIs}, edited ${m.drafts.edited}, discarded ${m.drafts.discarded}, undecided ${m.drafts.undecided}`,
      how: `${m.shadow} shadow conversations`,
    },
    {
      label: 'CSAT',
      value: `automated ${csat(m.csat.automated)}; people ${csat(m.csat.people)}`,
      how: 'newest rating per conversation',
    },
    {
      label: 'First response, bot',
      value: spread(m.firstResponseSeconds.bot),
      how: "customer's first message to the bot's first line",
    },
    {
      label: 'First response, people',
      value: spread(m.firstResponseSeconds.people),
      how: "hand-off (or the customer's first message) to an agent's first line",
    },
    {
      label: 'Resolution time, bot',
      value: spread(m.resolutionSeconds.bot),
      how: "customer's first message to the resolution",
    },
    {
      label: 'Resolution time, people',
      value: spread(m.resolutionSeconds.people),
      how: 'hand-off to the close',
    },
    {
      label: 'Cost per conversation',
      value:
        m.cost.costPerConversation === null ? '-' : `${currency} ${m.cost.costPerConversation.toFixed(2)}`,
      how: `people handled ${m.cost.peopleHandled} x cost per human conversation (${currency} ${m.cost.costWithoutAutomation.toFixed(2)}) / conversations`,
    },
    {
      label: 'Hours saved',
      value: `${m.cost.hoursSaved} h (${currency} ${m.cost.costSaved.toFixed(2)})`,
      how: 'resolved by the bot x handle time',
    },
    {
      label: 'Escalation bars broken',
      value: String(
        m.escalationBars.humanRequestNotHandedOver +
          m.escalationBars.exclusionNotHandedOver +
          m.escalationBars.negativeSentimentNotHandedOver +
          m.escalationBars.overMaxExchanges,
      ),
      how: `asked for a person ${m.escalationBars.humanRequestNotHandedOver}, exclusion ${m.escalationBars.exclusionNotHandedOver}, upset ${m.escalationBars.negativeSentimentNotHandedOver}, stuck ${m.escalationBars.overMaxExchanges}`,
    },
  ];
}

/** The compact columns of the per-day and per-group tables. */
const COLUMNS: Array<[string, (m: Metrics) => string]> = [
  ['conversations', (m) => String(m.conversations)],
  ['automated', (m) => String(m.automated)],
  ['involvement', (m) => rate(m.involvementRate)],
  [
    'resolved (confirmed / assumed)',
    (m) =>
      `${rate(m.resolutionRate.total)} (${rate(m.resolutionRate.confirmed)} / ${rate(m.resolutionRate.assumed)})`,
  ],
  ['automation', (m) => rate(m.automationRate)],
  ['escalated', (m) => rate(m.escalationRate)],
  ['false pos. / neg.', (m) => `${m.falsePositives.count} / ${m.falseNegatives.count}`],
  ['CSAT bot / people', (m) => `${num(m.csat.automated.mean)} / ${num(m.csat.people.mean)}`],
  [
    'first response bot / people',
    (m) =>
      `${duration(m.firstResponseSeconds.bot.median)} / ${duration(m.firstResponseSeconds.people.median)}`,
  ],
  ['hours saved', (m) => String(m.cost.hoursSaved)],
];

function goalValue(g: GoalCheck, v: number | null): string {
  if (v === null) return '-';
  if (g.unit === 'rate' || g.unit === 'score') return percent(v);
  if (g.unit === 'seconds') return duration(v);
  return String(v);
}

function goalTarget(g: GoalCheck): string {
  return `${g.comparison === 'at_least' ? '>=' : '<='} ${goalValue(g, g.target)}`;
}

/** The report in Markdown; every name that comes from data (workflows, channels, segments, codes) is escaped. */
export function reportMarkdown(report: Report): string {
  const cur = report.costs.currency;
  const table = (heading: string, rows: Array<{ key: string; metrics: Metrics }>) => [
    `| ${heading} | ${COLUMNS.map(([h]) => h).join(' | ')} |`,
    `|${'---|'.repeat(COLUMNS.length + 1)}`,
    // Figures are numbers and our own words; only the key (a workflow, channel or segment) comes from data.
    ...rows.map((r) => `| ${mdCell(r.key)} | ${COLUMNS.map(([, f]) => f(r.metrics)).join(' | ')} |`),
  ];
  const lines = [
    `# ${title(report)}`,
    '',
    intro(report),
    '',
    '## Goals',
    '',
    ...(report.goals
      ? [
          `From ${mdCell(report.goals.file)}: review on ${report.goals.checks[0]?.reviewOn ?? '-'}, due by ${report.goals.checks[0]?.dueBy ?? '-'}.`,
          '',
          '| goal | now | target | baseline | status |',
          '|---|---|---|---|---|',
          ...report.goals.checks.map(
            (g) =>
              `| ${mdCell(g.goal)} | ${goalValue(g, g.value)} | ${goalTarget(g)} | ${goalValue(g, g.baseline)} | ${STATUS_WORDS[g.status]} |`,
          ),
        ]
      : ['No goals file: pass --goals audit/goals.yaml (written by `switchboard audit`).']),
    '',
    '## Key figures',
    '',
    '| figure | value | how |',
    '|---|---|---|',
    ...kpiRows(report.total, cur).map((k) => `| ${k.label} | ${k.value} | ${mdCell(k.how)} |`),
    '',
    ...(report.kind === 'weekly'
      ? [
          '## By day',
          '',
          ...table('day', [
            ...report.days.map((d) => ({ key: d.day, metrics: d.metrics })),
            { key: 'week', metrics: report.total },
          ]),
          '',
        ]
      : []),
    ...(report.killSwitch.length
      ? [
          '## Kill switch',
          '',
          '| when | action | workflow | by | why |',
          '|---|---|---|---|---|',
          ...report.killSwitch.map(
            (k) =>
              `| ${k.at} | ${k.action} | ${mdCell(k.workflow ?? 'all automation')} | ${mdCell(k.by)} | ${mdCell(k.why)} |`,
          ),
          '',
        ]
      : []),
    ...falseNegativeLines(report).flatMap((line) => [line, '']),
    '## By workflow',
    '',
    ...table('workflow', report.byWorkflow),
    '',
    '## By channel',
    '',
    ...table('channel', report.byChannel),
    '',
    '## By segment',
    '',
    ...table('segment', report.bySegment),
    '',
    '## Settings',
    '',
    `- ${mdCell(report.costs.source)}.`,
    '- Definitions: docs/metrics.md.',
    '',
  ];
  return lines.join('\n');
}

/** The evidence of false negatives by an agent's answer: the heading, what was compared, a table; Markdown. */
function falseNegativeLines(report: Report): string[] {
  const m = report.answerMatching;
  const rows = report.total.falseNegatives.byWorkflow;
  return [
    "## False negatives: agents' answers a workflow had",
    m.workflows.length === 0
      ? "No workflow was given to compare agents' answers with: only agents' judgements count."
      : `${falseNegativeIntro(report)}${rows.length === 0 ? ' None matched.' : ''}`,
    ...(rows.length === 0
      ? []
      : [
          [
            '| workflow | escalated conversations | closest (conversation, step, similarity) |',
            '|---|---|---|',
            ...rows.map(
              (w) =>
                `| ${mdCell(w.workflow)} | ${w.count} | ${mdCell(w.examples.map((e) => `${e.conversation} ${e.step} ${e.similarity.toFixed(2)}`).join('; '))} |`,
            ),
          ].join('\n'),
        ]),
  ];
}

function falseNegativeIntro(report: Report): string {
  const m = report.answerMatching;
  return `An escalated conversation counts when an agent's message after the hand-off (${m.minTerms} terms or more) has a TF-IDF cosine similarity of ${m.threshold} or more with a reply line of ${m.workflows.join(', ')}.`;
}

const OUTCOME_COLOURS: Array<[keyof Metrics['outcomes'], string, string]> = [
  ['confirmed_resolved', '#2e7d32', 'confirmed'],
  ['assumed_resolved', '#81c784', 'assumed'],
  ['reopened', '#f9a825', 'reopened'],
  ['escalated', '#c62828', 'escalated'],
  ['abandoned', '#8d6e63', 'abandoned'],
  ['pending', '#bdbdbd', 'pending'],
];

/** Outcomes of each day as stacked bars (inline SVG, no script): what the week looked like at a glance. */
export function outcomeChart(days: Report['days']): string {
  const width = 560;
  const height = 180;
  const left = 36;
  const bottom = 24;
  const max = Math.max(1, ...days.map((d) => d.metrics.automated));
  const slot = (width - left) / Math.max(1, days.length);
  const bar = Math.min(48, slot * 0.7);
  const scale = (height - bottom - 10) / max;
  const bars = days
    .map((d, i) => {
      let y = height - bottom;
      const x = left + i * slot + (slot - bar) / 2;
      const parts = OUTCOME_COLOURS.map(([kind, colour, word]) => {
        const n = d.metrics.outcomes[kind];
        if (!n) return '';
        const h = n * scale;
        y -= h;
        return `<rect x="${x.toFixed(1)}" y="${y.toFixed(1)}" width="${bar.toFixed(1)}" height="${h.toFixed(1)}" fill="${colour}"><title>${esc(`${d.day}: ${word} ${n}`)}</title></rect>`;
      }).join('');
      return `${parts}<text class="tick" x="${(x + bar / 2).toFixed(1)}" y="${height - 8}" text-anchor="middle">${esc(d.day.slice(5))}</text>`;
    })
    .join('\n');
  const legend = OUTCOME_COLOURS.map(
    ([, colour, word]) => `<span><i style="background:${colour}"></i>${esc(word)}</span>`,
  ).join('');
  return `<figure><figcaption>Outcomes of automated conversations by day</figcaption>
<svg viewBox="0 0 ${width} ${height}" width="${width}" height="${height}" role="img" aria-label="Outcomes by day">
<text class="tick" x="${left - 6}" y="14" text-anchor="end">${max}</text><text class="tick" x="${left - 6}" y="${height - bottom}" text-anchor="end">0</text>
${bars}
</svg><div class="legend">${legend}</div></figure>`;
}

/**
 * The report as one self-contained HTML page (inline CSS, no script, font, image or network), in the audit
 * report's style. Every string is escaped, numbers included.
 */
export function reportHtml(report: Report): string {
  const cur = report.costs.currency;
  const table = (heading: string, rows: Array<{ key: string; metrics: Metrics }>) =>
    `<table><thead><tr><th>${esc(heading)}</th>${COLUMNS.map(([h]) => `<th>${esc(h)}</th>`).join('')}</tr></thead><tbody>
${rows.map((r) => `<tr><td>${esc(r.key)}</td>${COLUMNS.map(([, f]) => `<td class="num">${esc(f(r.metrics))}</td>`).join('')}</tr>`).join('\n')}
</tbody></table>`;
  const goals = report.goals
    ? `<p>From ${esc(report.goals.file)}: review on ${esc(report.goals.checks[0]?.reviewOn ?? '-')}, due by ${esc(report.goals.checks[0]?.dueBy ?? '-')}.</p>
<table class="goals"><thead><tr><th>goal</th><th>now</th><th>target</th><th>baseline</th><th>status</th></tr></thead><tbody>
${report.goals.checks
  .map(
    (g) =>
      `<tr><td>${esc(g.goal)}</td><td class="num">${esc(goalValue(g, g.value))}</td><td class="num">${esc(goalTarget(g))}</td><td class="num">${esc(goalValue(g, g.baseline))}</td><td><span class="pill ${esc(g.status)}">${esc(STATUS_WORDS[g.status])}</span></td></tr>`,
  )
  .join('\n')}
</tbody></table>`
    : '<p class="note">No goals file: pass --goals audit/goals.yaml (written by <code>switchboard audit</code>).</p>';
  const kpis = kpiRows(report.total, cur)
    .map(
      (k) =>
        `<tr><td>${esc(k.label)}</td><td class="num">${esc(k.value)}</td><td class="why">${esc(k.how)}</td></tr>`,
    )
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(title(report))}</title>
<style>
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:2rem auto;max-width:1200px;padding:0 1rem;color:#222}
table{border-collapse:collapse;width:100%;font-size:12px;margin-bottom:1rem}th,td{border-bottom:1px solid #ddd;padding:4px 6px;text-align:left;vertical-align:top}
th{background:#f4f4f4}td.num{white-space:nowrap}.why{color:#555;font-size:11px}.note{color:#666;font-size:12px}
.pill{padding:1px 6px;border-radius:8px;color:#fff}.on_track{background:#2e7d32}.off_track{background:#c62828}.no_data{background:#9e9e9e}
table.goals{width:auto;max-width:100%}svg text{font:11px system-ui,sans-serif}svg .tick{fill:#666}figure{margin:0 0 1rem}figcaption{font-weight:600}
.legend{display:flex;gap:1rem;flex-wrap:wrap;font-size:12px;margin:.3rem 0}.legend i{display:inline-block;width:10px;height:10px;margin-right:4px;border-radius:2px}@media print{body{margin:0;max-width:none}table{break-inside:avoid}}
</style></head><body>
<h1>${esc(title(report))}</h1>
<p>${esc(intro(report))}</p>
<h2>Goals</h2>
${goals}
<h2>Key figures</h2>
<table class="goals"><thead><tr><th>figure</th><th>value</th><th>how</th></tr></thead><tbody>
${kpis}
</tbody></table>
${report.kind === 'weekly' ? `<h2>By day</h2>\n${outcomeChart(report.days)}\n${table('day', [...report.days.map((d) => ({ key: d.day, metrics: d.metrics })), { key: 'week', metrics: report.total }])}` : ''}
${
  report.killSwitch.length
    ? `<h2>Kill switch</h2>
<table class="goals"><thead><tr><th>when</th><th>action</th><th>workflow</th><th>by</th><th>why</th></tr></thead><tbody>
${report.killSwitch.map((k) => `<tr><td>${esc(k.at)}</td><td>${esc(k.action)}</td><td>${esc(k.workflow ?? 'all automation')}</td><td>${esc(k.by)}</td><td>${esc(k.why)}</td></tr>`).join('\n')}
</tbody></table>`
    : ''
}
<h2>False negatives: agents' answers a workflow had</h2>
${falseNegativeHtml(report)}
<h2>By workflow</h2>
${table('workflow', report.byWorkflow)}
<h2>By channel</h2>
${table('channel', report.byChannel)}
<h2>By segment</h2>
${table('segment', report.bySegment)}
<h2>Settings</h2>
<p class="note">${esc(report.costs.source)}. Definitions: docs/metrics.md.</p>
</body></html>
`;
}

/** The evidence of false negatives by an agent's answer, in HTML (every string escaped). */
function falseNegativeHtml(report: Report): string {
  const rows = report.total.falseNegatives.byWorkflow;
  if (report.answerMatching.workflows.length === 0) {
    return `<p class="note">No workflow was given to compare agents' answers with: only agents' judgements count.</p>`;
  }
  const intro = `<p class="note">${esc(falseNegativeIntro(report))}${rows.length === 0 ? ' None matched.' : ''}</p>`;
  if (rows.length === 0) return intro;
  return `${intro}
<table class="goals"><thead><tr><th>workflow</th><th>escalated conversations</th><th>closest (conversation, step, similarity)</th></tr></thead><tbody>
${rows.map((w) => `<tr><td>${esc(w.workflow)}</td><td class="num">${esc(String(w.count))}</td><td>${esc(w.examples.map((e) => `${e.conversation} ${e.step} ${e.similarity.toFixed(2)}`).join('; '))}</td></tr>`).join('\n')}
</tbody></table>`;
}
