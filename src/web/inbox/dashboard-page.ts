import { html } from 'hono/html';
import type { HtmlEscapedString } from 'hono/utils/html';
import type { Report } from '../../analytics/index.ts';
import { csrfField, layout, type PageUser } from './pages.ts';

type Html = HtmlEscapedString | Promise<HtmlEscapedString>;

const pct = (v: number | null | undefined) =>
  v === null || v === undefined ? '-' : `${(v * 100).toFixed(1)}%`;

function goalValue(unit: string, v: number | null): string {
  if (v === null) return '-';
  if (unit === 'rate') return pct(v);
  if (unit === 'seconds') return v < 120 ? `${Math.round(v)} s` : `${(v / 60).toFixed(1)} min`;
  return v.toFixed(unit === 'score' ? 2 : 0);
}

/** A bar per day (SVG drawn here: no script, no chart library to load), with the value above each bar. */
function dailyBars(props: {
  title: string;
  days: Array<{ day: string; value: number | null }>;
  rate: boolean;
}): Html {
  const width = 560;
  const height = 170;
  const left = 10;
  const bottom = 22;
  const values = props.days.map((d) => d.value ?? 0);
  const max = props.rate ? 1 : Math.max(1, ...values);
  const slot = (width - left) / Math.max(1, props.days.length);
  const bar = Math.min(48, slot * 0.6);
  const scale = (height - bottom - 22) / max;
  return html`<figure class="chart"><figcaption>${props.title}</figcaption>
<svg viewBox="0 0 ${String(width)} ${String(height)}" width="${String(width)}" height="${String(height)}" role="img" aria-label="${props.title}">
${props.days.map((d, i) => {
  const v = d.value ?? 0;
  const h = v * scale;
  const x = left + i * slot + (slot - bar) / 2;
  const y = height - bottom - h;
  const label = d.value === null ? '-' : props.rate ? pct(d.value) : String(d.value);
  return html`<rect class="bar" x="${x.toFixed(1)}" y="${y.toFixed(1)}" width="${bar.toFixed(1)}" height="${h.toFixed(1)}"><title>${d.day}: ${label}</title></rect>
<text class="tick" x="${(x + bar / 2).toFixed(1)}" y="${(y - 4).toFixed(1)}" text-anchor="middle">${label}</text>
<text class="tick" x="${(x + bar / 2).toFixed(1)}" y="${String(height - 6)}" text-anchor="middle">${d.day.slice(5)}</text>`;
})}
</svg></figure>`;
}

/**
 * The leads' dashboard: the week's KPIs against the audit's goals (on track / off track, with the baseline), daily
 * charts, a row per workflow with its pilot mode and the kill switch, and example conversations per outcome to
 * drill into. Figures come from the same report as `switchboard report weekly` (the event log, recomputable).
 */
export function dashboardPage(props: {
  me: PageUser;
  report: Report;
  pilots: ReadonlyMap<string, { mode: string; percent: number | null }>;
  killed: ReadonlySet<string | null>;
  examples: ReadonlyArray<{ outcome: string; ids: string[] }>;
  goalsProblem?: string;
}): Html {
  const { report, me } = props;
  const t = report.total;
  return layout({
    title: 'Dashboard',
    me,
    body: html`<h1>The week ${report.from} to ${report.to}</h1>
<form method="get" action="/inbox/dashboard" class="filters"><label>Week ending <input type="date" name="day" value="${report.to}"></label><button type="submit">Show</button></form>
${props.killed.has(null) ? html`<p class="error" role="alert">All automation is stopped (kill switch): every conversation goes to people.</p>` : ''}
<table><tbody>
<tr><th scope="row">Conversations</th><td>${String(t.conversations)}</td><th scope="row">Automated</th><td>${String(t.automated)} (${pct(t.involvementRate)})</td></tr>
<tr><th scope="row">Resolved by the bot</th><td>${pct(t.resolutionRate.total)} (confirmed ${pct(t.resolutionRate.confirmed)}, assumed ${pct(t.resolutionRate.assumed)})</td><th scope="row">Automation rate</th><td>${pct(t.automationRate)}</td></tr>
<tr><th scope="row">Escalated</th><td>${pct(t.escalationRate)}</td><th scope="row">False positives / negatives</th><td>${String(t.falsePositives.count)} / ${String(t.falseNegatives.count)}</td></tr>
<tr><th scope="row">CSAT bot / people</th><td>${t.csat.automated.mean?.toFixed(2) ?? '-'} / ${t.csat.people.mean?.toFixed(2) ?? '-'}</td><th scope="row">Hours saved</th><td>${t.cost.hoursSaved.toFixed(1)} h</td></tr>
</tbody></table>
<h2>Against the goals</h2>
${
  report.goals
    ? html`<table><thead><tr><th scope="col">Goal</th><th scope="col">Now</th><th scope="col">Target</th><th scope="col">Baseline</th><th scope="col">Status</th><th scope="col">Due</th></tr></thead><tbody>
${report.goals.checks.map(
  (g) =>
    html`<tr><td>${g.goal}</td><td>${goalValue(g.unit, g.value)}</td><td>${goalValue(g.unit, g.target)}</td><td>${goalValue(g.unit, g.baseline)}</td><td class="${g.status === 'off_track' ? 'error' : g.status === 'on_track' ? 'done' : 'muted'}">${g.status.replace('_', ' ')}</td><td>${g.dueBy}</td></tr>`,
)}</tbody></table>`
    : html`<p class="muted">No goals.yaml found (switchboard audit writes one)${props.goalsProblem ? `: ${props.goalsProblem}` : ''}.</p>`
}
<h2>Day by day</h2>
<div class="charts">
${dailyBars({ title: 'Automated conversations', days: report.days.map((d) => ({ day: d.day, value: d.metrics.automated })), rate: false })}
${dailyBars({ title: 'Resolved by the bot (of decided)', days: report.days.map((d) => ({ day: d.day, value: d.metrics.resolutionRate.total })), rate: true })}
${dailyBars({ title: 'Escalated', days: report.days.map((d) => ({ day: d.day, value: d.metrics.escalationRate })), rate: true })}
</div>
<h2>Workflows</h2>
<table><thead><tr><th scope="col">Workflow</th><th scope="col">Automated</th><th scope="col">Resolved</th><th scope="col">Escalated</th><th scope="col">False positives</th><th scope="col">Pilot</th><th scope="col"></th></tr></thead><tbody>
${report.byWorkflow.map((w) => {
  const pilot = props.pilots.get(w.key);
  const stopped = props.killed.has(w.key);
  return html`<tr><td>${w.key}</td><td>${String(w.metrics.automated)}</td><td>${pct(w.metrics.resolutionRate.total)}</td><td>${pct(w.metrics.escalationRate)}</td><td>${String(w.metrics.falsePositives.count)}</td>
<td>${stopped ? html`<span class="error">stopped</span>` : pilot ? `${pilot.mode}${pilot.percent !== null ? `, ${pilot.percent}%` : ''}` : 'live (no pilot)'}</td>
<td>${
    w.key === 'none'
      ? ''
      : html`<form method="post" action="/inbox/pilots/${stopped ? 'resume' : 'kill'}" class="inline">${csrfField(me)}<input type="hidden" name="workflow" value="${w.key}"><input type="hidden" name="why" value="${stopped ? 'resumed from the dashboard' : 'stopped from the dashboard'}"><button type="submit">${stopped ? 'Resume' : 'Stop'}</button></form>`
  }</td></tr>`;
})}
</tbody></table>
<p class="muted"><a href="/inbox/pilots">Pilots and the kill switch</a></p>
<h2>Example conversations</h2>
${
  props.examples.length === 0
    ? html`<p class="muted">No automated conversation this week.</p>`
    : html`<ul>${props.examples.map(
        (e) =>
          html`<li>${e.outcome.includes('(') ? e.outcome : e.outcome.replace('_', ' ')}: ${e.ids.map((id, i) => html`${i > 0 ? ', ' : ''}<a href="/inbox/c/${encodeURIComponent(id)}">${id}</a>`)}</li>`,
      )}</ul>`
}`,
  });
}
