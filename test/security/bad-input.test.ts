import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import * as lark from '@larksuiteoapi/node-sdk';
import { dialect, PG_URL, sdkError, startTestServer, TestStore, type TestServer } from '../helpers/server.js';
import { fixture, fixtureSeed } from '../helpers/fixture.js';
import { rowCounts } from '../helpers/store-snapshot.js';
import { openRuntime, applySeedFile } from '../../src/app/runtime.js';
import { migrateToLatest, openStore } from '../../src/store/database.js';
import { SeedError } from '../../src/domain/seed.js';
import { MAX_JSON_DEPTH, MAX_JSON_MEMBERS } from '../../src/http/json-limits.js';

type Json = Record<string, any>;

const ADMIN_KEY = 'bad-input-admin-key-0123456789';
const b64 = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');

/** Forged cursors for a list whose cursors have `shape`: every key of the wrong type, out of range, missing or extra. */
function forgedCursors(shape: Record<string, 'integer' | 'string'>): unknown[] {
  const base = Object.fromEntries(Object.entries(shape).map(([k, t]) => [k, t === 'integer' ? 1 : 'x']));
  const out: unknown[] = [null, [], 'cursor', 12, { ...base, extra: 1 }];
  for (const [k, t] of Object.entries(shape)) {
    const bad = t === 'integer' ? [1.5, 1e300, 2 ** 63, -(2 ** 60), '17', null, true] : [17, null, ['a'], {}, 'a\u0000b'];
    for (const v of bad) out.push({ ...base, [k]: v });
    const { [k]: _dropped, ...missing } = base;
    out.push(missing);
  }
  return out;
}

describe(`bad input never answers 5xx (${dialect})`, () => {
  let s: TestServer;
  let acme: lark.Client;
  let tenantToken: string;
  const users: Record<string, string> = {};

  const call = async (method: string, path: string, opts: { token?: string; body?: unknown; raw?: string; headers?: Record<string, string> } = {}): Promise<{ status: number; body: Json; text: string }> => {
    const payload = opts.raw ?? (opts.body !== undefined ? JSON.stringify(opts.body) : undefined);
    const res = await fetch(`${s.url}${path}`, {
      method,
      headers: { ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}), ...(payload !== undefined ? { 'content-type': 'application/json' } : {}), ...opts.headers },
      body: payload,
    });
    const text = await res.text();
    let body: Json = {};
    try {
      body = JSON.parse(text) as Json;
    } catch {
      // an HTML page: the status says enough
    }
    return { status: res.status, body, text };
  };
  const ok = async (method: string, path: string, token: string | undefined, body?: unknown): Promise<Json> => {
    const r = await call(method, path, { ...(token ? { token } : {}), ...(body !== undefined ? { body } : {}) });
    expect(r.body.code, r.text).toBe(0);
    return r.body.data as Json;
  };

  beforeAll(async () => {
    s = await startTestServer({ config: { adminKey: ADMIN_KEY, emptyMeetingGrace: 0 } });
    acme = s.client(fixture.acme.full);
    const app = (await s.runtime.repos.apps.find(fixture.acme.full.appId))!;
    for (const u of ['alice', 'bob']) users[u] = (await s.runtime.tokens.issueUserTokens(app, u, app.scopes, 'v1', Date.now())).accessToken;
    const t = await call('POST', '/open-apis/auth/v3/tenant_access_token/internal', { body: { app_id: fixture.acme.full.appId, app_secret: fixture.acme.full.appSecret } });
    tenantToken = t.body.tenant_access_token as string;
  });
  afterAll(async () => {
    await s?.close();
    await s?.store.dispose();
  });

  it('a forged page_token is a 99992402 on page_token on every list, never a database error', async () => {
    // an ended meeting with a participant and a quality sample, so that the meeting and quality lists reach their cursors
    const started = await ok('POST', '/client/v1/meetings', users.alice, { topic: 'Cursor' });
    const joined = await ok('POST', '/client/v1/meetings/join', users.bob, { meeting_no: started.meeting.meeting_no });
    const now = Math.floor(Date.now() / 1000);
    await ok('POST', `/client/v1/sessions/${joined.session_id as string}/stats`, users.bob, { samples: [{ minute: now, bitrate_kbps: 500 }] });
    await ok('POST', `/client/v1/sessions/${started.session_id as string}/end`, users.alice);
    const meeting = (await s.runtime.repos.meetings.find('acme', started.meeting.id as string))!;
    const bobJoinedAt = Math.floor(meeting.participants.find((p) => p.key === 'u:bob')!.firstJoinAt! / 1000);
    const root = (await acme.vc.roomLevel.get({ path: { room_level_id: '0' } })).data!.room_level!.room_level_id!;
    const room = (await acme.vc.room.create({ data: { name: 'Cursor room', capacity: 4, room_level_id: '0' } })).data!.room!.room_id!;
    const window = { start_time: String(now - 3600), end_time: String(now + 3600) };
    const meetingWindow = { meeting_start_time: window.start_time, meeting_end_time: window.end_time, meeting_no: started.meeting.meeting_no as string };

    const sdkLists: [string, Record<string, string>, Record<string, 'integer' | 'string'>][] = [
      ['/open-apis/vc/v1/meetings/list_by_no', { ...window, meeting_no: started.meeting.meeting_no as string }, { t: 'integer', id: 'string' }],
      ['/open-apis/vc/v1/meeting_list', window, { t: 'integer', id: 'string' }],
      ['/open-apis/vc/v1/participant_list', meetingWindow, { m: 'string', j: 'integer', k: 'string' }],
      ['/open-apis/vc/v1/participant_quality_list', { ...meetingWindow, join_time: String(bobJoinedAt), user_id: 'bob', user_id_type: 'user_id' }, { t: 'integer' }],
      ['/open-apis/vc/v1/resource_reservation_list', { ...window, room_level_id: root, room_ids: room }, { s: 'integer', i: 'string' }],
      ['/open-apis/vc/v1/rooms', {}, { p: 'string', n: 'string', i: 'string' }],
      ['/open-apis/vc/v1/room_levels', {}, { n: 'string', i: 'string' }],
      ['/open-apis/contact/v3/users/find_by_department', { department_id: 'big', department_id_type: 'department_id' }, { u: 'string' }],
    ];
    const failures: string[] = [];
    const expectFieldError = (where: string, status: number, body: Json) => {
      if (status !== 400 || body.code !== 99992402 || body.error?.field_violations?.[0]?.field !== 'page_token') failures.push(`${where}: HTTP ${status} ${JSON.stringify(body).slice(0, 200)}`);
    };
    for (const [url, params, shape] of sdkLists) {
      // the list itself works with these parameters, so a refusal is about the token
      const plain = await acme.request<Json>({ method: 'GET', url, params }).catch((e: { response?: { data: unknown } }) => e.response?.data);
      expect(plain, `${url}: ${JSON.stringify(plain).slice(0, 300)}`).toMatchObject({ code: 0 });
      for (const cursor of forgedCursors(shape)) {
        const e = await sdkError(acme.request({ method: 'GET', url, params: { ...params, page_token: b64(cursor) } }));
        expectFieldError(`${url} ${JSON.stringify(cursor)}`, e.status, e.body);
      }
    }
    const plainLists: [string, string, Record<string, 'integer' | 'string'>][] = [
      ['/openvc/v1/room_bookings', tenantToken, { s: 'integer', i: 'string' }],
      ['/openvc/v1/admin/event_deliveries', ADMIN_KEY, { seq: 'integer', app: 'string' }],
    ];
    for (const [url, token, shape] of plainLists) {
      expect((await call('GET', url, { token })).body.code, url).toBe(0);
      for (const cursor of forgedCursors(shape)) {
        const r = await call('GET', `${url}?page_token=${b64(cursor)}`, { token });
        expectFieldError(`${url} ${JSON.stringify(cursor)}`, r.status, r.body);
      }
    }
    expect(failures).toEqual([]);
  });

  describe('free-form JSON has depth and size limits', () => {
    let meetingNo: string;
    const deepArray = (n: number) => `${'['.repeat(n)}${']'.repeat(n)}`;
    const deepObject = (n: number) => `${'{"a":'.repeat(n)}1${'}'.repeat(n)}`;

    beforeAll(async () => {
      const reserve = await acme.vc.reserve.apply({
        params: { user_id_type: 'user_id' },
        data: {
          end_time: String(Math.floor(Date.now() / 1000) + 3600),
          owner_id: 'alice',
          meeting_settings: { topic: 'Open day', password: '', action_permissions: [{ permission: 3, permission_checkers: [{ check_field: 2, check_mode: 1, check_list: ['1', '5'] }] }] },
        },
      });
      meetingNo = reserve.data!.reserve!.meeting_no!;
      await ok('POST', '/client/v1/meetings/join', users.alice, { meeting_no: meetingNo });
    });

    it('guest_join (no token) with a 100k-deep device is a 99992402 saying how deep a body may nest, and joins nobody', async () => {
      const before = await rowCounts(s.runtime.store);
      for (const device of [`{"x":${deepArray(100_000)}}`, deepObject(100_000), `{"x":${deepArray(MAX_JSON_DEPTH)}}`]) {
        const r = await call('POST', '/client/v1/meetings/guest_join', { raw: `{"meeting_no":"${meetingNo}","name":"Deep","device":${device}}` });
        expect([r.status, r.body.code], r.text).toEqual([400, 99992402]);
        expect(r.body.msg).toContain(`deeper than ${MAX_JSON_DEPTH} levels`);
        expect(r.body.error.field_violations[0].field).toBe('body');
      }
      expect(await rowCounts(s.runtime.store)).toEqual(before);
    });

    it(`objects and arrays of more than ${MAX_JSON_MEMBERS} members, and free-form objects of more than 64 keys, are refused`, async () => {
      const before = await rowCounts(s.runtime.store);
      const wide = await call('POST', '/client/v1/meetings/guest_join', { raw: `{"meeting_no":"${meetingNo}","name":"Wide","device":{"x":[${Array(MAX_JSON_MEMBERS + 1).fill(0).join(',')}]}}` });
      expect([wide.status, wide.body.code, wide.body.msg], wide.text).toEqual([400, 99992402, `field validation failed: body: an object or array in body has more than ${MAX_JSON_MEMBERS} members`]);
      const keys = Object.fromEntries(Array.from({ length: 65 }, (_, i) => [`k${i}`, i]));
      const manyKeys = await call('POST', '/client/v1/meetings/guest_join', { body: { meeting_no: meetingNo, name: 'Keys', device: keys } });
      expect([manyKeys.status, manyKeys.body.code], manyKeys.text).toEqual([400, 99992402]);
      expect(manyKeys.body.error.field_violations[0]).toMatchObject({ field: 'device' });
      expect(manyKeys.body.msg).toContain('64');
      expect(await rowCounts(s.runtime.store)).toEqual(before);
    });

    it('stats samples nested too deep are refused and store no sample; a modestly nested extra field is kept', async () => {
      const session = (await ok('POST', '/client/v1/meetings/join', users.bob, { meeting_no: meetingNo })).session_id as string;
      const before = await rowCounts(s.runtime.store);
      const minute = Math.floor(Date.now() / 1000);
      const deep = await call('POST', `/client/v1/sessions/${session}/stats`, { token: users.bob, raw: `{"samples":[{"minute":${minute},"extra":${deepArray(50_000)}}]}` });
      expect([deep.status, deep.body.code], deep.text).toEqual([400, 99992402]);
      const wideSample = await call('POST', `/client/v1/sessions/${session}/stats`, { token: users.bob, body: { samples: [{ minute, ...Object.fromEntries(Array.from({ length: 70 }, (_, i) => [`m${i}`, i])) }] } });
      expect([wideSample.status, wideSample.body.code], wideSample.text).toEqual([400, 99992402]);
      expect(await rowCounts(s.runtime.store)).toEqual(before);
      await ok('POST', `/client/v1/sessions/${session}/stats`, users.bob, { samples: [{ minute, network: { wifi: { signal: [1, 2, 3] } } }] });
    });
  });

  it('a cookie that is not valid percent-encoding is ignored: the player and its sign-in callback answer as without it', async () => {
    const badCookie = { cookie: 'openvc_minutes=%E0%A4%A; openvc_minutes_state=%E0%A4%A' };
    const token = 'obcn' + 'a'.repeat(20);
    const page = await call('GET', `/minutes/${token}`, { headers: badCookie });
    expect(page.status).toBe(404);
    const media = await call('GET', `/minutes/${token}/media`, { headers: badCookie });
    expect(media.status).toBe(404);
    const callback = await call('GET', `/minutes/callback?state=${token}.abc&code=x`, { headers: badCookie });
    expect(callback.status).toBe(400);
    expect(callback.text).toContain('the sign-in did not start here');
    // a repeated state or code (an array where text goes) is no sign-in either
    const repeated = await call('GET', `/minutes/callback?state=${token}.abc&state=x&code=x&code=y`, { headers: badCookie });
    expect(repeated.status).toBe(400);
  });

  it('a repeated query key on the consent page is an error page, not a 500', async () => {
    for (const q of [`app_id=${fixture.acme.full.appId}&app_id=x`, `client_id=${fixture.acme.full.appId}&redirect_uri=http://a.test/cb&scope=a&scope=b`]) {
      const r = await call('GET', `/open-apis/authen/v1/authorize?${q}`);
      expect(r.status, q).toBe(400);
      expect(r.text).toContain('must be given once');
    }
  });

  it('an event request URL that spells this server in another way is refused like 127.0.0.1 is', async () => {
    const port = new URL(s.url).port;
    const spellings = [
      `http://127.0.0.1:${port}/hook`,
      `http://[::ffff:127.0.0.1]:${port}/hook`,
      `http://[::ffff:7f00:1]:${port}/hook`,
      `http://[0:0:0:0:0:ffff:127.0.0.1]:${port}/hook`,
      `http://[::ffff:0:7f00:1]:${port}/hook`,
      `http://[::127.0.0.1]:${port}/hook`,
      `http://2130706433:${port}/hook`,
      `http://0x7f000001:${port}/hook`,
      `http://0177.0.0.1:${port}/hook`,
      `http://127.1:${port}/hook`,
      `http://0:${port}/hook`,
      `http://[::]:${port}/hook`,
      `http://[::1]:${port}/hook`,
      `http://localhost.:${port}/hook`,
      `http://app.localhost:${port}/hook`,
    ];
    const answers = [];
    for (const url of spellings) {
      const r = await call('PUT', `/openvc/v1/admin/apps/${fixture.acme.full.appId}/event_subscription`, { token: ADMIN_KEY, body: { request_url: url } });
      answers.push([url, r.status, r.body.code, r.body.msg]);
    }
    expect(answers).toEqual(spellings.map((url) => [url, 400, 190003, 'request_url points at this openvc server itself']));
    const current = await call('GET', `/openvc/v1/admin/apps/${fixture.acme.full.appId}/event_subscription`, { token: ADMIN_KEY });
    expect(current.body.data.request_url).toBeNull();
  });

  it('a seed file gets the same request URL checks: one naming this server is refused as a whole', async () => {
    const store = new TestStore();
    await store.prepare();
    const rt = await openRuntime(store.config({ port: 18_765 }));
    try {
      const seed = fixtureSeed();
      seed.tenants[1]!.apps![0]!.events = { request_url: 'http://[::ffff:127.0.0.1]:18765/events' };
      const path = store.file('seed-self.json', JSON.stringify(seed));
      const err = await applySeedFile(rt, path).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(SeedError);
      expect((err as SeedError).problems).toEqual(['$.tenants[1].apps[0].events.request_url: request_url points at this openvc server itself']);
      expect(await rt.repos.directory.tenantCount()).toBe(0);
      seed.tenants[1]!.apps![0]!.events = { request_url: 'http://[::ffff:127.0.0.1]:18766/events' };
      await applySeedFile(rt, store.file('seed-other.json', JSON.stringify(seed)));
      expect(await rt.repos.directory.tenantCount()).toBe(2);
    } finally {
      await rt.store.close();
      await store.dispose();
    }
  });
});

describe.skipIf(PG_URL)('SQLite writes wait for another process writing (no "database is locked")', () => {
  /** A second process that takes the write lock, writes (as `openvc seed` does), holds the lock a while and commits. */
  async function lockHolder(file: string, holdMs: number): Promise<Promise<number | null>> {
    const child = spawn(
      process.execPath,
      [
        '-e',
        `const db = new (require('better-sqlite3'))(process.argv[1]);
         db.pragma('busy_timeout = 5000');
         db.exec('begin immediate');
         db.prepare("update tenants set name = name || '.' where tenant_key = 'globex'").run();
         console.log('locked');
         setTimeout(() => db.exec('commit'), Number(process.argv[2]));`,
        file,
        String(holdMs),
      ],
      { cwd: process.cwd(), stdio: ['ignore', 'pipe', 'inherit'] },
    );
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
    return exited;
  }

  it('a transaction that reads and then writes while another process holds the write lock waits for it and commits', async () => {
    // The store alone (as the CLI opens it): a running server's job pollers would wait out the lock on
    // their own writes first, hiding the race, which a seed that starts between a read and a write meets.
    const dir = new TestStore();
    const store = openStore({ dataDir: dir.dir });
    try {
      await migrateToLatest(store);
      await store.db.insertInto('tenants').values({ tenant_key: 'globex', name: 'Globex', created_at: Date.now() }).execute();
      const exited = await lockHolder(join(dir.dir, 'openvc.db'), 1000);
      // Begun deferred, the read takes a snapshot the other process's commit makes stale: the write then
      // fails at once with SQLITE_BUSY ("database is locked"). Begun immediate, it waits for the lock.
      const name = await store.db.transaction().execute(async (trx) => {
        const row = await trx.selectFrom('tenants').select('name').where('tenant_key', '=', 'globex').executeTakeFirstOrThrow();
        await trx.updateTable('tenants').set({ name: `${row.name}!` }).where('tenant_key', '=', 'globex').execute();
        return row.name;
      });
      expect(await exited).toBe(0);
      // it read after the other process committed, so nothing of either write is lost
      expect(name).toBe('Globex.');
      expect((await store.db.selectFrom('tenants').select('name').executeTakeFirstOrThrow()).name).toBe('Globex.!');
    } finally {
      await store.close();
      await dir.dispose();
    }
  });
});
