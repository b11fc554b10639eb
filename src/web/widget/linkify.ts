/** A run of message text: plain, or an http(s) link to render as an anchor. */
export type TextPart = { kind: 'text'; text: string } | { kind: 'link'; text: string; href: string };

const CANDIDATE = /\bhttps?:\/\/[^\s<>"'`]+/gi;
const TRAILING = /[.,;:!?'"*_~\]}>]$/;

/** Trims what usually ends a sentence rather than a URL: punctuation, and a `)` that opened outside it. */
function trimUrl(candidate: string): string {
  let url = candidate;
  for (;;) {
    if (TRAILING.test(url)) url = url.slice(0, -1);
    else if (url.endsWith(')') && (url.match(/\(/g)?.length ?? 0) < (url.match(/\)/g)?.length ?? 0)) {
      url = url.slice(0, -1);
    } else return url;
  }
}

/**
 * Splits untrusted text into text and http(s) links. Only absolute http: and https: URLs that the URL parser
 * accepts become links; everything else (javascript:, data:, bare domains) stays text.
 *
 * @example
 * linkify('Track it at https://track.example/SB-1. Thanks');
 * // [{ kind: 'text', text: 'Track it at ' },
 * //  { kind: 'link', text: 'https://track.example/SB-1', href: 'https://track.example/SB-1' },
 * //  { kind: 'text', text: '. Thanks' }]
 */
export function linkify(text: string): TextPart[] {
  const parts: TextPart[] = [];
  let last = 0;
  const push = (t: string) => {
    if (t === '') return;
    const prev = parts[parts.length - 1];
    if (prev?.kind === 'text') prev.text += t;
    else parts.push({ kind: 'text', text: t });
  };
  for (const match of text.matchAll(CANDIDATE)) {
    const start = match.index ?? 0;
    const url = trimUrl(match[0]);
    let href: string | undefined;
    try {
      const parsed = new URL(url);
      if ((parsed.protocol === 'http:' || parsed.protocol === 'https:') && parsed.hostname)
        href = parsed.href;
    } catch {
      href = undefined;
    }
    if (!href) continue;
    push(text.slice(last, start));
    parts.push({ kind: 'link', text: url, href });
    last = start + url.length;
  }
  push(text.slice(last));
  return parts;
}
