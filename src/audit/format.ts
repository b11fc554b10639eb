/** Small formatters shared by the report writers. */
export function duration(seconds: number | null): string {
  if (seconds === null) return '-';
  if (seconds < 60) return `${Math.round(seconds)} s`;
  if (seconds < 3600) return `${(seconds / 60).toFixed(1)} min`;
  if (seconds < 86_400) return `${(seconds / 3600).toFixed(1)} h`;
  return `${(seconds / 86_400).toFixed(1)} d`;
}

export function percent(share: number | null): string {
  return share === null ? '-' : `${Math.round(share * 1000) / 10}%`;
}

/** Escapes text for HTML element content and attribute values. */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** Escapes text for a Markdown table cell: Markdown and inline HTML (src/shared/markdown.ts). */
export { markdownCell as mdCell } from '../shared/markdown.ts';

/** Agent-started tickets, said the same way in every report. */
export function agentStartedNote(agentStarted: number): string {
  return `Agent-started tickets: ${agentStarted} (a logged call, an outbound message): no first response until the customer writes; those never answered are left out of the first-response figures.`;
}

/**
 * A category as words: labels lose their underscores and dashes ("password_reset" -> "Password reset"); topic
 * names, already phrases, only get a capital.
 */
export function categoryTitle(name: string): string {
  const words = /^[\w-]+$/.test(name) && /[_-]/.test(name) ? name.replace(/[_-]+/g, ' ').trim() : name;
  return words.charAt(0).toUpperCase() + words.slice(1);
}

/** A sum of money with thousands separators: "USD 12,340". */
export function money(amount: number, currency: string): string {
  return `${currency} ${Math.round(amount).toLocaleString('en-US')}`;
}
