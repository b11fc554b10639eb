import { html } from 'hono/html';
import type { HtmlEscapedString } from 'hono/utils/html';
import type { ObservedPrecision } from '../../inbox/index.ts';
import type { CandidateExample, GateReport, NewIntentProposal } from '../../learning/index.ts';
import type { ArtifactInfo } from '../../store/index.ts';
import { csrfField, layout, observedSection, type PageUser } from './pages.ts';

type Html = HtmlEscapedString | Promise<HtmlEscapedString>;

const pct = (v: number | null) => (v === null ? '-' : `${(v * 100).toFixed(1)}%`);
const time = (at: number) => new Date(at).toISOString().slice(0, 16).replace('T', ' ');

/**
 * The leads' learning page: the precision agents observe, the candidate examples from agents' corrections with
 * bulk accept / reject and relabelling (conflicts marked), the retrain button, the gate's last report, and the
 * model versions with their notes (fingerprint, gate decision) and a button to make one active (promote, roll
 * back). Every value escaped by hono/html.
 */
export function learningPage(props: {
  me: PageUser;
  observed: ObservedPrecision;
  candidates: CandidateExample[];
  names: ReadonlyMap<string, string>;
  versions: ArtifactInfo[];
  /** Model versions with a stored gate report. */
  reported: ReadonlySet<number>;
  /** Clusters of "none of these" messages: intents to create. */
  proposals: NewIntentProposal[];
  report?: {
    version: number;
    active: boolean;
    report: GateReport;
    training: { base: number; corrections: number };
  };
  flash?: { error?: string; done?: string };
}): Html {
  const { me } = props;
  const waiting = props.candidates.filter((c) => c.status === 'candidate');
  const decided = props.candidates.filter((c) => c.status !== 'candidate');
  return layout({
    title: 'Corrections and learning',
    me,
    body: html`${props.flash?.error ? html`<p class="error" role="alert">${props.flash.error}</p>` : ''}
${props.flash?.done ? html`<p class="done" role="status">${props.flash.done}</p>` : ''}
${observedSection(props.observed)}
<h1>Corrections from agents</h1>
<p class="muted">Each names the right intent of a customer message. Accepted ones are trained on at the next retrain.</p>
${
  waiting.length === 0
    ? html`<p class="empty">No candidate waits for a decision.</p>`
    : html`<form method="post" action="/inbox/corrections/review">${csrfField(me)}
<table><thead><tr><th scope="col">Pick</th><th scope="col">Message</th><th scope="col">Agent's label</th><th scope="col">The bot said</th><th scope="col">From</th><th scope="col">Conflicts</th></tr></thead><tbody>
${waiting.map(
  (c) => html`<tr>
<td><input type="checkbox" name="id" value="${String(c.id)}" id="pick-${String(c.id)}" aria-label="Pick candidate ${String(c.id)}"></td>
<td>${c.text}</td>
<td>${c.proposed ?? 'none of these'}${c.missedAutomation ? html` <span class="badge">could have resolved</span>` : ''}</td>
<td>${c.predicted ?? '-'}</td>
<td><a href="/inbox/c/${encodeURIComponent(c.conversationId)}">${c.conversationId}</a> #${String(c.seq)}, ${props.names.get(c.by) ?? 'someone'}, ${time(c.at)}</td>
<td>${c.conflicts.length > 0 ? html`<span class="error">with ${c.conflicts.join(', ')}</span>` : ''}</td>
</tr>`,
)}
</tbody></table>
<p class="inline">
  <label for="label">Accept with another label (optional)</label>
  <input id="label" name="label" maxlength="64" placeholder="intent name, or none">
  <button type="submit" name="decision" value="accepted">Accept the picked</button>
  <button type="submit" name="decision" value="rejected">Reject the picked</button>
</p>
</form>`
}
${
  decided.length === 0
    ? ''
    : html`<h2>Decided</h2><table><thead><tr><th scope="col">Message</th><th scope="col">Decision</th><th scope="col">Label</th><th scope="col">By</th></tr></thead><tbody>
${decided.map((c) => html`<tr><td>${c.text}</td><td>${c.status}</td><td>${c.label ?? 'none of these'}</td><td>${c.reviewedBy ?? ''}</td></tr>`)}
</tbody></table>`
}
${
  props.proposals.length === 0
    ? ''
    : html`<h2>New intents, from messages no intent fits</h2>
<p class="muted">Agents said "none of these"; these messages are alike. Name the intent to accept them all with that label.</p>
${props.proposals.map(
  (p, i) => html`<form method="post" action="/inbox/corrections/review" class="stack">${csrfField(me)}
<h3>${p.name} <span class="count">${String(p.ids.length)} messages</span></h3>
<p class="muted">${p.terms.slice(0, 6).join(', ')}</p>
<ul>${p.examples.map((e) => html`<li>${e}</li>`)}</ul>
${p.ids.map((id) => html`<input type="hidden" name="id" value="${String(id)}">`)}
<input type="hidden" name="decision" value="accepted">
<label for="new-intent-${String(i)}">Intent name</label>
<input id="new-intent-${String(i)}" name="label" required maxlength="64" pattern="[a-z0-9][a-z0-9_\-]*" placeholder="gift_cards">
<button type="submit">Create the intent from these</button>
</form>`,
)}`
}
<h1>Retrain</h1>
<p class="muted">Trains a candidate on the history plus the accepted corrections; the gate compares it with the active model on the frozen evaluation set and the conversation tests, and makes it active only if it passes.</p>
<form method="post" action="/inbox/retrain">${csrfField(me)}<button type="submit">Retrain and run the gate</button></form>
${props.report ? gateSection(props.report) : ''}
<h2>Model versions</h2>
<table><thead><tr><th scope="col">Version</th><th scope="col">When</th><th scope="col">Note</th><th scope="col">State</th></tr></thead><tbody>
${props.versions.map(
  (v) =>
    html`<tr><td>v${String(v.version)}</td><td>${time(v.createdAt)}</td><td>${v.note ?? ''}${
      props.reported.has(v.version)
        ? html` <a href="/inbox/models/${String(v.version)}/report">gate report</a>`
        : ''
    }</td><td>${
      v.active
        ? 'active'
        : html`<form method="post" action="/inbox/models/${String(v.version)}/activate">${csrfField(me)}<button type="submit">Make active</button></form>`
    }</td></tr>`,
)}
</tbody></table>`,
  });
}

/** One model version's gate report, as the learning page shows it after a retrain. */
export function gateReportPage(props: {
  me: PageUser;
  version: number;
  stored: {
    promoted: boolean;
    fingerprint: string;
    training: { base: number; corrections: number };
    report: GateReport;
  };
}): Html {
  return layout({
    title: `Gate report of v${props.version}`,
    me: props.me,
    body: html`<p><a href="/inbox/corrections">← Corrections and learning</a></p>
${gateSection({ version: props.version, active: props.stored.promoted, report: props.stored.report, training: props.stored.training })}
<p class="muted">Training data fingerprint ${props.stored.fingerprint}</p>`,
  });
}

function gateSection(props: {
  version: number;
  active: boolean;
  report: GateReport;
  training: { base: number; corrections: number };
}): Html {
  const { report } = props;
  return html`<section aria-labelledby="gate-h" class="${report.promote ? '' : 'why'}">
<h2 id="gate-h">The gate: ${report.promote ? `v${props.version} promoted` : `v${props.version} kept inactive`}</h2>
<p>Trained on ${String(props.training.base)} history examples and ${String(props.training.corrections)} corrections.</p>
${report.reasons.length > 0 ? html`<ul>${report.reasons.map((r) => html`<li>${r}</li>`)}</ul>` : ''}
<table><thead><tr><th scope="col">Figure</th><th scope="col">Active</th><th scope="col">Candidate</th><th scope="col">Noise</th><th scope="col">Verdict</th></tr></thead><tbody>
${report.figures.map((f) => html`<tr><td>${f.figure}</td><td>${pct(f.active)}</td><td>${pct(f.candidate)}</td><td>±${pct(f.noise)}</td><td>${f.verdict}</td></tr>`)}
</tbody></table>
<p>Conversation tests: ${String(report.tests.passed)} passed, ${String(report.tests.failed.length)} failed.</p>
</section>`;
}
