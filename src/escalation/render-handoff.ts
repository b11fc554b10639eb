import { escapeMarkdown, markdownCell } from '../shared/markdown.ts';
import type { HandoffLine, HandoffPacket } from './handoff-packet.ts';
import { displayValue } from './summarise-value.ts';

/** A helpdesk internal note stays under this many characters (Zendesk and Freshdesk show ~4,000 comfortably). */
export const NOTE_MAX_CHARS = 4000;
/** One transcript line in the note is cut to this many characters. */
const NOTE_LINE_CHARS = 500;

const ROLE: Record<HandoffLine['role'], string> = {
  customer: 'Customer',
  bot: 'Bot',
  agent: 'Agent',
  system: 'System',
};

/**
 * The packet as Markdown, for a chat surface or a file. Customer text is escaped for Markdown (backslash
 * escapes, so `<script>` stays text in any renderer that allows inline HTML).
 */
export function renderHandoffMarkdown(packet: HandoffPacket): string {
  const e = packet.escalation;
  const out: string[] = [
    `# Handoff: conversation ${md(packet.conversationId)}`,
    '',
    `**${md(e.code)}**, ${md(e.priority)} priority, queue ${md(e.queue)}, ${dateTime(packet.createdAt)}`,
    '',
    `**Reason:** ${md(e.reason)}`,
  ];
  if (e.workflowReason) out.push('', `**Workflow reason:** ${md(e.workflowReason)}`);
  out.push('', '## Suggested next step', '', md(packet.suggestedNextStep), '', '## Customer', '');
  out.push(...customerFields(packet).map(([k, v]) => `- ${k}: ${md(v)}`));
  out.push('', `**Intent:** ${md(packet.intent ?? 'none recognised')}`);

  const w = packet.workflow;
  if (w) {
    out.push(
      '',
      '## Workflow',
      '',
      `${md(w.id)} version ${md(String(w.version))}: ${md(w.status)}${stepText(w.stepId, md)}.`,
    );
    out.push('', '### Steps tried', '');
    if (w.steps.length === 0) out.push('None.');
    else {
      out.push('| # | Step | Type | Outcome | At |', '| --- | --- | --- | --- | --- |');
      w.steps.forEach((s, i) => {
        const name = s.title ? `${s.stepId} (${s.title})` : s.stepId;
        out.push(
          `| ${i + 1} | ${cell(name)} | ${cell(s.type)} | ${cell(s.outcome)} | ${time(s.at, packet.createdAt)} |`,
        );
      });
    }
    out.push('', '### Slots collected', '');
    const slots = Object.entries(w.slots);
    if (slots.length === 0) out.push('None.');
    else {
      out.push('| Slot | Value |', '| --- | --- |');
      for (const [name, value] of slots) out.push(`| ${cell(name)} | ${cell(displayValue(value, 300))} |`);
    }
    out.push('', '### Connector results', '');
    if (w.calls.length === 0) out.push('None.');
    else {
      out.push(
        '| Connector | Operation | Result | Input | Output or error |',
        '| --- | --- | --- | --- | --- |',
      );
      for (const c of w.calls) {
        out.push(
          `| ${cell(c.connector)} | ${cell(c.operation)} | ${callResult(c.ok)} | ${cell(c.input)} | ${cell(c.error ?? c.output ?? '')} |`,
        );
      }
    }
  }

  out.push('', `## Transcript (${packet.transcript.length} lines)`, '');
  for (const line of packet.transcript) {
    const note = line.turn ? ` _(${md(turnText(line.turn))})_` : '';
    out.push(`- **${md(who(line))}** ${time(line.at, packet.createdAt)}${note}: ${md(line.text)}`);
  }
  return `${out.join('\n')}\n`;
}

/**
 * The packet as HTML: a fragment (an `<article>` with its own scoped styles) for embedding, or a whole page
 * with `{ page: true }`. Self-contained: no script, image, font or link is loaded. Every string from the packet
 * is escaped, in text and in attributes.
 */
export function renderHandoffHtml(packet: HandoffPacket, options: { page?: boolean } = {}): string {
  const e = packet.escalation;
  const parts: string[] = [
    `<article class="sb-handoff">`,
    `<style>${STYLE}</style>`,
    `<h1>Handoff: conversation ${h(packet.conversationId)}</h1>`,
    `<p class="sb-meta"><span class="sb-code">${h(e.code)}</span> ${h(e.priority)} priority, queue ${h(e.queue)}, ${h(dateTime(packet.createdAt))}</p>`,
    `<p><strong>Reason:</strong> ${h(e.reason)}</p>`,
  ];
  if (e.workflowReason) parts.push(`<p><strong>Workflow reason:</strong> ${h(e.workflowReason)}</p>`);
  parts.push(
    `<h2>Suggested next step</h2>`,
    `<p class="sb-next">${h(packet.suggestedNextStep)}</p>`,
    `<h2>Customer</h2>`,
    `<dl>${customerFields(packet)
      .map(([k, v]) => `<dt>${h(k)}</dt><dd>${h(v)}</dd>`)
      .join('')}</dl>`,
    `<p><strong>Intent:</strong> ${h(packet.intent ?? 'none recognised')}</p>`,
  );

  const w = packet.workflow;
  if (w) {
    parts.push(
      `<h2>Workflow</h2>`,
      `<p>${h(w.id)} version ${h(String(w.version))}: ${h(w.status)}${stepText(w.stepId, h)}.</p>`,
      `<h3>Steps tried</h3>`,
      table(
        ['#', 'Step', 'Type', 'Outcome', 'At'],
        w.steps.map((s, i) => [
          String(i + 1),
          s.title ? `${s.stepId} (${s.title})` : s.stepId,
          s.type,
          s.outcome,
          time(s.at, packet.createdAt),
        ]),
      ),
      `<h3>Slots collected</h3>`,
      table(
        ['Slot', 'Value'],
        Object.entries(w.slots).map(([name, value]) => [name, displayValue(value, 300)]),
      ),
      `<h3>Connector results</h3>`,
      table(
        ['Connector', 'Operation', 'Result', 'Input', 'Output or error'],
        w.calls.map((c) => [c.connector, c.operation, callResult(c.ok), c.input, c.error ?? c.output ?? '']),
      ),
    );
  }

  parts.push(`<h2>Transcript (${packet.transcript.length} lines)</h2>`, `<ol class="sb-transcript">`);
  for (const line of packet.transcript) {
    const note = line.turn ? ` <span class="sb-nlu">${h(turnText(line.turn))}</span>` : '';
    parts.push(
      `<li class="sb-${h(line.role)}"><span class="sb-who">${h(who(line))}</span> <time>${h(time(line.at, packet.createdAt))}</time>${note}<div class="sb-text">${h(line.text)}</div></li>`,
    );
  }
  parts.push(`</ol>`, `</article>`);
  const fragment = parts.join('\n');
  if (!options.page) return fragment;
  return `<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><title>Handoff ${h(packet.conversationId)}</title></head>\n<body>\n${fragment}\n</body></html>\n`;
}

/**
 * The packet as plain text for a helpdesk internal note, under NOTE_MAX_CHARS: the escalation, next step,
 * customer, workflow and as much transcript as fits, cut from the middle (the opening request and the last
 * turns matter most) with a line saying how much was left out. Send it as the note's plain `body`, never as
 * HTML: customer text is not escaped here.
 */
export function renderHandoffNote(packet: HandoffPacket): string {
  const e = packet.escalation;
  const head: string[] = [
    `Handoff from automation: ${e.code} (${e.priority} priority, queue ${e.queue}), ${dateTime(packet.createdAt)}`,
    `Reason: ${e.reason}`,
  ];
  if (e.workflowReason) head.push(`Workflow reason: ${e.workflowReason}`);
  head.push(`Next step: ${packet.suggestedNextStep}`);
  head.push(
    `Customer: ${customerFields(packet)
      .map(([k, v]) => `${k.toLowerCase()} ${v}`)
      .join('; ')}`,
  );
  head.push(`Intent: ${packet.intent ?? 'none recognised'}`);
  const w = packet.workflow;
  if (w) {
    head.push(`Workflow: ${w.id} v${w.version}, ${w.status}${stepText(w.stepId, (s) => s)}`);
    const steps = w.steps.slice(-20).map((s) => `${s.stepId} ${s.outcome}`);
    if (w.steps.length > 20) steps.unshift(`(${w.steps.length - 20} earlier)`);
    if (steps.length > 0) head.push(`Steps: ${steps.join(' > ')}`);
    const slots = Object.entries(w.slots).map(([k, v]) => `${k} = ${displayValue(v, 120)}`);
    head.push(`Slots: ${slots.length > 0 ? slots.join('; ') : 'none'}`);
    for (const c of w.calls.slice(-5)) {
      const result =
        c.ok === false ? `failed: ${c.error ?? 'no answer'}` : `${callResult(c.ok)}: ${c.output ?? ''}`;
      head.push(`Call: ${c.connector} ${c.operation} ${displayValue(`${c.input} -> ${result}`, 300)}`);
    }
  }
  head.push('', `Transcript (${packet.transcript.length} lines):`);
  const headText = head.join('\n');

  const lines = packet.transcript.map((line) => {
    const note = line.turn ? ` [${turnText(line.turn)}]` : '';
    return `${time(line.at, packet.createdAt)} ${who(line)}${note}: ${displayValue(line.text.replace(/\s*\n\s*/g, ' / '), NOTE_LINE_CHARS)}`;
  });
  const budget = NOTE_MAX_CHARS - headText.length - 1;
  const total = lines.reduce((n, l) => n + l.length + 1, 0);
  let body: string[];
  if (total <= budget) body = lines;
  else {
    // Room for the line that says what was left out, then lines from both ends, alternately, while they fit.
    let room = budget - 120;
    const first: string[] = [];
    const last: string[] = [];
    let i = 0;
    let j = lines.length - 1;
    let fromStart = true;
    while (i <= j) {
      const line = (fromStart ? lines[i] : lines[j]) as string;
      if (line.length + 1 > room) break;
      room -= line.length + 1;
      if (fromStart) first.push(lines[i++] as string);
      else last.unshift(lines[j--] as string);
      fromStart = !fromStart;
    }
    const omitted = lines.length - first.length - last.length;
    body = [
      ...first,
      `[... ${omitted} line${omitted === 1 ? '' : 's'} left out from the middle to fit the note; the full transcript is in the handoff packet ...]`,
      ...last,
    ];
  }
  const note = `${headText}\n${body.join('\n')}`;
  // Only a packet whose header alone is too long gets here (hundreds of slots, say): cut it and say so.
  return note.length <= NOTE_MAX_CHARS
    ? note
    : `${note.slice(0, NOTE_MAX_CHARS - 40)}\n[... note cut to fit ...]`;
}

/** The role's label; a packet read back from storage is escaped as it is, whatever it holds. */
const who = (line: HandoffLine) => ROLE[line.role] ?? String(line.role);

function customerFields(packet: HandoffPacket): [string, string][] {
  const c = packet.customer;
  const fields: [string, string][] = [];
  if (c.name) fields.push(['Name', c.name]);
  if (c.email) fields.push(['Email', c.email]);
  if (c.plan) fields.push(['Plan', c.plan]);
  if (c.segment) fields.push(['Segment', c.segment]);
  if (c.id) fields.push(['Id', c.id]);
  for (const [k, v] of Object.entries(c.attributes)) fields.push([k, displayValue(v, 120)]);
  if (fields.length === 0) fields.push(['Name', 'unknown']);
  return fields;
}

function turnText(turn: NonNullable<HandoffLine['turn']>): string {
  const intent = turn.intent ? `${turn.intent} ${turn.confidence.toFixed(2)}` : 'no intent';
  const parts = [
    turn.reason === 'accepted' ? intent : `${turn.reason.replace(/_/g, ' ')}: ${intent}`,
    turn.sentiment,
  ];
  if (turn.humanRequested) parts.push('asked for a person');
  if (turn.exclusions.length > 0) parts.push(`exclusion ${turn.exclusions.join(', ')}`);
  return parts.join(', ');
}

const callResult = (ok: boolean | null) => (ok === null ? 'no result' : ok ? 'ok' : 'failed');

function stepText(stepId: string | null, esc: (s: string) => string): string {
  return stepId ? ` at step ${esc(stepId)}` : '';
}

/** `2026-11-27 10:02:11 UTC`. */
function dateTime(at: number): string {
  return `${new Date(at).toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

/** The time of day, with the date only when it differs from the packet's day. */
function time(at: number, reference: number): string {
  const iso = new Date(at).toISOString();
  return iso.slice(0, 10) === new Date(reference).toISOString().slice(0, 10)
    ? iso.slice(11, 19)
    : `${iso.slice(0, 10)} ${iso.slice(11, 19)}`;
}

/** Escapes text for HTML element content and (quoted or not) attribute values. */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"'`=]/g, (c) => `&#${c.charCodeAt(0)};`);
}
const h = escapeHtml;

function table(head: string[], rows: string[][]): string {
  if (rows.length === 0) return '<p>None.</p>';
  const th = head.map((x) => `<th>${h(x)}</th>`).join('');
  const body = rows.map((r) => `<tr>${r.map((x) => `<td>${h(x)}</td>`).join('')}</tr>`).join('\n');
  return `<table><thead><tr>${th}</tr></thead><tbody>\n${body}\n</tbody></table>`;
}

export { escapeMarkdown };

const md = escapeMarkdown;
const cell = markdownCell;

const STYLE = [
  '.sb-handoff{font:14px/1.45 system-ui,sans-serif;color:#222;max-width:900px}',
  '.sb-handoff table{border-collapse:collapse;width:100%;font-size:13px}',
  '.sb-handoff th,.sb-handoff td{border-bottom:1px solid #ddd;padding:3px 6px;text-align:left;vertical-align:top}',
  '.sb-handoff .sb-code{background:#c62828;color:#fff;padding:1px 6px;border-radius:8px}',
  '.sb-handoff .sb-next{background:#fff8e1;padding:.5rem;border-left:4px solid #f9a825}',
  '.sb-handoff dl{display:grid;grid-template-columns:max-content 1fr;gap:2px 12px}.sb-handoff dd{margin:0}',
  '.sb-handoff .sb-transcript li{margin:.4rem 0}.sb-handoff .sb-who{font-weight:600}',
  '.sb-handoff .sb-nlu{color:#666;font-size:12px}.sb-handoff .sb-text{white-space:pre-wrap}',
  '.sb-handoff .sb-customer .sb-who{color:#1565c0}',
].join('');
