import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as lark from '@larksuiteoapi/node-sdk';
import Provider from 'oidc-provider';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './helpers/server.js';
import { fixture } from './helpers/fixture.js';

const REDIRECT = 'https://client.test/callback';
const AUTHORIZE = '/open-apis/authen/v1/authorize';

/** The upstream provider's accounts: login name → ID token claims. */
const ACCOUNTS: Record<string, { email: string; email_verified: boolean; name: string }> = {
  'a.zhang': { email: 'ALICE@acme.test', email_verified: true, name: 'A. Zhang' },
  stranger: { email: 'stranger@elsewhere.test', email_verified: true, name: 'Stranger' },
  unverified: { email: 'bob@acme.test', email_verified: false, name: 'Not Bob' },
};

/** A browser's cookies per host (paths ignored: every cookie goes back to its host). */
class Browser {
  private readonly jars = new Map<string, Map<string, string>>();

  async get(url: string, init: RequestInit = {}): Promise<Response> {
    const u = new URL(url);
    const jar = this.jars.get(u.host) ?? new Map<string, string>();
    this.jars.set(u.host, jar);
    const cookie = [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
    const res = await fetch(u, { ...init, redirect: 'manual', headers: { ...(init.headers as Record<string, string>), ...(cookie ? { cookie } : {}) } });
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const eq = pair!.indexOf('=');
      const value = pair!.slice(eq + 1);
      if (/max-age=0|expires=thu, 01 jan 1970/i.test(c) || value === '') jar.delete(pair!.slice(0, eq));
      else jar.set(pair!.slice(0, eq), value);
    }
    return res;
  }

  cookie(host: string, name: string): string | undefined {
    return this.jars.get(host)?.get(name);
  }

  forget(host: string, name: string): void {
    this.jars.get(host)?.delete(name);
  }

  /** Follows redirects from `url`, signing in at the provider's login form as `login` and consenting, until a page answers. */
  async walk(url: string, login: string, stopAt: (u: URL) => boolean, fetchAtStop = true): Promise<{ url: URL; res: Response }> {
    let at = new URL(url);
    let res = await this.get(at.href);
    for (let hops = 0; hops < 20; hops++) {
      if (res.status >= 300 && res.status < 400) {
        at = new URL(res.headers.get('location')!, at);
        if (stopAt(at)) return { url: at, res: fetchAtStop ? await this.get(at.href) : new Response(null, { status: 204 }) };
        res = await this.get(at.href);
        continue;
      }
      const html = await res.text();
      const action = /<form[^>]*action="([^"]+)"/.exec(html)?.[1];
      if (!at.pathname.startsWith('/interaction/') || !action) return { url: at, res: new Response(html, { status: res.status }) };
      const prompt = /name="prompt" value="(\w+)"/.exec(html)![1]!;
      const body = new URLSearchParams(prompt === 'login' ? { prompt, login, password: 'anything' } : { prompt });
      at = new URL(action.replace(/&amp;/g, '&'), at);
      res = await this.get(at.href, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: body.toString() });
    }
    throw new Error(`too many redirects, last at ${at.href}`);
  }
}

describe('sign-in through an upstream OpenID Connect provider (oidc-provider, in this process)', { timeout: 180_000 }, () => {
  let s: TestServer;
  let idp: Server;
  let issuer = '';

  beforeAll(async () => {
    // The provider's port must be known before openvc starts (its issuer), and openvc's before the provider's client exists.
    idp = createServer();
    await new Promise<void>((resolve) => idp.listen(0, '127.0.0.1', resolve));
    issuer = `http://127.0.0.1:${(idp.address() as AddressInfo).port}`;
    s = await startTestServer({ config: { oidcIssuer: issuer, oidcClientId: 'openvc', oidcClientSecret: 'openvc-client-secret-0123456789' } });
    const provider = new Provider(issuer, {
      clients: [{ client_id: 'openvc', client_secret: 'openvc-client-secret-0123456789', redirect_uris: [`${s.url}/signin/oidc/callback`], grant_types: ['authorization_code'], response_types: ['code'] }],
      claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
      findAccount: async (_ctx, id) => (ACCOUNTS[id] ? { accountId: id, claims: async () => ({ sub: id, ...ACCOUNTS[id]! }) } : undefined),
      cookies: { keys: ['test-cookie-key-0123456789'] },
      features: { devInteractions: { enabled: true } },
    });
    idp.on('request', provider.callback());
  });
  afterAll(async () => {
    await s?.close();
    await s?.store.dispose();
    idp?.closeAllConnections();
    await new Promise((resolve) => idp?.close(resolve));
  });

  const authorizeUrl = () => `${s.url}${AUTHORIZE}?${new URLSearchParams({ client_id: fixture.acme.full.appId, response_type: 'code', redirect_uri: REDIRECT, state: 'st' })}`;

  it('consent page → sign-in page → provider (code + PKCE S256, state, nonce) → back signed in as the user whose email matches; the code then works with the SDK', async () => {
    const b = new Browser();
    const toSignIn = await b.get(authorizeUrl());
    const signInUrl = new URL(toSignIn.headers.get('location')!, s.url);
    const page = await (await b.get(signInUrl.href)).text();
    const link = /id="signin-oidc" href="([^"]+)"/.exec(page)![1]!.replace(/&#38;/g, '&');
    const start = await b.get(new URL(link, s.url).href);
    expect(start.status).toBe(302);
    const upstream = new URL(start.headers.get('location')!);
    expect(upstream.origin).toBe(issuer);
    expect(upstream.searchParams.get('code_challenge_method')).toBe('S256');
    expect(upstream.searchParams.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(upstream.searchParams.get('state')).toBeTruthy();
    expect(upstream.searchParams.get('nonce')).toBeTruthy();
    expect(upstream.searchParams.get('redirect_uri')).toBe(`${s.url}/signin/oidc/callback`);

    const { url, res } = await b.walk(upstream.href, 'a.zhang', (u) => u.origin === s.url && u.pathname === AUTHORIZE);
    expect(url.href).toBe(authorizeUrl());
    const consent = await res.text();
    expect(consent).toContain('<b class="name">Alice</b>');

    const cookie = `openvc_session=${b.cookie(new URL(s.url).host, 'openvc_session')}`;
    const allowed = await fetch(s.url + AUTHORIZE, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie },
      body: new URLSearchParams({ client_id: fixture.acme.full.appId, redirect_uri: REDIRECT, state: 'st', action: 'allow' }),
      redirect: 'manual',
    });
    const code = new URL(allowed.headers.get('location')!).searchParams.get('code')!;
    const client = s.client(fixture.acme.full);
    const token = await client.authen.oidcAccessToken.create({ data: { grant_type: 'authorization_code', code } });
    const me = await client.authen.userInfo.get({}, lark.withUserAccessToken(token.data!.access_token!));
    expect(me.data?.user_id).toBe('alice');
  });

  it('an account no user matches, or whose email is unverified, is refused with an error page and no session', async () => {
    for (const login of ['stranger', 'unverified']) {
      const b = new Browser();
      const start = await b.get(`${s.url}/signin/oidc?tenant=acme&next=%2F`);
      const { url, res } = await b.walk(start.headers.get('location')!, login, (u) => u.origin === s.url);
      expect(url.pathname).toBe('/signin/oidc/callback');
      expect(res.status).toBe(400);
      expect(await res.text()).toMatch(login === 'stranger' ? /no active user/ : /not verified/);
      expect(b.cookie(new URL(s.url).host, 'openvc_session')).toBeUndefined();
    }
  });

  it("the provider's answer is taken only by the browser that started the sign-in, and only once", async () => {
    const b = new Browser();
    const host = new URL(s.url).host;
    const start = await b.get(`${s.url}/signin/oidc?tenant=acme&next=%2F`);
    const { url: callback } = await b.walk(start.headers.get('location')!, 'a.zhang', (u) => u.pathname === '/signin/oidc/callback', false);
    const other = new Browser();
    const foreign = await other.get(callback.href);
    expect(foreign.status).toBe(400);
    expect(await foreign.text()).toContain('not started in this browser');
    expect(other.cookie(host, 'openvc_session')).toBeUndefined();
    const state = b.cookie(host, 'openvc_oidc')!;
    const mine = await b.get(callback.href);
    expect(mine.status).toBe(303);
    expect(b.cookie(host, 'openvc_session')).toBeTruthy();
    const replay = await fetch(callback, { headers: { cookie: `openvc_oidc=${state}` }, redirect: 'manual' });
    expect(replay.status).toBe(400);
    expect(await replay.text()).toContain('already used');
  });
});
