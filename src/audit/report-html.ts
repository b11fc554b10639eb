import { agentStartedNote, duration, escapeHtml as esc, money, percent } from './format.ts';
import { costLine, goalRows, headline, potentialWord, savingsLine, windowLine } from './report-text.ts';
import type { AuditResult } from './run-audit.ts';

const COLOURS = {
  high: '#2e7d32',
  medium: '#f9a825',
  low: '#c62828',
  unknown: '#9e9e9e',
  bar: '#1565c0',
  bar2: '#90caf9',
};
const LEGEND: [keyof typeof COLOURS, string][] = [
  ['high', 'high potential: automate first'],
  ['medium', 'medium: automate in part'],
  ['low', 'low: leave to people'],
  ['unknown', 'not measurable in this data'],
];
/** Categories drawn in the weekly chart, by volume; the rest are in the table. */
const WEEKLY_ROWS = 10;

/**
 * The report as one self-contained HTML page: inline CSS and SVG, no script, font or network. Every string
 * that can come from customer data (category names, texts) is escaped.
 */
export function renderHtmlReport(result: AuditResult, now: Date = new Date()): string {
  const t = result.team;
  const top = result.categories.slice(0, 10);
  const byVolume = [...result.categories].sort(
    (a, b) => b.monthlyVolume - a.monthlyVolume || a.title.localeCompare(b.title),
  );
  const cur = result.assumptions.costs.currency;
  const rows = result.categories
    .map(
      (c) => `<tr><td>${c.rank}</td><td>${esc(c.title)}</td><td>${c.tickets}</td><td>${c.monthlyVolume}</td>
<td><span class="pill ${c.potential}">${potentialWord(c.potential)}</span></td><td>${c.score}</td><td>${c.hoursSavedPerMonth ?? '-'}</td>
<td>${c.agentsSaved ?? '-'}</td><td class="num">${c.costSavedPerMonth === null ? '-' : esc(money(c.costSavedPerMonth, cur))}</td>
<td class="num">${esc(duration(c.firstResponseSeconds.median))} / ${esc(duration(c.firstResponseSeconds.p90))}</td>
<td class="num">${esc(duration(c.resolutionSeconds.median))} / ${esc(duration(c.resolutionSeconds.p90))}</td>
<td>${c.csat.mean === null ? '-' : `${percent(c.csat.mean)} (${c.csat.count})`}</td><td>${c.exclusions.tickets}</td>
<td>${esc(c.integrations.join(', ') || '-')}</td><td>${c.complexity}</td><td class="why">${esc(c.reasons.join('; '))}</td></tr>`,
    )
    .join('\n');
  const examples = top
    .slice(0, 5)
    .map(
      (c) =>
        `<h3>${esc(c.title)}</h3><ul>${c.representativeTexts.map((x) => `<li>${esc(x.slice(0, 300))}</li>`).join('')}</ul>`,
    )
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Support audit</title>
<style>
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:2rem auto;max-width:1200px;padding:0 1rem;color:#222}
h1{margin-bottom:.2rem}.lead{font-size:1.25rem}table{border-collapse:collapse;width:100%;font-size:12px}
th,td{border-bottom:1px solid #ddd;padding:4px 6px;text-align:left;vertical-align:top}th{background:#f4f4f4}
.pill{padding:1px 6px;border-radius:8px;color:#fff}.high{background:${COLOURS.high}}.medium{background:${COLOURS.medium};color:#222}.low{background:${COLOURS.low}}
.unknown{background:${COLOURS.unknown}}.legend{display:flex;gap:1rem;flex-wrap:wrap;font-size:12px;margin:.5rem 0}.legend i{display:inline-block;width:10px;height:10px;margin-right:4px;border-radius:2px}
.weekly{max-width:860px}table.goals{width:auto;max-width:100%}table.goals td:first-child{white-space:nowrap}
.savings{font-size:1.05rem;background:#f1f8e9;padding:.5rem .8rem;border-radius:6px}.gaps{color:#8a4b00}
.why{color:#555}.charts{display:grid;grid-template-columns:1fr 1fr;gap:1rem}figure{margin:0}figcaption{font-weight:600}
svg text{font:11px system-ui,sans-serif}svg .tick{fill:#666}svg .quadrant{fill:#9e9e9e;font-style:italic}
td.num{white-space:nowrap}.note,.empty{color:#666;font-size:12px;margin:.2rem 0}.why{min-width:12rem;font-size:11px}table.narrow{width:auto}table.narrow td{white-space:nowrap}@media print{body{margin:0;max-width:none}.charts{grid-template-columns:1fr 1fr}figure,table{break-inside:avoid}}
</style></head><body>
<h1>Support audit</h1>
<p class="lead"><strong>${esc(headline(result))}</strong></p>
<p>${esc(windowLine(result))}; categories from ${result.categorySource}.
Team: first response ${duration(t.firstResponseSeconds.median)} median / ${duration(t.firstResponseSeconds.p90)} p90; resolution ${duration(t.resolutionSeconds.median)} / ${duration(t.resolutionSeconds.p90)};
CSAT ${t.csat.mean === null ? '-' : `${percent(t.csat.mean)} (${t.csat.count} ratings)`}; ${t.excluded} tickets (${percent(t.exclusionRate)}) always to people.</p>
${result.notInData.length ? `<p class="gaps">Not in this data: ${esc(result.notInData.join('; '))}.</p>` : ''}
<p class="note">${esc(agentStartedNote(t.agentStarted))}</p>
<p class="savings">${esc(savingsLine(result))}</p>
${splitBar(result)}
${legend()}
<div class="charts">
<figure><figcaption>Monthly volume by category</figcaption>${barChart(
    byVolume.map((c) => ({
      label: c.title,
      values: [c.monthlyVolume],
      colour: COLOURS[c.potential],
    })),
    (v) => (v >= 10 ? String(Math.round(v)) : v.toFixed(1)),
  )}</figure>
<figure><figcaption>Volume x simplicity</figcaption>${scatter(result)}</figure>
<figure><figcaption>First response, median (dark) and p90 (light), hours</figcaption>${barChart(
    byVolume.map((c) => ({
      label: c.title,
      values: hours(c.firstResponseSeconds),
    })),
    (v) => v.toFixed(1),
  )}</figure>
<figure><figcaption>Resolution, median (dark) and p90 (light), days</figcaption>${barChart(
    byVolume.map((c) => ({
      label: c.title,
      values: days(c.resolutionSeconds),
    })),
    (v) => v.toFixed(1),
  )}</figure>
</div>
<h2>Weekly volume</h2><div class="weekly">${weeklyChart(result, byVolume.slice(0, WEEKLY_ROWS))}</div>
<h2>Goals for the next phase</h2>
<table class="goals"><thead><tr><th>goal</th><th>target</th><th>from the baseline</th></tr></thead><tbody>${goalRows(
    result,
    now,
  )
    .map((g) => `<tr><td>${esc(g.goal)}</td><td>${esc(g.target)}</td><td>${esc(g.baseline)}</td></tr>`)
    .join('')}</tbody></table>
<h2>Ranked opportunities</h2>
<table><thead><tr><th>#</th><th>category</th><th>tickets</th><th>per month</th><th>potential</th><th>score</th><th>hours saved / month</th><th>agents</th><th>cost / month</th>
<th>first response median / p90</th><th>resolution median / p90</th><th>CSAT (n)</th><th>to people</th><th>integrations</th><th>complexity</th><th>why</th></tr></thead>
<tbody>${rows}</tbody></table>
${respondersHtml(result)}
<h2>Always to people</h2><ul>${result.exclusionRules
    .map((r) => `<li>${esc(r.label)}: ${t.exclusionsByRule[r.id] ?? 0} tickets</li>`)
    .join('')}</ul>
<h2>What customers write (top categories)</h2>${examples}
<h2>Assumptions</h2><ul><li>Score: ${esc(result.assumptions.score)}.</li><li>Time saved: ${esc(result.assumptions.timeSaved)}.</li>
<li>${esc(costLine(result))}</li>
<li>Expected automation rate: ${Object.entries(result.assumptions.expectedAutomationRate)
    .map(([k, v]) => `${k} ${percent(v)}`)
    .join(', ')}.</li></ul>
</body></html>
`;
}

interface Bar {
  label: string;
  /** One value, or median and p90; null when the data has none for this bar. */
  values: (number | null)[];
  colour?: string;
}

const hours = (s: { median: number | null; p90: number | null }) => [
  s.median === null ? null : s.median / 3600,
  s.p90 === null ? null : s.p90 / 3600,
];
const days = (s: { median: number | null; p90: number | null }) => [
  s.median === null ? null : s.median / 86_400,
  s.p90 === null ? null : s.p90 / 86_400,
];

/** A label cut to what fits in `px` pixels of 11px text, with an ellipsis when cut. */
function fitText(label: string, px: number): string {
  const chars = Math.floor(px / CHAR_WIDTH);
  return label.length <= chars ? label : `${label.slice(0, Math.max(1, chars - 1))}\u2026`;
}

/**
 * Horizontal bars, one row per category; a second value is drawn lighter behind the first (p90 vs median).
 * A category without the figure shows "-" rather than a zero bar; a chart with no figure at all says so.
 */
function barChart(bars: Bar[], fmt: (v: number) => string): string {
  const known = bars.flatMap((b) => b.values.filter((v): v is number => v !== null));
  if (!known.length) return '<p class="empty">Not in this data.</p>';
  const rowH = 18;
  const labelW = 256;
  const width = 616;
  const plotW = width - labelW - 50;
  const max = Math.max(1e-9, ...known);
  const height = bars.length * rowH + 6;
  const rows = bars.map((b, i) => {
    const y = i * rowH + 3;
    const [first = null, second] = b.values;
    const label = `<text x="${labelW - 4}" y="${y + rowH - 6}" text-anchor="end">${esc(fitText(b.label, labelW - 8))}</text>`;
    const shown = second ?? first;
    if (shown === null) return `${label}<text x="${labelW + 4}" y="${y + rowH - 6}" class="tick">-</text>`;
    const back =
      second !== undefined && second !== null
        ? `<rect x="${labelW}" y="${y + 2}" width="${((second / max) * plotW).toFixed(1)}" height="${rowH - 6}" fill="${COLOURS.bar2}"/>`
        : '';
    const front =
      first !== null
        ? `<rect x="${labelW}" y="${y + 2}" width="${((first / max) * plotW).toFixed(1)}" height="${rowH - 6}" fill="${b.colour ?? COLOURS.bar}"/>`
        : '';
    return `${label}${back}${front}
<text x="${(labelW + (shown / max) * plotW + 4).toFixed(1)}" y="${y + rowH - 6}">${esc(fmt(shown))}</text>`;
  });
  return `<svg role="img" viewBox="0 0 ${width} ${height}" width="100%">${rows.join('\n')}</svg>`;
}

/** Monthly volume (x) against simplicity (y), points coloured by potential: the strategy's 2x2. */
function scatter(result: AuditResult): string {
  const measured = result.categories.filter(
    (c): c is typeof c & { simplicity: number } => c.simplicity !== null,
  );
  if (!measured.length) return '<p class="empty">Not measurable in this data: see why at the top.</p>';
  const left_out = result.categories.length - measured.length;
  const w = 520;
  const h = 330;
  const left = 46;
  const right = 14;
  const top = 14;
  const bottom = 44;
  const maxV = niceCeiling(Math.max(1, ...measured.map((c) => c.monthlyVolume)));
  const x = (v: number) => left + (v / maxV) * (w - left - right);
  const y = (s: number) => h - bottom - s * (h - top - bottom);
  const points = measured.map((c) => ({
    x: x(c.monthlyVolume),
    y: y(c.simplicity),
    label: fitText(c.title, 150),
    colour: COLOURS[c.potential],
  }));
  // Best-ranked categories are placed first, so they get the closest label spots.
  const captions: [string, number, number, 'start' | 'end'][] = [
    ['automate first', w - right - 4, top + 12, 'end'],
    ['simple, low volume', left + 6, top + 12, 'start'],
    ['busy, needs judgement', w - right - 4, h - bottom - 6, 'end'],
    ['leave to people', left + 6, h - bottom - 6, 'start'],
  ];
  const captionBoxes = captions.map(([text, cx, cy, anchor]) => {
    const tw = text.length * CHAR_WIDTH;
    return {
      x0: anchor === 'end' ? cx - tw : cx,
      x1: anchor === 'end' ? cx : cx + tw,
      y0: cy - 10,
      y1: cy + 2,
    };
  });
  const labels = placeLabels(points, { width: w, height: h }, captionBoxes);
  const grid = [0, 0.5, 1]
    .map(
      (f) =>
        `<text class="tick" x="${x(maxV * f).toFixed(1)}" y="${h - bottom + 14}" text-anchor="middle">${formatTick(maxV * f)}</text>` +
        `<text class="tick" x="${left - 6}" y="${(y(f) + 4).toFixed(1)}" text-anchor="end">${f}</text>`,
    )
    .join('');
  const leaders = labels
    .map((l, i) =>
      l?.leader
        ? `<line x1="${points[i]!.x.toFixed(1)}" y1="${points[i]!.y.toFixed(1)}" x2="${l.anchorX.toFixed(1)}" y2="${(l.y - 4).toFixed(1)}" stroke="#bbb"/>`
        : '',
    )
    .join('');
  const dots = points
    .map(
      (p) => `<circle cx="${p.x.toFixed(1)}" cy="${p.y.toFixed(1)}" r="5" fill="${p.colour}" stroke="#fff"/>`,
    )
    .join('');
  const unlabelled = labels.filter((l) => l === null).length;
  const texts = labels
    .map((l, i) =>
      l === null
        ? ''
        : `<text x="${l.x.toFixed(1)}" y="${l.y.toFixed(1)}"${l.anchor === 'end' ? ' text-anchor="end"' : ''}>${esc(points[i]!.label)}</text>`,
    )
    .join('\n');
  return `<svg role="img" viewBox="0 0 ${w} ${h}" width="100%">
<line x1="${left}" y1="${h - bottom}" x2="${w - right}" y2="${h - bottom}" stroke="#888"/><line x1="${left}" y1="${top}" x2="${left}" y2="${h - bottom}" stroke="#888"/>
<line x1="${x(maxV / 2)}" y1="${top}" x2="${x(maxV / 2)}" y2="${h - bottom}" stroke="#ddd" stroke-dasharray="4"/><line x1="${left}" y1="${y(0.5)}" x2="${w - right}" y2="${y(0.5)}" stroke="#ddd" stroke-dasharray="4"/>
${captions.map(([text, cx, cy, anchor]) => `<text class="quadrant" x="${cx}" y="${cy}" text-anchor="${anchor}">${text}</text>`).join('')}
${grid}<text x="${(left + w - right) / 2}" y="${h - 8}" text-anchor="middle">tickets per month</text><text x="12" y="${(top + h - bottom) / 2}" transform="rotate(-90 12 ${(top + h - bottom) / 2})" text-anchor="middle">simplicity</text>
${leaders}${dots}
${texts}</svg>${unlabelled ? `<p class="note">${unlabelled === 1 ? 'One smaller category' : `${unlabelled} smaller categories`} left unlabelled for lack of room: see the table.</p>` : ''}${left_out ? `<p class="note">${left_out} not measurable ${left_out === 1 ? 'category' : 'categories'} not drawn.</p>` : ''}`;
}

/** A round number (1, 1.2, 1.5, 2, 2.5, ... times a power of ten) at or above v, for the axis end. */
function niceCeiling(v: number): number {
  const p = 10 ** Math.floor(Math.log10(v));
  return ([1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10].find((m) => m * p >= v) ?? 10) * p;
}

function formatTick(v: number): string {
  return v >= 10 ? String(Math.round(v)) : String(Math.round(v * 10) / 10);
}

/** A rectangle in chart coordinates. */
export interface Box {
  x0: number;
  y0: number;
  x1: number;
  y1: number;
}

export interface PlacedLabel {
  /** Text position (baseline) and anchor. */
  x: number;
  y: number;
  anchor: 'start' | 'end';
  /** Where a leader line meets the label, when the label sits away from its point. */
  anchorX: number;
  leader: boolean;
}

const CHAR_WIDTH = 6.2;
const LABEL_HEIGHT = 12;

/**
 * Greedy label placement for the scatter: each label, in the order given, takes the first spot (right or left
 * of its point, then further up or down with a leader line) that overlaps no label placed so far, no other
 * point and stays inside the chart. When none is free, the first `always` labels take the spot with the least
 * overlap and the others are left out (null): a crowded chart stays readable and the table names everything.
 */
export function placeLabels(
  points: readonly { x: number; y: number; label: string }[],
  bounds: { width: number; height: number },
  avoid: readonly Box[] = [],
  always = 3,
): (PlacedLabel | null)[] {
  const placed: Box[] = [...avoid];
  const dots: Box[] = points.map((p) => ({ x0: p.x - 5, y0: p.y - 5, x1: p.x + 5, y1: p.y + 5 }));
  const offsets = [0, -13, 13, -26, 26, -39, 39, -52, 52];
  const overlap = (a: Box, b: Box) =>
    Math.max(0, Math.min(a.x1, b.x1) - Math.max(a.x0, b.x0)) *
    Math.max(0, Math.min(a.y1, b.y1) - Math.max(a.y0, b.y0));
  return points.map((p, i) => {
    const textW = p.label.length * CHAR_WIDTH;
    let best: { label: PlacedLabel; box: Box; cost: number } | undefined;
    for (const dy of offsets) {
      for (const side of ['start', 'end'] as const) {
        const x = side === 'start' ? p.x + 8 : p.x - 8;
        const baseline = p.y + 4 + dy;
        const box = {
          x0: side === 'start' ? x : x - textW,
          x1: side === 'start' ? x + textW : x,
          y0: baseline - LABEL_HEIGHT + 2,
          y1: baseline + 2,
        };
        const outside = box.x0 < 0 || box.x1 > bounds.width || box.y0 < 0 || box.y1 > bounds.height;
        const cost =
          (outside ? 1e6 : 0) +
          placed.reduce((s, b) => s + overlap(box, b), 0) +
          dots.reduce((s, d, j) => s + (j === i ? 0 : overlap(box, d)), 0);
        if (!best || cost < best.cost) {
          best = { label: { x, y: baseline, anchor: side, anchorX: x, leader: Math.abs(dy) > 6 }, box, cost };
        }
        if (cost === 0) break;
      }
      if (best?.cost === 0) break;
    }
    if (best!.cost > 0 && i >= always) return null;
    placed.push(best!.box);
    return best!.label;
  });
}

/** The split as one stacked bar: predictable, needs judgement and, when any, not measurable. */
function splitBar(result: AuditResult): string {
  const w = 600;
  const unknown = Math.max(0, Math.min(1, result.unmeasuredShare));
  const high = Math.max(0, Math.min(1 - unknown, result.predictableShare));
  const parts: [number, string, string, string][] = [
    [high, COLOURS.high, '#fff', `predictable ${percent(high)}`],
    [1 - high - unknown, '#616161', '#fff', `needs judgement ${percent(1 - high - unknown)}`],
    [unknown, '#e0e0e0', '#222', `not measurable ${percent(unknown)}`],
  ];
  let x = 0;
  const shapes = parts
    .filter(([share]) => share > 0)
    .map(([share, fill, ink, text]) => {
      const width = share * w;
      const label =
        width >= text.length * CHAR_WIDTH + 8
          ? `<text x="${(x + 6).toFixed(1)}" y="18" fill="${ink}">${text}</text>`
          : '';
      const shape = `<rect x="${x.toFixed(1)}" y="0" width="${width.toFixed(1)}" height="28" fill="${fill}"/>${label}`;
      x += width;
      return shape;
    });
  return `<svg role="img" viewBox="0 0 ${w} 28" width="100%">${shapes.join('\n')}</svg>`;
}

/** What each colour means, shown once above the charts. */
function legend(): string {
  return `<div class="legend">${LEGEND.map(([key, text]) => `<span><i style="background:${COLOURS[key]}"></i>${text}</span>`).join('')}</div>`;
}

/**
 * Tickets per week over the days that hold the central 99% of tickets (strays left out): one small line per
 * category on a shared scale, so both the shape (seasonality, trends, bursts) and the size compare.
 */
function weeklyChart(result: AuditResult, categories: AuditResult['categories']): string {
  const from = result.window.coreFrom;
  const to = result.window.coreTo;
  if (!from || !to || !categories.length) return '<p class="empty">Not in this data.</p>';
  const weeks: string[] = [];
  const monday = (iso: string) => {
    const d = new Date(`${iso}T00:00:00Z`);
    d.setUTCDate(d.getUTCDate() - ((d.getUTCDay() + 6) % 7));
    return d;
  };
  for (const d = monday(from); d <= monday(to); d.setUTCDate(d.getUTCDate() + 7))
    weeks.push(d.toISOString().slice(0, 10));
  const labelW = 260;
  const plotW = 540;
  const rowH = 30;
  const width = labelW + plotW + 60;
  const max = Math.max(1, ...categories.flatMap((c) => weeks.map((wk) => c.perWeek[wk] ?? 0)));
  const step = weeks.length > 1 ? plotW / (weeks.length - 1) : 0;
  const rows = categories.map((c, i) => {
    const base = i * rowH + rowH - 4;
    const values = weeks.map((wk) => c.perWeek[wk] ?? 0);
    const pts = values
      .map((v, j) => `${(labelW + j * step).toFixed(1)},${(base - (v / max) * (rowH - 8)).toFixed(1)}`)
      .join(' ');
    const peak = Math.max(...values);
    const line =
      weeks.length > 1
        ? `<polyline points="${pts}" fill="none" stroke="${COLOURS[c.potential]}" stroke-width="1.5"/>`
        : `<rect x="${labelW}" y="${(base - (values[0]! / max) * (rowH - 8)).toFixed(1)}" width="6" height="${((values[0]! / max) * (rowH - 8)).toFixed(1)}" fill="${COLOURS[c.potential]}"/>`;
    return `<text x="${labelW - 6}" y="${base - 4}" text-anchor="end">${esc(fitText(c.title, labelW - 10))}</text>
<line x1="${labelW}" y1="${base}" x2="${labelW + plotW}" y2="${base}" stroke="#eee"/>${line}<text class="tick" x="${labelW + plotW + 6}" y="${base - 4}">peak ${peak}</text>`;
  });
  const height = categories.length * rowH + 18;
  const axis = `<text class="tick" x="${labelW}" y="${height - 2}">${weeks[0]}</text><text class="tick" x="${labelW + plotW}" y="${height - 2}" text-anchor="end">week of ${weeks.at(-1)}</text>`;
  return `<svg role="img" viewBox="0 0 ${width} ${height}" width="100%">${rows.join('\n')}${axis}</svg>
<p class="note">Tickets per week, ${weeks.length} weeks from ${weeks[0]} (the first and last may be partial weeks); the ${categories.length} busiest categories on one scale (a row's top is ${max} a week).</p>`;
}

/** First response by who answered (the company in TWCS, the agent elsewhere), when tickets say so. */
function respondersHtml(result: AuditResult): string {
  const r = result.responders;
  if (!r.list.length) return '';
  const rows = r.list
    .map(
      (x) =>
        `<tr><td>${esc(x.responder)}</td><td>${x.tickets}</td><td>${percent(x.share)}</td><td>${x.answered}</td>
<td>${esc(duration(x.firstResponseSeconds.median))} / ${esc(duration(x.firstResponseSeconds.p90))}</td>
<td>${esc(duration(x.resolutionSeconds.median))} / ${esc(duration(x.resolutionSeconds.p90))}</td>
<td>${x.csat.mean === null ? '-' : `${percent(x.csat.mean)} (${x.csat.count})`}</td></tr>`,
    )
    .join('\n');
  const shown = r.total > r.list.length ? `, the ${r.list.length} busiest shown` : '';
  return `<h2>By responder</h2>
<p>Who answered: the ticket's assignee, else its group (in TWCS, the company). ${r.total} responders${shown}; ${r.withoutResponder} tickets name none.</p>
<table class="narrow"><thead><tr><th>responder</th><th>tickets</th><th>share</th><th>answered</th><th>first response median / p90</th>
<th>resolution median / p90</th><th>CSAT (n)</th></tr></thead><tbody>${rows}</tbody></table>`;
}
