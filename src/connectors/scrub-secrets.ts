/** Header and field names whose values are credentials, whatever connector sends them back. */
const SECRET_KEY =
  /^(?:proxy-)?authori[sz]ation$|^(?:set-)?cookie$|^x-api-key$|^api[-_]?key$|^x-auth-token$|^(?:access|refresh|api|auth)[-_]?token$|^password$|^secret$|^client[-_]?secret$/i;

export const SECRET_MARK = '[secret]';

/** Secrets shorter than this are not searched for inside longer texts: a one-letter token would mark everything. */
const MIN_SECRET_CHARS = 4;

/**
 * A connector result with every configured secret taken out before it is stored or shown: strings equal to a
 * secret, or holding one, have it replaced by `[secret]`, and the values of authorization-like keys
 * (`authorization`, `cookie`, `x-api-key`, `access_token`...) become `[secret]` whatever they hold.
 *
 * @example
 * scrubSecrets({ echo: { headers: { Authorization: 'Bearer t0k3n' } }, note: 'used t0k3n' }, ['t0k3n']);
 * // { echo: { headers: { Authorization: '[secret]' } }, note: 'used [secret]' }
 */
export function scrubSecrets<T>(value: T, secrets: readonly string[]): T {
  const known = [...new Set(secrets.filter((s) => s.length >= MIN_SECRET_CHARS))].sort(
    (a, b) => b.length - a.length,
  );
  const text = (s: string): string => known.reduce((out, secret) => out.split(secret).join(SECRET_MARK), s);
  const walk = (v: unknown, secretKey: boolean): unknown => {
    if (typeof v === 'string') return secretKey ? SECRET_MARK : text(v);
    if (Array.isArray(v)) return v.map((x) => walk(x, secretKey));
    if (v !== null && typeof v === 'object') {
      return Object.fromEntries(
        Object.entries(v).map(([k, x]) => [text(k), walk(x, secretKey || SECRET_KEY.test(k))]),
      );
    }
    return v;
  };
  return walk(value, false) as T;
}
