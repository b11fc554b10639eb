/** The number in a money entity ("$1,250.00", "40 euros", "EUR 12,5"), or null. */
export function moneyAmount(value: string): number | null {
  const m = /\d[\d,\s]*(?:[.,]\d{1,2})?/.exec(value);
  if (!m) return null;
  let digits = m[0].trim().replace(/\s/g, '');
  // "12,50" is a decimal comma; "1,250" a thousands separator.
  digits = /,\d{1,2}$/.test(digits)
    ? digits.replace(/,(\d{1,2})$/, '.$1').replace(/,/g, '')
    : digits.replace(/,/g, '');
  const n = Number(digits);
  return Number.isFinite(n) ? n : null;
}
