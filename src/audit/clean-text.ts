/**
 * What a reader of the report needs from a customer's message: the request, without the greeting, the sign-off,
 * the name under it or what the customer wrote later in the thread.
 */

// A line that opens a message: "Hi,", "Dear customer service,", "To whom it may concern," "I hope you are well."
const GREETING =
  /^(hi|hello|hey|dear|good (morning|afternoon|evening)|greetings|to whom it may concern|i hope (you are|you're|this finds you) well)\b[^.!?\n]{0,40}[,.!:]?$/i;
// A line that closes one: "Thanks,", "Many thanks for your help!", "Kind regards", "Looking forward to hearing from you."
const CLOSING =
  /^(thanks|thank you|thx|many thanks|cheers|regards|kind regards|best regards|best wishes|best|sincerely|yours( sincerely| truly)?|appreciate (it|your help)|looking forward to (hearing from you|your reply)|sent from my \w+)\b[^\n]{0,40}$/i;
// The start of a quoted earlier message in an email reply.
const QUOTED = /^(>|on .{4,80} wrote:$|-{2,} ?original message)/i;

/**
 * The subject and the first customer message, greeting and sign-off removed, on one line: "Where is my order?
 * - My tracking number doesn't show anything." The subject is left out when the message repeats it or it is
 * a bare greeting ("Hello", "Question").
 *
 * @example
 * cleanCustomerText('Where is my order?', 'Hi,\n\nMy parcel has not come.\n\nThanks,\nVictor'); // 'Where is my order? - My parcel has not come.'
 */
export function cleanCustomerText(subject: string | null, firstMessage: string): string {
  const lines = firstMessage.split(/\r?\n/).map((l) => l.trim());
  const kept: string[] = [];
  for (const line of lines) {
    if (QUOTED.test(line)) break;
    if (CLOSING.test(line)) break;
    if (!kept.length && (line === '' || GREETING.test(line))) continue;
    kept.push(line);
  }
  // A name (one or two capitalised words) left at the end after the message's last sentence.
  while (kept.length && (kept.at(-1) === '' || /^[A-Z][a-z]+( [A-Z][a-z]+)?[.,]?$/.test(kept.at(-1)!)))
    kept.pop();
  const body = kept.filter(Boolean).join(' ').replace(/\s+/g, ' ').trim();
  const s = (subject ?? '').replace(/\s+/g, ' ').trim();
  const useful =
    s.length > 0 && !GREETING.test(s) && !/^(question|help|request|issue|problem|support)$/i.test(s);
  if (!useful || body.toLowerCase().startsWith(s.toLowerCase())) return body || s;
  return body ? `${s} - ${body}` : s;
}

// "DM us", "send us a direct message", "please message us privately", "follow and DM", "meet me back in DM".
const PRIVATE =
  /\b(dms?|d\.m\.?|direct message|private message|pm us|message us privately|via (dm|private|direct)|in (dm|private))\b/i;

/**
 * The reply moves the conversation to a private channel: on social media the answer, the customer's details
 * and the end of the thread then happen where the export cannot see them.
 */
export function movesToPrivate(reply: string): boolean {
  return PRIVATE.test(reply);
}

/** Words in a text, not counting @handles and links. */
export function wordCount(text: string): number {
  return text
    .replace(/(^|\s)@\w+/g, ' ')
    .replace(/https?:\/\/\S+/g, ' ')
    .split(/\s+/)
    .filter((w) => /\w/.test(w)).length;
}
