import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import * as lark from '@larksuiteoapi/node-sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './helpers/server.js';
import { FIXTURE_PASSWORD, fixture, fixtureSeed } from './helpers/fixture.js';
import { postSignIn, signIn } from './helpers/sign-in.js';
import { parseSeed, SeedError } from '../src/domain/seed.js';
import { hashToken } from '../src/domain/auth/tokens.js';
import { runMaintenance } from '../src/jobs/maintenance.js';
import pino from 'pino';
import { cliArgv } from './helpers/cli.js';

const AUTHORIZE = '/open-apis/authen/v1/authorize';
const REDIRECT = 'https://client.test/callback';

/** Runs the CLI as an operator would, with `input` on its stdin. */
function openvc(args: string[], input = ''): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, cliArgv(...args), { env: { ...process.env, OPENVC_LOG_LEVEL: 'silent' }, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(input);
  });
}

const consentUrl = (appId: string, extra: Record<string, string> = {}) =>
  `${AUTHORIZE}?${new URLSearchParams({ client_id: appId, response_type: 'code', redirect_uri: REDIRECT, state: 'st', ...extra })}`;

describe('sign-in with a password', { timeout: 300_000 }, () => {
  let s: TestServer;
  const sessionRows = async () => s.runtime.store.db.selectFrom('sign_in_sessions').selectAll().execute();

  beforeAll(async () => {
    s = await startTestServer({ config: { signInSessionTtl: 3600 } });
  });
  afterAll(async () => {
    await s.close();
    await s.store.dispose();
  });

  it('signs in by user id or by email (any case); the cookie is HttpOnly, SameSite=Lax, not Secure on http, with the configured expiry; the store keeps only a hash', async () => {
    for (const login of ['alice', 'ALICE@acme.test']) {
      const res = await postSignIn(s.url, { tenant: 'acme', login, password: FIXTURE_PASSWORD, next: '/open-apis/authen/v1/authorize?client_id=x' });
      expect(res.status).toBe(303);
      expect(res.headers.get('location')).toBe('/open-apis/authen/v1/authorize?client_id=x');
      const cookie = res.headers.getSetCookie().find((c) => c.startsWith('openvc_session='))!;
      const attrs = cookie.split(';').map((a) => a.trim());
      expect(attrs).toEqual(expect.arrayContaining(['Path=/', 'HttpOnly', 'SameSite=Lax', 'Max-Age=3600']));
      expect(attrs).not.toContain('Secure');
      const token = attrs[0]!.slice('openvc_session='.length);
      const row = (await sessionRows()).find((r) => r.token_hash === hashToken(token))!;
      expect(row).toMatchObject({ tenant_key: 'acme', user_id: 'alice' });
      expect(Number(row.expires_at) - Number(row.created_at)).toBe(3_600_000);
      expect(JSON.stringify(await sessionRows())).not.toContain(token);
    }
  });

  it('a wrong password, an unknown user, a resigned user and another tenant all get the same 401 page, no cookie, no row', async () => {
    const before = (await sessionRows()).length;
    const pages: string[] = [];
    for (const [tenant, login, password] of [
      ['acme', 'alice', 'wrong-password'],
      ['acme', 'nobody', FIXTURE_PASSWORD],
      ['acme', 'carol', FIXTURE_PASSWORD],
      ['acme', 'gina', FIXTURE_PASSWORD],
      ['nosuchtenant', 'alice', FIXTURE_PASSWORD],
      ['acme', 'alice', ''],
    ] as const) {
      const res = await postSignIn(s.url, { tenant, login, password, next: '/x' });
      expect(res.status).toBe(401);
      expect(res.headers.getSetCookie()).toEqual([]);
      const html = await res.text();
      expect(html).toContain('Wrong user or password.');
      pages.push(html.replace(`value="${login}"`, '').replace(`value="${tenant}"`, ''));
    }
    expect(new Set(pages).size).toBe(1);
    expect((await sessionRows()).length).toBe(before);
  });

  it('never redirects off the server after sign-in', async () => {
    for (const next of ['//evil.example/steal', 'https://evil.example/', '/\\evil.example', 'javascript:alert(1)']) {
      const res = await postSignIn(s.url, { tenant: 'acme', login: 'bob', password: FIXTURE_PASSWORD, next });
      expect(res.status).toBe(303);
      expect(res.headers.get('location')).toBe('/signin?tenant=acme');
    }
  });

  it('the consent page shows the signed-in user; allow gives a code the official SDK turns into a token of that user', async () => {
    const cookie = await signIn(s.url, 'acme', 'bob');
    const page = await fetch(s.url + consentUrl(fixture.acme.full.appId), { headers: { cookie } });
    const html = await page.text();
    expect(html).toContain('<b class="name">Bob</b>');
    expect(html).toContain('bob@acme.test');
    expect(html).toContain('Acme full');
    const allowed = await fetch(s.url + AUTHORIZE, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie },
      body: new URLSearchParams({ client_id: fixture.acme.full.appId, redirect_uri: REDIRECT, state: 'st', action: 'allow', user_id: 'alice' }),
      redirect: 'manual',
    });
    expect(allowed.status).toBe(302);
    const code = new URL(allowed.headers.get('location')!).searchParams.get('code')!;
    const client = s.client(fixture.acme.full);
    const token = await client.authen.oidcAccessToken.create({ data: { grant_type: 'authorization_code', code } });
    expect(token.code).toBe(0);
    const me = await client.authen.userInfo.get({}, lark.withUserAccessToken(token.data!.access_token!));
    // The signed-in bob, not the user_id field the form was given.
    expect(me.data?.user_id).toBe('bob');
  });

  it('sign-out (POST) deletes the session row and clears the cookie; the cookie then signs no one in', async () => {
    const cookie = await signIn(s.url, 'acme', 'alice');
    const hash = hashToken(cookie.split('=')[1]!);
    const next = consentUrl(fixture.acme.full.appId);
    const out = await fetch(`${s.url}/signout`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', cookie }, body: new URLSearchParams({ next }), redirect: 'manual' });
    expect(out.status).toBe(303);
    expect(out.headers.get('location')).toBe(next);
    const cleared = out.headers.getSetCookie().find((c) => c.startsWith('openvc_session='))!;
    expect(cleared).toMatch(/^openvc_session=;/);
    expect(cleared).toContain('Max-Age=0');
    expect((await sessionRows()).some((r) => r.token_hash === hash)).toBe(false);
    const again = await fetch(s.url + next, { headers: { cookie }, redirect: 'manual' });
    expect(again.status).toBe(302);
    expect(again.headers.get('location')).toMatch(/^\/signin\?tenant=acme&next=/);
  });

  it('a sign-out posted from another site is refused and signs no one out', async () => {
    const cookie = await signIn(s.url, 'acme', 'alice');
    const hash = hashToken(cookie.split('=')[1]!);
    for (const origin of ['https://evil.example', 'null']) {
      const out = await fetch(`${s.url}/signout`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', cookie, origin }, body: new URLSearchParams({ next: '/signin' }), redirect: 'manual' });
      expect(out.status).toBe(403);
      expect(await out.text()).toContain('must come from a page of this server');
      expect(out.headers.getSetCookie().some((c) => c.startsWith('openvc_session='))).toBe(false);
      expect((await sessionRows()).some((r) => r.token_hash === hash)).toBe(true);
    }
    // From the server's own page (its own origin) it works.
    const own = await fetch(`${s.url}/signout`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', cookie, origin: s.url }, body: new URLSearchParams({ next: '/signin' }), redirect: 'manual' });
    expect(own.status).toBe(303);
    expect((await sessionRows()).some((r) => r.token_hash === hash)).toBe(false);
  });

  it('an expired session signs no one in', async () => {
    const cookie = await signIn(s.url, 'acme', 'alice');
    await s.runtime.store.db.updateTable('sign_in_sessions').set({ expires_at: Date.now() - 1 }).where('token_hash', '=', hashToken(cookie.split('=')[1]!)).execute();
    const res = await fetch(s.url + consentUrl(fixture.acme.full.appId), { headers: { cookie }, redirect: 'manual' });
    expect(res.status).toBe(302);
    expect(res.headers.get('location')).toMatch(/^\/signin\?/);
    // maintenance deletes the expired row and leaves a live session alone
    const live = await signIn(s.url, 'acme', 'bob');
    const rt = s.runtime;
    await runMaintenance({ tokens: rt.tokens, jobs: rt.repos.jobs, deliveries: rt.repos.deliveries, throttle: rt.repos.throttle, credentials: rt.repos.credentials, eventRetentionMs: 86_400_000, guessQuietMs: 3_600_000 }, pino({ level: 'silent' }));
    const left = await rt.store.db.selectFrom('sign_in_sessions').select('token_hash').where('token_hash', 'in', [hashToken(cookie.split('=')[1]!), hashToken(live.split('=')[1]!)]).execute();
    expect(left.map((r) => r.token_hash)).toEqual([hashToken(live.split('=')[1]!)]);
  });

  it('a malformed or forged cookie is no error, just not signed in', async () => {
    for (const cookie of ['openvc_session=%E0%A4%A', 'openvc_session=' + randomBytes(32).toString('base64url'), 'openvc_session']) {
      const res = await fetch(s.url + consentUrl(fixture.acme.full.appId), { headers: { cookie }, redirect: 'manual' });
      expect(res.status).toBe(302);
    }
  });

  it("the meeting page's sign-in goes through the sign-in page and back to the consent page", async () => {
    const r = await s.client(fixture.acme.full).vc.reserve.apply({
      params: { user_id_type: 'user_id' },
      data: { end_time: String(Math.floor(Date.now() / 1000) + 3600), owner_id: 'alice', meeting_settings: { topic: 'sign-in' } },
    });
    const no = r.data!.reserve!.meeting_no!;
    const challenge = createHash('sha256').update(randomBytes(32).toString('base64url')).digest('base64url');
    const start = await fetch(`${s.url}/j/${no}/signin?code_challenge=${challenge}&state=abc`, { redirect: 'manual' });
    const consent = start.headers.get('location')!;
    const toSignIn = await fetch(consent, { redirect: 'manual' });
    expect(toSignIn.status).toBe(302);
    const signInUrl = new URL(toSignIn.headers.get('location')!, s.url);
    expect(signInUrl.searchParams.get('tenant')).toBe('acme');
    const back = await postSignIn(s.url, { tenant: 'acme', login: 'alice', password: FIXTURE_PASSWORD, next: signInUrl.searchParams.get('next')! });
    expect(back.status).toBe(303);
    const cookie = back.headers.getSetCookie()[0]!.split(';')[0]!;
    const page = await fetch(new URL(back.headers.get('location')!, s.url), { headers: { cookie } });
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<b class="name">Alice</b>');
  });

  it('openvc user set-password reads the password from stdin; the old one stops working', async () => {
    const res = await openvc(['user', 'set-password', 'bob', '--tenant', 'acme', ...s.store.cliArgs()], 'a-new-password-for-bob\n');
    expect(res.code).toBe(0);
    expect(res.stderr).toContain('password set for bob');
    expect(res.stdout + res.stderr).not.toContain('a-new-password-for-bob');
    expect((await postSignIn(s.url, { tenant: 'acme', login: 'bob', password: FIXTURE_PASSWORD })).status).toBe(401);
    expect((await postSignIn(s.url, { tenant: 'acme', login: 'bob', password: 'a-new-password-for-bob' })).status).toBe(303);
    const ambiguous = await openvc(['user', 'set-password', 'bob', ...s.store.cliArgs()], 'long-enough-password');
    expect(ambiguous.code).toBe(1);
    expect(ambiguous.stderr).toContain('--tenant');
    // The command's checks are the service's.
    await expect(s.runtime.signIn.setPassword('acme', 'bob', 'short')).rejects.toThrow('at least 8 characters');
    await expect(s.runtime.signIn.setPassword('acme', 'nobody', 'long-enough-password')).rejects.toThrow('no user nobody');
  });

  it('openvc user invite prints a one-time link: the user chooses a password once, then signs in with it', async () => {
    const res = await openvc(['user', 'invite', 'member03', '--tenant', 'acme', '--expires-in', '1', ...s.store.cliArgs()]);
    expect(res.code).toBe(0);
    const link = res.stdout.trim();
    expect(link).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/invite\/[A-Za-z0-9_-]{43}$/);
    const path = new URL(link).pathname;
    const page = await fetch(s.url + path);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('Member 3');
    const post = (fields: Record<string, string>) => fetch(s.url + path, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams(fields) });
    const differ = await post({ password: 'invited-password', confirm: 'invited-passwort' });
    expect(differ.status).toBe(400);
    expect(await differ.text()).toContain('differ');
    expect((await post({ password: 'short', confirm: 'short' })).status).toBe(400);
    expect((await postSignIn(s.url, { tenant: 'acme', login: 'member03', password: 'invited-password' })).status).toBe(401);
    const done = await post({ password: 'invited-password', confirm: 'invited-password' });
    expect(done.status).toBe(200);
    expect((await postSignIn(s.url, { tenant: 'acme', login: 'member03', password: 'invited-password' })).status).toBe(303);
    expect((await postSignIn(s.url, { tenant: 'acme', login: 'member03', password: FIXTURE_PASSWORD })).status).toBe(401);
    expect((await fetch(s.url + path)).status).toBe(404);
    expect((await post({ password: 'another-password', confirm: 'another-password' })).status).toBe(404);
  });

  it('an expired invitation is refused', async () => {
    const { token } = await s.runtime.signIn.invite('acme', 'member04', 60, Date.now() - 61_000);
    expect((await fetch(`${s.url}/invite/${token}`)).status).toBe(404);
    const post = await fetch(`${s.url}/invite/${token}`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'password=whatever-password&confirm=whatever-password' });
    expect(post.status).toBe(404);
  });

  it('a seed password_hash must be a bounded scrypt PHC string', () => {
    const withHash = (password_hash: string) => {
      const seed = fixtureSeed();
      seed.tenants[0]!.users![0] = { ...seed.tenants[0]!.users![0]!, password_hash };
      return () => parseSeed(seed);
    };
    expect(withHash('plaintext')).toThrow(SeedError);
    expect(withHash('$scrypt$ln=30,r=8,p=1$BqMGk2bczsQhou3ANK6g1Q$EorkpPmf4wRAW6F9arZISHSceNvTIdmQpILN+qpMltU')).toThrow(/cost out of range/);
    expect(withHash('$scrypt$ln=14,r=8,p=1$BqMGk2bczsQhou3ANK6g1Q$EorkpPmf4wRAW6F9arZISHSceNvTIdmQpILN+qpMltU')).not.toThrow();
  });
});

describe('sign-in behind https, and the development flag', { timeout: 60_000 }, () => {
  it('the session cookie is Secure when the public URL is https', async () => {
    const s = await startTestServer({ config: { publicUrl: 'https://vc.example.test' } });
    try {
      const port = (s.app.server.address() as AddressInfo).port;
      const res = await postSignIn(`http://127.0.0.1:${port}`, { tenant: 'acme', login: 'alice', password: FIXTURE_PASSWORD });
      expect(res.status).toBe(303);
      expect(res.headers.getSetCookie()[0]).toMatch(/; Secure$/);
    } finally {
      await s.close();
      await s.store.dispose();
    }
  });

  it('devPickUser brings back the user list (with a warning) and lets the form pick; off, the list never shows', async () => {
    const s = await startTestServer({ config: { devPickUser: true } });
    try {
      const html = await (await fetch(s.url + consentUrl(fixture.acme.full.appId))).text();
      expect(html).toContain('Development mode');
      expect(html).toContain('name="user_id" value="bob"');
      const res = await fetch(s.url + AUTHORIZE, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ client_id: fixture.acme.full.appId, redirect_uri: REDIRECT, state: 'st', scope: '', action: 'allow', user_id: 'bob' }),
        redirect: 'manual',
      });
      expect(res.status).toBe(302);
      expect(new URL(res.headers.get('location')!).searchParams.get('code')).toBeTruthy();
    } finally {
      await s.close();
      await s.store.dispose();
    }
  });
});
