import { html, raw } from 'hono/html';
import type { HtmlEscapedString } from 'hono/utils/html';
import { displayValue, type HandoffPacket } from '../../escalation/index.ts';
import type {
  ConversationDetail,
  Correction,
  ObservedPrecision,
  Queue,
  QueueFilters,
} from '../../inbox/index.ts';
import type { StoredUser } from '../../store/index.ts';

/**
 * The agent inbox's pages, rendered on the server. Every value goes through hono/html's template, which escapes it
 * for HTML text and attributes; nothing from a conversation is ever inserted with `raw`. The pages load one
 * stylesheet and one script from /inbox/assets (no inline script or style: the Content Security Policy forbids
 * them), and work without the script (forms post, pages reload); the script adds live updates.
 */

type Html = HtmlEscapedString | Promise<HtmlEscapedString>;

export interface PageUser {
  user: StoredUser;
  csrf: string;
}

const ROLE_LABEL: Record<string, string> = { agent: 'Agent', lead: 'Lead', admin: 'Admin' };

export function layout(props: { title: string; me?: PageUser; body: Html; live?: boolean }): Html {
  const { me } = props;
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${props.title} · Switchboard</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/inbox/assets/inbox.css">
<script src="/inbox/assets/inbox.js" defer></script>
</head>
<body${props.live ? raw(' data-live-updates="on"') : ''}>
<a class="skip" href="#main">Skip to content</a>
<header class="top">
  <a class="brand" href="/inbox">Switchboard</a>
  ${
    me
      ? html`<nav aria-label="Main">
    <a href="/inbox">Inbox</a>
    ${me.user.role !== 'agent' ? html`<a href="/inbox/dashboard">Dashboard</a> <a href="/inbox/corrections">Corrections</a>` : ''}
    ${me.user.role !== 'agent' ? html`<a href="/inbox/pilots">Pilots</a>` : ''}
    ${me.user.role === 'admin' ? html`<a href="/inbox/admin">People and keys</a>` : ''}
  </nav>
  <div class="me">
    <span>${me.user.name ?? me.user.email} (${ROLE_LABEL[me.user.role] ?? me.user.role})</span>
    <form method="post" action="/inbox/logout">${csrfField(me)}<button type="submit">Sign out</button></form>
    <form method="post" action="/inbox/logout-everywhere">${csrfField(me)}<button type="submit" class="link">Sign out everywhere</button></form>
  </div>`
      : ''
  }
</header>
<main id="main">
${props.body}
</main>
</body>
</html>`;
}

export function csrfField(me: PageUser): Html {
  return html`<input type="hidden" name="_csrf" value="${me.csrf}">`;
}

export function loginPage(props: { error?: string; email?: string }): Html {
  return layout({
    title: 'Sign in',
    body: html`<section class="narrow">
<h1>Sign in</h1>
${props.error ? html`<p class="error" role="alert">${props.error}</p>` : ''}
<form method="post" action="/inbox/login" class="stack">
  <label for="email">Email</label>
  <input id="email" name="email" type="email" autocomplete="username" required value="${props.email ?? ''}">
  <label for="password">Password</label>
  <input id="password" name="password" type="password" autocomplete="current-password" required>
  <button type="submit">Sign in</button>
</form>
</section>`,
  });
}

export function invitePage(props: { token: string; error?: string }): Html {
  return layout({
    title: 'Choose a password',
    body: html`<section class="narrow">
<h1>Choose your password</h1>
${props.error ? html`<p class="error" role="alert">${props.error}</p>` : ''}
<form method="post" action="/inbox/invite/${props.token}" class="stack">
  <label for="password">Password (12 characters or more)</label>
  <input id="password" name="password" type="password" autocomplete="new-password" minlength="12" required>
  <label for="again">Again</label>
  <input id="again" name="again" type="password" autocomplete="new-password" minlength="12" required>
  <button type="submit">Set password</button>
</form>
</section>`,
  });
}

export function messagePage(props: { title: string; message: string; me?: PageUser }): Html {
  return layout({
    title: props.title,
    ...(props.me ? { me: props.me } : {}),
    body: html`<section class="narrow"><h1>${props.title}</h1><p>${props.message}</p><p><a href="/inbox">Back to the inbox</a></p></section>`,
  });
}

export function waiting(ms: number): string {
  const minutes = Math.max(0, Math.floor(ms / 60_000));
  if (minutes < 1) return 'under a minute';
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours < 48) return `${hours} h ${minutes % 60} min`;
  return `${Math.floor(hours / 24)} days`;
}

export function queuePage(props: {
  me: PageUser;
  queues: Queue[];
  filters: QueueFilters;
  names: ReadonlyMap<string, string>;
  options: { channels: string[]; workflows: string[]; reasons: string[] };
}): Html {
  const { filters, options } = props;
  const select = (name: keyof QueueFilters, label: string, values: string[]) => html`<label>${label}
    <select name="${name}">
      <option value="">all</option>
      ${values.map((v) => html`<option value="${v}"${filters[name] === v ? raw(' selected') : ''}>${v}</option>`)}
    </select></label>`;
  return layout({
    title: 'Inbox',
    me: props.me,
    live: true,
    body: html`<h1>Escalated conversations</h1>
<form method="get" action="/inbox" class="filters" role="search">
  ${select('channel', 'Channel', options.channels)}
  ${select('workflow', 'Workflow', options.workflows)}
  ${select('reason', 'Reason', options.reasons)}
  <label>Customer <input type="search" name="customer" value="${filters.customer ?? ''}" placeholder="name or email"></label>
  <button type="submit">Filter</button>
</form>
<section id="queue" data-live="queue" aria-live="polite">${queueFragment(props)}</section>`,
  });
}

export function queueFragment(props: {
  me: PageUser;
  queues: Queue[];
  names: ReadonlyMap<string, string>;
}): Html {
  if (props.queues.length === 0)
    return html`<p class="empty">Nobody is waiting. New escalations appear here.</p>`;
  return html`${props.queues.map(
    (queue) => html`<h2>Queue ${queue.name} <span class="count">${queue.items.length}</span></h2>
<table class="queue">
  <thead><tr><th scope="col">Customer</th><th scope="col">Reason</th><th scope="col">Priority</th><th scope="col">Waiting</th><th scope="col">Channel</th><th scope="col">Workflow</th><th scope="col">Taken by</th></tr></thead>
  <tbody>
  ${queue.items.map((item) => {
    const c = item.conversation;
    const taken = item.assignee
      ? item.assignee === props.me.user.id
        ? 'you'
        : (props.names.get(item.assignee) ?? 'someone')
      : '';
    return html`<tr class="${item.assignee ? 'taken' : 'free'}">
    <td><a href="/inbox/c/${encodeURIComponent(c.id)}">${c.customer.name ?? c.customer.email ?? c.id}</a></td>
    <td><span class="code">${item.handoff?.code ?? '-'}</span></td>
    <td class="priority-${item.handoff?.priority ?? 'normal'}">${item.handoff?.priority ?? '-'}</td>
    <td>${waiting(item.waitingMs)}</td>
    <td>${c.channel}</td>
    <td>${c.workflowId ?? '-'}</td>
    <td class="assignee">${taken ? html`Taken by ${taken}` : 'Free'}</td>
  </tr>`;
  })}
  </tbody>
</table>`,
  )}`;
}

function confidence(value: number): string {
  return `${Math.round(value * 100)}%`;
}

function time(at: number): string {
  return new Date(at).toISOString().slice(0, 16).replace('T', ' ');
}

export function conversationPage(props: {
  me: PageUser;
  detail: ConversationDetail;
  names: ReadonlyMap<string, string>;
  intents: readonly string[];
  flash?: { error?: string; done?: string };
}): Html {
  const { detail, me } = props;
  const c = detail.conversation;
  const packet = detail.packet;
  const id = encodeURIComponent(c.id);
  const customer = packet?.customer ?? c.customer;
  return layout({
    title: `Conversation with ${customer.name ?? customer.email ?? c.id}`,
    me,
    live: true,
    body: html`<div class="conversation" data-conversation="${c.id}">
<p><a href="/inbox">← Inbox</a></p>
<h1>${customer.name ?? customer.email ?? 'Customer'}</h1>
${props.flash?.error ? html`<p class="error" role="alert">${props.flash.error}</p>` : ''}
${props.flash?.done ? html`<p class="done" role="status">${props.flash.done}</p>` : ''}
<section id="status" data-live="status" aria-live="polite">${statusFragment(props)}</section>
<div class="columns">
<div class="main-column">
${escalationSection(packet)}
${draftsSection({ me, id, detail, names: props.names })}
<section aria-labelledby="transcript-h"><h2 id="transcript-h">Transcript</h2>
<ol class="transcript">
${detail.messages.map(
  (m) => html`<li class="line ${m.role}">
  <div class="who">${m.role === 'customer' ? 'Customer' : m.role === 'bot' ? 'Bot' : m.role === 'agent' ? 'Agent' : 'System'} <time>${time(m.at)}</time>
  ${
    m.role === 'customer' && m.analysis
      ? html`<span class="nlu">intent ${m.analysis.intent ?? 'none'} · ${confidence(m.analysis.confidence)} · ${m.analysis.reason}${m.analysis.sentiment.label === 'negative' ? ' · negative' : ''}${m.analysis.humanRequested ? ' · asked for a person' : ''}</span>`
      : ''
  }${m.stepId ? html`<span class="step">step ${m.stepId}</span>` : ''}</div>
  <div class="text">${m.text}</div>
  ${m.role === 'customer' ? turnJudgement({ me, id, seq: m.seq, intents: props.intents, current: m.analysis?.intent ?? null }) : ''}
</li>`,
)}
</ol></section>
${workflowSection(packet)}
</div>
<aside class="side-column">
${customerSection(customer)}
${actions({ me, id, detail })}
${judgementSection({ me, id, detail, names: props.names })}
${notesSection(detail, props.names)}
</aside>
</div>
</div>`,
  });
}

export function statusFragment(props: {
  me: PageUser;
  detail: ConversationDetail;
  names: ReadonlyMap<string, string>;
}): Html {
  const { detail, me } = props;
  const c = detail.conversation;
  const taken = detail.assignee
    ? detail.assignee === me.user.id
      ? 'Taken by you'
      : `Taken by ${props.names.get(detail.assignee) ?? 'someone'}`
    : 'Not taken';
  return html`<p class="state"><span class="badge">${c.status}</span> <span class="badge">${c.owner === 'bot' ? 'the bot answers' : 'people answer'}</span> <span class="badge assignee">${taken}</span> <span class="muted">${c.channel}</span></p>`;
}

/**
 * Shadow mode (docs/pilots.md): what the bot would have said, never sent; per draft, send it as is, edit it, or
 * discard it. Each choice is recorded.
 */
function draftsSection(props: {
  me: PageUser;
  id: string;
  detail: ConversationDetail;
  names: ReadonlyMap<string, string>;
}): Html {
  const { me, id, detail } = props;
  if (detail.drafts.length === 0) return html``;
  const closed = detail.conversation.status === 'closed';
  const USED = { as_is: 'Sent as is', edited: 'Sent edited', discarded: 'Discarded' } as const;
  return html`<section aria-labelledby="drafts-h" class="drafts"><h2 id="drafts-h">Drafts from the bot (shadow mode)</h2>
<p class="muted">The customer has not seen these. Send one as is, edit it first, or discard it: each choice is recorded.</p>
<ol class="drafts">
${detail.drafts.map((d, i) =>
  d.used
    ? html`<li class="draft used"><div class="text">${d.text}</div><p class="muted">${USED[d.used.how]} by ${props.names.get(d.used.by) ?? 'someone'}, ${time(d.used.at)}</p></li>`
    : closed
      ? html`<li class="draft"><div class="text">${d.text}</div><p class="muted">Not used.</p></li>`
      : html`<li class="draft"><form method="post" action="/inbox/c/${id}/draft" class="stack">${csrfField(me)}
  <input type="hidden" name="draftId" value="${d.draftId}">
  <label for="draft-${String(i)}">Draft ${String(i + 1)}${d.stepId ? html` <span class="step">step ${d.stepId}</span>` : ''}</label>
  <textarea id="draft-${String(i)}" name="text" rows="3" maxlength="4000">${d.text}</textarea>
  <div class="inline">
    <button type="submit" name="how" value="as_is">Send as is</button>
    <button type="submit" name="how" value="edited">Send edited</button>
    <button type="submit" name="how" value="discarded">Discard</button>
  </div>
</form></li>`,
)}
</ol></section>`;
}

function escalationSection(packet: HandoffPacket | null): Html {
  if (!packet) return html`<section><h2>Escalation</h2><p>Not escalated by the bot.</p></section>`;
  const e = packet.escalation;
  return html`<section aria-labelledby="why-h" class="why"><h2 id="why-h">Why it was escalated</h2>
<p><span class="code">${e.code}</span> ${e.reason.startsWith(e.sentence) ? e.reason : `${e.sentence} ${e.reason}`}</p>
${e.workflowReason ? html`<p>Workflow: ${e.workflowReason}</p>` : ''}
<p class="next"><strong>Suggested next step:</strong> ${packet.suggestedNextStep}</p>
<p class="muted">Queue ${e.queue}, ${e.priority} priority, intent ${packet.intent ?? 'none recognised'}, ${time(packet.createdAt)}</p>
</section>`;
}

function workflowSection(packet: HandoffPacket | null): Html {
  const w = packet?.workflow;
  if (!w) return html``;
  return html`<section aria-labelledby="wf-h"><h2 id="wf-h">Workflow ${w.id} (version ${String(w.version)}): ${w.status}</h2>
<h3>Steps taken</h3>
<ol class="steps">${w.steps.map((s) => html`<li>${s.title ?? s.stepId} <span class="muted">${s.type}: ${s.outcome}</span></li>`)}</ol>
<h3>Details collected</h3>
${
  Object.keys(w.slots).length === 0
    ? html`<p class="muted">None.</p>`
    : html`<dl>${Object.entries(w.slots).map(([k, v]) => html`<dt>${k}</dt><dd>${displayValue(v, 300)}</dd>`)}</dl>`
}
<h3>Connector calls</h3>
${
  w.calls.length === 0
    ? html`<p class="muted">None.</p>`
    : html`<table><thead><tr><th scope="col">Call</th><th scope="col">Result</th><th scope="col">Input</th><th scope="col">Output or error</th></tr></thead><tbody>
${w.calls.map(
  (call) =>
    html`<tr><td>${call.connector}.${call.operation}</td><td>${call.ok === null ? 'pending' : call.ok ? 'ok' : 'failed'}</td><td>${call.input}</td><td>${call.error ?? call.output ?? ''}</td></tr>`,
)}</tbody></table>`
}
</section>`;
}

function customerSection(customer: HandoffPacket['customer']): Html {
  const fields: Array<[string, string]> = [];
  if (customer.name) fields.push(['Name', customer.name]);
  if (customer.email) fields.push(['Email', customer.email]);
  if (customer.id) fields.push(['Id', customer.id]);
  if (customer.segment) fields.push(['Segment', customer.segment]);
  if (customer.plan) fields.push(['Plan', customer.plan]);
  for (const [k, v] of Object.entries(customer.attributes ?? {})) fields.push([k, displayValue(v, 200)]);
  return html`<section aria-labelledby="cust-h"><h2 id="cust-h">Customer</h2>
${fields.length === 0 ? html`<p class="muted">Nothing known.</p>` : html`<dl>${fields.map(([k, v]) => html`<dt>${k}</dt><dd>${v}</dd>`)}</dl>`}
</section>`;
}

function actions(props: { me: PageUser; id: string; detail: ConversationDetail }): Html {
  const { me, id, detail } = props;
  const closed = detail.conversation.status === 'closed';
  const mine = detail.assignee === me.user.id;
  return html`<section aria-labelledby="act-h" class="actions"><h2 id="act-h">Actions</h2>
${
  closed
    ? html`<p class="muted">Closed.</p>`
    : html`${
        mine
          ? ''
          : html`<form method="post" action="/inbox/c/${id}/take">${csrfField(me)}<button type="submit">Take it</button></form>`
      }
<form method="post" action="/inbox/c/${id}/reply" class="stack">${csrfField(me)}
  <label for="reply">Reply to the customer</label>
  <textarea id="reply" name="text" rows="4" maxlength="4000" required></textarea>
  <button type="submit">Send reply</button>
</form>
<form method="post" action="/inbox/c/${id}/note" class="stack">${csrfField(me)}
  <label for="note">Private note (people only)</label>
  <textarea id="note" name="text" rows="2" maxlength="4000" required></textarea>
  <button type="submit">Add note</button>
</form>
<form method="post" action="/inbox/c/${id}/hand-back" class="stack">${csrfField(me)}
  <label for="reason">Hand back to the bot: why</label>
  <input id="reason" name="reason" maxlength="500" required>
  <button type="submit">Hand back</button>
</form>
<form method="post" action="/inbox/c/${id}/close" class="inline">${csrfField(me)}
  <fieldset><legend>Close</legend>
  <button type="submit" name="resolved" value="yes">Resolved</button>
  <button type="submit" name="resolved" value="no">Unresolved</button>
  </fieldset>
</form>`
}
</section>`;
}

function turnJudgement(props: {
  me: PageUser;
  id: string;
  seq: number;
  intents: readonly string[];
  current: string | null;
}): Html {
  const field = `intent-${props.seq}`;
  return html`<form method="post" action="/inbox/c/${props.id}/judge" class="inline turn-judgement">${csrfField(props.me)}
  <input type="hidden" name="seq" value="${String(props.seq)}">
  <label for="${field}">Right intent</label>
  <select id="${field}" name="intent">
    ${props.intents.map((i) => html`<option value="${i}"${i === props.current ? raw(' selected') : ''}>${i}</option>`)}
    <option value="__none__">none of these</option>
  </select>
  <button type="submit">Correct</button>
</form>`;
}

function judgementSection(props: {
  me: PageUser;
  id: string;
  detail: ConversationDetail;
  names: ReadonlyMap<string, string>;
}): Html {
  const { me, id, detail } = props;
  return html`<section aria-labelledby="judge-h"><h2 id="judge-h">Judge the bot</h2>
<form method="post" action="/inbox/c/${id}/judge" class="stack">${csrfField(me)}
  <fieldset><legend>The bot handled it</legend>
    <label><input type="radio" name="verdict" value="right"> right</label>
    <label><input type="radio" name="verdict" value="wrong"> wrong</label>
  </fieldset>
  <label><input type="checkbox" name="couldHaveResolved" value="yes"> The bot could have resolved this</label>
  <label for="kb">Wrong or outdated article (title)</label>
  <input id="kb" name="kbArticle" maxlength="300">
  <button type="submit">Record</button>
</form>
${
  detail.judgements.length === 0
    ? ''
    : html`<ul class="judgements">${detail.judgements.map(
        (j) =>
          html`<li>${props.names.get(j.by) ?? 'someone'}, ${time(j.at)}: ${[
            j.verdict ? `handled ${j.verdict}` : '',
            j.couldHaveResolved ? 'could have resolved it' : '',
            j.intent !== undefined ? `message ${String(j.seq)} is ${j.intent ?? 'none of the intents'}` : '',
            j.kbArticle ? `article "${j.kbArticle}" is wrong` : '',
          ]
            .filter(Boolean)
            .join('; ')}</li>`,
      )}</ul>`
}
</section>`;
}

function notesSection(detail: ConversationDetail, names: ReadonlyMap<string, string>): Html {
  if (detail.notes.length === 0) return html``;
  return html`<section aria-labelledby="notes-h"><h2 id="notes-h">Notes</h2>
<ul class="notes">${detail.notes.map((n) => html`<li><span class="muted">${names.get(n.by) ?? 'someone'}, ${time(n.at)}</span><div class="text">${n.text}</div></li>`)}</ul>
</section>`;
}

function percent(value: number): string {
  return `${(value * 100).toFixed(1)}%`;
}

export function observedSection(observed: ObservedPrecision): Html {
  const figure =
    observed.precision === null
      ? 'No automated answer has been judged yet.'
      : `${observed.right} of ${observed.judged} automated answers judged right: ${percent(observed.precision)}` +
        (observed.interval
          ? ` (95% interval ${percent(observed.interval.low)} to ${percent(observed.interval.high)})`
          : '');
  const target = observed.target === null ? 'no active model' : `target ${percent(observed.target)}`;
  return html`<section aria-labelledby="observed-h" class="${observed.status === 'below_target' ? 'why' : ''}">
<h2 id="observed-h">Precision of automated answers, as agents judged them</h2>
<p>${figure}; ${target}.</p>
${
  observed.status === 'below_target'
    ? html`<p class="error" role="alert">Under the target: recalibrate the model for the traffic you see (switchboard nlu calibrate) or retrain it with these corrections.</p>`
    : observed.status === 'too_few'
      ? html`<p class="muted">Too few judged answers to say (a warning needs 20).</p>`
      : ''
}
${
  observed.byIntent.length === 0
    ? ''
    : html`<table><thead><tr><th scope="col">Intent</th><th scope="col">Judged</th><th scope="col">Right</th></tr></thead><tbody>
${observed.byIntent.map((i) => html`<tr><td>${i.intent}</td><td>${String(i.judged)}</td><td>${String(i.right)}</td></tr>`)}</tbody></table>`
}
</section>`;
}

export function correctionsPage(props: {
  me: PageUser;
  corrections: Correction[];
  names: ReadonlyMap<string, string>;
  observed: ObservedPrecision;
}): Html {
  return layout({
    title: 'Corrections',
    me: props.me,
    body: html`${observedSection(props.observed)}
<h1>Corrections from agents</h1>
<p class="muted">Each is a labelled example for retraining, with where it came from.</p>
${
  props.corrections.length === 0
    ? html`<p class="empty">No corrections yet.</p>`
    : html`<table><thead><tr><th scope="col">Message</th><th scope="col">Right intent</th><th scope="col">Conversation</th><th scope="col">By</th><th scope="col">When</th></tr></thead><tbody>
${props.corrections.map(
  (c) =>
    html`<tr><td>${c.text}</td><td>${c.label ?? 'none of these'}</td><td><a href="/inbox/c/${encodeURIComponent(c.conversationId)}">${c.conversationId}</a> #${String(c.seq)}</td><td>${props.names.get(c.by) ?? 'someone'}</td><td>${time(c.at)}</td></tr>`,
)}</tbody></table>`
}`,
  });
}

export function adminPage(props: {
  me: PageUser;
  users: StoredUser[];
  keys: Array<{ id: string; name: string; scopes: string[]; revokedAt: number | null }>;
  channels: Array<{ name: string; type: string; mode: string; webhookPath: string; undelivered: number }>;
  invitation?: string;
  error?: string;
}): Html {
  const { me } = props;
  return layout({
    title: 'People and keys',
    me,
    body: html`<h1>People</h1>
${props.error ? html`<p class="error" role="alert">${props.error}</p>` : ''}
${props.invitation ? html`<p class="done" role="status">Send this one-time link (valid 7 days): <code>${props.invitation}</code></p>` : ''}
<table><thead><tr><th scope="col">Email</th><th scope="col">Name</th><th scope="col">Role</th><th scope="col">State</th><th scope="col"></th></tr></thead><tbody>
${props.users.map(
  (
    u,
  ) => html`<tr><td>${u.email}</td><td>${u.name ?? ''}</td><td>${u.role}</td><td>${u.disabledAt !== null ? 'disabled' : u.passwordHash ? 'active' : 'invited'}</td>
<td>${
    u.id === me.user.id
      ? ''
      : html`<form method="post" action="/inbox/admin/users/${u.id}/${u.disabledAt !== null ? 'enable' : 'disable'}">${csrfField(me)}<button type="submit">${u.disabledAt !== null ? 'Enable' : 'Disable'}</button></form>`
  }</td></tr>`,
)}
</tbody></table>
<h2>Invite someone</h2>
<form method="post" action="/inbox/admin/users" class="stack">${csrfField(me)}
  <label for="new-email">Email</label><input id="new-email" name="email" type="email" required>
  <label for="new-name">Name</label><input id="new-name" name="name">
  <label for="new-role">Role</label>
  <select id="new-role" name="role"><option value="agent">agent</option><option value="lead">lead</option><option value="admin">admin</option></select>
  <button type="submit">Invite</button>
</form>
<h1>API keys</h1>
<p class="muted">Create and revoke keys with <code>switchboard keys</code>; a key is shown once.</p>
<table><thead><tr><th scope="col">Id</th><th scope="col">Name</th><th scope="col">Scopes</th><th scope="col">State</th></tr></thead><tbody>
${props.keys.map((k) => html`<tr><td><code>${k.id}</code></td><td>${k.name}</td><td>${k.scopes.join(', ')}</td><td>${k.revokedAt ? 'revoked' : 'active'}</td></tr>`)}
</tbody></table>
<h1>Channels</h1>
${
  props.channels.length === 0
    ? html`<p class="muted">No helpdesk channel is configured (docs/channels.md).</p>`
    : html`<table><thead><tr><th scope="col">Name</th><th scope="col">Type</th><th scope="col">Mode</th><th scope="col">Webhook</th><th scope="col">Undelivered</th></tr></thead><tbody>
${props.channels.map((c) => html`<tr><td>${c.name}</td><td>${c.type}</td><td>${c.mode}</td><td><code>POST ${c.webhookPath}</code></td><td>${String(c.undelivered)}</td></tr>`)}
</tbody></table>`
}`,
  });
}
