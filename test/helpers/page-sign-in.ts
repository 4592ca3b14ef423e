import { createHash, randomBytes } from 'node:crypto';
import { expect } from 'vitest';
import { signIn } from './sign-in.js';

/** A PKCE pair as the meeting page makes one (S256). */
export function s256Pair(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

/**
 * Signs `userId` (of `tenant`) in to the meeting page of `meetingNo` the way the browser does: the
 * sign-in page, the page's sign-in link, the consent page's form post, the redirect back to the page, and the page's code exchange.
 * Returns the page credential (`POST /j/:no/token`).
 */
export async function meetingPageCredential(baseUrl: string, meetingNo: string, userId: string, tenant = 'acme'): Promise<string> {
  const { verifier, challenge } = s256Pair();
  const session = await signIn(baseUrl, tenant, userId);
  const start = await fetch(`${baseUrl}/j/${meetingNo}/signin?state=st&code_challenge=${challenge}`, { redirect: 'manual' });
  expect(start.status).toBe(302);
  const authorize = new URL(start.headers.get('location')!);
  const form = new URLSearchParams({ ...Object.fromEntries(authorize.searchParams), action: 'allow' });
  const allowed = await fetch(`${baseUrl}/open-apis/authen/v1/authorize`, { method: 'POST', body: form, redirect: 'manual', headers: { cookie: session } });
  expect(allowed.status).toBe(302);
  const back = new URL(allowed.headers.get('location')!);
  expect(back.origin + back.pathname).toBe(`${baseUrl}/j/${meetingNo}`);
  const res = await fetch(`${baseUrl}/j/${meetingNo}/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ code: back.searchParams.get('code'), code_verifier: verifier }),
  });
  const body = (await res.json()) as { code: number; access_token: string };
  expect(body.code).toBe(0);
  return body.access_token;
}
