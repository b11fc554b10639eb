/**
 * Redaction of personal data in customer text, for every text that leaves the store in a report or export.
 *
 * Detectors, each as strict as the data allows so that order numbers and dates survive:
 * - `card`: 13 to 19 digits (spaces or dashes allowed) passing the Luhn check; the last four are kept.
 * - `cvv`: 3 or 4 digits right after a card, or after "cvv", "cvc", "cv2" or "security code".
 * - `nationalId`: a US SSN (`123-45-6789`, with the area, group and serial rules) or a UK National Insurance
 *   number (`AB 12 34 56 C`, with the prefix rules).
 * - `email`: an address with a dotted domain.
 * - `phone`: a number with a leading `+` or with separators, of 9 to 15 digits (8-digit dates are left alone).
 *
 * @example
 * redact('card 4111 1111 1111 1111 cvv 123, mail me at ann@example.com');
 * // 'card [card ending 1111] cvv [cvv], mail me at [email]'
 * redact('card 4111 1111 1111 1111 cvv 123', { kinds: PAYMENT_KINDS });
 */
export type RedactionKind = 'card' | 'cvv' | 'nationalId' | 'email' | 'phone';

export const ALL_KINDS: readonly RedactionKind[] = ['card', 'cvv', 'nationalId', 'email', 'phone'];
/** What is masked before customer text is stored: the card data no one may keep. */
export const PAYMENT_KINDS: readonly RedactionKind[] = ['card', 'cvv'];

export interface RedactOptions {
  kinds?: readonly RedactionKind[];
}

/** The Luhn check digit test over a string of digits. */
export function luhnValid(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

const CARD = /(?<![\w#/-])\d(?:[ -]?\d){12,18}(?![\w/-])/g;
const CVV_AFTER_CARD =
  /^(\s*[,;/]?\s*(?:(?:exp(?:iry|ires)?|expiration)?\s*:?\s*\d{1,2}\s*\/\s*\d{2,4}\s*[,;]?\s*)?)(\d{3,4})(?!\w)/;
const CVV_WORD = /\b(cvv2?|cvc2?|cv2|security code)(\s*(?:is|:|=|#|-)?\s*)\d{3,4}(?!\w)/gi;
const SSN = /(?<![\w-])(\d{3})[- ](\d{2})[- ](\d{4})(?![\w-])/g;
const UK_NI =
  /(?<![\w])([A-CEGHJ-PR-TW-Z][A-CEGHJ-NPR-TW-Z])\s?(\d{2})\s?(\d{2})\s?(\d{2})\s?([A-D])(?![\w])/gi;
const EMAIL = /[\w.+'-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/g;
const PHONE = /(?<![\w#/.-])(?:\+\d[\d ().-]{7,20}\d|\(?\d{2,5}\)?[ .-]\d[\d ().-]{5,18}\d)(?![\w/-])/g;

/** The longest run of whole groups at the start of `run` that is a card ("4111 ... 1111 123" -> the card). */
function cardPrefix(run: string): string | null {
  let candidate = run;
  for (;;) {
    const digits = candidate.replace(/\D/g, '');
    if (digits.length < 13) return null;
    if (digits.length <= 19 && luhnValid(digits)) return candidate;
    const cut = candidate.search(/[ -]\d+$/);
    if (cut < 0) return null;
    candidate = candidate.slice(0, cut);
  }
}

function replaceCards(text: string, withCvv: boolean): string {
  let out = '';
  let last = 0;
  for (const m of text.matchAll(CARD)) {
    const start = m.index ?? 0;
    if (start < last) continue;
    const card = cardPrefix(m[0]);
    if (card === null) continue;
    const digits = card.replace(/\D/g, '');
    out += `${text.slice(last, start)}[card ending ${digits.slice(-4)}]`;
    last = start + card.length;
    if (withCvv) {
      const cvv = CVV_AFTER_CARD.exec(text.slice(last));
      if (cvv) {
        out += `${cvv[1]}[cvv]`;
        last += cvv[0].length;
      }
    }
  }
  return out + text.slice(last);
}

function ssnValid(area: string, group: string, serial: string): boolean {
  return area !== '000' && area !== '666' && area[0] !== '9' && group !== '00' && serial !== '0000';
}

const NI_BAD_PREFIXES = new Set(['BG', 'GB', 'NK', 'KN', 'TN', 'NT', 'ZZ']);

/** Masks the personal data in `text` (every kind unless `kinds` says which). */
export function redact(text: string, options: RedactOptions = {}): string {
  const kinds = new Set(options.kinds ?? ALL_KINDS);
  let s = text;
  if (kinds.has('card')) s = replaceCards(s, kinds.has('cvv'));
  if (kinds.has('cvv')) s = s.replace(CVV_WORD, (_m, word: string, sep: string) => `${word}${sep}[cvv]`);
  if (kinds.has('nationalId')) {
    s = s.replace(SSN, (m, a: string, g: string, n: string) => (ssnValid(a, g, n) ? '[national id]' : m));
    s = s.replace(UK_NI, (m, p: string) => (NI_BAD_PREFIXES.has(p.toUpperCase()) ? m : '[national id]'));
  }
  if (kinds.has('email')) s = s.replace(EMAIL, '[email]');
  if (kinds.has('phone')) {
    s = s.replace(PHONE, (m) => {
      const digits = m.replace(/\D/g, '').length;
      return digits >= 9 && digits <= 15 ? '[phone]' : m;
    });
  }
  return s;
}

/** A redactor for reports: `redact` when on, the identity when the setting turns it off. */
export function textRedactor(on: boolean): (text: string) => string {
  return on ? (text) => redact(text) : (text) => text;
}
