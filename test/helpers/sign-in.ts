import { FIXTURE_PASSWORD } from './fixture.js';

/** The sign-in form post, as the page sends it. */
export function postSignIn(baseUrl: string, fields: Record<string, string>, cookie?: string): Promise<Response> {
  return fetch(`${baseUrl}/signin`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...(cookie ? { cookie } : {}) },
    body: new URLSearchParams(fields).toString(),
    redirect: 'manual',
  });
}

/** Signs `login` in to `tenant` through the sign-in page; returns the session cookie (`name=value`). */
export async function signIn(baseUrl: string, tenant: string, login: string, password = FIXTURE_PASSWORD): Promise<string> {
  const res = await postSignIn(baseUrl, { tenant, login, password, next: '' });
  if (res.status !== 303) throw new Error(`sign-in of ${login} (${tenant}) answered ${res.status}: ${(await res.text()).slice(0, 500)}`);
  const cookie = res.headers.getSetCookie().find((c) => c.startsWith('openvc_session='));
  if (!cookie) throw new Error('sign-in set no session cookie');
  return cookie.split(';')[0]!;
}
