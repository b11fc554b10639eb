import { duration, escapeHtml as esc, percent } from './format.ts';
import type { AuditResult } from './run-audit.ts';

const COLOURS = { high: '#2e7d32', medium: '#f9a825', low: '#c62828', bar: '#1565c0', bar2: '#90caf9' };

/**
 * The report as one self-contained HTML page: inline CSS and SVG, no script, font or network. Every string
 * that can come from customer data (category names, texts) is escaped.
 */
export function renderHtmlReport(result: AuditResult): string {
  const t = result.team;
  const top = result.categories.slice(0, 10);
  const rows = result.categories
    .map(
      (
        c,
      ) => `<tr><td>${c.rank}</td><td>${esc(c.category)}</td><td>${c.tickets}</td><td>${c.monthlyVolume}</td>
<td><span class="pill ${c.potential}">${c.potential}</span></td><td>${c.score}</td><td>${c.hoursSavedPerMonth}</td>
<td>${esc(duration(c.firstResponseSeconds.median))} / ${esc(duration(c.firstResponseSeconds.p90))}</td>
<td>${esc(duration(c.resolutionSeconds.median))} / ${esc(duration(c.resolutionSeconds.p90))}</td>
<td>${c.csat.mean === null ? '-' : `${percent(c.csat.mean)} (${c.csat.count})`}</td><td>${c.exclusions.tickets}</td>
<td>${esc(c.integrations.join(', ') || '-')}</td><td>${c.complexity}</td><td class="why">${esc(c.reasons.join('; '))}</td></tr>`,
    )
    .join('\n');
  const examples = top
    .slice(0, 5)
    .map(
      (c) =>
        `<h3>${esc(c.category)}</h3><ul>${c.representativeTexts.map((x) => `<li>${esc(x.slice(0, 300))}</li>`).join('')}</ul>`,
    )
    .join('\n');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Support audit</title>
<style>
body{font:14px/1.45 system-ui,-apple-system,"Segoe UI",sans-serif;margin:2rem auto;max-width:1100px;padding:0 1rem;color:#222}
h1{margin-bottom:.2rem}.lead{font-size:1.25rem}table{border-collapse:collapse;width:100%;font-size:12px}
th,td{border-bottom:1px solid #ddd;padding:4px 6px;text-align:left;vertical-align:top}th{background:#f4f4f4}
.pill{padding:1px 6px;border-radius:8px;color:#fff}.high{background:${COLOURS.high}}.medium{background:${COLOURS.medium};color:#222}.low{background:${COLOURS.low}}
.why{color:#555}.charts{display:grid;grid-template-columns:1fr 1fr;gap:1rem}figure{margin:0}figcaption{font-weight:600}
svg text{font:11px system-ui,sans-serif}@media print{body{margin:0;max-width:none}.charts{grid-template-columns:1fr 1fr}figure,table{break-inside:avoid}}
</style></head><body>
<h1>Support audit</h1>
<p class="lead"><strong>${percent(result.predictableShare)} predictable</strong> (tickets in high-potential categories), ${percent(1 - result.predictableShare)} need judgement.</p>
<p>${t.tickets} tickets, ${esc(result.window.from?.slice(0, 10) ?? '-')} to ${esc(result.window.to?.slice(0, 10) ?? '-')}, ${t.monthlyVolume} a month; categories from ${result.categorySource}.
Team: first response ${duration(t.firstResponseSeconds.median)} median / ${duration(t.firstResponseSeconds.p90)} p90; resolution ${duration(t.resolutionSeconds.median)} / ${duration(t.resolutionSeconds.p90)};
CSAT ${t.csat.mean === null ? '-' : `${percent(t.csat.mean)} (${t.csat.count} ratings)`}; ${t.excluded} tickets (${percent(t.exclusionRate)}) always to people.</p>
${splitBar(result.predictableShare)}
<div class="charts">
<figure><figcaption>Monthly volume by category</figcaption>${barChart(
    result.categories.map((c) => ({
      label: c.category,
      values: [c.monthlyVolume],
      colour: COLOURS[c.potential],
    })),
    (v) => String(Math.round(v)),
  )}</figure>
<figure><figcaption>Volume x simplicity</figcaption>${scatter(result)}</figure>
<figure><figcaption>First response, median (dark) and p90 (light), hours</figcaption>${barChart(
    result.categories.map((c) => ({
      label: c.category,
      values: [(c.firstResponseSeconds.median ?? 0) / 3600, (c.firstResponseSeconds.p90 ?? 0) / 3600],
    })),
    (v) => v.toFixed(1),
  )}</figure>
<figure><figcaption>Resolution, median (dark) and p90 (light), days</figcaption>${barChart(
    result.categories.map((c) => ({
      label: c.category,
      values: [(c.resolutionSeconds.median ?? 0) / 86400, (c.resolutionSeconds.p90 ?? 0) / 86400],
    })),
    (v) => v.toFixed(1),
  )}</figure>
</div>
<h2>Ranked opportunities</h2>
<table><thead><tr><th>#</th><th>category</th><th>tickets</th><th>per month</th><th>potential</th><th>score</th><th>hours saved / month</th>
<th>first response median / p90</th><th>resolution median / p90</th><th>CSAT (n)</th><th>to people</th><th>integrations</th><th>complexity</th><th>why</th></tr></thead>
<tbody>${rows}</tbody></table>
<h2>Always to people</h2><ul>${result.exclusionRules
    .map((r) => `<li>${esc(r.label)}: ${t.exclusionsByRule[r.id] ?? 0} tickets</li>`)
    .join('')}</ul>
<h2>What customers write (top categories)</h2>${examples}
<h2>Assumptions</h2><ul><li>Score: ${esc(result.assumptions.score)}.</li><li>Time saved: ${esc(result.assumptions.timeSaved)}.</li>
<li>Expected automation rate: ${Object.entries(result.assumptions.expectedAutomationRate)
    .map(([k, v]) => `${k} ${percent(v)}`)
    .join(', ')}.</li></ul>
</body></html>
`;
}

interface Bar {
  label: string;
  values: number[];
  colour?: string;
}

/** Horizontal bars, one row per category; a second value is drawn lighter behind the first (p90 vs median). */
function barChart(bars: Bar[], fmt: (v: number) => string): string {
  const rowH = 18;
  const labelW = 130;
  const width = 520;
  const plotW = width - labelW - 50;
  const max = Math.max(1e-9, ...bars.flatMap((b) => b.values));
  const height = bars.length * rowH + 6;
  const rows = bars.map((b, i) => {
    const y = i * rowH + 3;
    const [first = 0, second] = b.values;
    const back =
      second !== undefined
        ? `<rect x="${labelW}" y="${y + 2}" width="${((second / max) * plotW).toFixed(1)}" height="${rowH - 6}" fill="${COLOURS.bar2}"/>`
        : '';
    const shown = second ?? first;
    return `<text x="${labelW - 4}" y="${y + rowH - 6}" text-anchor="end">${esc(b.label.slice(0, 22))}</text>${back}
<rect x="${labelW}" y="${y + 2}" width="${((first / max) * plotW).toFixed(1)}" height="${rowH - 6}" fill="${b.colour ?? COLOURS.bar}"/>
<text x="${labelW + (shown / max) * plotW + 4}" y="${y + rowH - 6}">${esc(fmt(shown))}</text>`;
  });
  return `<svg role="img" viewBox="0 0 ${width} ${height}" width="100%">${rows.join('\n')}</svg>`;
}

/** Monthly volume (x) against simplicity (y), points coloured by potential: the strategy's 2x2. */
function scatter(result: AuditResult): string {
  const w = 520;
  const h = 300;
  const pad = 40;
  const maxV = Math.max(1, ...result.categories.map((c) => c.monthlyVolume));
  const x = (v: number) => pad + (v / maxV) * (w - 2 * pad);
  const y = (s: number) => h - pad - s * (h - 2 * pad);
  const points = result.categories
    .map(
      (c) =>
        `<circle cx="${x(c.monthlyVolume).toFixed(1)}" cy="${y(c.simplicity).toFixed(1)}" r="5" fill="${COLOURS[c.potential]}"/><text x="${(x(c.monthlyVolume) + 7).toFixed(1)}" y="${(y(c.simplicity) + 4).toFixed(1)}">${esc(c.category.slice(0, 20))}</text>`,
    )
    .join('\n');
  return `<svg role="img" viewBox="0 0 ${w} ${h}" width="100%">
<line x1="${pad}" y1="${h - pad}" x2="${w - pad}" y2="${h - pad}" stroke="#888"/><line x1="${pad}" y1="${pad}" x2="${pad}" y2="${h - pad}" stroke="#888"/>
<line x1="${x(maxV / 2)}" y1="${pad}" x2="${x(maxV / 2)}" y2="${h - pad}" stroke="#ddd" stroke-dasharray="4"/><line x1="${pad}" y1="${y(0.5)}" x2="${w - pad}" y2="${y(0.5)}" stroke="#ddd" stroke-dasharray="4"/>
<text x="${w / 2}" y="${h - 8}" text-anchor="middle">monthly volume</text><text x="12" y="${h / 2}" transform="rotate(-90 12 ${h / 2})" text-anchor="middle">simplicity</text>
${points}</svg>`;
}

/** The predictable / needs-judgement split as one stacked bar. */
function splitBar(share: number): string {
  const w = 600;
  const p = Math.max(0, Math.min(1, share)) * w;
  return `<svg role="img" viewBox="0 0 ${w} 28" width="100%"><rect x="0" y="0" width="${p.toFixed(1)}" height="28" fill="${COLOURS.high}"/>
<rect x="${p.toFixed(1)}" y="0" width="${(w - p).toFixed(1)}" height="28" fill="#9e9e9e"/>
<text x="6" y="18" fill="#fff">predictable ${percent(share)}</text><text x="${w - 6}" y="18" fill="#fff" text-anchor="end">needs judgement ${percent(1 - share)}</text></svg>`;
}
