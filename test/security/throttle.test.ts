import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import pino from 'pino';
import { sdkClient, startTestServer, TestStore, type TestServer } from '../helpers/server.js';
import { fixture, FIXTURE_PASSWORD } from '../helpers/fixture.js';
import { requestFrom, type FromResponse } from '../helpers/source-address.js';
import { lockAfter, sourceOf } from '../../src/domain/auth/guess-throttle.js';
import { runMaintenance } from '../../src/jobs/maintenance.js';

/**
 * Guessing credentials (issue 14 item 4, docs/operations.md): each attacker plays from its own loopback
 * address; the bystander with the right credential comes from 127.0.0.1 through the official SDK.
 */
const TENANT = '/open-apis/auth/v3/tenant_access_token/internal';
const APP = '/open-apis/auth/v3/app_access_token/internal';
const OAUTH = '/oauth/v3/token';
const ADMIN_KEY = 'admin-key-for-the-throttle-test';

const secretGuess = (s: TestServer, from: string, appId: string, appSecret: string, path = TENANT) => requestFrom(from, s.url + path, { body: { app_id: appId, app_secret: appSecret } });

function expectThrottled(r: FromResponse): void {
  expect(r.status).toBe(429);
  expect(r.body.code).toBe(99991400);
  expect(Number(r.headers['retry-after'])).toBeGreaterThan(0);
  expect(r.headers['x-ogw-ratelimit-reset']).toBe(r.headers['retry-after']);
}

async function sdkTenantToken(s: TestServer, app: { appId: string; appSecret: string }): Promise<string> {
  const res = await sdkClient(s.url, app).auth.tenantAccessToken.internal({ data: { app_id: app.appId, app_secret: app.appSecret } });
  expect(res.code).toBe(0);
  return (res as { tenant_access_token?: string }).tenant_access_token ?? '';
}

describe('guess throttle with the default limits', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer({ config: { adminKey: ADMIN_KEY } });
  });
  afterAll(async () => {
    await s?.close();
    await s?.store.dispose();
  });

  it('app secrets: five wrong ones, then the attacker is refused even with the right secret, on both token endpoints and the OAuth endpoint; the app itself still gets tokens', async () => {
    const app = fixture.acme.full;
    for (let i = 0; i < 5; i++) {
      const r = await secretGuess(s, '127.0.0.2', app.appId, `guess-${i}`);
      expect(r.status).toBe(200);
      expect(r.body.code).toBe(10014);
    }
    const locked = await secretGuess(s, '127.0.0.2', app.appId, app.appSecret);
    expectThrottled(locked);
    expect(locked.body.msg).toMatch(/too many failed attempts/);
    expect(locked.body.tenant_access_token).toBeUndefined();
    // The lock is about 60 s (guessLock), not a fixed window's remainder.
    expect(Number(locked.headers['retry-after'])).toBeGreaterThan(50);
    expectThrottled(await secretGuess(s, '127.0.0.2', app.appId, app.appSecret, APP));
    const oauth = await requestFrom('127.0.0.2', s.url + OAUTH, { body: { grant_type: 'authorization_code', client_id: app.appId, client_secret: app.appSecret, code: 'x' } });
    expect(oauth.status).toBe(429);
    expect(oauth.body).toEqual({ code: 99991400, error: 'temporarily_unavailable', error_description: expect.stringMatching(/too many failed client secrets/) });

    // The bystander: the SDK gets a token and uses it.
    expect(await sdkTenantToken(s, app)).toMatch(/^t-/);
    const user = await s.client(app).contact.user.get({ path: { user_id: 'alice' }, params: { user_id_type: 'user_id' } });
    expect(user.code).toBe(0);
    // Another app from the attacking address is a different target: its own five guesses are still open.
    expect((await secretGuess(s, '127.0.0.2', fixture.acme.narrow.appId, 'nope')).body.code).toBe(10014);
  });

  it('only credential checks read the counters: a bearer-token request never does, a right secret reads once and writes nothing', async () => {
    const reads = vi.spyOn(s.runtime.repos.throttle, 'read');
    const writes = vi.spyOn(s.runtime.repos.throttle, 'addFailure');
    try {
      const client = s.client(fixture.globex.full);
      for (let i = 0; i < 5; i++) expect((await client.contact.user.get({ path: { user_id: 'gina' }, params: { user_id_type: 'user_id' } })).code).toBe(0);
      // One read: the SDK fetched its tenant token before the first call; the five bearer-token calls read nothing.
      expect(reads).toHaveBeenCalledTimes(1);
      expect(writes).not.toHaveBeenCalled();
    } finally {
      reads.mockRestore();
      writes.mockRestore();
    }
  });

  it('OAuth client secrets count with the app secret: wrong ones at the token endpoint lock the pair', async () => {
    const app = fixture.globex.full;
    for (let i = 0; i < 5; i++) {
      const r = await requestFrom('127.0.0.3', s.url + OAUTH, { body: { grant_type: 'authorization_code', client_id: app.appId, client_secret: `guess-${i}`, code: 'x' } });
      expect(r.status).toBe(400);
      expect(r.body.code).toBe(20002);
    }
    const r = await requestFrom('127.0.0.3', s.url + OAUTH, { body: { grant_type: 'authorization_code', client_id: app.appId, client_secret: app.appSecret, code: 'x' } });
    expect(r.status).toBe(429);
    expect(r.body.code).toBe(99991400);
    expectThrottled(await secretGuess(s, '127.0.0.3', app.appId, app.appSecret));
    expect(await sdkTenantToken(s, app)).toMatch(/^t-/);
  });

  it('the admin key: five wrong ones, then 429 for that address while the operator still gets in', async () => {
    const deliveries = (from: string, key: string) => requestFrom(from, `${s.url}/openvc/v1/admin/event_deliveries`, { headers: { authorization: `Bearer ${key}` } });
    for (let i = 0; i < 5; i++) {
      const r = await deliveries('127.0.0.4', `wrong-admin-key-${i}`);
      expect(r.status).toBe(401);
      expect(r.body.code).toBe(190001);
    }
    expectThrottled(await deliveries('127.0.0.4', ADMIN_KEY));
    const operator = await deliveries('127.0.0.1', ADMIN_KEY);
    expect(operator.status).toBe(200);
    expect(operator.body.code).toBe(0);
  });

  it('user passwords: five wrong ones, then the sign-in page answers 429 for that address even with the right password, while the user signs in from elsewhere', async () => {
    const signIn = (from: string, password: string) =>
      requestFrom(from, `${s.url}/signin`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ tenant: 'acme', login: 'bob', password, next: '' }).toString() });
    for (let i = 0; i < 5; i++) expect((await signIn('127.0.0.6', `wrong-${i}`)).status).toBe(401);
    const locked = await signIn('127.0.0.6', FIXTURE_PASSWORD);
    expect(locked.status).toBe(429);
    expect(Number(locked.headers['retry-after'])).toBeGreaterThan(0);
    expect(String(locked.body.text)).toContain('Too many failed tries');
    expect(locked.headers['set-cookie']).toBeUndefined();
    const bob = await signIn('127.0.0.1', FIXTURE_PASSWORD);
    expect(bob.status).toBe(303);
    expect(String(bob.headers['set-cookie'])).toMatch(/^openvc_session=/);
  });

  it('meeting passwords: five wrong ones lock the guesser out of that meeting, not its invitees', async () => {
    const client = s.client(fixture.acme.full);
    const reserve = await client.vc.reserve.apply({
      params: { user_id_type: 'user_id' },
      data: { end_time: String(Math.floor(Date.now() / 1000) + 3600), owner_id: 'alice', meeting_settings: { topic: 'Board', password: '4711' } },
    });
    const meetingNo = reserve.data!.reserve!.meeting_no!;
    const acme = (await s.runtime.repos.apps.find(fixture.acme.full.appId))!;
    const token = async (user: string) => (await s.runtime.tokens.issueUserTokens(acme, user, acme.scopes, 'v1', Date.now())).accessToken;
    const [bob, alice] = [await token('bob'), await token('alice')];
    const join = (from: string, t: string, password?: string) =>
      requestFrom(from, `${s.url}/client/v1/meetings/join`, { headers: { authorization: `Bearer ${t}` }, body: { meeting_no: meetingNo, ...(password ? { password } : {}) } });

    // No password at all is no guess: it is refused without counting.
    expect((await join('127.0.0.5', bob)).body.code).toBe(121005);
    for (let i = 0; i < 5; i++) {
      const r = await join('127.0.0.5', bob, `00${i}0`);
      expect(r.status).toBe(403);
      expect(r.body).toMatchObject({ code: 121005, msg: 'the meeting password is wrong' });
    }
    expectThrottled(await join('127.0.0.5', bob, '4711'));
    // Nothing was opened by the refused joins.
    expect(await s.runtime.repos.meetings.liveByNo(meetingNo)).toBeUndefined();
    const joined = await join('127.0.0.1', alice, '4711');
    expect(joined.status).toBe(200);
    expect(joined.body.code).toBe(0);
  });
});

describe('guess throttle per source and per target', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer({ config: { guessFailures: 5, guessTargetFailures: 3, guessSourceFailures: 4, trustProxy: '127.0.0.1' } });
  });
  afterAll(async () => {
    await s?.close();
    await s?.store.dispose();
  });

  it('a target attacked from many addresses admits one guess per new address, refuses those that failed, and never the right secret from a clean one', async () => {
    const app = fixture.acme.full;
    for (const from of ['127.0.1.1', '127.0.1.2', '127.0.1.3']) expect((await secretGuess(s, from, app.appId, 'spray')).body.code).toBe(10014);
    // 127.0.1.1 failed once only (its pair limit is 5), but the target is now under attack.
    expectThrottled(await secretGuess(s, '127.0.1.1', app.appId, app.appSecret));
    expect((await secretGuess(s, '127.0.1.4', app.appId, 'spray')).body.code).toBe(10014);
    expectThrottled(await secretGuess(s, '127.0.1.4', app.appId, 'spray again'));
    const clean = await secretGuess(s, '127.0.1.5', app.appId, app.appSecret);
    expect(clean.body.code).toBe(0);
    expect(await sdkTenantToken(s, app)).toMatch(/^t-/);
  });

  it('one address spraying over many apps is locked out of them all', async () => {
    const ids = ['cli_nope0001', 'cli_nope0002', 'cli_nope0003', 'cli_nope0004'];
    for (const id of ids) expect((await secretGuess(s, '127.0.2.1', id, 'x')).body.code).toBe(10003);
    expectThrottled(await secretGuess(s, '127.0.2.1', fixture.globex.full.appId, fixture.globex.full.appSecret));
    expect((await secretGuess(s, '127.0.2.2', fixture.globex.full.appId, fixture.globex.full.appSecret)).body.code).toBe(0);
  });

  it('behind a trusted proxy counts the forwarded client, so one client behind it locks out no other', async () => {
    const app = fixture.acme.narrow;
    const viaProxy = (client: string, secret: string) => requestFrom('127.0.0.1', s.url + TENANT, { headers: { 'x-forwarded-for': client }, body: { app_id: app.appId, app_secret: secret } });
    // Three failures reach this server's target limit: the client that made them is refused, the other is not.
    for (let i = 0; i < 3; i++) expect((await viaProxy('203.0.113.5', `guess-${i}`)).body.code).toBe(10014);
    expectThrottled(await viaProxy('203.0.113.5', app.appSecret));
    expect((await viaProxy('203.0.113.6', app.appSecret)).body.code).toBe(0);
    // An untrusted peer's X-Forwarded-For is ignored: 127.0.2.1, locked by the spray above, cannot pose as a fresh client.
    expectThrottled(await requestFrom('127.0.2.1', s.url + TENANT, { headers: { 'x-forwarded-for': '198.51.100.1' }, body: { app_id: app.appId, app_secret: app.appSecret } }));
  });

  it('counts an address, not a connection: an IPv6 /64 is one source, a mapped IPv4 address its IPv4', () => {
    expect(sourceOf('::ffff:10.1.2.3')).toBe('10.1.2.3');
    expect(sourceOf('2001:db8:1:2:aaaa::1')).toBe(sourceOf('2001:db8:1:2:ffff:1:2:3'));
    expect(sourceOf('2001:db8:1:2::1')).not.toBe(sourceOf('2001:db8:1:3::1'));
    expect(sourceOf('fe80::1%eth0')).toBe('fe80:0:0:0::/64');
  });

  it('locks grow: none before the free failures, then the first lock doubling up to the longest', () => {
    const p = { lockMs: 60_000, maxLockMs: 3_600_000 };
    expect([4, 5, 6, 7, 11, 40].map((f) => lockAfter(f, 5, p))).toEqual([0, 60_000, 120_000, 240_000, 3_600_000, 3_600_000]);
  });
});

describe('guess counters live in the store', () => {
  const store = new TestStore();
  let a: TestServer;
  let b: TestServer;
  beforeAll(async () => {
    a = await startTestServer({ store });
    b = await startTestServer({ store, seed: null });
  });
  afterAll(async () => {
    await a?.close();
    await b?.close();
    await store.dispose();
  });

  it('two servers on one store share the count: failures at either lock the attacker out of both', async () => {
    const app = fixture.acme.full;
    const answers: number[] = [];
    for (const [i, server] of [a, a, a, b, b].entries()) answers.push((await secretGuess(server, '127.0.3.1', app.appId, `guess-${i}`)).body.code as number);
    expect(answers).toEqual([10014, 10014, 10014, 10014, 10014]);
    const [atA, atB] = await Promise.all([secretGuess(a, '127.0.3.1', app.appId, app.appSecret), secretGuess(b, '127.0.3.1', app.appId, app.appSecret)]);
    expect([atA.status, atB.status]).toEqual([429, 429]);
    expect((await secretGuess(b, '127.0.3.2', app.appId, app.appSecret)).body.code).toBe(0);
  });

  it('maintenance prunes counters once quiet and unlocked, and keeps locked ones', async () => {
    const rt = a.runtime;
    const app = fixture.acme.full;
    // Two failures from another address: counted, not locked.
    for (const i of [1, 2]) expect((await secretGuess(a, '127.0.3.9', app.appId, `guess-${i}`)).body.code).toBe(10014);
    const keys = ['app_secret|s|127.0.3.9', `app_secret|p|127.0.3.9|${app.appId}`, `app_secret|p|127.0.3.1|${app.appId}`];
    expect((await rt.repos.throttle.read(keys)).map((r) => r.key).sort()).toEqual([...keys].sort());
    // A pass that counts everything older than 1 ms as quiet; the first address's lock (60 s) keeps its rows.
    const since = Math.max(...(await rt.repos.throttle.read(keys)).map((r) => r.updated_at));
    while (Date.now() <= since + 1) await new Promise((r) => setTimeout(r, 5));
    await runMaintenance({ tokens: rt.tokens, jobs: rt.repos.jobs, deliveries: rt.repos.deliveries, throttle: rt.repos.throttle, credentials: rt.repos.credentials, eventRetentionMs: 86_400_000, guessQuietMs: 1 }, pino({ level: 'silent' }));
    expect((await rt.repos.throttle.read(keys)).map((r) => r.key)).toEqual([`app_secret|p|127.0.3.1|${app.appId}`]);
  });
});
