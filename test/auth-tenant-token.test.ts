import { execFile } from 'node:child_process';
import * as lark from '@larksuiteoapi/node-sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PG_URL, TestStore, startTestServer, type TestServer } from './helpers/server.js';
import { fixture } from './helpers/fixture.js';
import { signIn } from './helpers/sign-in.js';
import { hashToken } from '../src/domain/auth/tokens.js';
import { cliArgv } from './helpers/cli.js';

const TENANT_PATH = '/open-apis/auth/v3/tenant_access_token/internal';
const APP_PATH = '/open-apis/auth/v3/app_access_token/internal';

interface Raw {
  status: number;
  headers: Headers;
  body: Record<string, any>;
}

async function call(url: string, init: RequestInit = {}): Promise<Raw> {
  const res = await fetch(url, init);
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: JSON.parse(text) as Record<string, any> };
}

const postJson = (url: string, body: unknown): Promise<Raw> =>
  call(url, { method: 'POST', headers: { 'content-type': 'application/json; charset=utf-8' }, body: JSON.stringify(body) });

async function tenantToken(base: string, app: { appId: string; appSecret: string }, path = TENANT_PATH): Promise<{ token: string; expire: number }> {
  const r = await postJson(base + path, { app_id: app.appId, app_secret: app.appSecret });
  expect(r.status).toBe(200);
  expect(r.body.code).toBe(0);
  expect(r.body.tenant_access_token).toMatch(/^t-[0-9a-f]{40}$/);
  expect(Number.isInteger(r.body.expire)).toBe(true);
  return { token: r.body.tenant_access_token as string, expire: r.body.expire as number };
}

/** GET a user with the given Authorization header value (or none). */
const getAlice = (base: string, authorization?: string): Promise<Raw> =>
  call(`${base}/open-apis/contact/v3/users/alice?user_id_type=user_id`, authorization === undefined ? {} : { headers: { authorization } });

/** A user token through the browser consent form and the historic OIDC exchange. */
async function userToken(s: TestServer, app: { appId: string; appSecret: string }, userId: string): Promise<string> {
  const tenant = (await s.runtime.repos.apps.find(app.appId))!.tenantKey;
  const res = await fetch(`${s.url}/open-apis/authen/v1/authorize`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: await signIn(s.url, tenant, userId) },
    body: new URLSearchParams({ client_id: app.appId, redirect_uri: 'https://client.test/cb', state: 's', action: 'allow' }),
    redirect: 'manual',
  });
  expect(res.status).toBe(302);
  const code = new URL(res.headers.get('location') ?? '').searchParams.get('code');
  expect(code).toBeTruthy();
  const t = await s.client(app).authen.oidcAccessToken.create({ data: { grant_type: 'authorization_code', code: code ?? '' } });
  expect(t.code).toBe(0);
  return t.data?.access_token ?? '';
}

// ---------------------------------------------------------------------------------------------------------------
// CLI
// ---------------------------------------------------------------------------------------------------------------


interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs the built `openvc …`. OPENVC_* variables of this process are dropped so that only the flags
 * count. On PostgreSQL the test schema is selected with libpq's PGOPTIONS, which node-postgres honours.
 */
function cli(args: string[], store?: TestStore): Promise<CliResult> {
  const env: NodeJS.ProcessEnv = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('OPENVC_')));
  const storeArgs: string[] = [];
  if (store) {
    if (PG_URL) {
      storeArgs.push('--database-url', PG_URL);
      env.PGOPTIONS = `-c search_path=${store.pgSchema ?? ''}`;
    } else {
      storeArgs.push('--data-dir', store.dir);
    }
  }
  return new Promise((resolve) => {
    execFile(process.execPath, cliArgv(...args, ...storeArgs), { env, timeout: 120_000 }, (error, stdout, stderr) => {
      const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

describe('tenant_access_token', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer();
  });
  afterAll(async () => {
    await s.close();
    await s.store.dispose();
  });

  describe('issuing', () => {
    it('the SDK gets a tenant token and calls an API with it', async () => {
      const client = s.client(fixture.acme.full);
      const res = await client.contact.user.get({ path: { user_id: 'alice' }, params: { user_id_type: 'user_id' } });
      expect(res.code).toBe(0);
      expect(res.data?.user?.user_id).toBe('alice');
      expect(res.data?.user?.name).toBe('Alice');
    });

    it('a wrong secret makes the SDK call throw with 10014', async () => {
      const client = s.client({ appId: fixture.acme.full.appId, appSecret: 'not-the-secret' });
      await expect(client.contact.user.get({ path: { user_id: 'alice' }, params: { user_id_type: 'user_id' } })).rejects.toThrow(
        'failed to get tenant_access_token, code: 10014',
      );
      const r = await postJson(s.url + TENANT_PATH, { app_id: fixture.acme.full.appId, app_secret: 'not-the-secret' });
      expect(r.status).toBe(200);
      expect(r.body.code).toBe(10014);
      expect(r.body.msg).toBe('app secret invalid');
      expect(r.body).not.toHaveProperty('tenant_access_token');
    });

    it('an unknown app_id answers HTTP 200 with 10003', async () => {
      const r = await postJson(s.url + TENANT_PATH, { app_id: 'cli_doesnotexist01', app_secret: 'whatever' });
      expect(r.status).toBe(200);
      expect(r.body.code).toBe(10003);
      expect(r.body.msg).toContain('invalid param');
      expect(r.body.data).toEqual({});
      expect(r.body).not.toHaveProperty('tenant_access_token');
    });

    it.each([
      ['an empty object', {}],
      ['no app_secret', { app_id: fixture.acme.full.appId }],
      ['no app_id', { app_secret: fixture.acme.full.appSecret }],
      ['an empty app_secret', { app_id: fixture.acme.full.appId, app_secret: '' }],
      ['a numeric app_id', { app_id: 42, app_secret: fixture.acme.full.appSecret }],
    ])('a body with %s answers HTTP 200 with 10003', async (_name, body) => {
      const r = await postJson(s.url + TENANT_PATH, body);
      expect(r.status).toBe(200);
      expect(r.body.code).toBe(10003);
      expect(r.body).not.toHaveProperty('tenant_access_token');
    });

    it('no body at all answers HTTP 200 with 10003', async () => {
      const r = await call(s.url + TENANT_PATH, { method: 'POST' });
      expect(r.status).toBe(200);
      expect(r.body.code).toBe(10003);
    });

    it('the trailing-slash path /internal/ works and gives the same token', async () => {
      const plain = await tenantToken(s.url, fixture.acme.full);
      const slash = await tenantToken(s.url, fixture.acme.full, TENANT_PATH + '/');
      expect(slash.token).toBe(plain.token);
      expect((await getAlice(s.url, `Bearer ${slash.token}`)).body.code).toBe(0);
    });

    it('app_access_token/internal returns app_access_token == tenant_access_token', async () => {
      const t = await tenantToken(s.url, fixture.acme.full);
      for (const path of [APP_PATH, APP_PATH + '/']) {
        const r = await postJson(s.url + path, { app_id: fixture.acme.full.appId, app_secret: fixture.acme.full.appSecret });
        expect(r.status).toBe(200);
        expect(r.body.code).toBe(0);
        expect(r.body.msg).toBe('ok');
        expect(r.body.app_access_token).toBe(r.body.tenant_access_token);
        expect(r.body.tenant_access_token).toBe(t.token);
        expect(r.body.expire).toBeLessThanOrEqual(7200);
        expect(r.body.expire).toBeGreaterThan(7000);
      }
      const bad = await postJson(s.url + APP_PATH, { app_id: fixture.acme.full.appId, app_secret: 'nope' });
      expect(bad.status).toBe(200);
      expect(bad.body.code).toBe(10014);
      expect(bad.body).not.toHaveProperty('app_access_token');
    });

    it('the success body is flat: code, msg "ok", tenant_access_token, expire', async () => {
      const r = await postJson(s.url + TENANT_PATH, { app_id: fixture.acme.narrow.appId, app_secret: fixture.acme.narrow.appSecret });
      expect(r.status).toBe(200);
      expect(r.headers.get('content-type')).toBe('application/json; charset=utf-8');
      expect(Object.keys(r.body).sort()).toEqual(['code', 'expire', 'msg', 'tenant_access_token']);
      expect(r.body).toMatchObject({ code: 0, msg: 'ok' });
    });
  });

  describe('re-issue rule', () => {
    it('two requests in a row give the same token with a non-increasing expire', async () => {
      const a = await tenantToken(s.url, fixture.acme.narrow);
      const b = await tenantToken(s.url, fixture.acme.narrow);
      expect(b.token).toBe(a.token);
      expect(a.expire).toBeLessThanOrEqual(7200);
      expect(a.expire).toBeGreaterThan(7000);
      expect(b.expire).toBeLessThanOrEqual(a.expire);
    });

    it('with fewer than 30 minutes left a new token is issued and both stay valid', async () => {
      const other = await startTestServer({ config: { tenantTokenTtl: 1801 } });
      try {
        const first = await tenantToken(other.url, fixture.acme.full);
        expect(first.expire).toBe(1801);
        await new Promise((r) => setTimeout(r, 1500));
        const second = await tenantToken(other.url, fixture.acme.full);
        expect(second.token).not.toBe(first.token);
        expect(second.expire).toBe(1801);
        for (const token of [first.token, second.token]) {
          const r = await getAlice(other.url, `Bearer ${token}`);
          expect(r.status).toBe(200);
          expect(r.body.code).toBe(0);
          expect(r.body.data.user.user_id).toBe('alice');
        }
        // The newest token is the one handed out from now on.
        expect((await tenantToken(other.url, fixture.acme.full)).token).toBe(second.token);
      } finally {
        await other.close();
        await other.store.dispose();
      }
    });
  });

  it('tokens survive a server restart on the same store', async () => {
    const store = new TestStore();
    try {
      const first = await startTestServer({ store });
      const { token } = await tenantToken(first.url, fixture.acme.full);
      expect((await getAlice(first.url, `Bearer ${token}`)).body.code).toBe(0);
      await first.close();

      const second = await startTestServer({ store, seed: null });
      try {
        const r = await getAlice(second.url, `Bearer ${token}`);
        expect(r.status).toBe(200);
        expect(r.body.code).toBe(0);
        expect(r.body.data.user.name).toBe('Alice');
        // The token endpoint still hands out the same token after the restart.
        expect((await tenantToken(second.url, fixture.acme.full)).token).toBe(token);
      } finally {
        await second.close();
      }
    } finally {
      await store.dispose();
    }
  });

  it('an expired tenant token answers 99991663 and the next request gets a new token', async () => {
    // globex is used by no other test of this file, so no cached SDK client holds this token.
    const app = fixture.globex.full;
    const { token } = await tenantToken(s.url, app);
    const url = `${s.url}/open-apis/contact/v3/users/gina?user_id_type=user_id`;
    // Not used before it is expired: a verified token is trusted for up to VERIFY_CACHE_MS (5 s) without a
    // store read, and the test fakes expiry in the store rather than waiting two hours.
    const res = await s.runtime.store.db
      .updateTable('tokens')
      .set({ expires_at: Date.now() - 1000 })
      .where('token_hash', '=', hashToken(token))
      .executeTakeFirst();
    expect(Number(res.numUpdatedRows)).toBe(1);

    const r = await call(url, { headers: { authorization: `Bearer ${token}` } });
    expect(r.status).toBe(400);
    expect(r.body.code).toBe(99991663);
    expect(r.body.error.log_id).toBe(r.headers.get('x-tt-logid'));

    const fresh = await tenantToken(s.url, app);
    expect(fresh.token).not.toBe(token);
    expect(fresh.expire).toBe(7200);
    expect((await call(url, { headers: { authorization: `Bearer ${fresh.token}` } })).body.code).toBe(0);

    // Only the expiry made the difference: with its expires_at back in the future the old token works again.
    await s.runtime.store.db.updateTable('tokens').set({ expires_at: Date.now() + 3600_000 }).where('token_hash', '=', hashToken(token)).execute();
    expect((await call(url, { headers: { authorization: `Bearer ${token}` } })).body.code).toBe(0);
  });

  it('an expired user token answers 99991668', async () => {
    const token = await userToken(s, fixture.acme.narrow, 'bob');
    const url = `${s.url}/open-apis/authen/v1/user_info`;
    // Not used before it is expired (see above: verified tokens are trusted for up to 5 s).
    await s.runtime.store.db.updateTable('tokens').set({ expires_at: Date.now() - 1000 }).where('token_hash', '=', hashToken(token)).execute();
    const r = await call(url, { headers: { authorization: `Bearer ${token}` } });
    expect(r.status).toBe(400);
    expect(r.body.code).toBe(99991668);

    await s.runtime.store.db.updateTable('tokens').set({ expires_at: Date.now() + 3600_000 }).where('token_hash', '=', hashToken(token)).execute();
    const back = await call(url, { headers: { authorization: `Bearer ${token}` } });
    expect(back.status).toBe(200);
    expect(back.body.data.name).toBe('Bob');
  });

  describe('bearer errors', () => {
    let tenant: string;
    let user: string;
    beforeAll(async () => {
      tenant = (await tenantToken(s.url, fixture.acme.full)).token;
      user = await userToken(s, fixture.acme.full, 'alice');
    });

    const cases: [string, number, () => { path: string; method: string; auth?: string }][] = [
      ['no Authorization header', 99991661, () => ({ method: 'GET', path: '/open-apis/contact/v3/users/alice' })],
      ['a token without "Bearer "', 99991661, () => ({ method: 'GET', path: '/open-apis/contact/v3/users/alice', auth: tenant })],
      ['an empty Bearer', 99991661, () => ({ method: 'GET', path: '/open-apis/contact/v3/users/alice', auth: 'Bearer ' })],
      ['a garbage t- token', 99991663, () => ({ method: 'GET', path: '/open-apis/contact/v3/users/alice', auth: 'Bearer t-xxx' })],
      ['a garbage u- token', 99991668, () => ({ method: 'GET', path: '/open-apis/contact/v3/users/alice', auth: 'Bearer u-xxx' })],
      ['a garbage eyJ token', 99991668, () => ({ method: 'GET', path: '/open-apis/contact/v3/users/alice', auth: 'Bearer eyJxxx' })],
      ['a tenant token on a user-only API', 99991663, () => ({ method: 'GET', path: '/open-apis/authen/v1/user_info', auth: `Bearer ${tenant}` })],
      [
        'a user token on a tenant-only API',
        99991668,
        () => ({ method: 'POST', path: '/open-apis/contact/v3/users/batch_get_id', auth: `Bearer ${user}` }),
      ],
    ];

    it.each(cases)('%s → %i, with error.log_id == x-tt-logid', async (_name, expected, req) => {
      const { method, path, auth } = req();
      const headers: Record<string, string> = {};
      if (auth !== undefined) headers.authorization = auth;
      const init: RequestInit = { method, headers };
      if (method === 'POST') {
        headers['content-type'] = 'application/json';
        init.body = JSON.stringify({ emails: ['alice@acme.test'] });
      }
      const r = await call(s.url + path, init);
      expect(r.status).toBe(400);
      expect(r.body.code).toBe(expected);
      expect(typeof r.body.msg).toBe('string');
      const logId = r.headers.get('x-tt-logid');
      expect(logId).toMatch(/^\d{14}[0-9A-F]{20}$/);
      expect(r.body.error.log_id).toBe(logId);
    });

    it('the same tokens work where their kind is accepted', async () => {
      expect((await getAlice(s.url, `Bearer ${tenant}`)).body.code).toBe(0);
      const info = await s.client(fixture.acme.full).authen.userInfo.get({}, lark.withUserAccessToken(user));
      expect(info.code).toBe(0);
      expect(info.data?.user_id).toBe('alice');
      const batch = await call(`${s.url}/open-apis/contact/v3/users/batch_get_id?user_id_type=user_id`, {
        method: 'POST',
        headers: { authorization: `Bearer ${tenant}`, 'content-type': 'application/json' },
        body: JSON.stringify({ emails: ['alice@acme.test'] }),
      });
      expect(batch.status).toBe(200);
      expect(batch.body.data.user_list[0].user_id).toBe('alice');
    });
  });

  describe('CLI', { timeout: 60_000 }, () => {
    it('token tenant prints the token the HTTP endpoint gives', async () => {
      const { token } = await tenantToken(s.url, fixture.acme.full);
      const r = await cli(['token', 'tenant', '--app', fixture.acme.full.appId], s.store);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(r.stdout.trim()).toBe(token);
    });

    it('token user prints a u- token that works with the SDK', async () => {
      const r = await cli(['token', 'user', '--app', fixture.acme.full.appId, '--user', 'alice'], s.store);
      expect(r.code).toBe(0);
      const token = r.stdout.trim();
      expect(token).toMatch(/^u-[A-Za-z0-9_-]{20,}$/);
      const info = await s.client(fixture.acme.full).authen.userInfo.get({}, lark.withUserAccessToken(token));
      expect(info.code).toBe(0);
      expect(info.data?.name).toBe('Alice');
      expect(info.data?.user_id).toBe('alice');
      expect(info.data?.open_id).toMatch(/^ou_[0-9a-f]{32}$/);
    });

    it.each([
      ['token tenant with an unknown app', ['token', 'tenant', '--app', 'cli_unknownapp99'], 'cli_unknownapp99'],
      ['token user with an unknown app', ['token', 'user', '--app', 'cli_unknownapp99', '--user', 'alice'], 'cli_unknownapp99'],
      ['token user with an unknown user', ['token', 'user', '--app', fixture.acme.full.appId, '--user', 'zed'], 'zed'],
      ['token user with a user of another tenant', ['token', 'user', '--app', fixture.acme.full.appId, '--user', 'gina'], 'gina'],
      ['token user with a resigned user', ['token', 'user', '--app', fixture.acme.full.appId, '--user', 'carol'], 'carol'],
    ])('%s exits non-zero and names it', async (_name, args, named) => {
      const r = await cli(args, s.store);
      expect(r.code).not.toBe(0);
      expect(r.stdout).toBe('');
      expect(r.stderr).toContain(named);
    });

    // One at a time: eight TypeScript compilers at once on a busy machine outlast any timeout.
    it('--help works on every command', { timeout: 600_000 }, async () => {
      const commands = [[], ['serve'], ['migrate'], ['seed'], ['token'], ['token', 'tenant'], ['token', 'user'], ['docs']];
      const results: CliResult[] = [];
      for (const c of commands) results.push(await cli([...c, '--help']));
      results.forEach((r, i) => {
        const name = ['openvc', ...(commands[i] ?? [])].join(' ');
        expect(r.code, name).toBe(0);
        expect(r.stdout, name).toContain(`Usage: ${name}`);
      });
      expect(results[6]?.stdout).toContain('--user <user_id>');
      expect(results[5]?.stdout).toContain('--app <app_id>');
    });
  });
});
