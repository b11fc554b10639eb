/** Cells a spreadsheet would run as a formula: they start with =, +, -, @, a tab or a carriage return. */
const FORMULA_START = /^[=+\-@\t\r]/;
/** A plain number ("-12.5") is data, not a formula: it stays a number in the spreadsheet. */
const PLAIN_NUMBER = /^[+-]?\d+(?:\.\d+)?$/;

/**
 * One CSV field for a file people open in a spreadsheet: a text that would start a formula is prefixed with a
 * single quote (OWASP's advice against CSV injection), then quoted per RFC 4180 when it holds a comma, quote,
 * CR or LF, quotes doubled. Numbers are written as they are.
 *
 * @example
 * csvField('=HYPERLINK("http://x")'); // '"\'=HYPERLINK(""http://x"")"'
 * csvField(-3); // '-3'
 */
export function csvField(value: string | number): string {
  let s = String(value);
  if (typeof value === 'string' && FORMULA_START.test(s) && !PLAIN_NUMBER.test(s)) s = `'${s}`;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}
