import { execFile } from 'node:child_process';
import * as lark from '@larksuiteoapi/node-sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PG_URL, dialect, startTestServer, type TestServer } from '../helpers/server.js';
import { REDIRECT_URIS, fixture, fixtureSeed } from '../helpers/fixture.js';
import { s256Pair } from '../helpers/page-sign-in.js';
import { signIn } from '../helpers/sign-in.js';
import { parseSeed, SeedError } from '../../src/domain/seed.js';
import { cliArgv } from '../helpers/cli.js';

type Json = Record<string, any>;
const REGISTERED = REDIRECT_URIS[0]!;
const OTHER_REGISTERED = REDIRECT_URIS[1]!;
const EVIL = 'https://evil.example/steal';
const ADMIN_KEY = 'admin-key-for-redirect-tests';
/** An app that registered no redirect URI at all. */
const BARE = { appId: 'cli_acmebare0001', appSecret: 'acme-bare-secret' };

/**
 * Issue 14: the authorize page sent a fresh code to any redirect_uri (`action=deny` included). Now only
 * an exact registered URI (or the server's own pages) gets a redirect; everything else is an HTML error
 * page, and the token exchanges hold the code to the URI it was issued for.
 */
describe(`registered redirect URIs (${dialect})`, () => {
  let s: TestServer;
  let app: lark.Client;
  /** alice's sign-in session: the consent page answers only a signed-in user */
  let session: string;

  const authorizeGet = (params: Record<string, string>, path = '/open-apis/authen/v1/authorize') => fetch(`${s.url}${path}?${new URLSearchParams(params)}`, { redirect: 'manual', headers: { cookie: session } });
  const authorizePost = (fields: Record<string, string>) =>
    fetch(`${s.url}/open-apis/authen/v1/authorize`, { method: 'POST', body: new URLSearchParams(fields), redirect: 'manual', headers: { cookie: session } });
  const codeRows = async () => Number((await s.runtime.store.db.selectFrom('tokens').select((eb) => eb.fn.countAll().as('n')).where('kind', '=', 'code').executeTakeFirstOrThrow()).n);
  const codeFor = async (redirectUri: string, extra: Record<string, string> = {}) => {
    const res = await authorizePost({ client_id: fixture.acme.full.appId, redirect_uri: redirectUri, state: 's', action: 'allow', ...extra });
    expect(res.status).toBe(302);
    return new URL(res.headers.get('location')!).searchParams.get('code')!;
  };
  const v2 = async (body: Json, path = '/open-apis/authen/v2/oauth/token') => {
    const res = await fetch(`${s.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ grant_type: 'authorization_code', client_id: fixture.acme.full.appId, client_secret: fixture.acme.full.appSecret, ...body }),
    });
    return { status: res.status, body: (await res.json()) as Json };
  };
  const admin = async (method: string, appId: string, body?: unknown) => {
    const res = await fetch(`${s.url}/openvc/v1/admin/apps/${appId}/redirect_uris`, {
      method,
      headers: { authorization: `Bearer ${ADMIN_KEY}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    return { status: res.status, body: (await res.json()) as Json };
  };

  /** The page is an HTML error page with HTTP 400, and no redirect, whatever was asked. */
  async function expectErrorPage(res: Response, says: string): Promise<void> {
    expect(res.status).toBe(400);
    expect(res.headers.get('location')).toBeNull();
    expect(res.headers.get('content-type')).toContain('text/html');
    expect(await res.text()).toContain(says);
  }

  beforeAll(async () => {
    const seed = fixtureSeed();
    seed.tenants[0]!.apps!.push({ app_id: BARE.appId, app_secret: BARE.appSecret, name: 'Acme bare', scopes: ['contact:user.base:readonly'] });
    s = await startTestServer({ seed, config: { rateLimit: false, adminKey: ADMIN_KEY } });
    session = await signIn(s.url, fixture.acme.tenantKey, 'alice');
    app = s.client(fixture.acme.full);
  });
  afterAll(async () => {
    await s?.close();
    await s?.store.dispose();
  });

  it('authorize (both variants) shows an error page for an unregistered redirect_uri, never a redirect', async () => {
    const near = [EVIL, REGISTERED + '/', REGISTERED.toUpperCase(), REGISTERED.replace('https:', 'http:'), REGISTERED + '?x=1', REGISTERED + '#frag', 'https://client.test.evil.example/callback', 'javascript:alert(1)'];
    for (const uri of near) {
      await expectErrorPage(await authorizeGet({ client_id: fixture.acme.full.appId, response_type: 'code', redirect_uri: uri, state: 's' }), 'redirect_uri is not registered');
      await expectErrorPage(await authorizeGet({ app_id: fixture.acme.full.appId, redirect_uri: uri, state: 's' }, '/open-apis/authen/v1/index'), 'redirect_uri is not registered');
    }
    expect((await authorizeGet({ client_id: fixture.acme.full.appId, response_type: 'code', redirect_uri: REGISTERED })).status).toBe(200);
    expect((await authorizeGet({ app_id: fixture.acme.full.appId, redirect_uri: REGISTERED }, '/open-apis/authen/v1/index')).status).toBe(200);
  });

  it('allow and deny to an unregistered redirect_uri, or with a bad client_id, answer the error page and write no code', async () => {
    const before = await codeRows();
    for (const action of ['allow', 'deny']) {
      await expectErrorPage(await authorizePost({ client_id: fixture.acme.full.appId, redirect_uri: EVIL, state: 's', action }), 'redirect_uri is not registered');
      await expectErrorPage(await authorizePost({ client_id: 'cli_nosuchapp0001', redirect_uri: REGISTERED, state: 's', action }), 'does not exist');
      // another app's registered URI is not this app's
      await expectErrorPage(await authorizePost({ client_id: BARE.appId, redirect_uri: REGISTERED, state: 's', action }), 'redirect_uri is not registered');
    }
    expect(await codeRows()).toBe(before);
    const denied = await authorizePost({ client_id: fixture.acme.full.appId, redirect_uri: REGISTERED, state: 's', action: 'deny' });
    expect(denied.status).toBe(302);
    expect(denied.headers.get('location')).toBe(`${REGISTERED}?error=access_denied&state=s`);
  });

  it('an app with no registered URI can send codes nowhere but to the server\'s own pages', async () => {
    await expectErrorPage(await authorizeGet({ client_id: BARE.appId, response_type: 'code', redirect_uri: 'http://127.0.0.1/callback' }), 'redirect_uri is not registered');
    expect((await authorizeGet({ client_id: BARE.appId, response_type: 'code', redirect_uri: `${s.url}/j/123456789` })).status).toBe(200);
    expect((await authorizeGet({ client_id: BARE.appId, response_type: 'code', redirect_uri: `${s.url}/minutes/callback` })).status).toBe(200);
    for (const page of ['/j/12345678', '/j/123456789/token', '/j/123456789?x=https://evil.example', '/minutes/callback/../x', '/static/meeting.js']) {
      await expectErrorPage(await authorizeGet({ client_id: BARE.appId, response_type: 'code', redirect_uri: `${s.url}${page}` }), 'redirect_uri is not registered');
    }
  });

  it('v2 and v3 exchanges require the authorize-time redirect_uri: missing 20001, another registered one 20071', async () => {
    for (const path of ['/open-apis/authen/v2/oauth/token', '/oauth/v3/token']) {
      const code = await codeFor(REGISTERED);
      expect(await v2({ code }, path)).toMatchObject({ status: 400, body: { code: 20001, error: 'invalid_request', error_description: expect.stringContaining('redirect_uri is required') } });
      expect(await v2({ code, redirect_uri: OTHER_REGISTERED }, path)).toMatchObject({ status: 400, body: { code: 20071, error: 'invalid_grant' } });
      // failed attempts do not use the code up
      const t = await v2({ code, redirect_uri: REGISTERED }, path);
      expect(t.status).toBe(200);
      expect(t.body.access_token).toMatch(/^eyJ/);
    }
  });

  it('through the SDK: retrieveByAuthorizationCode with the wrong redirectUri is refused, with the right one works', async () => {
    const oauth = new lark.Client({ appId: fixture.acme.full.appId, appSecret: fixture.acme.full.appSecret, domain: s.url, oauthBaseUrl: s.url } as ConstructorParameters<typeof lark.Client>[0]);
    const code = await codeFor(REGISTERED);
    await expect(oauth.accessToken.retrieveByAuthorizationCode({ code, redirectUri: OTHER_REGISTERED })).rejects.toMatchObject({ name: 'AccessTokenError', statusCode: 400, code: 20071 });
    const t = await oauth.accessToken.retrieveByAuthorizationCode({ code, redirectUri: REGISTERED });
    expect(t.accessToken).toMatch(/^eyJ/);
  });

  it('historic oidc/access_token: a redirect_uri it is sent must match (20029); without one the contract is kept', async () => {
    const code = await codeFor(REGISTERED);
    const wrong = await app.authen.oidcAccessToken.create({ data: { grant_type: 'authorization_code', code, redirect_uri: OTHER_REGISTERED } as never });
    expect(wrong.code).toBe(20029);
    const right = await app.authen.oidcAccessToken.create({ data: { grant_type: 'authorization_code', code, redirect_uri: REGISTERED } as never });
    expect(right.data?.access_token).toMatch(/^u-/);
    const plain = await app.authen.oidcAccessToken.create({ data: { grant_type: 'authorization_code', code: await codeFor(REGISTERED) } });
    expect(plain.data?.access_token).toMatch(/^u-/);
  });

  it("a code sent to the server's own page cannot be redeemed for Open API tokens, even naming that page", async () => {
    const page = `${s.url}/j/123456789`;
    const { challenge, verifier } = s256Pair();
    const code = await codeFor(page, { code_challenge: challenge, code_challenge_method: 'S256' });
    expect(await v2({ code, redirect_uri: page, code_verifier: verifier })).toMatchObject({ status: 400, body: { code: 20071 } });
    const plainCode = await codeFor(`${s.url}/minutes/callback`);
    expect((await app.authen.oidcAccessToken.create({ data: { grant_type: 'authorization_code', code: plainCode } })).code).toBe(20029);
  });

  it('PKCE: S256 and plain both work; a malformed challenge is an error page', async () => {
    const { challenge, verifier } = s256Pair();
    const s256 = await codeFor(REGISTERED, { code_challenge: challenge, code_challenge_method: 'S256' });
    expect((await v2({ code: s256, redirect_uri: REGISTERED, code_verifier: verifier })).status).toBe(200);
    const plain = await codeFor(REGISTERED, { code_challenge: verifier, code_challenge_method: 'plain' });
    expect((await v2({ code: plain, redirect_uri: REGISTERED, code_verifier: verifier })).status).toBe(200);
    await expectErrorPage(await authorizeGet({ client_id: fixture.acme.full.appId, response_type: 'code', redirect_uri: REGISTERED, code_challenge: 'short', code_challenge_method: 'S256' }), 'code_challenge');
  });

  it('the admin API lists and replaces the list; a bad URI or an unknown app changes nothing', async () => {
    expect(await admin('GET', BARE.appId)).toMatchObject({ status: 200, body: { code: 0, data: { app_id: BARE.appId, redirect_uris: [] } } });
    const bad = await admin('PUT', BARE.appId, { redirect_uris: ['https://bare.test/cb', 'https://bare.test/cb#x', 'ftp://bare.test/'] });
    expect(bad.status).toBe(400);
    expect(bad.body.code).toBe(99992402);
    expect(bad.body.msg).toContain('must not have a fragment');
    expect(bad.body.msg).toContain('must be http(s)');
    expect((await admin('GET', BARE.appId)).body.data.redirect_uris).toEqual([]);
    expect((await admin('GET', 'cli_nosuchapp0001')).body.code).toBe(121004);
    const noKey = await fetch(`${s.url}/openvc/v1/admin/apps/${BARE.appId}/redirect_uris`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ redirect_uris: [EVIL] }) });
    expect(noKey.status).toBe(401);

    expect(await admin('PUT', BARE.appId, { redirect_uris: ['https://bare.test/cb'] })).toMatchObject({ status: 200, body: { data: { redirect_uris: ['https://bare.test/cb'] } } });
    expect((await authorizeGet({ client_id: BARE.appId, response_type: 'code', redirect_uri: 'https://bare.test/cb' })).status).toBe(200);
    await admin('PUT', BARE.appId, { redirect_uris: [] });
    await expectErrorPage(await authorizeGet({ client_id: BARE.appId, response_type: 'code', redirect_uri: 'https://bare.test/cb' }), 'redirect_uri is not registered');
  });

  it('the seed checks redirect_uris', () => {
    const seed = fixtureSeed();
    seed.tenants[0]!.apps![0]!.redirect_uris = ['https://ok.test/cb', 'not a url', 'https://x.test/#f'];
    let problems: string[] = [];
    try {
      parseSeed(seed);
    } catch (e) {
      problems = (e as SeedError).problems;
    }
    expect(problems).toEqual([expect.stringContaining('apps[0].redirect_uris[1]'), expect.stringContaining('apps[0].redirect_uris[2]: https://x.test/#f must not have a fragment')]);
  });

  it('openvc app redirect-uris adds, lists and removes, and refuses a bad URI', async () => {
    const run = (args: string[]) =>
      new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
        const env: NodeJS.ProcessEnv = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('OPENVC_')));
        const store = PG_URL ? ['--database-url', s.store.databaseUrl!] : ['--data-dir', s.store.dir];
        execFile(process.execPath, cliArgv('app', 'redirect-uris', ...args, ...(args.includes('--help') ? [] : store)), { env, timeout: 60_000 }, (error, stdout, stderr) =>
          resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr }),
        );
      });
    const help = await run(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Usage: openvc app redirect-uris');
    expect(help.stdout).toContain('--add <uri>');

    const added = await run([BARE.appId, '--add', 'https://cli.test/cb', '--add', 'http://127.0.0.1:3000/cb']);
    expect(added.code, added.stderr).toBe(0);
    expect(JSON.parse(added.stdout)).toEqual({ app_id: BARE.appId, redirect_uris: ['https://cli.test/cb', 'http://127.0.0.1:3000/cb'] });
    // the running server sees the change (another process wrote it)
    await expect.poll(async () => (await authorizeGet({ client_id: BARE.appId, response_type: 'code', redirect_uri: 'https://cli.test/cb' })).status, { timeout: 10_000 }).toBe(200);

    const bad = await run([BARE.appId, '--add', 'https://cli.test/x#frag']);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain('must not have a fragment');
    const removed = await run([BARE.appId, '--remove', 'https://cli.test/cb']);
    expect(JSON.parse(removed.stdout).redirect_uris).toEqual(['http://127.0.0.1:3000/cb']);
    expect(JSON.parse((await run([BARE.appId, '--list'])).stdout).redirect_uris).toEqual(['http://127.0.0.1:3000/cb']);
    await expect.poll(async () => (await authorizeGet({ client_id: BARE.appId, response_type: 'code', redirect_uri: 'https://cli.test/cb' })).status, { timeout: 10_000 }).toBe(400);
  }, 180_000);
});
