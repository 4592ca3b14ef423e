import type * as lark from '@larksuiteoapi/node-sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, dialect, type TestServer } from './helpers/server.js';
import { failure, ok } from './helpers/sdk.js';
import { createLevel, createRoom } from './helpers/room-tree.js';
import { ALL, fixture, fixtureSeed } from './helpers/fixture.js';
import { deriveOpenDepartmentId } from '../src/domain/ids.js';
import { renderEvent, tripleFor } from '../src/events/event-envelope.js';
import { bookingVerdict } from '../src/domain/room/booking-rules.js';
import { bookerOf, roomBookingConfig } from '../src/domain/room/reserve-config.service.js';

type Client = lark.Client;
type PatchData = NonNullable<Parameters<Client['vc']['reserveConfig']['patch']>[0]>['data'];

const HOUR = 3_600_000;
const DEFAULTS = {
  approve_config: { approval_switch: 0, approval_condition: 0, meeting_duration: 99, approvers: [] },
  time_config: { time_switch: 0, days_in_advance: 365, opening_hour: '28800', start_time: '0', end_time: '86400', max_duration: 2 },
  reserve_scope_config: { allow_all_users: 1, allow_users: [], allow_depts: [] },
};

describe(`reserve configs (${dialect})`, () => {
  let s: TestServer;
  let acme: Client;
  let globex: Client;
  const lv: Record<string, string> = {};
  const rm: Record<string, string> = {};
  const openId = (userId: string) => s.runtime.repos.directory.forTenant('acme', fixture.acme.full.appId).openIdOf(userId);
  const eng = deriveOpenDepartmentId('acme', 'eng');

  const level = (name: string, parent: string) => createLevel(acme, name, parent);
  const room = (name: string, levelId: string) => createRoom(acme, name, levelId);
  const patch = (id: string, scope_type: string, data: Omit<PatchData, 'scope_type'>, client = acme) => client.vc.reserveConfig.patch({ path: { reserve_config_id: id }, data: { scope_type, ...data } });
  const scope = async (scope_id: string, scope_type: string, client = acme) => ok(client.vc.reserveConfig.reserveScope({ params: { scope_id, scope_type } }));
  const events = async (from: number) => (await s.runtime.repos.outbox.list('acme', from, 100)).filter((e) => e.event_type === 'vc.reserve_config.updated_v1');
  const lastSeq = async () => (await s.runtime.repos.outbox.list('acme', 0, 100_000)).at(-1)?.seq ?? 0;
  const configRows = async () => s.runtime.store.db.selectFrom('scope_configs').selectAll().orderBy('scope_id').orderBy('section').execute();

  beforeAll(async () => {
    s = await startTestServer({ seed: fixtureSeed(), config: { rateLimit: false } });
    acme = s.client(fixture.acme.full);
    globex = s.client(fixture.globex.full);
    lv.campus = await level('Campus', '0');
    lv.A = await level('Building A', lv.campus);
    lv.A1 = await level('Floor A1', lv.A);
    lv.B = await level('Building B', lv.campus);
    rm.a = await room('A1-01', lv.A1);
    rm.b = await room('B-01', lv.B);
  });
  afterAll(async () => {
    await s?.close();
    await s?.store.dispose();
  });

  describe('booking limits: reserve_scope and patch', () => {
    it('where nothing is set, the defaults apply: anyone, any time, no approval', async () => {
      expect(await scope(rm.a!, '2')).toEqual(DEFAULTS);
      expect(await scope('0', '1')).toEqual(DEFAULTS);
    });

    it('a building’s limits apply to its floors and rooms, not to the rest of the campus', async () => {
      const from = await lastSeq();
      await ok(
        patch(lv.A!, '1', {
          approval_config: { approval_switch: 1, approval_condition: 1, meeting_duration: 2.345, approvers: [{ user_id: openId('alice') }] },
          time_config: { time_switch: 1, days_in_advance: 30, opening_hour: '28830', start_time: '28800', end_time: '72000', max_duration: 4 },
          reserve_scope_config: { allow_all_users: 0, allow_users: [{ user_id: openId('bob') }], allow_depts: [{ department_id: eng }] },
        }),
      );
      const expected = {
        approve_config: { approval_switch: 1, approval_condition: 1, meeting_duration: 2.35, approvers: [{ user_id: openId('alice') }] },
        time_config: { time_switch: 1, days_in_advance: 30, opening_hour: '28800', start_time: '28800', end_time: '72000', max_duration: 4 },
        reserve_scope_config: { allow_all_users: 0, allow_users: [{ user_id: openId('bob') }], allow_depts: [{ department_id: eng }] },
      };
      expect(await scope(rm.a!, '2')).toMatchObject(expected);
      expect(await scope(lv.A1!, '1')).toMatchObject(expected);
      expect(await scope(rm.b!, '2')).toEqual(DEFAULTS);
      expect(await scope(lv.campus!, '1')).toEqual(DEFAULTS);
      // one event for the change, users as ID triples for each app
      const [e] = await events(from);
      expect(e).toBeDefined();
      const appId = fixture.acme.full.appId;
      const rendered = renderEvent(e!, { appId, verificationToken: 'v' }, tripleFor({ appId, tenantKey: 'acme', scopes: ALL }));
      expect(rendered.event).toMatchObject({
        scope_id: lv.A,
        scope_type: 1,
        approve_config: { ...expected.approve_config, approvers: [{ user_id: { union_id: expect.stringMatching(/^on_/), user_id: 'alice', open_id: openId('alice') } }] },
        time_config: expected.time_config,
        reserve_scope_config: { allow_all_users: 0, allow_users: [{ user_id: expect.objectContaining({ user_id: 'bob' }) }], allow_depts: [{ department_id: eng }] },
      });
    });

    it('a room’s own section wins over its building’s, section by section', async () => {
      await ok(patch(rm.a!, '2', { time_config: { time_switch: 0 } }));
      const data = await scope(rm.a!, '2');
      expect(data.time_config).toEqual({ ...DEFAULTS.time_config });
      expect(data.approve_config!.approval_switch).toBe(1);
      // the event carries what applies to the room after the change
      const [e] = await events((await lastSeq()) - 1);
      expect(JSON.parse(e!.payload)).toMatchObject({ scope_id: rm.a, scope_type: 2, time_config: DEFAULTS.time_config, approve_config: { approval_switch: 1 } });
    });

    it('if_cover_child_scope clears the section below; the room inherits the building’s again', async () => {
      await ok(patch(lv.A!, '1', { time_config: { if_cover_child_scope: true, time_switch: 1, max_duration: 3 } }));
      expect((await scope(rm.a!, '2')).time_config).toEqual({ if_cover_child_scope: true, time_switch: 1, days_in_advance: 365, opening_hour: '28800', start_time: '0', end_time: '86400', max_duration: 3 });
    });

    it('user_id_type names the users in and out', async () => {
      await ok(acme.vc.reserveConfig.patch({ path: { reserve_config_id: lv.B! }, params: { user_id_type: 'user_id' }, data: { scope_type: '1', approval_config: { approval_switch: 1, approvers: [{ user_id: 'bob' }] } } }));
      const read = await ok(acme.vc.reserveConfig.reserveScope({ params: { scope_id: rm.b!, scope_type: '2', user_id_type: 'user_id' } }));
      expect(read.approve_config).toMatchObject({ approval_switch: 1, approval_condition: 0, meeting_duration: 99, approvers: [{ user_id: 'bob' }] });
      // reads name the people they hold (user_name, department_name); writes ignore names
      expect((await scope(rm.b!, '2')).approve_config!.approvers).toEqual([{ user_id: openId('bob'), user_name: 'Bob' }]);
    });
  });

  describe('form, admins, disable notices', () => {
    const form = {
      reserve_form: true,
      notified_users: [{ user_id: '' }],
      notified_time: 2,
      time_unit: 2,
      custom_list: [
        { custom_type: 3, key: 'kind', need_fill: true, title: 'Kind', options: [{ text: 'Internal', key: 'in' }, { text: 'Client', key: 'client', is_other: false }] },
        { custom_type: 1, key: 'client_name', need_fill: false, title: 'Client name', placeholder: 'who?', conditions: [{ custom_key: 'kind', option_keys: ['client'] }] },
      ],
    };

    it('the form: 126002 until a level above sets one, then inherited', async () => {
      expect(await failure(acme.vc.reserveConfigForm.get({ path: { reserve_config_id: rm.a! }, params: { scope_type: 2 } }))).toEqual([
        400,
        126002,
        `reserve form is not configured: neither ${rm.a} nor any level above it sets a reserve form`,
      ]);
      const sent = { ...form, notified_users: [{ user_id: openId('alice') }] };
      await ok(acme.vc.reserveConfigForm.patch({ path: { reserve_config_id: lv.campus! }, data: { scope_type: 1, reserve_form_config: sent } }));
      expect((await ok(acme.vc.reserveConfigForm.get({ path: { reserve_config_id: rm.a! }, params: { scope_type: 2 } }))).reserve_form_config).toMatchObject(sent);
    });

    it('form values: notify time per unit (126011), conditions naming nothing (121003)', async () => {
      const send = (reserve_form_config: object) => acme.vc.reserveConfigForm.patch({ path: { reserve_config_id: lv.A! }, data: { scope_type: 1, reserve_form_config: { ...form, notified_users: [], ...reserve_form_config } as typeof form } });
      expect(await failure(send({ notified_time: 60, time_unit: 1 }))).toEqual([400, 126011, 'notify time exceeds the scope to which the time unit appoints: notified_time must be from 1 to 59 for time_unit 1']);
      expect((await failure(send({ notified_time: 31 })))[1]).toBe(126011);
      expect((await failure(send({ time_unit: 4 })))[1]).toBe(121003);
      const [, code, msg] = await failure(send({ custom_list: [{ ...form.custom_list[1]!, conditions: [{ custom_key: 'nope' }] }] }));
      expect([code, msg]).toEqual([121003, 'param error: reserve_form_config.custom_list[0].conditions[0].custom_key must name another item of the list']);
      expect((await failure(send({ custom_list: [form.custom_list[0]!, { ...form.custom_list[1]!, conditions: [{ custom_key: 'kind', option_keys: ['x'] }] }] })))[1]).toBe(121003);
      expect((await failure(send({ custom_list: [form.custom_list[0]!, form.custom_list[0]!] })))[1]).toBe(121003);
    });

    it('admins and disable notices read back what applies; departments by open_department_id, "0" the whole tenant', async () => {
      await ok(acme.vc.reserveConfigAdmin.patch({ path: { reserve_config_id: lv.A! }, data: { scope_type: 1, reserve_admin_config: { users: [{ user_id: openId('bob') }], depts: [{ department_id: eng }, { department_id: '0' }] } } }));
      expect((await ok(acme.vc.reserveConfigAdmin.get({ path: { reserve_config_id: rm.a! }, params: { scope_type: 2 } }))).reserve_admin_config).toMatchObject({
        users: [{ user_id: openId('bob') }],
        depts: [{ department_id: eng }, { department_id: '0' }],
      });
      expect((await ok(acme.vc.reserveConfigAdmin.get({ path: { reserve_config_id: rm.b! }, params: { scope_type: 2 } }))).reserve_admin_config).toEqual({ users: [], depts: [] });
      const inform = (id: string) => acme.vc.reserveConfigDisableInform.get({ path: { reserve_config_id: id }, params: { scope_type: 2 } });
      expect((await ok(inform(rm.a!))).disable_inform).toEqual({ if_inform: false, informed_users: [], informed_depts: [] });
      await ok(acme.vc.reserveConfigDisableInform.patch({ path: { reserve_config_id: rm.a! }, data: { scope_type: 2, disable_inform: { if_inform: false } } }));
      await ok(acme.vc.reserveConfigDisableInform.patch({ path: { reserve_config_id: '0' }, data: { scope_type: 1, disable_inform: { if_cover_child_scope: true, if_inform: true, informed_users: [{ user_id: openId('alice') }] } } }));
      for (const id of [rm.a!, rm.b!]) expect((await ok(inform(id))).disable_inform).toMatchObject({ if_cover_child_scope: true, if_inform: true, informed_users: [{ user_id: openId('alice') }], informed_depts: [] });
    });

    it('only the booking limits write vc.reserve_config.updated_v1', async () => {
      const from = await lastSeq();
      await ok(acme.vc.reserveConfigAdmin.patch({ path: { reserve_config_id: lv.A! }, data: { scope_type: 1, reserve_admin_config: { users: [] } } }));
      expect(await events(from)).toEqual([]);
    });
  });

  describe('refusals change nothing', () => {
    it('unknown scopes and IDs of the other scope_type are 126001; scope_type out of range 121003', async () => {
      const before = await configRows();
      const from = await lastSeq();
      const body = { approval_config: { approval_switch: 0 } };
      const msg = 'invalid room or level id, check itself or whether the scope_type corresponds to it';
      expect(await failure(patch('omb_nope', '1', body))).toEqual([400, 126001, `${msg}: omb_nope names no room level of this tenant`]);
      expect(await failure(patch(rm.a!, '1', body))).toEqual([400, 126001, `${msg}: ${rm.a} is not a room level (scope_type 1)`]);
      expect((await failure(patch(lv.A!, '2', body)))[1]).toBe(126001);
      expect(await failure(patch(lv.A!, 'level', body))).toEqual([400, 121003, 'param error: scope_type must be 1 (room level) or 2 (room), not "level"']);
      expect((await failure(acme.vc.reserveConfigForm.get({ path: { reserve_config_id: lv.A! }, params: { scope_type: 3 } })))[1]).toBe(121003);
      expect((await failure(acme.vc.reserveConfigAdmin.get({ path: { reserve_config_id: 'omm_nope' }, params: { scope_type: 2 } })))[1]).toBe(126001);
      expect((await failure(acme.vc.reserveConfig.reserveScope({ params: { scope_id: rm.a!, scope_type: '1' } })))[1]).toBe(126001);
      expect((await failure(patch(rm.a!, '2', body, globex)))[1]).toBe(126001);
      expect((await failure(globex.vc.reserveConfig.reserveScope({ params: { scope_id: lv.A!, scope_type: '1' } })))[1]).toBe(126001);
      expect(await configRows()).toEqual(before);
      expect(await events(from)).toEqual([]);
    });

    it('people: unknown or inactive users 126013, unknown departments 126014, more than 500 in all 126012', async () => {
      const before = await configRows();
      const [, code, msg] = await failure(patch(lv.A!, '1', { approval_config: { approval_switch: 1, approvers: [{ user_id: 'ou_nobody' }, { user_id: openId('carol') }, { user_id: openId('alice') }] } }));
      expect([code, msg]).toEqual([126013, `some userIDs you put is invalid: [ou_nobody ${openId('carol')}] name no active user of this tenant (as open_id)`]);
      const gina = s.runtime.repos.directory.forTenant('globex', fixture.globex.full.appId).openIdOf('gina');
      expect((await failure(patch(lv.A!, '1', { reserve_scope_config: { allow_all_users: 0, allow_users: [{ user_id: gina }] } })))[1]).toBe(126013);
      expect(await failure(acme.vc.reserveConfigAdmin.patch({ path: { reserve_config_id: lv.A! }, data: { scope_type: 1, reserve_admin_config: { depts: [{ department_id: 'od-nope' }] } } }))).toEqual([
        400,
        126014,
        'some deptIDs you put is invalid: [od-nope] name no department of this tenant (open_department_id)',
      ]);
      const many = Array.from({ length: 251 }, (_, i) => ({ user_id: `ou_${i}` }));
      expect((await failure(patch(lv.A!, '1', { approval_config: { approval_switch: 1, approvers: many }, reserve_scope_config: { allow_all_users: 0, allow_users: many } })))[1]).toBe(126012);
      expect(await configRows()).toEqual(before);
    });

    it('values out of range are 121003 naming the field', async () => {
      const before = await configRows();
      const bad: [Omit<PatchData, 'scope_type'>, string][] = [
        [{ approval_config: { approval_switch: 2 } }, 'approval_config.approval_switch must be 0 or 1'],
        [{ approval_config: { approval_switch: 1 } }, 'approval_config.approvers must name at least one user when approval_switch is 1'],
        [{ approval_config: { approval_condition: 1 } }, 'approval_config.meeting_duration is required when approval_condition is 1'],
        [{ approval_config: { approval_condition: 1, meeting_duration: 0.05 } }, 'approval_config.meeting_duration must be from 0.1 to 99'],
        [{ time_config: { time_switch: 1, days_in_advance: 731 } }, 'time_config.days_in_advance must be from 1 to 730'],
        [{ time_config: { time_switch: 1, start_time: '36000', end_time: '37000' } }, 'time_config.end_time must be at least 1800 seconds after start_time'],
        [{ time_config: { time_switch: 1, opening_hour: '86401' } }, 'time_config.opening_hour must be seconds of the day, "0" to "86400"'],
        [{ time_config: { time_switch: 1, max_duration: 100 } }, 'time_config.max_duration must be from 1 to 99'],
        [{ reserve_scope_config: { allow_all_users: 0 } }, 'reserve_scope_config must name at least one user or department in allow_users or allow_depts when allow_all_users is 0'],
        [{ reserve_scope_config: {} }, 'reserve_scope_config.allow_all_users is required: 1 everyone, 0 only allow_users and allow_depts'],
      ];
      for (const [data, msg] of bad) expect(await failure(patch(lv.A!, '1', { time_config: { time_switch: 0 }, ...data }))).toEqual([400, 121003, `param error: ${msg}`]);
      expect((await failure(patch(lv.A!, '1', { time_config: {} as never })))[1]).toBe(99992402);
      expect(await configRows()).toEqual(before);
    });
  });

  describe('what booking code asks', () => {
    it('may this user book this room, and does it need approval?', async () => {
      const deps = s.runtime.repos;
      const config = (await roomBookingConfig(deps, 'acme', rm.a!))!;
      const dir = deps.directory.forTenant('acme', fixture.acme.full.appId);
      const booker = async (userId: string) => (await bookerOf(dir, userId))!;
      const [alice, bob, member] = [await booker('alice'), await booker('bob'), await booker('member03')];
      expect([...member.departmentIds].sort()).toEqual(['big', 'eng']);
      expect(await bookerOf(dir, 'nobody')).toBeUndefined();
      const day = Date.UTC(2031, 0, 6);
      const now = Date.UTC(2031, 0, 5, 12);
      const short = { start: day + 10 * HOUR, end: day + 11 * HOUR };
      const long = { start: day + 10 * HOUR, end: day + 12.5 * HOUR };
      // Building A: approval beyond 2.35 h, at most 3 h; bob and department eng (and those below it) may book
      expect(bookingVerdict(config, bob, short, now)).toEqual({ allowed: true, needsApproval: false, approvers: [] });
      expect(bookingVerdict(config, member, long, now)).toEqual({ allowed: true, needsApproval: true, approvers: ['alice'] });
      expect(bookingVerdict(config, { userId: 'stranger', departmentIds: [] }, short, now)).toMatchObject({ allowed: false, refusal: 'not_allowed' });
      expect(bookingVerdict(config, alice, { start: day + 10 * HOUR, end: day + 14 * HOUR }, now)).toMatchObject({ allowed: false, refusal: 'too_long' });
      expect(await roomBookingConfig(deps, 'acme', 'omm_nope')).toBeUndefined();
      expect(await roomBookingConfig(deps, 'globex', rm.a!)).toBeUndefined();
    });

    it('deleting a level or room deletes its booking rules', async () => {
      const wing = await level('Wing', lv.B!);
      const wingRoom = await room('Wing room', wing);
      await ok(patch(wing, '1', { approval_config: { approval_switch: 0 } }));
      await ok(patch(wingRoom, '2', { time_config: { time_switch: 1 } }));
      await ok(acme.vc.roomLevel.del({ data: { room_level_id: wing, delete_child: true } }));
      expect((await configRows()).filter((r) => r.scope_id === wing || r.scope_id === wingRoom)).toEqual([]);
    });
  });
});
