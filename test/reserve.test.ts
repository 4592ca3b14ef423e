import * as lark from '@larksuiteoapi/node-sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sdkError, startTestServer, TestStore, dialect, type TestServer } from './helpers/server.js';
import { ALL, fixture, fixtureSeed } from './helpers/fixture.js';
import type { Seed } from '../src/domain/seed.js';
import type { Runtime } from '../src/app/runtime.js';
import { newReserveId, randomMeetingNo } from '../src/domain/reserve/numbers.js';

type Client = lark.Client;
type Opts = ReturnType<typeof lark.withUserAccessToken>;
type ApplyPayload = NonNullable<Parameters<Client['vc']['reserve']['apply']>[0]>;
type Settings = ApplyPayload['data']['meeting_settings'];

/** A second app of acme with every scope: same tenant, different app. */
const second = { appId: 'cli_acmesecond01', appSecret: 'acme-second-secret' };

function seed(): Seed {
  const s = fixtureSeed();
  s.tenants[0]!.apps!.push({ app_id: second.appId, app_secret: second.appSecret, name: 'Acme second', scopes: ALL });
  return s;
}

const inSeconds = (s: number) => String(Math.floor(Date.now() / 1000) + s);
const inDays = (d: number) => inSeconds(d * 86_400);
const APPLY_FIELDS = ['app_link', 'end_time', 'id', 'live_link', 'meeting_no', 'password', 'url'];
const UPDATE_FIELDS = ['end_time', 'expire_status', 'id', 'live_link', 'meeting_no', 'password', 'url'];
const GET_FIELDS = ['app_link', 'end_time', 'expire_status', 'id', 'live_link', 'meeting_no', 'meeting_settings', 'password', 'reserve_user_id', 'url'];
const PSTN_CALL = { callee: { user_type: 6, pstn_sip_info: { nickname: 'dodo', main_address: '+86-02187654321' } } };

async function userToken(rt: Runtime, appId: string, userId: string): Promise<string> {
  const app = (await rt.repos.apps.find(appId))!;
  return (await rt.tokens.issueUserTokens(app, userId, app.scopes, 'v1', Date.now())).accessToken;
}

/** The data of a successful SDK call. */
async function ok<T extends { code?: number; msg?: string; data?: unknown }>(p: Promise<T>): Promise<NonNullable<T['data']>> {
  const res = await p;
  expect(res.code).toBe(0);
  expect(res.msg).toBe('success');
  return res.data as NonNullable<T['data']>;
}

/** The HTTP status and code of a failed SDK call. */
async function failure(p: Promise<unknown>): Promise<[number, number]> {
  const e = await sdkError(p);
  return [e.status, e.body.code as number];
}

describe(`reserves (${dialect})`, () => {
  let s: TestServer;
  let full: Client;
  let other: Client;
  let globex: Client;
  let narrow: Client;
  let aliceToken: Opts;
  let bobToken: Opts;
  /** open_ids as the full app sees them */
  let aliceOpenId: string;
  let bobOpenId: string;

  const apply = (settings: Settings = {}, extra: Partial<ApplyPayload['data']> = {}, params: ApplyPayload['params'] = { user_id_type: 'user_id' }, client = full, opts?: Opts) =>
    client.vc.reserve.apply({ params, data: { end_time: inDays(1), owner_id: 'alice', ...extra, meeting_settings: settings } }, opts);
  const applied = async (...args: Parameters<typeof apply>) => (await ok(apply(...args))).reserve!;
  const get = (id: string, params: { user_id_type?: 'open_id' | 'union_id' | 'user_id' } = {}, client = full, opts?: Opts) =>
    client.vc.reserve.get({ path: { reserve_id: id }, params }, opts);
  const got = async (...args: Parameters<typeof get>) => (await ok(get(...args))).reserve!;
  const update = (id: string, data: NonNullable<Parameters<Client['vc']['reserve']['update']>[0]>['data'], client = full, opts?: Opts) =>
    client.vc.reserve.update({ path: { reserve_id: id }, params: { user_id_type: 'user_id' }, data }, opts);
  const row = (id: string) => s.runtime.store.db.selectFrom('reserves').selectAll().where('id', '=', id).executeTakeFirst();

  beforeAll(async () => {
    s = await startTestServer({ seed: seed(), config: { rateLimit: false } });
    full = s.client(fixture.acme.full);
    other = s.client(second);
    globex = s.client(fixture.globex.full);
    narrow = s.client(fixture.acme.narrow);
    aliceToken = lark.withUserAccessToken(await userToken(s.runtime, fixture.acme.full.appId, 'alice'));
    bobToken = lark.withUserAccessToken(await userToken(s.runtime, fixture.acme.full.appId, 'bob'));
    const dir = s.runtime.repos.directory.forTenant('acme', fixture.acme.full.appId);
    aliceOpenId = dir.openIdOf('alice');
    bobOpenId = dir.openIdOf('bob');
  });
  afterAll(async () => {
    await s?.close();
    await s?.store.dispose();
  });

  describe('apply', () => {
    it('reserves a meeting and answers exactly the apply fields', async () => {
      const endTime = inDays(7);
      const data = await ok(
        full.vc.reserve.apply({
          data: {
            end_time: endTime,
            owner_id: aliceOpenId,
            meeting_settings: { topic: 'my meeting', meeting_initial_type: 1, meeting_connect: true, auto_record: true, password: '971024' },
          },
        }),
      );
      const r = data.reserve!;
      expect(Object.keys(r).sort()).toEqual(APPLY_FIELDS);
      expect(r.id).toMatch(/^\d{19}$/);
      expect(r.meeting_no).toMatch(/^[1-9]\d{8}$/);
      expect(r.password).toBe('971024');
      expect(r.end_time).toBe(endTime);
      // The join link carries the password (issue 15); the AppLink is that link, with no placeholders left.
      expect(r.url).toBe(`${s.url}/j/${r.meeting_no}?pwd=971024`);
      expect(r.app_link).toBe(r.url);
      expect(r.live_link).toBe(`${s.url}/s/${BigInt(r.id!).toString(36)}`);
      expect(data.reserve_correction_check_info).toEqual({ invalid_host_id_list: [] });
    });

    it('get returns the whole reserve with the settings in the SDK’s shape', async () => {
      const settings: Settings = {
        topic: 'planning',
        action_permissions: [
          { permission: 1, permission_checkers: [{ check_field: 1, check_mode: 1, check_list: [aliceOpenId, bobOpenId] }] },
          { permission: 3, permission_checkers: [{ check_field: 3, check_mode: 1, check_list: ['acme'] }, { check_field: 2, check_mode: 2, check_list: ['6'] }] },
        ],
        meeting_initial_type: 1,
        meeting_connect: true,
        auto_record: true,
        assign_host_list: [{ user_type: 1, id: bobOpenId }],
        password: '4321',
      };
      const endTime = inDays(3);
      const a = await applied(settings, { owner_id: aliceOpenId, end_time: endTime }, {});
      const r = await got(a.id!);
      expect(Object.keys(r).sort()).toEqual(GET_FIELDS);
      expect(r).toMatchObject({ id: a.id, meeting_no: a.meeting_no, password: '4321', url: a.url, app_link: a.app_link, live_link: a.live_link, end_time: endTime, expire_status: 1, reserve_user_id: aliceOpenId });
      const { password: _p, ...withoutPassword } = settings;
      expect(r.meeting_settings).toEqual(withoutPassword);
    });

    it('user IDs in the settings follow user_id_type on the way in and out', async () => {
      const a = await applied({
        action_permissions: [{ permission: 2, permission_checkers: [{ check_field: 1, check_mode: 2, check_list: ['bob'] }] }],
        meeting_initial_type: 2,
        call_setting: { callee: { user_type: 1, id: 'bob' } },
        assign_host_list: [{ user_type: 1, id: 'bob' }],
      });
      const stored = JSON.parse((await row(a.id!))!.settings);
      expect(stored.assign_host_list).toEqual([{ user_type: 1, id: 'bob' }]);
      for (const [type, bobId, aliceId] of [
        ['user_id', 'bob', 'alice'],
        ['open_id', bobOpenId, aliceOpenId],
        ['union_id', (await s.runtime.repos.directory.forTenant('acme', fixture.acme.full.appId).userByUserId('bob'))!.union_id, (await s.runtime.repos.directory.forTenant('acme', fixture.acme.full.appId).userByUserId('alice'))!.union_id],
      ] as const) {
        const r = await got(a.id!, { user_id_type: type });
        expect(r.reserve_user_id).toBe(aliceId);
        expect(r.meeting_settings?.action_permissions?.[0]?.permission_checkers[0]?.check_list).toEqual([bobId]);
        expect(r.meeting_settings?.call_setting?.callee.id).toBe(bobId);
        expect(r.meeting_settings?.assign_host_list).toEqual([{ user_type: 1, id: bobId }]);
      }
    });

    it('keeps only the fields reserve_meeting_setting has', async () => {
      const a = await applied({ topic: 't', color: 'red', call_setting: { ...PSTN_CALL, extra: true } } as Settings);
      expect(JSON.parse((await row(a.id!))!.settings)).toEqual({ topic: 't', call_setting: PSTN_CALL });
    });

    it('settings never sent read as their defaults', async () => {
      const a = await applied({});
      expect((await got(a.id!)).meeting_settings).toEqual({ topic: '', action_permissions: [], meeting_initial_type: 1, meeting_connect: false, auto_record: false, assign_host_list: [] });
    });

    it('password: left out → 6 random digits, "" → none, else 4–9 digits or 123006', async () => {
      expect((await applied({})).password).toMatch(/^\d{6}$/);
      expect((await applied({ password: '' })).password).toBe('');
      expect((await applied({ password: '123456789' })).password).toBe('123456789');
      for (const password of ['123', '1234567890', '12a4']) expect(await failure(apply({ password }))).toEqual([400, 123006]);
    });

    it('end_time: required for multi-party, within 30 days, in the future (121003)', async () => {
      expect(await failure(apply({}, { end_time: undefined }))).toEqual([400, 121003]);
      expect(await failure(apply({ meeting_initial_type: 1 }, { end_time: undefined }))).toEqual([400, 121003]);
      expect(await failure(apply({}, { end_time: inDays(31) }))).toEqual([400, 121003]);
      expect(await failure(apply({}, { end_time: inSeconds(-60) }))).toEqual([400, 121003]);
      expect(await failure(apply({}, { end_time: 'tomorrow' }))).toEqual([400, 121003]);
      // one clock reading: two could straddle a second
      const furthest = inDays(30);
      expect((await applied({}, { end_time: furthest })).end_time).toBe(furthest);
    });

    it('a 1v1 call may leave end_time out: it lasts the full 30 days', async () => {
      const r = await applied({ meeting_initial_type: 2, call_setting: PSTN_CALL }, { end_time: undefined });
      expect(Math.abs(Number(r.end_time) - Number(inDays(30)))).toBeLessThanOrEqual(2);
      expect((await got(r.id!)).meeting_settings?.call_setting).toEqual(PSTN_CALL);
    });

    it('owner_id: required with a tenant token (121003), must name an active user of the tenant', async () => {
      expect(await failure(apply({}, { owner_id: undefined }))).toEqual([400, 121003]);
      expect(await failure(apply({}, { owner_id: '' }))).toEqual([400, 121003]);
      expect(await failure(apply({}, { owner_id: 'carol' }))).toEqual([400, 121003]); // resigned
      expect(await failure(apply({}, { owner_id: 'nobody' }))).toEqual([400, 99992360]);
      expect(await failure(apply({}, { owner_id: 'ou_00000000000000000000000000000000' }, {}))).toEqual([400, 99992351]);
      expect(await failure(apply({}, { owner_id: 'gina' }))).toEqual([400, 99992360]); // another tenant's user
    });

    it('with a user token the caller owns the reserve and owner_id is ignored', async () => {
      const r = await applied({}, { owner_id: 'bob' }, { user_id_type: 'user_id' }, full, aliceToken);
      expect((await got(r.id!, { user_id_type: 'user_id' })).reserve_user_id).toBe('alice');
      const noOwner = await applied({}, { owner_id: undefined }, {}, full, aliceToken);
      expect((await got(noOwner.id!, { user_id_type: 'user_id' }, full, aliceToken)).reserve_user_id).toBe('alice');
    });

    it('hosts: more than 10 → 123003, not a Feishu user → 123004, unknown IDs listed and left out', async () => {
      const hosts = (n: number) => Array.from({ length: n }, (_, i) => ({ user_type: 1, id: `member${String(i).padStart(2, '0')}` }));
      expect(await failure(apply({ assign_host_list: hosts(11) }))).toEqual([400, 123003]);
      expect(await failure(apply({ assign_host_list: [{ user_type: 2, id: 'bob' }] }))).toEqual([400, 123004]);
      const data = await ok(apply({ assign_host_list: [...hosts(6), { id: 'bob' }, { user_type: 1, id: 'ghost' }, { user_type: 1, id: 'carol' }, { user_type: 1, id: 'gina' }] }));
      expect(data.reserve_correction_check_info?.invalid_host_id_list).toEqual(['ghost', 'carol', 'gina']);
      const r = await got(data.reserve!.id!, { user_id_type: 'user_id' });
      expect(r.meeting_settings?.assign_host_list).toEqual([...hosts(6), { user_type: 1, id: 'bob' }]);
    });

    it('a host open_id of another app is invalid, not an error', async () => {
      const otherOpenId = s.runtime.repos.directory.forTenant('acme', second.appId).openIdOf('bob');
      const data = await ok(apply({ assign_host_list: [{ user_type: 1, id: otherOpenId }, { user_type: 1, id: bobOpenId }] }, { owner_id: aliceOpenId }, {}));
      expect(data.reserve_correction_check_info?.invalid_host_id_list).toEqual([otherOpenId]);
    });

    it('1v1 calls: no auto-record (123002), a call setting needed (121003), PSTN or Feishu callees only (121002)', async () => {
      expect(await failure(apply({ meeting_initial_type: 2, auto_record: true, call_setting: PSTN_CALL }))).toEqual([400, 123002]);
      expect(await failure(apply({ meeting_initial_type: 2 }))).toEqual([400, 121003]);
      expect(await failure(apply({ meeting_initial_type: 2, call_setting: { callee: { user_type: 7 } } }))).toEqual([400, 121002]);
      expect(await failure(apply({ meeting_initial_type: 2, call_setting: { callee: { user_type: 6, pstn_sip_info: { main_address: 'call me' } } } }))).toEqual([400, 121003]);
    });

    it('out-of-range enum values are 121003; unknown user IDs in check lists the gateway’s 99992360', async () => {
      expect(await failure(apply({ meeting_initial_type: 5 }))).toEqual([400, 121003]);
      expect(await failure(apply({ action_permissions: [{ permission: 9, permission_checkers: [] }] }))).toEqual([400, 121003]);
      expect(await failure(apply({ action_permissions: [{ permission: 1, permission_checkers: [{ check_field: 1, check_mode: 1, check_list: ['ghost'] }] }] }))).toEqual([400, 99992360]);
    });

    it('wrong types and a missing meeting_settings are field validation failures (99992402)', async () => {
      const e = await sdkError(full.vc.reserve.apply({ data: { end_time: inDays(1), owner_id: 'alice' } as ApplyPayload['data'], params: { user_id_type: 'user_id' } }));
      expect([e.status, e.body.code]).toEqual([400, 99992402]);
      expect(e.body.error.field_violations[0].field).toBe('meeting_settings');
      const t = await sdkError(apply({ meeting_initial_type: '1' as unknown as number }));
      expect(t.body.error.field_violations[0].field).toBe('meeting_settings.meeting_initial_type');
    });

    it('needs vc:reserve (99991672), and contact:user.employee_id:readonly for user_id_type=user_id', async () => {
      const e = await sdkError(apply({}, {}, {}, narrow));
      expect([e.status, e.body.code]).toEqual([400, 99991672]);
      expect(e.body.msg).toContain('vc:reserve');
    });
  });

  describe('ownership and isolation', () => {
    let mine: string;
    let alices: string;

    beforeAll(async () => {
      mine = (await applied({ topic: 'app-made' })).id!;
      alices = (await applied({ topic: 'alice-made' }, {}, {}, full, aliceToken)).id!;
    });

    it('another app of the tenant may not get, update, delete or ask for the meeting (121005, 403)', async () => {
      expect(await failure(get(mine, {}, other))).toEqual([403, 121005]);
      expect(await failure(update(mine, { meeting_settings: { topic: 'x' } }, other))).toEqual([403, 121005]);
      expect(await failure(other.vc.reserve.delete({ path: { reserve_id: mine } }))).toEqual([403, 121005]);
      expect(await failure(other.vc.reserve.getActiveMeeting({ path: { reserve_id: mine } }))).toEqual([403, 121005]);
      expect((await got(mine)).meeting_settings?.topic).toBe('app-made');
    });

    it('a user reaches their own reserves, whichever way they were made, and no one else’s', async () => {
      expect((await got(mine, {}, full, aliceToken)).meeting_settings?.topic).toBe('app-made');
      expect((await got(alices, {}, full, aliceToken)).meeting_settings?.topic).toBe('alice-made');
      expect(await failure(get(mine, {}, full, bobToken))).toEqual([403, 121005]);
      expect(await failure(update(alices, {}, full, bobToken))).toEqual([403, 121005]);
      expect(await failure(full.vc.reserve.delete({ path: { reserve_id: alices } }, bobToken))).toEqual([403, 121005]);
      // The app through which alice made it manages it with its tenant token too.
      expect((await got(alices)).meeting_settings?.topic).toBe('alice-made');
    });

    it('another tenant’s reserve does not exist for the caller (121004, 404)', async () => {
      expect(await failure(get(mine, {}, globex))).toEqual([404, 121004]);
      expect(await failure(update(mine, { meeting_settings: { topic: 'x' } }, globex))).toEqual([404, 121004]);
      expect(await failure(globex.vc.reserve.delete({ path: { reserve_id: mine } }))).toEqual([404, 121004]);
      expect(await failure(globex.vc.reserve.getActiveMeeting({ path: { reserve_id: mine } }))).toEqual([404, 121004]);
      expect((await got(mine)).id).toBe(mine);
    });

    it('unknown ids are 121004, ids that cannot be reserve ids 121003', async () => {
      const unknown = '6911188411932033028';
      expect(await failure(get(unknown))).toEqual([404, 121004]);
      expect(await failure(update(unknown, {}))).toEqual([404, 121004]);
      expect(await failure(full.vc.reserve.delete({ path: { reserve_id: unknown } }))).toEqual([404, 121004]);
      expect(await failure(full.vc.reserve.getActiveMeeting({ path: { reserve_id: unknown } }))).toEqual([404, 121004]);
      for (const call of [get('abc'), update('abc', {}), full.vc.reserve.delete({ path: { reserve_id: 'abc' } }), full.vc.reserve.getActiveMeeting({ path: { reserve_id: 'abc' } })]) {
        expect(await failure(call)).toEqual([400, 121003]);
      }
    });

    it('reading needs vc:reserve:readonly (99991672)', async () => {
      const e = await sdkError(get(mine, {}, narrow));
      expect(e.body.code).toBe(99991672);
      expect(e.body.msg).toContain('vc:reserve:readonly');
    });
  });

  describe('update', () => {
    const settings: Settings = {
      topic: 'weekly',
      action_permissions: [{ permission: 3, permission_checkers: [{ check_field: 3, check_mode: 1, check_list: ['acme'] }] }],
      meeting_connect: true,
      auto_record: true,
      assign_host_list: [{ user_type: 1, id: 'bob' }],
      password: '2468',
    };

    it('answers exactly the update fields; unsent fields stay as they were', async () => {
      const a = await applied(settings);
      const before = await got(a.id!, { user_id_type: 'user_id' });
      const data = await ok(update(a.id!, { meeting_settings: { topic: 'renamed' } }));
      expect(Object.keys(data.reserve!).sort()).toEqual(UPDATE_FIELDS);
      expect(data.reserve).toEqual({ id: a.id, meeting_no: a.meeting_no, password: '2468', url: a.url, live_link: a.live_link, end_time: a.end_time, expire_status: 1 });
      expect(data.reserve_correction_check_info).toEqual({ invalid_host_id_list: [] });
      const after = await got(a.id!, { user_id_type: 'user_id' });
      expect(after).toEqual({ ...before, meeting_settings: { ...before.meeting_settings, topic: 'renamed' } });
    });

    it('fields sent empty become empty; meeting_connect cannot change', async () => {
      const a = await applied(settings);
      await ok(update(a.id!, { meeting_settings: { topic: '', action_permissions: [], assign_host_list: [], meeting_connect: false, password: '' } }));
      const r = await got(a.id!);
      expect(r.password).toBe('');
      expect(r.meeting_settings).toEqual({ topic: '', action_permissions: [], meeting_initial_type: 1, meeting_connect: true, auto_record: true, assign_host_list: [] });
    });

    it('an empty body changes nothing', async () => {
      const a = await applied(settings);
      const before = await got(a.id!);
      await ok(full.vc.reserve.update({ path: { reserve_id: a.id! } }));
      expect(await got(a.id!)).toEqual(before);
    });

    it('renews end_time (≤ 30 days) and moves the expiry job', async () => {
      const a = await applied({});
      const endTime = inDays(20);
      expect((await ok(update(a.id!, { end_time: endTime }))).reserve?.end_time).toBe(endTime);
      expect((await s.runtime.repos.jobs.byKey(`reserve.expire:${a.id}`))?.run_at).toBe(Number(endTime) * 1000);
      expect(await failure(update(a.id!, { end_time: inDays(31) }))).toEqual([400, 121003]);
      expect(await failure(update(a.id!, { end_time: '' }))).toEqual([400, 121003]);
    });

    it('checks the merged settings: 123002, 123003, 123004, 123006, 121003', async () => {
      const call = await applied({ meeting_initial_type: 2, call_setting: PSTN_CALL });
      expect(await failure(update(call.id!, { meeting_settings: { auto_record: true } }))).toEqual([400, 123002]);
      const recorded = await applied({ auto_record: true });
      expect(await failure(update(recorded.id!, { meeting_settings: { meeting_initial_type: 2, call_setting: PSTN_CALL } }))).toEqual([400, 123002]);
      expect(await failure(update(recorded.id!, { meeting_settings: { assign_host_list: Array.from({ length: 11 }, () => ({ id: 'bob' })) } }))).toEqual([400, 123003]);
      expect(await failure(update(recorded.id!, { meeting_settings: { assign_host_list: [{ user_type: 6, id: 'bob' }] } }))).toEqual([400, 123004]);
      expect(await failure(update(recorded.id!, { meeting_settings: { password: '12' } }))).toEqual([400, 123006]);
      expect(await failure(update(recorded.id!, { meeting_settings: { meeting_initial_type: 0 } }))).toEqual([400, 121003]);
      // nothing of the refused updates stuck
      expect((await got(recorded.id!)).meeting_settings).toMatchObject({ auto_record: true, meeting_initial_type: 1, assign_host_list: [] });
    });

    it('lists invalid host IDs and keeps the valid ones', async () => {
      const a = await applied({});
      const data = await ok(update(a.id!, { meeting_settings: { assign_host_list: [{ id: 'alice' }, { id: 'nobody' }] } }));
      expect(data.reserve_correction_check_info?.invalid_host_id_list).toEqual(['nobody']);
      expect((await got(a.id!, { user_id_type: 'user_id' })).meeting_settings?.assign_host_list).toEqual([{ user_type: 1, id: 'alice' }]);
    });
  });

  describe('delete', () => {
    it('deletes for good, frees the number and cancels the expiry job', async () => {
      const a = await applied({});
      expect(await s.runtime.repos.jobs.byKey(`reserve.expire:${a.id}`)).toMatchObject({ status: 'pending', run_at: Number(a.end_time) * 1000 });
      expect(await ok(full.vc.reserve.delete({ path: { reserve_id: a.id! } }))).toEqual({});
      expect(await failure(get(a.id!))).toEqual([404, 121004]);
      expect(await failure(full.vc.reserve.delete({ path: { reserve_id: a.id! } }))).toEqual([404, 121004]);
      expect(await s.runtime.repos.jobs.byKey(`reserve.expire:${a.id}`)).toBeUndefined();
      expect(await row(a.id!)).toBeUndefined();
    });

    it('a user deletes their own reserve', async () => {
      const a = await applied({}, {}, {}, full, aliceToken);
      await ok(full.vc.reserve.delete({ path: { reserve_id: a.id! } }, aliceToken));
      expect(await failure(get(a.id!))).toEqual([404, 121004]);
    });
  });

  describe('get_active_meeting', () => {
    it('an owned reserve has no active meeting yet (121004, 404)', async () => {
      const a = await applied({});
      expect(await failure(full.vc.reserve.getActiveMeeting({ path: { reserve_id: a.id! }, params: { with_participants: true, user_id_type: 'open_id' } }))).toEqual([404, 121004]);
      expect(await failure(full.vc.reserve.getActiveMeeting({ path: { reserve_id: a.id! } }, aliceToken))).toEqual([404, 121004]);
      expect(await failure(full.vc.reserve.getActiveMeeting({ path: { reserve_id: a.id! } }, bobToken))).toEqual([403, 121005]);
    });
  });

  describe('expiry and meeting numbers', () => {
    const expireJob = (id: string) => s.runtime.repos.jobs.byKey(`reserve.expire:${id}`);
    /** Moves time past the reserve's end: its end_time, and its job's run time, into the past. */
    const pastEnd = async (id: string) => {
      const past = Date.now() - 60_000;
      await s.runtime.store.db.updateTable('reserves').set({ end_time: past }).where('id', '=', id).execute();
      await s.runtime.store.db.updateTable('jobs').set({ run_at: past }).where('dedupe_key', '=', `reserve.expire:${id}`).execute();
    };
    /** A reserve written straight through the repository, drawing `numbers` in order, then random ones. */
    const insertWith = (numbers: string[], db = s.runtime.store.db) =>
      s.runtime.repos.reserves
        .forTenant('acme', db)
        .insert(
          { id: newReserveId(Date.now()), app_id: fixture.acme.full.appId, owner_user_id: 'bob', password: '', end_time: Date.now() + 3600_000, settings: '{}' },
          () => numbers.shift() ?? randomMeetingNo(),
          Date.now(),
        );

    it('the job expires a reserve at its end_time and releases its number', async () => {
      const a = await applied({});
      expect((await expireJob(a.id!))?.status).toBe('pending');
      await pastEnd(a.id!);
      // Expired as soon as end_time passed, before the job ran.
      expect((await got(a.id!)).expire_status).toBe(2);
      await s.runtime.jobs.runDue();
      expect((await row(a.id!))?.live_meeting_no).toBeNull();
      expect((await expireJob(a.id!))?.status).toBe('done');
      const r = await got(a.id!);
      expect(r.expire_status).toBe(2);
      expect(r.meeting_no).toBe(a.meeting_no);
      // The number is free: a new reserve can hold it.
      expect((await insertWith([a.meeting_no!])).meeting_no).toBe(a.meeting_no);
    });

    it('running the expiry again, or for a renewed reserve, changes nothing', async () => {
      const a = await applied({});
      const tenant = s.runtime.repos.reserves.forTenant('acme');
      await tenant.release(a.id!, Date.now());
      expect((await row(a.id!))?.live_meeting_no).toBe(a.meeting_no);
      await pastEnd(a.id!);
      await tenant.release(a.id!, Date.now());
      await tenant.release(a.id!, Date.now());
      expect((await row(a.id!))?.live_meeting_no).toBeNull();
    });

    it('an overdue reserve gives its number up to a new one before its job ran', async () => {
      const a = await applied({});
      await s.runtime.store.db.updateTable('reserves').set({ end_time: Date.now() - 1000 }).where('id', '=', a.id!).execute();
      const b = await insertWith([a.meeting_no!]);
      expect(b.live_meeting_no).toBe(a.meeting_no);
      expect((await row(a.id!))?.live_meeting_no).toBeNull();
    });

    it('a number a live reserve holds is never handed out again', async () => {
      const a = await applied({});
      const b = await insertWith([a.meeting_no!, '100000001']);
      expect(b.meeting_no).toBe('100000001');
      expect((await row(a.id!))?.live_meeting_no).toBe(a.meeting_no);
    });

    it('renewing an expired reserve takes its number again, or a new one if it was taken', async () => {
      const a = await applied({});
      await pastEnd(a.id!);
      await s.runtime.jobs.runDue();
      const endTime = inDays(2);
      const renewed = await ok(update(a.id!, { end_time: endTime }));
      expect(renewed.reserve).toMatchObject({ meeting_no: a.meeting_no, expire_status: 1, url: a.url });
      expect((await row(a.id!))?.live_meeting_no).toBe(a.meeting_no);
      expect((await expireJob(a.id!))).toMatchObject({ status: 'pending', run_at: Number(endTime) * 1000 });

      await pastEnd(a.id!);
      await s.runtime.jobs.runDue();
      await insertWith([a.meeting_no!]);
      const again = (await ok(update(a.id!, { end_time: inDays(2) }))).reserve!;
      expect(again.meeting_no).not.toBe(a.meeting_no);
      expect(again.url).toBe(`${s.url}/j/${again.meeting_no}?pwd=${again.password}`);
      expect(again.expire_status).toBe(1);
    });

    it('two expired reserves of one number renewed at once end with distinct numbers', async () => {
      const a = await applied({});
      await pastEnd(a.id!);
      await s.runtime.jobs.runDue();
      const b = await insertWith([a.meeting_no!]);
      await s.runtime.store.db.updateTable('reserves').set({ end_time: Date.now() - 1000 }).where('id', '=', b.id).execute();
      await s.runtime.repos.reserves.forTenant('acme').release(b.id, Date.now());
      const [ra, rb] = await Promise.all([ok(update(a.id!, { end_time: inDays(1) })), ok(update(b.id, { end_time: inDays(1) }))]);
      const numbers = [ra.reserve!.meeting_no, rb.reserve!.meeting_no];
      expect(new Set(numbers).size).toBe(2);
      expect(numbers).toContain(a.meeting_no);
    });

    it('an update without end_time leaves an expired reserve expired', async () => {
      const a = await applied({});
      await pastEnd(a.id!);
      await s.runtime.jobs.runDue();
      expect((await ok(update(a.id!, { meeting_settings: { topic: 'late' } }))).reserve?.expire_status).toBe(2);
    });

    it('transactions racing for one number end with distinct numbers', async () => {
      const contested = '100000002';
      let runs = 0;
      const racer = () =>
        s.runtime.repos.reserves.transaction(async (trx) => {
          runs++;
          return insertWith([contested], trx);
        });
      const rows = await Promise.all(Array.from({ length: 10 }, racer));
      expect(new Set(rows.map((r) => r.meeting_no)).size).toBe(10);
      expect(rows.filter((r) => r.meeting_no === contested)).toHaveLength(1);
      expect(runs).toBeGreaterThanOrEqual(10);
    });

    it('200 concurrent applies get 200 distinct numbers and ids', async () => {
      await applied({}); // the SDK fetches its token once
      const results = await Promise.all(Array.from({ length: 200 }, () => applied({})));
      expect(new Set(results.map((r) => r.meeting_no)).size).toBe(200);
      expect(new Set(results.map((r) => r.id)).size).toBe(200);
      const live = await s.runtime.store.db.selectFrom('reserves').select('live_meeting_no').where('live_meeting_no', 'is not', null).execute();
      expect(new Set(live.map((r) => r.live_meeting_no)).size).toBe(live.length);
    });
  });
});

describe(`reserves across a restart (${dialect})`, () => {
  const store = new TestStore();
  let s: TestServer;

  afterAll(async () => {
    await s?.close();
    await store.dispose();
  });

  it('the expiry job survives a restart and runs when due', async () => {
    s = await startTestServer({ store, seed: seed() });
    const a = (await ok(s.client(fixture.acme.full).vc.reserve.apply({ params: { user_id_type: 'user_id' }, data: { end_time: inDays(1), owner_id: 'alice', meeting_settings: {} } }))).reserve!;
    const job = await s.runtime.repos.jobs.byKey(`reserve.expire:${a.id}`);
    await s.close();

    s = await startTestServer({ store, seed: null });
    expect(await s.runtime.repos.jobs.byKey(`reserve.expire:${a.id}`)).toEqual(job);
    const past = Date.now() - 1000;
    await s.runtime.store.db.updateTable('reserves').set({ end_time: past }).where('id', '=', a.id!).execute();
    await s.runtime.store.db.updateTable('jobs').set({ run_at: past }).where('id', '=', job!.id).execute();
    await s.runtime.jobs.runDue();
    expect((await s.runtime.repos.jobs.byKey(`reserve.expire:${a.id}`))?.status).toBe('done');
    const r = (await ok(s.client(fixture.acme.full).vc.reserve.get({ path: { reserve_id: a.id! } }))).reserve!;
    expect(r.expire_status).toBe(2);
    expect((await s.runtime.store.db.selectFrom('reserves').select('live_meeting_no').where('id', '=', a.id!).executeTakeFirst())?.live_meeting_no).toBeNull();
  });

  it('a store failure is 121001 (HTTP 500)', async () => {
    await s.runtime.store.db.schema.dropTable('reserves').execute();
    const e = await sdkError(s.client(fixture.acme.full).vc.reserve.apply({ params: { user_id_type: 'user_id' }, data: { end_time: inDays(1), owner_id: 'alice', meeting_settings: {} } }));
    expect([e.status, e.body.code]).toEqual([500, 121001]);
  });
});
