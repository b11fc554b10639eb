import { describe, expect, it } from 'vitest';
import { scrubSecrets } from './scrub-secrets.ts';

describe('scrubSecrets', () => {
  it('replaces configured secrets anywhere and the values of authorization-like keys', () => {
    const value = {
      echo: { headers: { Authorization: 'Bearer t0k3n', 'Set-Cookie': ['sid=abc'], Accept: 'json' } },
      note: 'used t0k3n twice: t0k3n',
      access_token: 'other',
      list: [1, null, 't0k3n'],
    };
    expect(scrubSecrets(value, ['t0k3n', 'Bearer t0k3n', 'x'])).toEqual({
      echo: { headers: { Authorization: '[secret]', 'Set-Cookie': ['[secret]'], Accept: 'json' } },
      note: 'used [secret] twice: [secret]',
      access_token: '[secret]',
      list: [1, null, '[secret]'],
    });
  });

  it('leaves a result without secrets as it was', () => {
    const value = { order: { number: 'SB-1', status: 'shipped' }, items: [{ sku: 'a' }] };
    expect(scrubSecrets(value, ['t0k3n'])).toEqual(value);
  });
});
