import { createHash, randomBytes } from 'node:crypto';
import * as lark from '@larksuiteoapi/node-sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sdkClient, sdkError, startTestServer, type TestServer } from './helpers/server.js';
import { ALL, NARROW_SCOPES, fixture } from './helpers/fixture.js';
import { signIn } from './helpers/sign-in.js';
import { hashToken } from '../src/domain/auth/tokens.js';

type AppCreds = { appId: string; appSecret: string };

const REDIRECT = 'https://client.test/callback';
const EMPLOYEE_ID_SCOPE = 'contact:user.employee_id:readonly';
const AUTHORIZE = '/open-apis/authen/v1/authorize';
const V2_TOKEN = '/open-apis/authen/v2/oauth/token';

const scopesOf = (app: AppCreds): string[] => (app.appId === fixture.acme.narrow.appId ? NARROW_SCOPES : ALL);

/** Session cookies of the fixture's acme users, signed in once through the sign-in page. */
const sessions = new Map<string, Promise<string>>();
function sessionOf(s: TestServer, userId: string): Promise<string> {
  if (!sessions.has(userId)) sessions.set(userId, signIn(s.url, fixture.acme.tenantKey, userId));
  return sessions.get(userId)!;
}

/** The consent form post, as the page's form sends it, from a browser signed in with `cookie` (or none). */
function submit(s: TestServer, fields: Record<string, string>, cookie?: string): Promise<Response> {
  return fetch(s.url + AUTHORIZE, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...(cookie ? { cookie } : {}) },
    body: new URLSearchParams(fields).toString(),
    redirect: 'manual',
  });
}

interface CodeOptions {
  scope?: string;
  state?: string;
  redirectUri?: string;
  pkce?: { challenge: string; method: 'S256' | 'plain' };
}

/** Runs the consent step for `userId` and returns the code from the 302 Location. */
async function codeFor(s: TestServer, app: AppCreds, userId: string, opts: CodeOptions = {}): Promise<string> {
  const state = opts.state ?? 'st-' + randomBytes(4).toString('hex');
  const redirectUri = opts.redirectUri ?? REDIRECT;
  const fields: Record<string, string> = {
    client_id: app.appId,
    redirect_uri: redirectUri,
    state,
    scope: opts.scope ?? scopesOf(app).join(' '),
    action: 'allow',
  };
  if (opts.pkce) {
    fields.code_challenge = opts.pkce.challenge;
    fields.code_challenge_method = opts.pkce.method;
  }
  const res = await submit(s, fields, await sessionOf(s, userId));
  expect(res.status).toBe(302);
  const location = new URL(res.headers.get('location') ?? '');
  expect(location.origin + location.pathname).toBe(new URL(redirectUri).origin + new URL(redirectUri).pathname);
  expect(location.searchParams.get('state')).toBe(state);
  const code = location.searchParams.get('code') ?? '';
  expect(code).toMatch(/^[A-Za-z0-9_-]{64,}$/);
  return code;
}

function pkcePair(): { verifier: string; challenge: string } {
  const verifier = randomBytes(48).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

/** A historic `u-` token through the SDK's OIDC call. */
async function oidcToken(s: TestServer, app: AppCreds, userId: string, opts: CodeOptions = {}): Promise<{ access: string; refresh: string }> {
  const code = await codeFor(s, app, userId, opts);
  const res = await s.client(app).authen.oidcAccessToken.create({ data: { grant_type: 'authorization_code', code } });
  expect(res.code).toBe(0);
  return { access: res.data?.access_token ?? '', refresh: res.data?.refresh_token ?? '' };
}

async function postToken(s: TestServer, body: Record<string, unknown>): Promise<{ status: number; headers: Headers; body: Record<string, any> }> {
  const res = await fetch(s.url + V2_TOKEN, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.status, headers: res.headers, body: (await res.json()) as Record<string, any> };
}

describe('user_access_token', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer();
  });
  afterAll(async () => {
    await s.close();
    await s.store.dispose();
  });

  describe('authorize page', () => {
    it('GET without a sign-in sends the browser to sign in, and back to the same page after', async () => {
      const q = new URLSearchParams({ client_id: fixture.acme.full.appId, response_type: 'code', redirect_uri: REDIRECT, state: 'xyz' });
      const res = await fetch(`${s.url}${AUTHORIZE}?${q}`, { redirect: 'manual' });
      expect(res.status).toBe(302);
      const to = new URL(res.headers.get('location')!, s.url);
      expect(to.pathname).toBe('/signin');
      expect(to.searchParams.get('tenant')).toBe('acme');
      expect(to.searchParams.get('next')).toBe(`${AUTHORIZE}?${q}`);
      const signInPage = await (await fetch(to)).text();
      expect(signInPage).not.toContain('alice');
      const signedIn = await fetch(`${s.url}/signin`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ tenant: 'acme', login: 'alice@acme.test', password: 'fixture-password', next: to.searchParams.get('next')! }),
        redirect: 'manual',
      });
      expect(signedIn.status).toBe(303);
      expect(signedIn.headers.get('location')).toBe(`${AUTHORIZE}?${q}`);
    });

    it('GET signed in shows who is signed in and what the app asks, never a list of users', async () => {
      const q = new URLSearchParams({ client_id: fixture.acme.full.appId, response_type: 'code', redirect_uri: REDIRECT, state: 'xyz' });
      const res = await fetch(`${s.url}${AUTHORIZE}?${q}`, { headers: { cookie: await sessionOf(s, 'alice') } });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
      const html = await res.text();
      expect(html).toContain('Acme full');
      expect(html).toContain('<b class="name">Alice</b>');
      expect(html).toContain('alice@acme.test');
      expect(html).toContain(ALL[0]);
      expect(html).not.toContain('name="user_id"');
      for (const other of ['Bob', 'Member 1', 'Carol', 'Gina']) expect(html).not.toContain(other);
      expect(html).toContain('action="/signout"');
      expect(html).toContain(`<input type="hidden" name="next" value="${AUTHORIZE}?${q.toString().replace(/&/g, '&#38;')}">`);
      expect(html).toContain('<input type="hidden" name="state" value="xyz">');
      expect(html).toContain(`<input type="hidden" name="redirect_uri" value="${REDIRECT}">`);
      expect(html).toContain(`<input type="hidden" name="client_id" value="${fixture.acme.full.appId}">`);
    });

    it("a session of another tenant does not count: globex's gina is sent to sign in to acme", async () => {
      const gina = await signIn(s.url, fixture.globex.tenantKey, 'gina');
      const q = new URLSearchParams({ client_id: fixture.acme.full.appId, response_type: 'code', redirect_uri: REDIRECT, state: 'x' });
      const res = await fetch(`${s.url}${AUTHORIZE}?${q}`, { headers: { cookie: gina }, redirect: 'manual' });
      expect(res.status).toBe(302);
      expect(new URL(res.headers.get('location')!, s.url).pathname).toBe('/signin');
      const post = await submit(s, { client_id: fixture.acme.full.appId, redirect_uri: REDIRECT, state: 's', scope: '', action: 'allow' }, gina);
      expect(post.status).toBe(400);
      expect(post.headers.get('location')).toBeNull();
    });

    it('POST allow redirects to redirect_uri with a code and the same state', async () => {
      const res = await submit(s, {
        client_id: fixture.acme.full.appId,
        redirect_uri: 'https://client.test/cb?keep=1',
        state: 'state-123',
        scope: ALL.join(' '),
        action: 'allow',
      }, await sessionOf(s, 'bob'));
      expect(res.status).toBe(302);
      const loc = new URL(res.headers.get('location') ?? '');
      expect(`${loc.origin}${loc.pathname}`).toBe('https://client.test/cb');
      expect(loc.searchParams.get('keep')).toBe('1');
      expect(loc.searchParams.get('state')).toBe('state-123');
      expect(loc.searchParams.get('code')).toMatch(/^[A-Za-z0-9_-]{64,}$/);
      expect(loc.searchParams.has('error')).toBe(false);
    });

    it('POST deny redirects with error=access_denied and the state, no code', async () => {
      const res = await submit(s, {
        client_id: fixture.acme.full.appId,
        redirect_uri: REDIRECT,
        state: 'no-thanks',
        scope: '',
        action: 'deny',
      }, await sessionOf(s, 'alice'));
      expect(res.status).toBe(302);
      const loc = new URL(res.headers.get('location') ?? '');
      expect(`${loc.origin}${loc.pathname}`).toBe(REDIRECT);
      expect(loc.searchParams.get('error')).toBe('access_denied');
      expect(loc.searchParams.get('state')).toBe('no-thanks');
      expect(loc.searchParams.has('code')).toBe(false);
    });

    it('POST allow without a sign-in is refused with HTTP 400 HTML; a user_id field counts for nothing', async () => {
      const res = await submit(s, { client_id: fixture.acme.full.appId, redirect_uri: REDIRECT, state: 's', user_id: 'alice', action: 'allow' });
      expect(res.status).toBe(400);
      expect(await res.text()).toContain('not signed in');
      expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(res.headers.get('location')).toBeNull();
    });

    it.each([
      ['an unknown client_id', { client_id: 'cli_nosuchapp0001', response_type: 'code', redirect_uri: REDIRECT }, 'cli_nosuchapp0001'],
      ['no redirect_uri', { client_id: fixture.acme.full.appId, response_type: 'code' }, 'redirect_uri'],
      ['no client_id', { response_type: 'code', redirect_uri: REDIRECT }, 'client_id'],
    ])('GET with %s answers HTTP 400 HTML', async (_name, params, named) => {
      const res = await fetch(`${s.url}${AUTHORIZE}?${new URLSearchParams(params)}`);
      expect(res.status).toBe(400);
      expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
      const html = await res.text();
      expect(html).toContain('Authorization failed');
      expect(html).toContain(named);
    });

    it('POST with an unknown client_id or no redirect_uri answers HTTP 400 HTML, no redirect', async () => {
      const bodies: Record<string, string>[] = [
        { client_id: 'cli_nosuchapp0001', redirect_uri: REDIRECT, state: 's', user_id: 'alice', action: 'allow' },
        { client_id: fixture.acme.full.appId, state: 's', user_id: 'alice', action: 'allow' },
      ];
      for (const fields of bodies) {
        const res = await submit(s, fields);
        expect(res.status).toBe(400);
        expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
        expect(res.headers.get('location')).toBeNull();
      }
    });

    it('the historic /authen/v1/index?app_id=… page renders', async () => {
      const q = new URLSearchParams({ app_id: fixture.acme.narrow.appId, redirect_uri: REDIRECT, state: 'old' });
      const res = await fetch(`${s.url}/open-apis/authen/v1/index?${q}`, { headers: { cookie: await sessionOf(s, 'alice') } });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
      const html = await res.text();
      expect(html).toContain('Acme narrow');
      expect(html).toContain('<b class="name">Alice</b>');
      expect(html).toContain('<input type="hidden" name="state" value="old">');
    });
  });

  describe('historic OIDC via the SDK', () => {
    it('exchanges a code for a u-/ur- pair; the code is single-use (20003, HTTP 200)', async () => {
      const client = s.client(fixture.acme.full);
      const code = await codeFor(s, fixture.acme.full, 'alice');
      const res = await client.authen.oidcAccessToken.create({ data: { grant_type: 'authorization_code', code } });
      expect(res.code).toBe(0);
      expect(res.data?.access_token).toMatch(/^u-[A-Za-z0-9_-]{20,}$/);
      expect(res.data?.refresh_token).toMatch(/^ur-[A-Za-z0-9_-]{20,}$/);
      expect(res.data?.token_type).toBe('Bearer');
      expect(res.data?.expires_in).toBe(s.runtime.config.userTokenTtl);
      expect(res.data?.refresh_expires_in).toBe(2_591_999);
      expect(res.data?.scope?.split(' ').sort()).toEqual([...ALL].sort());

      const again = await client.authen.oidcAccessToken.create({ data: { grant_type: 'authorization_code', code } });
      expect(again.code).toBe(20003);
      expect(again.data?.access_token).toBeUndefined();

      // The same failure over plain HTTP: status 200 and the envelope.
      const tokenRes = await fetch(`${s.url}/open-apis/auth/v3/tenant_access_token/internal`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ app_id: fixture.acme.full.appId, app_secret: fixture.acme.full.appSecret }),
      });
      const tenant = ((await tokenRes.json()) as { tenant_access_token: string }).tenant_access_token;
      const raw = await fetch(`${s.url}/open-apis/authen/v1/oidc/access_token`, {
        method: 'POST',
        headers: { authorization: `Bearer ${tenant}`, 'content-type': 'application/json' },
        body: JSON.stringify({ grant_type: 'authorization_code', code }),
      });
      expect(raw.status).toBe(200);
      expect(((await raw.json()) as { code: number }).code).toBe(20003);
    });

    it('a code of another app is refused with 20024', async () => {
      const code = await codeFor(s, fixture.acme.narrow, 'alice');
      const res = await s.client(fixture.acme.full).authen.oidcAccessToken.create({ data: { grant_type: 'authorization_code', code } });
      expect(res.code).toBe(20024);
    });

    it("userInfo returns the user's open_id, union_id, name and (with the field scope) user_id", async () => {
      const client = s.client(fixture.acme.full);
      const { access } = await oidcToken(s, fixture.acme.full, 'alice');
      const info = await client.authen.userInfo.get({}, lark.withUserAccessToken(access));
      expect(info.code).toBe(0);
      const asTenant = await client.contact.user.get({ path: { user_id: 'alice' }, params: { user_id_type: 'user_id' } });
      expect(info.data?.open_id).toMatch(/^ou_[0-9a-f]{32}$/);
      expect(info.data?.open_id).toBe(asTenant.data?.user?.open_id);
      expect(info.data?.union_id).toMatch(/^on_[0-9a-f]{32}$/);
      expect(info.data?.union_id).toBe(asTenant.data?.user?.union_id);
      expect(info.data?.name).toBe('Alice');
      expect(info.data?.user_id).toBe('alice');
      expect(info.data?.tenant_key).toBe('acme');
    });

    it('refresh returns a new pair; the old refresh token is single-use (20026); the old access token keeps working', async () => {
      const client = s.client(fixture.acme.full);
      const old = await oidcToken(s, fixture.acme.full, 'bob');
      const res = await client.authen.oidcRefreshAccessToken.create({ data: { grant_type: 'refresh_token', refresh_token: old.refresh } });
      expect(res.code).toBe(0);
      const access = res.data?.access_token ?? '';
      const refresh = res.data?.refresh_token ?? '';
      expect(access).toMatch(/^u-/);
      expect(refresh).toMatch(/^ur-/);
      expect(access).not.toBe(old.access);
      expect(refresh).not.toBe(old.refresh);

      const again = await client.authen.oidcRefreshAccessToken.create({ data: { grant_type: 'refresh_token', refresh_token: old.refresh } });
      expect(again.code).toBe(20026);

      for (const token of [old.access, access]) {
        const info = await client.authen.userInfo.get({}, lark.withUserAccessToken(token));
        expect(info.code).toBe(0);
        expect(info.data?.user_id).toBe('bob');
      }
      // The new refresh token works once.
      const next = await client.authen.oidcRefreshAccessToken.create({ data: { grant_type: 'refresh_token', refresh_token: refresh } });
      expect(next.code).toBe(0);
    });

    it('the OIDC endpoints need a valid tenant/app token (20014)', async () => {
      const code = await codeFor(s, fixture.acme.full, 'alice');
      const res = await fetch(`${s.url}/open-apis/authen/v1/oidc/access_token`, {
        method: 'POST',
        headers: { authorization: 'Bearer t-0000000000000000000000000000000000000000', 'content-type': 'application/json' },
        body: JSON.stringify({ grant_type: 'authorization_code', code }),
      });
      expect(res.status).toBe(200);
      expect(((await res.json()) as { code: number }).code).toBe(20014);
    });
  });

  describe('current OAuth via the SDK', () => {
    const oauthClient = (app: AppCreds) => sdkClient(s.url, app, { oauthBaseUrl: s.url });

    it('PKCE S256 with offline_access gives a JWT-shaped access token and a refresh token', async () => {
      const { verifier, challenge } = pkcePair();
      const scope = 'contact:user.base:readonly offline_access';
      const code = await codeFor(s, fixture.acme.full, 'alice', { scope, pkce: { challenge, method: 'S256' } });
      const t = await oauthClient(fixture.acme.full).accessToken.retrieveByAuthorizationCode({ code, redirectUri: REDIRECT, codeVerifier: verifier });
      expect(t.accessToken).toMatch(/^eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
      expect(t.refreshToken).toMatch(/^eyJ/);
      expect(t.tokenType).toBe('Bearer');
      expect(t.expiresIn).toBe(s.runtime.config.userTokenTtl);
      expect(t.refreshTokenExpiresIn).toBe(604_800);
      expect(t.scope?.split(' ').sort()).toEqual(['contact:user.base:readonly', 'offline_access']);

      const info = await s.client(fixture.acme.full).authen.userInfo.get({}, lark.withUserAccessToken(t.accessToken));
      expect(info.code).toBe(0);
      expect(info.data?.name).toBe('Alice');
      // user_id needs the field scope, which this user did not grant.
      expect(info.data?.user_id).toBeUndefined();
    });

    it('refresh works once; the second use of the same refresh token throws 20064', async () => {
      const client = oauthClient(fixture.acme.full);
      const { verifier, challenge } = pkcePair();
      const code = await codeFor(s, fixture.acme.full, 'bob', { scope: 'contact:user.base:readonly offline_access', pkce: { challenge, method: 'S256' } });
      const first = await client.accessToken.retrieveByAuthorizationCode({ code, redirectUri: REDIRECT, codeVerifier: verifier });
      const refreshToken = first.refreshToken ?? '';
      expect(refreshToken).toMatch(/^eyJ/);

      const second = await client.accessToken.refresh({ refreshToken });
      expect(second.accessToken).toMatch(/^eyJ/);
      expect(second.accessToken).not.toBe(first.accessToken);
      expect(second.refreshToken).toMatch(/^eyJ/);
      expect(second.refreshToken).not.toBe(refreshToken);

      await expect(client.accessToken.refresh({ refreshToken })).rejects.toMatchObject({
        name: 'AccessTokenError',
        statusCode: 400,
        code: 20064,
        error: 'invalid_grant',
      });
      // The old access token has its minute of grace; the new one works.
      for (const token of [first.accessToken, second.accessToken]) {
        const info = await s.client(fixture.acme.full).authen.userInfo.get({}, lark.withUserAccessToken(token));
        expect(info.data?.name).toBe('Bob');
      }
    });

    it('a wrong code_verifier is refused with 20049', async () => {
      const { challenge } = pkcePair();
      const code = await codeFor(s, fixture.acme.full, 'alice', { scope: 'contact:user.base:readonly', pkce: { challenge, method: 'S256' } });
      await expect(
        oauthClient(fixture.acme.full).accessToken.retrieveByAuthorizationCode({ code, redirectUri: REDIRECT, codeVerifier: pkcePair().verifier }),
      ).rejects.toMatchObject({ name: 'AccessTokenError', statusCode: 400, code: 20049 });
    });

    it('a PKCE-bound code cannot be redeemed on the historic endpoint, which has no verifier', async () => {
      const { verifier, challenge } = pkcePair();
      const code = await codeFor(s, fixture.acme.full, 'alice', { scope: 'contact:user.base:readonly', pkce: { challenge, method: 'S256' } });
      const historic = await s.client(fixture.acme.full).authen.oidcAccessToken.create({ data: { grant_type: 'authorization_code', code } });
      expect(historic.code).toBe(20003);
      expect(historic.data?.access_token).toBeUndefined();
      // The refusal did not burn the code: its rightful redeemer still can.
      const t = await oauthClient(fixture.acme.full).accessToken.retrieveByAuthorizationCode({ code, redirectUri: REDIRECT, codeVerifier: verifier });
      expect(t.accessToken).toMatch(/^eyJ/);
    });

    it('a code issued to another app is refused with 20024', async () => {
      const code = await codeFor(s, fixture.acme.narrow, 'alice');
      await expect(oauthClient(fixture.acme.full).accessToken.retrieveByAuthorizationCode({ code, redirectUri: REDIRECT })).rejects.toMatchObject({
        name: 'AccessTokenError',
        statusCode: 400,
        code: 20024,
      });
    });

    it('a bad client secret is refused with 20002', async () => {
      const code = await codeFor(s, fixture.acme.full, 'alice');
      const client = oauthClient({ appId: fixture.acme.full.appId, appSecret: 'wrong-secret' });
      await expect(client.accessToken.retrieveByAuthorizationCode({ code, redirectUri: REDIRECT })).rejects.toMatchObject({
        name: 'AccessTokenError',
        statusCode: 400,
        code: 20002,
        error: 'invalid_client',
      });
    });

    it('without offline_access there is no refresh token', async () => {
      const code = await codeFor(s, fixture.acme.full, 'alice', { scope: 'contact:user.base:readonly' });
      const t = await oauthClient(fixture.acme.full).accessToken.retrieveByAuthorizationCode({ code, redirectUri: REDIRECT });
      expect(t.accessToken).toMatch(/^eyJ/);
      expect(t.refreshToken).toBeUndefined();
      expect(t.refreshTokenExpiresIn).toBeUndefined();
      expect(t.scope).toBe('contact:user.base:readonly');
    });

    describe('/open-apis/authen/v2/oauth/token with fetch', () => {
      it('success is a flat body without msg/data', async () => {
        const code = await codeFor(s, fixture.acme.full, 'alice', { scope: 'contact:user.base:readonly offline_access' });
        const r = await postToken(s, {
          grant_type: 'authorization_code',
          client_id: fixture.acme.full.appId,
          client_secret: fixture.acme.full.appSecret,
          code,
          redirect_uri: REDIRECT,
        });
        expect(r.status).toBe(200);
        expect(Object.keys(r.body).sort()).toEqual(['access_token', 'code', 'expires_in', 'refresh_token', 'refresh_token_expires_in', 'scope', 'token_type']);
        expect(r.body.code).toBe(0);
        expect(r.body.access_token).toMatch(/^eyJ/);
        expect(r.body.token_type).toBe('Bearer');
      });

      it.each([
        ['a used code', 'used', 20065, 'invalid_grant'],
        ['an unknown code', 'unknown', 20003, 'invalid_grant'],
        ['a missing code', 'missing', 20001, 'invalid_request'],
        ['a wrong client secret', 'secret', 20002, 'invalid_client'],
        ['an unsupported grant_type', 'grant', 20036, 'unsupported_grant_type'],
        ['a different redirect_uri', 'redirect', 20071, 'invalid_grant'],
      ])('%s (%s) → HTTP 400 {code: %i, error: %s, error_description}', async (_name, kind, code, error) => {
        const real = await codeFor(s, fixture.acme.full, 'alice');
        const body: Record<string, unknown> = {
          grant_type: 'authorization_code',
          client_id: fixture.acme.full.appId,
          client_secret: fixture.acme.full.appSecret,
          code: real,
          redirect_uri: REDIRECT,
        };
        if (kind === 'used') expect((await postToken(s, body)).status).toBe(200);
        if (kind === 'unknown') body.code = randomBytes(48).toString('base64url');
        if (kind === 'missing') delete body.code;
        if (kind === 'secret') body.client_secret = 'nope';
        if (kind === 'grant') body.grant_type = 'password';
        if (kind === 'redirect') body.redirect_uri = 'https://elsewhere.test/cb';
        const r = await postToken(s, body);
        expect(r.status).toBe(400);
        expect(r.headers.get('content-type')).toBe('application/json; charset=utf-8');
        expect(Object.keys(r.body).sort()).toEqual(['code', 'error', 'error_description']);
        expect(r.body.code).toBe(code);
        expect(r.body.error).toBe(error);
        expect(typeof r.body.error_description).toBe('string');
        expect(r.body.error_description.length).toBeGreaterThan(0);
      });

      it('v2 ignores a code_verifier when no challenge was used; v3 refuses it (20049)', async () => {
        const base = { grant_type: 'authorization_code', client_id: fixture.acme.full.appId, client_secret: fixture.acme.full.appSecret, redirect_uri: REDIRECT };
        const v2 = await postToken(s, { ...base, code: await codeFor(s, fixture.acme.full, 'alice'), code_verifier: pkcePair().verifier });
        expect(v2.status).toBe(200);
        expect(v2.body.code).toBe(0);
        const v3 = await fetch(`${s.url}/oauth/v3/token`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ ...base, code: await codeFor(s, fixture.acme.full, 'alice'), code_verifier: pkcePair().verifier }),
        });
        expect(v3.status).toBe(400);
        expect(await v3.json()).toMatchObject({ code: 20049, error: 'invalid_grant' });
      });

      it('an expired code answers 20004 (v2: HTTP 400; historic: HTTP 200)', async () => {
        const expire = async (code: string) => {
          const res = await s.runtime.store.db.updateTable('tokens').set({ expires_at: Date.now() - 1000 }).where('token_hash', '=', hashToken(code)).executeTakeFirst();
          expect(Number(res.numUpdatedRows)).toBe(1);
        };
        const code = await codeFor(s, fixture.acme.full, 'alice');
        await expire(code);
        const r = await postToken(s, { grant_type: 'authorization_code', client_id: fixture.acme.full.appId, client_secret: fixture.acme.full.appSecret, code });
        expect(r.status).toBe(400);
        expect(r.body).toMatchObject({ code: 20004, error: 'invalid_grant' });

        const old = await codeFor(s, fixture.acme.full, 'alice');
        await expire(old);
        const h = await s.client(fixture.acme.full).authen.oidcAccessToken.create({ data: { grant_type: 'authorization_code', code: old } });
        expect(h.code).toBe(20004);
      });

      it('refresh: scope narrowing (duplicates 20067, not granted 20068), grant older than 365 days 20037', async () => {
        const creds = { client_id: fixture.acme.full.appId, client_secret: fixture.acme.full.appSecret };
        const code = await codeFor(s, fixture.acme.full, 'bob', { scope: 'contact:user.base:readonly contact:user.id:readonly offline_access' });
        const t = await postToken(s, { ...creds, grant_type: 'authorization_code', code, redirect_uri: REDIRECT });
        expect(t.status).toBe(200);
        const refresh = (r: string, scope?: string) => postToken(s, { ...creds, grant_type: 'refresh_token', refresh_token: r, ...(scope ? { scope } : {}) });

        const dup = await refresh(t.body.refresh_token, 'offline_access offline_access');
        expect(dup.status).toBe(400);
        expect(dup.body).toMatchObject({ code: 20067, error: 'invalid_scope' });
        const wider = await refresh(t.body.refresh_token, 'offline_access vc:meeting');
        expect(wider.status).toBe(400);
        expect(wider.body).toMatchObject({ code: 20068, error: 'invalid_scope' });
        // Failed attempts do not use the refresh token up.
        const narrowed = await refresh(t.body.refresh_token, 'contact:user.base:readonly offline_access');
        expect(narrowed.status).toBe(200);
        expect(narrowed.body.scope).toBe('contact:user.base:readonly offline_access');

        const aYearAgo = Date.now() - 366 * 24 * 3600_000;
        await s.runtime.store.db.updateTable('tokens').set({ granted_at: aYearAgo }).where('token_hash', '=', hashToken(narrowed.body.refresh_token)).execute();
        const tooOld = await refresh(narrowed.body.refresh_token);
        expect(tooOld.status).toBe(400);
        expect(tooOld.body).toMatchObject({ code: 20037, error: 'invalid_grant' });
      });

      it('a refresh token is not an access token: as a bearer it answers 99991668', async () => {
        const { refresh } = await oidcToken(s, fixture.acme.full, 'alice');
        const res = await fetch(`${s.url}/open-apis/authen/v1/user_info`, { headers: { authorization: `Bearer ${refresh}` } });
        expect(res.status).toBe(400);
        expect(((await res.json()) as { code: number }).code).toBe(99991668);
      });

      it('a historic ur- refresh token is not accepted (20026)', async () => {
        const { refresh } = await oidcToken(s, fixture.acme.full, 'alice');
        const r = await postToken(s, {
          grant_type: 'refresh_token',
          client_id: fixture.acme.full.appId,
          client_secret: fixture.acme.full.appSecret,
          refresh_token: refresh,
        });
        expect(r.status).toBe(400);
        expect(r.body).toMatchObject({ code: 20026, error: 'invalid_grant' });
      });
    });
  });

  describe('user tokens honour scopes', () => {
    it('the narrow app cannot ask for user_id: 99991672 field_scope_required', async () => {
      const { access } = await oidcToken(s, fixture.acme.narrow, 'alice');
      const client = s.client(fixture.acme.narrow);
      // With open_ids the same token is fine.
      const me = await client.authen.userInfo.get({}, lark.withUserAccessToken(access));
      expect(me.data?.user_id).toBeUndefined();
      const openId = me.data?.open_id ?? '';
      expect(openId).toMatch(/^ou_/);
      const ok = await client.contact.user.get({ path: { user_id: openId }, params: { user_id_type: 'open_id' } }, lark.withUserAccessToken(access));
      expect(ok.code).toBe(0);
      expect(ok.data?.user?.name).toBe('Alice');

      const e = await sdkError(client.contact.user.get({ path: { user_id: 'alice' }, params: { user_id_type: 'user_id' } }, lark.withUserAccessToken(access)));
      expect(e.status).toBe(400);
      expect(e.body.code).toBe(99991672);
      expect(e.body.error.permission_violations[0]).toEqual({ type: 'field_scope_required', subject: EMPLOYEE_ID_SCOPE });
      expect(e.body.error.log_id).toBe(e.headers['x-tt-logid']);
    });

    it('a scope the app holds but the user did not grant: 99991679', async () => {
      const client = s.client(fixture.acme.full);
      const narrow = await oidcToken(s, fixture.acme.full, 'alice', { scope: 'contact:user.base:readonly' });
      const req = { params: { department_id: 'eng', department_id_type: 'department_id' as const } };

      const e = await sdkError(client.contact.user.findByDepartment(req, lark.withUserAccessToken(narrow.access)));
      expect(e.status).toBe(400);
      expect(e.body.code).toBe(99991679);
      expect(e.body.error.permission_violations.length).toBeGreaterThan(0);
      expect(e.body.error.permission_violations.map((v: { subject: string }) => v.subject)).toContain('contact:contact.base:readonly');
      expect(e.body.error.log_id).toBe(e.headers['x-tt-logid']);

      // The same user with every scope granted may list the department.
      const wide = await oidcToken(s, fixture.acme.full, 'alice');
      const ok = await client.contact.user.findByDepartment(req, lark.withUserAccessToken(wide.access));
      expect(ok.code).toBe(0);
      expect(ok.data?.items?.map((u) => u.name)).toEqual(['Alice', 'Bob']);
    });
  });
});
