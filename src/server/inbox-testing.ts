/**
 * Test helpers of the inbox (not a test file): sign in through the real form and act as that person, with the
 * session cookie and the page's CSRF token, against an app served in process (`app.request`).
 */
type RequestApp = { request(path: string, init?: RequestInit): Response | Promise<Response> };

export const TEST_PASSWORD = 'a long enough passphrase';
const ORIGIN = 'http://localhost';

/** Posts the sign-in form as a browser on this site would. */
export function signIn(app: RequestApp, email: string, password = TEST_PASSWORD): Promise<Response> {
  return Promise.resolve(
    app.request('/inbox/login', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', origin: ORIGIN, host: 'localhost' },
      body: new URLSearchParams({ email, password }).toString(),
    }),
  );
}

/**
 * A signed-in person: `get` and `post` carry the session cookie; `post` adds the CSRF token read from the inbox
 * page unless told not to.
 *
 * @example
 * const ana = await inboxSession(app, 'agent@shop.example');
 * await ana.post('/inbox/c/c1/take');
 */
export async function inboxSession(app: RequestApp, email: string, password = TEST_PASSWORD) {
  const res = await signIn(app, email, password);
  const cookie = res.headers.get('set-cookie') ?? '';
  const token = /sb_session=([^;]+)/.exec(cookie)?.[1] ?? '';
  const get = (path: string) =>
    Promise.resolve(app.request(path, { headers: { cookie: `sb_session=${token}`, host: 'localhost' } }));
  const csrf = /name="_csrf" value="([^"]+)"/.exec(await (await get('/inbox')).text())?.[1] ?? '';
  const post = (path: string, fields: Record<string, string> = {}, withCsrf = true) =>
    Promise.resolve(
      app.request(path, {
        method: 'POST',
        headers: {
          cookie: `sb_session=${token}`,
          'content-type': 'application/x-www-form-urlencoded',
          origin: ORIGIN,
          host: 'localhost',
        },
        body: new URLSearchParams({ ...fields, ...(withCsrf ? { _csrf: csrf } : {}) }).toString(),
      }),
    );
  return { cookie, token, csrf, get, post };
}
