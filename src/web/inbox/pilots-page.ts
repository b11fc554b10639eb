import { html } from 'hono/html';
import type { HtmlEscapedString } from 'hono/utils/html';
import type { KillEntry, PilotListItem } from '../../pilots/index.ts';
import { csrfField, layout, type PageUser } from './pages.ts';

type Html = HtmlEscapedString | Promise<HtmlEscapedString>;

const time = (at: number) => new Date(at).toISOString().replace('T', ' ').slice(0, 16);

/** `shadow for 10% of customers in segments vip`, as `switchboard pilot list` says it. */
function describeItem(item: PilotListItem): string {
  const s = item.pilot?.settings;
  if (!s) return 'live for everyone (no pilot)';
  if (s.mode === 'off') return 'off';
  const who = [
    s.segments.length > 0 ? `segments ${s.segments.join(', ')}` : null,
    s.channels.length > 0 ? `channels ${s.channels.join(', ')}` : null,
    s.categories.length > 0 ? `categories ${s.categories.join(', ')}` : null,
  ].filter((p): p is string => p !== null);
  const share = s.percent < 100 ? `${s.percent}% of ` : '';
  return `${s.mode} for ${share}${who.length > 0 ? `customers in ${who.join('; ')}` : share ? 'customers' : 'everyone'}`;
}

/**
 * Pilots and the kill switch for leads (docs/pilots.md): every workflow with its pilot, a form to change it, and one
 * button to stop it, or all automation. Each change asks why; the same checks as `switchboard pilot`.
 */
export function pilotsPage(props: {
  me: PageUser;
  items: readonly PilotListItem[];
  all: KillEntry | null;
  flash?: { error?: string; done?: string };
}): Html {
  const { me, all } = props;
  const why = (id: string) =>
    html`<label for="${id}">Why</label><input id="${id}" name="why" maxlength="500" required>`;
  return layout({
    title: 'Pilots',
    me,
    body: html`<h1>Pilots and the kill switch</h1>
${props.flash?.error ? html`<p class="error" role="alert">${props.flash.error}</p>` : ''}
${props.flash?.done ? html`<p class="done" role="status">${props.flash.done}</p>` : ''}
<section aria-labelledby="all-h" class="${all ? 'why' : ''}"><h2 id="all-h">All automation</h2>
${
  all
    ? html`<p><strong>Stopped</strong> since ${time(all.at)} by ${all.by}: ${all.why}</p>
<form method="post" action="/inbox/pilots/resume" class="inline">${csrfField(me)}${why('why-all')}<button type="submit">Resume all automation</button></form>`
    : html`<p>Running.</p>
<form method="post" action="/inbox/pilots/kill" class="inline">${csrfField(me)}${why('why-all')}<button type="submit">Stop all automation</button></form>`
}
</section>
<section aria-labelledby="wf-h"><h2 id="wf-h">Workflows</h2>
<table class="pilots">
<thead><tr><th scope="col">Workflow</th><th scope="col">Pilot</th><th scope="col">Kill switch</th><th scope="col">Change the pilot</th></tr></thead>
<tbody>
${props.items.map((item, i) => {
  const s = item.pilot?.settings;
  return html`<tr data-workflow="${item.workflowId}">
<th scope="row">${item.workflowId}</th>
<td>${describeItem(item)}${item.pilot ? html`<div class="muted">${time(item.pilot.at)} by ${item.pilot.by}: ${item.pilot.why}</div>` : ''}</td>
<td>${
    item.kill
      ? html`<p><strong>Stopped</strong> since ${time(item.kill.at)} by ${item.kill.by}: ${item.kill.why}</p>
<form method="post" action="/inbox/pilots/resume" class="stack">${csrfField(me)}<input type="hidden" name="workflow" value="${item.workflowId}">${why(`why-resume-${String(i)}`)}<button type="submit">Resume</button></form>`
      : html`<form method="post" action="/inbox/pilots/kill" class="stack">${csrfField(me)}<input type="hidden" name="workflow" value="${item.workflowId}">${why(`why-kill-${String(i)}`)}<button type="submit">Stop this workflow</button></form>`
  }</td>
<td><form method="post" action="/inbox/pilots/set" class="stack">${csrfField(me)}<input type="hidden" name="workflow" value="${item.workflowId}">
  <label for="mode-${String(i)}">Mode</label>
  <select id="mode-${String(i)}" name="mode">${(['live', 'shadow', 'off'] as const).map(
    (m) => html`<option value="${m}"${(s?.mode ?? 'live') === m ? html` selected` : ''}>${m}</option>`,
  )}</select>
  <label for="segments-${String(i)}">Segments (comma-separated, empty: all)</label>
  <input id="segments-${String(i)}" name="segments" value="${s?.segments.join(', ') ?? ''}">
  <label for="channels-${String(i)}">Channels</label>
  <input id="channels-${String(i)}" name="channels" value="${s?.channels.join(', ') ?? ''}">
  <label for="categories-${String(i)}">Categories</label>
  <input id="categories-${String(i)}" name="categories" value="${s?.categories.join(', ') ?? ''}">
  <label for="percent-${String(i)}">Percent of customers</label>
  <input id="percent-${String(i)}" name="percent" inputmode="decimal" value="${String(s?.percent ?? 100)}">
  ${why(`why-set-${String(i)}`)}
  <button type="submit">Save pilot</button>
</form></td>
</tr>`;
})}
</tbody></table>
</section>`,
  });
}
