import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sdkError, startTestServer, type TestServer } from './helpers/server.js';
import { fixture } from './helpers/fixture.js';
import { awayFromMinuteBoundary } from './helpers/clock.js';

const LOG_ID = /^\d{14}[0-9A-F]{20}$/;
const JSON_TYPE = 'application/json; charset=utf-8';
const USERS = '/open-apis/contact/v3/users';
const BATCH = `${USERS}/batch_get_id`;
const BY_DEPT = `${USERS}/find_by_department`;
const TENANT_TOKEN = '/open-apis/auth/v3/tenant_access_token/internal';

interface Raw {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
}

/** One HTTP request sent exactly as given: the path is not normalised, a GET may carry a body. */
function raw(base: string, method: string, path: string, headers: Record<string, string> = {}, body?: string): Promise<Raw> {
  return new Promise((resolve, reject) => {
    const url = new URL(base);
    const req = httpRequest({ host: url.hostname, port: url.port, method, path, headers: { ...headers, ...(body !== undefined ? { 'content-length': String(Buffer.byteLength(body)) } : {}) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
}

const header = (r: Raw, name: string): string => {
  const v = r.headers[name];
  return Array.isArray(v) ? v.join(',') : (v ?? '');
};

const json = (r: Raw): Record<string, any> => JSON.parse(r.text) as Record<string, any>;

async function tenantToken(base: string, app: { appId: string; appSecret: string }): Promise<string> {
  const r = await raw(base, 'POST', TENANT_TOKEN, { 'content-type': 'application/json' }, JSON.stringify({ app_id: app.appId, app_secret: app.appSecret }));
  expect(r.status).toBe(200);
  const body = json(r);
  expect(body.code).toBe(0);
  return body.tenant_access_token as string;
}

/** Both log headers are present and well-formed; on an error envelope `error.log_id` is the same value. */
function expectLogIds(r: Raw): string {
  const logId = header(r, 'x-tt-logid');
  expect(logId).toMatch(LOG_ID);
  expect(header(r, 'x-request-id')).toMatch(LOG_ID);
  if (header(r, 'content-type').startsWith('application/json')) {
    const body = json(r);
    if (body.code !== 0) expect(body.error?.log_id).toBe(logId);
  }
  return logId;
}

/** A JSON error envelope with the given HTTP status and code. */
function expectError(r: Raw, status: number, code: number): Record<string, any> {
  expect(r.status, r.text).toBe(status);
  expect(header(r, 'content-type')).toBe(JSON_TYPE);
  const body = json(r);
  expect(body.code).toBe(code);
  expect(typeof body.msg).toBe('string');
  expectLogIds(r);
  return body;
}

function expectPlain404(r: Raw): void {
  expect(r.status).toBe(404);
  expect(header(r, 'content-type')).toMatch(/^text\/plain/);
  expect(r.text).toBe('404 page not found');
  expectLogIds(r);
}


describe('Open API conventions', () => {
  let s: TestServer;
  let token: string;
  let authz: Record<string, string>;

  beforeAll(async () => {
    s = await startTestServer();
    token = await tenantToken(s.url, fixture.acme.full);
    authz = { authorization: `Bearer ${token}` };
  });
  afterAll(async () => {
    await s?.close();
    await s?.store.dispose();
  });

  describe('envelope and headers', () => {
    it('success: {code:0, msg:"success", data} as application/json; charset=utf-8 with log id headers', async () => {
      const r = await raw(s.url, 'GET', `${USERS}/alice?user_id_type=user_id`, authz);
      expect(r.status).toBe(200);
      expect(header(r, 'content-type')).toBe(JSON_TYPE);
      const body = json(r);
      expect(Object.keys(body).sort()).toEqual(['code', 'data', 'msg']);
      expect(body.code).toBe(0);
      expect(body.msg).toBe('success');
      expect(body.data.user.user_id).toBe('alice');
      expectLogIds(r);
    });

    it('every request gets a fresh log id', async () => {
      const ids = new Set<string>();
      for (let i = 0; i < 5; i++) ids.add(expectLogIds(await raw(s.url, 'GET', `${USERS}/alice?user_id_type=user_id`, authz)));
      expect(ids.size).toBe(5);
    });

    it('errors carry the log id in the headers and in error.log_id, plus a troubleshooter link', async () => {
      const r = await raw(s.url, 'GET', `${USERS}/alice?user_id_type=user_id`);
      const body = expectError(r, 400, 99991661);
      expect(body.error.log_id).toBe(header(r, 'x-tt-logid'));
      expect(body.error.troubleshooter).toContain(`log_id=${body.error.log_id}`);
      expect(body.error.troubleshooter).toContain('code=99991661');
    });

    it('an invalid token → 99991663 with log ids', async () => {
      const r = await raw(s.url, 'GET', `${USERS}/alice?user_id_type=user_id`, { authorization: 'Bearer t-not-a-real-token' });
      expectError(r, 400, 99991663);
    });

    it('token endpoints carry the log id headers too, on success and on failure', async () => {
      const ok = await raw(s.url, 'POST', TENANT_TOKEN, { 'content-type': 'application/json' }, JSON.stringify({ app_id: fixture.acme.full.appId, app_secret: fixture.acme.full.appSecret }));
      expect(ok.status).toBe(200);
      expect(header(ok, 'content-type')).toBe(JSON_TYPE);
      expect(json(ok).msg).toBe('ok');
      expectLogIds(ok);
      const bad = await raw(s.url, 'POST', TENANT_TOKEN, { 'content-type': 'application/json' }, JSON.stringify({ app_id: fixture.acme.full.appId, app_secret: 'wrong-secret' }));
      expect(bad.status).toBe(200);
      expect(json(bad).code).not.toBe(0);
      expectLogIds(bad);
    });

    it('the SDK sees the same envelope', async () => {
      const res = await s.client(fixture.acme.full).contact.user.get({ path: { user_id: 'alice' }, params: { user_id_type: 'user_id' } });
      expect(res.code).toBe(0);
      expect(res.msg).toBe('success');
      const e = await sdkError(s.client(fixture.acme.full).contact.user.get({ path: { user_id: 'nobody' }, params: { user_id_type: 'user_id' } }));
      expect(e.status).toBe(400);
      expect(e.headers['content-type']).toBe(JSON_TYPE);
      expect(e.headers['x-tt-logid']).toMatch(LOG_ID);
      expect(e.body.error.log_id).toBe(e.headers['x-tt-logid']);
    });
  });

  describe('unknown routes', () => {
    it('an unknown path → 404 text/plain "404 page not found"', async () => {
      expectPlain404(await raw(s.url, 'GET', '/open-apis/contact/v3/nothing-here', authz));
      expectPlain404(await raw(s.url, 'GET', '/open-apis/vc/v9/whatever'));
      expectPlain404(await raw(s.url, 'GET', USERS, authz));
      expectPlain404(await raw(s.url, 'POST', '/', { 'content-type': 'application/json' }, '{}'));
    });

    it('a wrong method on a known path → the same plain 404', async () => {
      expectPlain404(await raw(s.url, 'POST', BY_DEPT, { ...authz, 'content-type': 'application/json' }, '{}'));
      expectPlain404(await raw(s.url, 'DELETE', `${USERS}/alice`, authz));
      expectPlain404(await raw(s.url, 'PUT', BATCH, { ...authz, 'content-type': 'application/json' }, '{"emails":["alice@acme.test"]}'));
      expectPlain404(await raw(s.url, 'GET', TENANT_TOKEN));
    });
  });

  describe('request validation', () => {
    it('user_id_type=bogus → 400 99992402 naming user_id_type', async () => {
      const body = expectError(await raw(s.url, 'GET', `${USERS}/alice?user_id_type=bogus`, authz), 400, 99992402);
      expect(body.error.field_violations[0].field).toBe('user_id_type');
      expect(body.msg).toContain('user_id_type');
    });

    it('a malformed JSON body on batch_get_id → 99992402 naming body', async () => {
      const body = expectError(await raw(s.url, 'POST', BATCH, { ...authz, 'content-type': 'application/json' }, '{"emails": ["alice@acme.test"'), 400, 99992402);
      expect(body.error.field_violations[0].field).toBe('body');
    });

    it('the same malformed body with an invalid token → 99991663 (auth before the body), without a token → 99991661', async () => {
      expectError(await raw(s.url, 'POST', BATCH, { authorization: 'Bearer t-invalid', 'content-type': 'application/json' }, '{"emails": ['), 400, 99991663);
      expectError(await raw(s.url, 'POST', BATCH, { 'content-type': 'application/json' }, '{"emails": ['), 400, 99991661);
    });

    it('a GET with a JSON {} body and content-type application/json works', async () => {
      for (const ct of ['application/json', 'application/json; charset=utf-8']) {
        const r = await raw(s.url, 'GET', `${USERS}/alice?user_id_type=user_id`, { ...authz, 'content-type': ct }, '{}');
        expect(r.status).toBe(200);
        expect(json(r).data.user.name).toBe('Alice');
      }
      const empty = await raw(s.url, 'GET', `${BY_DEPT}?department_id=big&department_id_type=department_id`, { ...authz, 'content-type': 'application/json' }, '');
      expect(empty.status).toBe(200);
      expect(json(empty).data.items).toHaveLength(10);
    });

    it('JSON bodies are not coerced: numbers or null where strings are expected → 99992402 naming the item', async () => {
      for (const [payload, field] of [['{"emails":[1,2]}', 'emails[0]'], ['{"mobiles":[null]}', 'mobiles[0]'], ['{"emails":["a@b.c"],"include_resigned":"yes"}', 'include_resigned']] as const) {
        const body = expectError(await raw(s.url, 'POST', BATCH, { ...authz, 'content-type': 'application/json' }, payload), 400, 99992402);
        expect(body.error.field_violations[0].field).toBe(field);
      }
    });

    it('a malformed JSON body on the token endpoint answers like Feishu: HTTP 200, 10003', async () => {
      const r = await raw(s.url, 'POST', TENANT_TOKEN, { 'content-type': 'application/json' }, '{"app_id": ');
      expect(r.status).toBe(200);
      expect(json(r)).toMatchObject({ code: 10003 });
      expect(json(r).tenant_access_token).toBeUndefined();
    });

    it('a text/plain body → 400 envelope', async () => {
      const body = expectError(await raw(s.url, 'POST', BATCH, { ...authz, 'content-type': 'text/plain' }, '{"emails":["alice@acme.test"]}'), 400, 99992402);
      expect(body.error.field_violations.length).toBeGreaterThan(0);
    });

    it('the same body as JSON works', async () => {
      const r = await raw(s.url, 'POST', `${BATCH}?user_id_type=user_id`, { ...authz, 'content-type': 'application/json; charset=utf-8' }, '{"emails":["alice@acme.test"]}');
      expect(r.status).toBe(200);
      expect(json(r).data.user_list).toEqual([{ email: 'alice@acme.test', user_id: 'alice', status: { is_frozen: false, is_resigned: false, is_activated: true, is_exited: false, is_unjoin: false } }]);
    });

    it('NUL characters and non-finite numbers → 99992402 naming the field, on every store', async () => {
      const pageToken = Buffer.from(JSON.stringify({ u: '\u0000' })).toString('base64url');
      const attempts: [string, string, string | undefined, string][] = [
        ['GET', `${USERS}/%00`, undefined, 'user_id'],
        ['GET', `${USERS}/al%00ice?user_id_type=user_id`, undefined, 'user_id'],
        ['GET', `${USERS}/%00?user_id_type=union_id`, undefined, 'user_id'],
        ['GET', `${BY_DEPT}?department_id=%00&department_id_type=department_id`, undefined, 'department_id'],
        ['GET', `${BY_DEPT}?department_id=big&department_id_type=department_id&page_size=1e400`, undefined, 'page_size'],
        ['GET', `${BY_DEPT}?department_id=big&department_id_type=department_id&page_size=-Infinity`, undefined, 'page_size'],
        ['GET', `${BY_DEPT}?department_id=big&department_id_type=department_id&page_token=${pageToken}`, undefined, 'page_token'],
        ['POST', BATCH, '{"emails":["alice@acme.test","a\\u0000b"]}', 'emails[1]'],
        ['POST', BATCH, '{"mobiles":["\\u0000"]}', 'mobiles[0]'],
      ];
      for (const [method, path, body, field] of attempts) {
        const r = await raw(s.url, method, path, { ...authz, ...(body ? { 'content-type': 'application/json' } : {}) }, body);
        const res = expectError(r, 400, 99992402);
        expect(res.error.field_violations[0].field, path).toBe(field);
      }
      // the token endpoint keeps its own bad-request answer
      const t = await raw(s.url, 'POST', TENANT_TOKEN, { 'content-type': 'application/json' }, '{"app_id":"\\u0000","app_secret":"x"}');
      expect(t.status).toBe(200);
      expect(json(t).code).toBe(10003);
    });

    it('a URL that does not decode, or a path parameter over the router limit → 400 99992402 naming path', async () => {
      for (const path of [`${USERS}/%ZZ`, `${USERS}/%ED%A0%80`, `${USERS}/${'x'.repeat(200)}`]) {
        const body = expectError(await raw(s.url, 'GET', path, authz), 400, 99992402);
        expect(body.error.field_violations[0].field, path).toBe('path');
      }
    });

    it('repeated query keys are parsed (a single value too)', async () => {
      const body = expectError(await raw(s.url, 'GET', `${USERS}/alice?user_id_type=user_id&user_id_type=open_id`, authz), 400, 99992402);
      expect(body.error.field_violations[0].field).toBe('user_id_type');
    });
  });

  describe('body limit', () => {
    let small: TestServer;
    let smallAuthz: Record<string, string>;
    beforeAll(async () => {
      small = await startTestServer({ config: { bodyLimit: 2048 } });
      smallAuthz = { authorization: `Bearer ${await tenantToken(small.url, fixture.acme.full)}`, 'content-type': 'application/json' };
    });
    afterAll(async () => {
      await small?.close();
      await small?.store.dispose();
    });

    it('a body over the limit → HTTP 413 with the envelope', async () => {
      const emails = Array.from({ length: 50 }, (_, i) => `someone.with.a.long.address.${i}@acme.test`);
      const text = JSON.stringify({ emails });
      expect(Buffer.byteLength(text)).toBeGreaterThan(2048);
      const body = expectError(await raw(small.url, 'POST', BATCH, smallAuthz, text), 413, 99992402);
      expect(body.error.field_violations[0].field).toBe('body');
    });

    it('a body under the limit is fine', async () => {
      const r = await raw(small.url, 'POST', `${BATCH}?user_id_type=user_id`, smallAuthz, JSON.stringify({ emails: ['alice@acme.test'] }));
      expect(r.status).toBe(200);
      expect(json(r).data.user_list[0].user_id).toBe('alice');
    });

    it('auth is still checked first on an oversized body', async () => {
      const text = JSON.stringify({ emails: Array.from({ length: 50 }, (_, i) => `someone.with.a.long.address.${i}@acme.test`) });
      expectError(await raw(small.url, 'POST', BATCH, { authorization: 'Bearer t-invalid', 'content-type': 'application/json' }, text), 400, 99991663);
    });
  });

  describe('rate limits', () => {
    let limited: TestServer;
    let unlimited: TestServer;
    beforeAll(async () => {
      limited = await startTestServer({
        config: { rateLimits: { 'contact.user.get': { perMinute: 5 }, 'auth.oauthV2Token': { perMinute: 2 }, 'auth.oidcAccessToken': { perMinute: 2 } } },
      });
      unlimited = await startTestServer({ config: { rateLimit: false, rateLimits: { 'contact.user.get': { perMinute: 5 } } } });
    });
    afterAll(async () => {
      await limited?.close();
      await limited?.store.dispose();
      await unlimited?.close();
      await unlimited?.store.dispose();
    });

    it('the 6th call of one app in a minute → 429 99991400 with x-ogw-ratelimit headers; other apps and APIs are unaffected', async () => {
      const full = limited.client(fixture.acme.full);
      const narrow = limited.client(fixture.acme.narrow);
      // the full app's token first, so the calls below run back to back
      const batch = await full.contact.user.batchGetId({ params: { user_id_type: 'union_id' }, data: { emails: ['alice@acme.test'] } });
      const aliceUnion = batch.data?.user_list?.[0]?.user_id ?? '';
      expect(aliceUnion).toMatch(/^on_/);

      await awayFromMinuteBoundary();
      for (let i = 1; i <= 5; i++) {
        const res = await full.contact.user.get({ path: { user_id: 'alice' }, params: { user_id_type: 'user_id' } });
        expect(res.code, `call ${i}`).toBe(0);
      }
      const e = await sdkError(full.contact.user.get({ path: { user_id: 'alice' }, params: { user_id_type: 'user_id' } }));
      expect(e.status).toBe(429);
      expect(e.body.code).toBe(99991400);
      expect(e.body.msg).toBe('request trigger frequency limit');
      expect(e.headers['x-ogw-ratelimit-limit']).toBe('5');
      const reset = Number(e.headers['x-ogw-ratelimit-reset']);
      expect(Number.isInteger(reset)).toBe(true);
      expect(reset).toBeGreaterThanOrEqual(1);
      expect(reset).toBeLessThanOrEqual(60);
      expect(e.headers['x-tt-logid']).toMatch(LOG_ID);
      expect(e.body.error.log_id).toBe(e.headers['x-tt-logid']);

      // still limited
      expect((await sdkError(full.contact.user.get({ path: { user_id: 'alice' }, params: { user_id_type: 'user_id' } }))).status).toBe(429);
      // another app of the same tenant has its own counter
      const other = await narrow.contact.user.get({ path: { user_id: aliceUnion }, params: { user_id_type: 'union_id' } });
      expect(other.code).toBe(0);
      expect(other.data?.user?.name).toBe('Alice');
      // another API of the same app has its own counter
      const again = await full.contact.user.batchGetId({ params: { user_id_type: 'user_id' }, data: { emails: ['alice@acme.test'] } });
      expect(again.code).toBe(0);
    });

    it('the OAuth and OIDC token endpoints count per app once they know it', async () => {
      await awayFromMinuteBoundary();
      const body = JSON.stringify({ grant_type: 'authorization_code', client_id: fixture.acme.full.appId, client_secret: fixture.acme.full.appSecret, code: 'no-such-code' });
      for (let i = 1; i <= 2; i++) {
        const r = await raw(limited.url, 'POST', '/oauth/v3/token', { 'content-type': 'application/json' }, body);
        expect(r.status, `call ${i}`).toBe(400);
        expect(json(r).code).toBe(20003);
      }
      const limitedCall = await raw(limited.url, 'POST', '/open-apis/authen/v2/oauth/token', { 'content-type': 'application/json' }, body);
      expect(limitedCall.status).toBe(429);
      expect(json(limitedCall).code).toBe(99991400);
      expect(header(limitedCall, 'x-ogw-ratelimit-limit')).toBe('2');
      // a different app is counted apart
      const other = JSON.stringify({ grant_type: 'authorization_code', client_id: fixture.acme.narrow.appId, client_secret: fixture.acme.narrow.appSecret, code: 'no-such-code' });
      expect((await raw(limited.url, 'POST', '/oauth/v3/token', { 'content-type': 'application/json' }, other)).status).toBe(400);

      const oidc = limited.client(fixture.acme.full);
      for (let i = 1; i <= 2; i++) expect((await oidc.authen.oidcAccessToken.create({ data: { grant_type: 'authorization_code', code: 'nope' } })).code).toBe(20003);
      expect((await sdkError(oidc.authen.oidcAccessToken.create({ data: { grant_type: 'authorization_code', code: 'nope' } }))).status).toBe(429);
    });

    it('with rateLimit: false no 429 occurs', async () => {
      const full = unlimited.client(fixture.acme.full);
      for (let i = 1; i <= 12; i++) {
        const res = await full.contact.user.get({ path: { user_id: 'alice' }, params: { user_id_type: 'user_id' } });
        expect(res.code, `call ${i}`).toBe(0);
      }
    });
  });

  describe('no 500, ever', () => {
    const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
    const dept = `${BY_DEPT}?department_id=big&department_id_type=department_id`;
    const jsonCt = { 'content-type': 'application/json' };
    const cases: { name: string; method: string; path: string; headers?: Record<string, string>; body?: string; noAuth?: boolean }[] = [
      { name: 'NUL open_id', method: 'GET', path: `${USERS}/%00` },
      { name: 'NUL user_id', method: 'GET', path: `${USERS}/%00?user_id_type=user_id` },
      { name: 'NUL union_id', method: 'GET', path: `${USERS}/%00?user_id_type=union_id` },
      { name: 'NUL inside an id', method: 'GET', path: `${USERS}/ali%00ce?user_id_type=user_id` },
      { name: 'bad percent-encoding', method: 'GET', path: `${USERS}/%ZZ` },
      { name: 'lone surrogate', method: 'GET', path: `${USERS}/%ED%A0%80` },
      { name: 'non-ASCII id', method: 'GET', path: `${USERS}/%E4%BD%A0%E5%A5%BD?user_id_type=user_id` },
      { name: 'long id', method: 'GET', path: `${USERS}/${'x'.repeat(200)}?user_id_type=user_id` },
      { name: 'very long id', method: 'GET', path: `${USERS}/${'x'.repeat(5000)}` },
      { name: 'array user_id_type', method: 'GET', path: `${USERS}/alice?user_id_type=user_id&user_id_type=union_id` },
      { name: 'bracket user_id_type', method: 'GET', path: `${USERS}/alice?user_id_type[]=user_id` },
      { name: 'NUL user_id_type', method: 'GET', path: `${USERS}/alice?user_id_type=%00` },
      { name: 'number department_id_type', method: 'GET', path: `${USERS}/alice?user_id_type=user_id&department_id_type=1` },
      { name: 'NUL open department', method: 'GET', path: `${BY_DEPT}?department_id=%00` },
      { name: 'NUL department', method: 'GET', path: `${BY_DEPT}?department_id=%00&department_id_type=department_id` },
      { name: 'very long department', method: 'GET', path: `${BY_DEPT}?department_id=${'d'.repeat(3000)}` },
      { name: 'array department', method: 'GET', path: `${BY_DEPT}?department_id=big&department_id=eng&department_id_type=department_id` },
      { name: 'no department', method: 'GET', path: BY_DEPT },
      { name: 'huge page_size', method: 'GET', path: `${dept}&page_size=99999999999999999999999` },
      { name: 'negative page_size', method: 'GET', path: `${dept}&page_size=-5` },
      { name: 'page_size 1e400', method: 'GET', path: `${dept}&page_size=1e400` },
      { name: 'page_size Infinity', method: 'GET', path: `${dept}&page_size=Infinity` },
      { name: 'page_size -Infinity', method: 'GET', path: `${dept}&page_size=-Infinity` },
      { name: 'page_size NaN', method: 'GET', path: `${dept}&page_size=NaN` },
      { name: 'page_size text', method: 'GET', path: `${dept}&page_size=ten` },
      { name: 'page_size fraction', method: 'GET', path: `${dept}&page_size=2.5` },
      { name: 'page_token with NUL', method: 'GET', path: `${dept}&page_token=${b64({ u: '\u0000' })}` },
      { name: 'page_token with a number', method: 'GET', path: `${dept}&page_token=${b64({ u: 5 })}` },
      { name: 'page_token with a huge number', method: 'GET', path: `${dept}&page_token=${Buffer.from('{"u":1e400}').toString('base64url')}` },
      { name: 'page_token null', method: 'GET', path: `${dept}&page_token=${b64(null)}` },
      { name: 'page_token array', method: 'GET', path: `${dept}&page_token=${b64([1, 2])}` },
      { name: 'very long page_token', method: 'GET', path: `${dept}&page_token=${'A'.repeat(3000)}` },
      { name: 'NUL email', method: 'POST', path: BATCH, headers: jsonCt, body: '{"emails":["a\\u0000b@acme.test"]}' },
      { name: 'NUL mobile', method: 'POST', path: BATCH, headers: jsonCt, body: '{"mobiles":["\\u0000"]}' },
      { name: 'body null', method: 'POST', path: BATCH, headers: jsonCt, body: 'null' },
      { name: 'body array', method: 'POST', path: BATCH, headers: jsonCt, body: '[1,2]' },
      { name: 'body number', method: 'POST', path: BATCH, headers: jsonCt, body: '12' },
      { name: 'body string', method: 'POST', path: BATCH, headers: jsonCt, body: '"emails"' },
      { name: 'nested garbage', method: 'POST', path: BATCH, headers: jsonCt, body: '{"emails":{"a":[[[{"b":null}]]]},"mobiles":[[["x"]]]}' },
      { name: 'deep nesting', method: 'POST', path: BATCH, headers: jsonCt, body: `{"emails":["alice@acme.test"],"x":${'['.repeat(20000)}${']'.repeat(20000)}}` },
      { name: 'numbers for strings', method: 'POST', path: BATCH, headers: jsonCt, body: '{"emails":[1,2],"mobiles":[13800000001]}' },
      { name: 'huge number', method: 'POST', path: BATCH, headers: jsonCt, body: '{"emails":["alice@acme.test"],"include_resigned":1e400}' },
      { name: 'null items', method: 'POST', path: BATCH, headers: jsonCt, body: '{"emails":[null]}' },
      { name: 'string boolean', method: 'POST', path: BATCH, headers: jsonCt, body: '{"emails":["alice@acme.test"],"include_resigned":"yes"}' },
      { name: '__proto__', method: 'POST', path: BATCH, headers: jsonCt, body: '{"__proto__":{"emails":["alice@acme.test"]},"constructor":{"prototype":{"x":1}}}' },
      { name: 'very long email', method: 'POST', path: BATCH, headers: jsonCt, body: JSON.stringify({ emails: ['e'.repeat(10_000)] }) },
      { name: 'BOM', method: 'POST', path: BATCH, headers: jsonCt, body: '\ufeff{"emails":["alice@acme.test"]}' },
      { name: 'empty JSON body', method: 'POST', path: BATCH, headers: jsonCt, body: '' },
      { name: 'no body at all', method: 'POST', path: BATCH },
      { name: 'form body with NUL', method: 'POST', path: BATCH, headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'emails=alice%40acme.test&emails=%00' },
      { name: 'xml', method: 'POST', path: BATCH, headers: { 'content-type': 'application/xml' }, body: '<emails/>' },
      { name: 'multipart', method: 'POST', path: BATCH, headers: { 'content-type': 'multipart/form-data; boundary=x' }, body: '--x--' },
      { name: 'odd charset', method: 'POST', path: BATCH, headers: { 'content-type': 'application/json; charset=utf-16' }, body: '{"emails":["alice@acme.test"]}' },
      { name: 'garbage content-type', method: 'POST', path: BATCH, headers: { 'content-type': ';;;' }, body: '{}' },
      { name: 'two user_id_types on POST', method: 'POST', path: `${BATCH}?user_id_type=user_id&user_id_type=x`, headers: jsonCt, body: '{"emails":["a@b.c"]}' },
      { name: 'token: wrong types', method: 'POST', path: TENANT_TOKEN, headers: jsonCt, body: '{"app_id":1,"app_secret":["x"]}', noAuth: true },
      { name: 'token: NUL app_id', method: 'POST', path: TENANT_TOKEN, headers: jsonCt, body: '{"app_id":"\\u0000","app_secret":"x"}', noAuth: true },
      { name: 'token: NUL secret', method: 'POST', path: TENANT_TOKEN, headers: jsonCt, body: `{"app_id":"${fixture.acme.full.appId}","app_secret":"\\u0000"}`, noAuth: true },
      { name: 'token: huge app_id', method: 'POST', path: TENANT_TOKEN, headers: jsonCt, body: JSON.stringify({ app_id: 'a'.repeat(100_000), app_secret: 'x' }), noAuth: true },
      { name: 'token: broken JSON', method: 'POST', path: TENANT_TOKEN, headers: jsonCt, body: '{"app_id":', noAuth: true },
      { name: 'odd authorization', method: 'GET', path: `${USERS}/alice`, headers: { authorization: 'Bearer a b c' }, noAuth: true },
      { name: 'long bearer token', method: 'GET', path: `${USERS}/alice`, headers: { authorization: `Bearer t-${'f'.repeat(6000)}` }, noAuth: true },
      { name: 'dot segments', method: 'GET', path: `${USERS}/../../../etc/passwd` },
      { name: 'double slash', method: 'GET', path: `//open-apis/contact/v3/users/alice` },
      { name: 'encoded slash', method: 'GET', path: `${USERS}/a%2Fb` },
    ];

    /** What is wrong with one answer, if anything. */
    function problemsOf(r: Raw): string[] {
      const problems: string[] = [];
      if (r.status >= 500) problems.push(`HTTP ${r.status}`);
      if (!LOG_ID.test(header(r, 'x-tt-logid'))) problems.push('no x-tt-logid');
      if (!LOG_ID.test(header(r, 'x-request-id'))) problems.push('no x-request-id');
      const type = header(r, 'content-type');
      if (r.status === 404 && type.startsWith('text/plain')) {
        if (r.text !== '404 page not found') problems.push('odd 404 body');
        return problems;
      }
      if (type !== JSON_TYPE) return [...problems, `content-type ${type}`];
      let body: Record<string, any>;
      try {
        body = json(r);
      } catch {
        return [...problems, 'body is not JSON'];
      }
      if (typeof body.code !== 'number' || typeof body.msg !== 'string') problems.push('not an envelope');
      if (r.status !== 200 && body.code === 0) problems.push('code 0 on an error status');
      if (r.status !== 200 && body.error?.log_id !== header(r, 'x-tt-logid')) problems.push('error.log_id differs from x-tt-logid');
      return problems;
    }

    it(`answers ${cases.length} malformed requests with < 500 and a JSON envelope or the plain 404`, async () => {
      expect(cases.length).toBeGreaterThanOrEqual(40);
      const failures: string[] = [];
      for (const c of cases) {
        const headers = { ...(c.noAuth ? {} : authz), ...c.headers };
        const r = await raw(s.url, c.method, c.path, headers, c.body);
        const problems = problemsOf(r);
        if (problems.length > 0) failures.push(`${c.name}: ${problems.join(', ')} (${r.status} ${r.text.slice(0, 120)})`);
      }
      expect(failures).toEqual([]);
    });

    it('the server still answers normally afterwards', async () => {
      const r = await raw(s.url, 'GET', `${USERS}/alice?user_id_type=user_id`, authz);
      expect(r.status).toBe(200);
      expect(json(r).data.user.name).toBe('Alice');
    });
  });

  describe('OpenAPI document', () => {
    it('GET /openapi.json is an OpenAPI 3 document with the contact and auth routes', async () => {
      const r = await raw(s.url, 'GET', '/openapi.json');
      expect(r.status).toBe(200);
      expect(header(r, 'content-type')).toMatch(/^application\/json/);
      const doc = json(r);
      expect(doc.openapi).toMatch(/^3\./);
      expect(typeof doc.info?.title).toBe('string');
      const paths = Object.keys(doc.paths ?? {});
      for (const p of [`${USERS}/{user_id}`, BATCH, BY_DEPT, TENANT_TOKEN, '/open-apis/auth/v3/app_access_token/internal', '/open-apis/authen/v1/user_info']) {
        expect(paths, p).toContain(p);
      }
      expect(Object.keys(doc.paths[`${USERS}/{user_id}`])).toEqual(['get']);
      expect(Object.keys(doc.paths[BATCH])).toEqual(['post']);
      expect(doc.paths[BY_DEPT].get.operationId).toBe('contact.user.findByDepartment');
      expect(paths).not.toContain('/openapi.json');
      expect(paths).not.toContain('/healthz');
    });
  });
});
