import * as lark from '@larksuiteoapi/node-sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, dialect, type TestServer } from './helpers/server.js';
import { failure, ok } from './helpers/sdk.js';
import { configSnapshot, createLevel, createRoom } from './helpers/room-tree.js';
import { fixture, fixtureSeed } from './helpers/fixture.js';

type Client = lark.Client;
type SetData = NonNullable<Parameters<Client['vc']['scopeConfig']['create']>[0]>['data'];
type RoomConfig = NonNullable<SetData['scope_config']>;
type IdType = 'open_id' | 'union_id' | 'user_id';

const reader = { appId: 'cli_acmescoperead', appSecret: 'acme-scope-reader' };
const LEVEL = 1;
const ROOM = 2;
const sec = (msFromNow: number) => String(Math.floor((Date.now() + msFromNow) / 1000));

describe(`scope config (${dialect})`, () => {
  let s: TestServer;
  let acme: Client;
  let globex: Client;
  let rootId = '';
  /** campus → building A (floors A1, A2), building B (floor B1); rooms A1-01, A1-02 on A1, B1-01 on B1 */
  const lv: Record<string, string> = {};
  const rm: Record<string, string> = {};

  const level = (name: string, parent: string) => createLevel(acme, name, parent);
  const room = (name: string, levelId: string) => createRoom(acme, name, levelId);
  const set = (scope_type: number, scope_id: string, scope_config: RoomConfig, client = acme, user_id_type?: IdType) =>
    client.vc.scopeConfig.create({ data: { scope_type, scope_id, scope_config }, ...(user_id_type ? { params: { user_id_type } } : {}) });
  const get = async (scope_type: number, scope_id: string, client = acme, user_id_type?: IdType) =>
    ok(client.vc.scopeConfig.get({ params: { scope_type, scope_id, ...(user_id_type ? { user_id_type } : {}) } }));
  const current = async (scope_type: number, scope_id: string) => (await get(scope_type, scope_id)).current_config!.scope_config!;
  const snapshot = () => configSnapshot(s.runtime.store.db);
  const configRowsOf = async (ids: string[]) => (await s.runtime.store.db.selectFrom('scope_configs').select('scope_id').where('scope_id', 'in', ids).execute()).length;

  beforeAll(async () => {
    const seed = fixtureSeed();
    seed.tenants[0]!.apps!.push({ app_id: reader.appId, app_secret: reader.appSecret, name: 'Scope reader', scopes: ['vc:room:readonly'] });
    s = await startTestServer({ seed, config: { rateLimit: false } });
    acme = s.client(fixture.acme.full);
    globex = s.client(fixture.globex.full);
    rootId = (await ok(acme.vc.roomLevel.get({ path: { room_level_id: '0' } }))).room_level!.room_level_id!;
    lv.campus = await level('Campus', '0');
    lv.A = await level('Building A', lv.campus);
    lv.B = await level('Building B', lv.campus);
    lv.A1 = await level('Floor A1', lv.A);
    lv.A2 = await level('Floor A2', lv.A);
    lv.B1 = await level('Floor B1', lv.B);
    rm.a = await room('A1-01', lv.A1);
    rm.b = await room('A1-02', lv.A1);
    rm.c = await room('B1-01', lv.B1);
  });
  afterAll(async () => {
    await s?.close();
    await s?.store.dispose();
  });

  describe('inheritance down campus → building → floor → room', () => {
    it('a node nothing is set on: every node of its chain, bottom-up to the root, each empty; a room has its own status', async () => {
      const data = await get(ROOM, rm.a!);
      expect(data.origin_configs).toMatchObject([
        { scope_type: ROOM, scope_id: rm.a, scope_config: { room_status: { status: true, schedule_status: true } } },
        ...[lv.A1, lv.A, lv.campus, rootId].map((id) => ({ scope_type: LEVEL, scope_id: id, scope_config: {} })),
      ]);
      expect(data.current_config).toMatchObject({ scope_type: ROOM, scope_id: rm.a, scope_config: { room_status: { status: true, schedule_status: true } } });
      const root = await get(LEVEL, '0');
      expect(root).toEqual({ current_config: { scope_type: LEVEL, scope_id: rootId, scope_config: {} }, origin_configs: [{ scope_type: LEVEL, scope_id: rootId, scope_config: {} }] });
    });

    it('each section comes from the nearest node that sets it', async () => {
      await ok(set(LEVEL, '0', { display_background: 'https://bg.test/tenant.png' }));
      await ok(set(LEVEL, lv.campus!, { room_background: 'https://bg.test/campus.png', digital_signage: { enable: true, mute: true, start_display: 3, stop_display: 5, materials: [{ name: 'Welcome', material_type: 1, url: 'https://m.test/1.png', duration: 15, size: '100' }] } }));
      await ok(set(LEVEL, lv.A!, { display_background: 'https://bg.test/a.png' }));
      await ok(set(LEVEL, lv.A1!, { room_box_digital_signage: { enable: false } }));
      await ok(set(ROOM, rm.a!, { room_background: 'https://bg.test/room-a.png' }));

      const data = await get(ROOM, rm.a!);
      const signage = data.origin_configs![3]!.scope_config!.digital_signage!;
      expect(signage.materials![0]!.id).toMatch(/^\d{13}$/);
      expect(data.current_config!.scope_config).toMatchObject({
        room_background: 'https://bg.test/room-a.png',
        display_background: 'https://bg.test/a.png',
        digital_signage: signage,
        room_box_digital_signage: { enable: false },
        room_status: { status: true, schedule_status: true },
      });
      expect(data.origin_configs!.map((o) => o.scope_config)).toMatchObject([
        { room_background: 'https://bg.test/room-a.png', room_status: { status: true, schedule_status: true } },
        { room_box_digital_signage: { enable: false } },
        { display_background: 'https://bg.test/a.png' },
        { room_background: 'https://bg.test/campus.png', digital_signage: { enable: true, mute: true, start_display: 3, stop_display: 5, materials: [{ id: signage.materials![0]!.id, name: 'Welcome', material_type: 1, url: 'https://m.test/1.png', duration: 15, size: '100' }] } },
        { display_background: 'https://bg.test/tenant.png' },
      ]);
      // the sibling room and the other building see their own chains
      expect(await current(ROOM, rm.b!)).toMatchObject({ room_background: 'https://bg.test/campus.png', display_background: 'https://bg.test/a.png', room_box_digital_signage: { enable: false } });
      const other = await current(ROOM, rm.c!);
      expect(other).toMatchObject({ room_background: 'https://bg.test/campus.png', display_background: 'https://bg.test/tenant.png', digital_signage: signage });
      expect(other).not.toHaveProperty('room_box_digital_signage');
      // a level's own get starts at the level
      expect((await get(LEVEL, lv.A!)).origin_configs!.map((o) => o.scope_id)).toEqual([lv.A, lv.campus, rootId]);
    });

    it('a section is taken whole from one node: nothing inside it mixes with an ancestor’s', async () => {
      await ok(set(LEVEL, lv.A!, { digital_signage: { enable: false } }));
      expect((await current(ROOM, rm.a!)).digital_signage).toEqual({ enable: false });
      expect((await current(ROOM, rm.c!)).digital_signage).toMatchObject({ enable: true, mute: true });
    });

    it('sections left out keep their value; null, "" and an object setting nothing clear it, so it inherits again', async () => {
      await ok(set(LEVEL, lv.A!, {}));
      await ok(set(LEVEL, lv.A!, { room_background: 'https://bg.test/a-room.png' }));
      expect(await current(LEVEL, lv.A!)).toMatchObject({ display_background: 'https://bg.test/a.png', digital_signage: { enable: false }, room_background: 'https://bg.test/a-room.png' });
      await ok(set(LEVEL, lv.A!, { room_background: '', display_background: null as never, digital_signage: {} }));
      expect((await get(LEVEL, lv.A!)).origin_configs![0]!.scope_config).toEqual({});
      expect(await current(ROOM, rm.b!)).toMatchObject({ room_background: 'https://bg.test/campus.png', display_background: 'https://bg.test/tenant.png', digital_signage: { enable: true } });
    });

    it('materials keep the IDs sent (a get → edit → set round trip) and get new ones when left out', async () => {
      const kept = (await current(LEVEL, lv.campus!)).digital_signage!;
      const materials = [...kept.materials!, { name: 'Second', material_type: 2, url: 'https://m.test/2.mp4', duration: 30 }];
      await ok(set(LEVEL, lv.campus!, { digital_signage: { ...kept, materials } }));
      const after = (await current(LEVEL, lv.campus!)).digital_signage!.materials!;
      expect(after[0]).toEqual(kept.materials![0]);
      expect(after[1]).toMatchObject({ id: expect.stringMatching(/^\d{13}$/), name: 'Second' });
      expect(after[1]!.id).not.toBe(after[0]!.id);
    });
  });

  describe('if_cover_child_scope', () => {
    it('clears that section below the level, so the whole subtree inherits it; other sections stay', async () => {
      await ok(set(LEVEL, lv.A1!, { digital_signage: { enable: true, start_display: 10 } }));
      await ok(set(ROOM, rm.b!, { digital_signage: { enable: false }, room_box_digital_signage: { mute: true } }));
      await ok(set(LEVEL, lv.A!, { digital_signage: { if_cover_child_scope: true, enable: true, stop_display: 1 } }));
      for (const id of [rm.a!, rm.b!]) expect((await current(ROOM, id)).digital_signage).toEqual({ if_cover_child_scope: true, enable: true, stop_display: 1 });
      expect((await get(LEVEL, lv.A1!)).origin_configs![0]!.scope_config).toEqual({ room_box_digital_signage: { enable: false } });
      expect((await get(ROOM, rm.b!)).origin_configs![0]!.scope_config).toMatchObject({ room_box_digital_signage: { mute: true } });
      // outside the subtree nothing changed
      expect((await current(ROOM, rm.c!)).digital_signage).toMatchObject({ enable: true, mute: true, start_display: 3 });
    });

    it('is an action of that save, not a lock: a node below may set its own again', async () => {
      await ok(set(ROOM, rm.b!, { digital_signage: { enable: false } }));
      expect((await current(ROOM, rm.b!)).digital_signage).toEqual({ enable: false });
      expect((await current(ROOM, rm.a!)).digital_signage).toEqual({ if_cover_child_scope: true, enable: true, stop_display: 1 });
    });

    it('an object with nothing but the flag clears the section in the whole subtree, the level included', async () => {
      await ok(set(LEVEL, lv.A!, { digital_signage: { if_cover_child_scope: true } }));
      for (const id of [rm.a!, rm.b!]) expect((await current(ROOM, id)).digital_signage).toMatchObject({ enable: true, mute: true, start_display: 3 });
    });
  });

  describe('the tree changes under the settings', () => {
    it('moving a subtree: inheritance follows the new parents', async () => {
      await ok(set(LEVEL, lv.A!, { display_background: 'https://bg.test/a.png' }));
      await ok(set(LEVEL, lv.B!, { display_background: 'https://bg.test/b.png' }));
      expect((await current(ROOM, rm.a!)).display_background).toBe('https://bg.test/a.png');
      await ok(acme.vc.roomLevel.patch({ path: { room_level_id: lv.A1! }, data: { name: 'Floor A1', parent_id: lv.B! } }));
      const data = await get(ROOM, rm.a!);
      expect(data.origin_configs!.map((o) => o.scope_id)).toEqual([rm.a, lv.A1, lv.B, lv.campus, rootId]);
      expect(data.current_config!.scope_config).toMatchObject({ display_background: 'https://bg.test/b.png', room_background: 'https://bg.test/room-a.png', room_box_digital_signage: { enable: false } });
      // a room moved to another level follows too
      await ok(acme.vc.room.patch({ path: { room_id: rm.b! }, data: { room_level_id: lv.A2! } }));
      expect((await current(ROOM, rm.b!)).display_background).toBe('https://bg.test/a.png');
      await ok(acme.vc.roomLevel.patch({ path: { room_level_id: lv.A1! }, data: { name: 'Floor A1', parent_id: lv.A! } }));
      await ok(acme.vc.room.patch({ path: { room_id: rm.b! }, data: { room_level_id: lv.A1! } }));
      expect((await current(ROOM, rm.a!)).display_background).toBe('https://bg.test/a.png');
    });

    it('deleting a room or an ancestor deletes their settings; what remains inherits from what remains', async () => {
      const wing = await level('Wing', lv.B1!);
      const wingRoom = await room('Wing room', wing);
      await ok(set(LEVEL, wing, { room_background: 'https://bg.test/wing.png' }));
      await ok(set(ROOM, wingRoom, { display_background: 'https://bg.test/wing-room.png' }));
      const lone = await room('Lone', lv.B1!);
      await ok(set(ROOM, lone, { room_background: 'https://bg.test/lone.png' }));
      await ok(acme.vc.scopeConfig.accessCode({ data: { scope_type: ROOM, scope_id: lone, valid_day: 1 } }));
      expect(await configRowsOf([wing, wingRoom, lone])).toBe(3);

      await ok(acme.vc.room.delete({ path: { room_id: lone } }));
      await ok(acme.vc.roomLevel.del({ data: { room_level_id: wing, delete_child: true } }));
      expect(await configRowsOf([wing, wingRoom, lone])).toBe(0);
      expect(await s.runtime.store.db.selectFrom('scope_access_codes').select('code').where('scope_id', '=', lone).execute()).toEqual([]);
      expect(await failure(acme.vc.scopeConfig.get({ params: { scope_type: ROOM, scope_id: wingRoom } }))).toEqual([404, 121004, `data not exist: scope_id ${wingRoom} names no room of this tenant`]);
      // a level created again in the same place starts empty
      const again = await level('Wing', lv.B1!);
      expect((await get(LEVEL, again)).origin_configs![0]!.scope_config).toEqual({});
      await ok(acme.vc.roomLevel.del({ data: { room_level_id: again } }));
    });
  });

  describe('room_status', () => {
    it('on a room is the room’s own status: set as room patch sets it, with vc.room.updated_v1', async () => {
      const from = (await s.runtime.repos.outbox.list('acme', 0, 10_000)).at(-1)!.seq;
      const dir = s.runtime.repos.directory.forTenant('acme', fixture.acme.full.appId);
      await ok(set(ROOM, rm.c!, { room_status: { status: false, disable_end_time: sec(3_600_000), disable_reason: 'repairs', contact_ids: [dir.openIdOf('bob')] } }));
      const seen = (await ok(acme.vc.room.get({ path: { room_id: rm.c! } }))).room!.room_status!;
      expect(seen).toMatchObject({ status: false, schedule_status: true, disable_reason: 'repairs', contact_ids: [dir.openIdOf('bob')] });
      expect((await current(ROOM, rm.c!)).room_status).toEqual(seen);
      expect((await get(ROOM, rm.c!, acme, 'user_id')).current_config!.scope_config!.room_status!.contact_ids).toEqual(['bob']);
      const events = (await s.runtime.repos.outbox.list('acme', from, 100)).map((e) => e.event_type);
      expect(events).toEqual(['vc.room.updated_v1']);
      await ok(set(ROOM, rm.c!, { room_status: { status: true } }));
      expect((await current(ROOM, rm.c!)).room_status).toMatchObject({ status: true, schedule_status: true });
    });

    it('on a level is inherited by the levels below; rooms keep their own', async () => {
      await ok(set(LEVEL, lv.B!, { room_status: { status: false, disable_reason: 'closed' } }));
      expect((await current(LEVEL, lv.B1!)).room_status).toMatchObject({ status: false, schedule_status: false, disable_end_time: '0', disable_reason: 'closed' });
      expect((await current(ROOM, rm.c!)).room_status).toMatchObject({ status: true, schedule_status: true });
      await ok(set(LEVEL, lv.B!, { room_status: null as never }));
      expect(await current(LEVEL, lv.B1!)).not.toHaveProperty('room_status');
    });

    it('a room cannot drop its status (121003); bad windows and unknown contacts are refused', async () => {
      expect(await failure(set(ROOM, rm.c!, { room_status: null as never }))).toEqual([400, 121003, 'param error: room_status cannot be cleared on a room, which always has a status; send {"status": true} to enable it']);
      expect((await failure(set(LEVEL, lv.B!, { room_status: { status: true, disable_start_time: sec(-7_200_000), disable_end_time: sec(3_600_000) } })))[1]).toBe(121003);
      expect((await failure(set(LEVEL, lv.B!, { room_status: { status: true, contact_ids: ['ou_nobody'] } })))[1]).toBe(99992351);
      expect((await failure(set(LEVEL, lv.B!, { room_status: { status: true, contact_ids: ['nobody'] } }, acme, 'user_id')))[1]).toBe(99992360);
    });
  });

  describe('refusals change nothing', () => {
    it('unknown scopes 121004, IDs of the other scope_type 121005 (HTTP 404), bad scope_type 121003', async () => {
      const before = await snapshot();
      const bg = { room_background: 'https://bg.test/x.png' };
      expect(await failure(set(LEVEL, 'omb_nope', bg))).toEqual([404, 121004, 'data not exist: scope_id omb_nope names no room level of this tenant']);
      expect(await failure(set(ROOM, 'omm_nope', bg))).toEqual([404, 121004, 'data not exist: scope_id omm_nope names no room of this tenant']);
      expect(await failure(set(LEVEL, rm.a!, bg))).toEqual([404, 121005, `no permission: scope_id ${rm.a} is not a room level; scope_type 1 takes a room level ID, 2 a room ID`]);
      expect((await failure(set(ROOM, lv.A!, bg)))[1]).toBe(121005);
      expect((await failure(set(ROOM, '0', bg)))[1]).toBe(121005);
      expect(await failure(set(3, lv.A!, bg))).toEqual([400, 121003, 'param error: scope_type must be 1 (room level) or 2 (room), not 3']);
      for (const [type, id] of [[LEVEL, 'omb_nope'], [LEVEL, rm.a!], [3, lv.A!]] as const) {
        expect((await failure(acme.vc.scopeConfig.get({ params: { scope_type: type, scope_id: id } })))[1]).toBe(type === 3 ? 121003 : id === 'omb_nope' ? 121004 : 121005);
      }
      expect(await snapshot()).toEqual(before);
    });

    it('values out of range are 121003 naming the field; wrong types 99992402', async () => {
      const before = await snapshot();
      const bad: [RoomConfig, string][] = [
        [{ digital_signage: { start_display: 0 } }, 'param error: digital_signage.start_display must be from 1 to 720'],
        [{ room_box_digital_signage: { stop_display: 721 } }, 'param error: room_box_digital_signage.stop_display must be from 1 to 720'],
        [{ digital_signage: { materials: [{ duration: 0 }] } }, 'param error: digital_signage.materials[0].duration must be from 1 to 43200'],
        [{ digital_signage: { materials: [{ duration: 43_201 }] } }, 'param error: digital_signage.materials[0].duration must be from 1 to 43200'],
        [{ digital_signage: { materials: [{ material_type: 9 }] } }, 'param error: digital_signage.materials[0].material_type must be 1 (image), 2 (video) or 3 (GIF)'],
        [{ digital_signage: { materials: [{ size: '1 KB' }] } }, 'param error: digital_signage.materials[0].size must be the file size in bytes, as a string of digits'],
        [{ digital_signage: { materials: [{ id: '1' }, { id: '1' }] } }, 'param error: digital_signage.materials[1].id 1 appears twice'],
        [{ room_background: 'x'.repeat(2049) }, 'param error: room_background must be at most 2048 characters'],
      ];
      // a valid section next to a bad one is not written either
      for (const [config, msg] of bad) expect(await failure(set(LEVEL, lv.A!, { display_background: 'https://bg.test/never.png', ...config }))).toEqual([400, 121003, msg]);
      expect((await failure(set(LEVEL, lv.A!, { digital_signage: { start_display: 1.5 } })))[1]).toBe(99992402);
      expect((await failure(set(LEVEL, lv.A!, { room_background: 7 as never })))[1]).toBe(99992402);
      expect((await failure(acme.vc.scopeConfig.create({ data: { scope_type: LEVEL } as never })))[1]).toBe(99992402);
      expect(await snapshot()).toEqual(before);
    });

    it('another tenant’s levels and rooms do not exist for you', async () => {
      const before = await snapshot();
      expect((await failure(set(LEVEL, lv.A!, { room_background: 'https://bg.test/x.png' }, globex)))[1]).toBe(121004);
      expect((await failure(globex.vc.scopeConfig.get({ params: { scope_type: ROOM, scope_id: rm.a! } })))[1]).toBe(121004);
      expect((await get(LEVEL, '0', globex)).current_config!.scope_config).toEqual({});
      expect(await snapshot()).toEqual(before);
    });

    it('scopes and tokens: reading needs vc:room or vc:room:readonly, setting vc:room; get takes a tenant token only', async () => {
      const read = s.client(reader);
      expect((await ok(read.vc.scopeConfig.get({ params: { scope_type: LEVEL, scope_id: lv.A! } }))).current_config!.scope_id).toBe(lv.A);
      expect((await failure(set(LEVEL, lv.A!, { room_background: 'https://bg.test/x.png' }, read)))[1]).toBe(99991672);
      expect((await failure(s.client(fixture.acme.narrow).vc.scopeConfig.get({ params: { scope_type: LEVEL, scope_id: '0' } })))[1]).toBe(99991672);
      const app = (await s.runtime.repos.apps.find(fixture.acme.full.appId))!;
      const user = lark.withUserAccessToken((await s.runtime.tokens.issueUserTokens(app, 'alice', app.scopes, 'v1', Date.now())).accessToken);
      expect((await failure(acme.vc.scopeConfig.get({ params: { scope_type: LEVEL, scope_id: '0' } }, user)))[1]).toBe(99991668);
      await ok(acme.vc.scopeConfig.create({ data: { scope_type: LEVEL, scope_id: lv.A2!, scope_config: { room_background: 'https://bg.test/a2.png' } } }, user));
      expect((await current(LEVEL, lv.A2!)).room_background).toBe('https://bg.test/a2.png');
    });
  });

  it('no malformed request gets a 500 (scope_config and reserve_configs)', async () => {
    const token = (await s.runtime.tokens.tenantToken((await s.runtime.repos.apps.find(fixture.acme.full.appId))!)).token;
    const bodies = [
      'null',
      '[]',
      '{"scope_type":1}',
      `{"scope_type":1,"scope_id":"${'x'.repeat(101)}"}`,
      `{"scope_type":2,"scope_id":"${rm.a}","scope_config":{"digital_signage":{"materials":[null]},"room_status":{"status":"no"}}}`,
      `{"scope_type":1,"scope_id":"${lv.A}","scope_config":{"room_box_digital_signage":[],"room_background":{}}}`,
      `{"scope_type":1,"scope_id":"${lv.A}","valid_day":1e300}`,
      '{"scope_type":"1","approval_config":{"approvers":[{}]},"time_config":{"time_switch":"1"},"reserve_scope_config":{"allow_depts":"x"}}',
      '{"scope_type":1,"reserve_form_config":{"reserve_form":true,"custom_list":[{"key":1}]},"reserve_admin_config":{"users":[null]},"disable_inform":{}}',
      `{"scope_type":1,"reserve_form_config":{"reserve_form":true,"custom_list":[{"custom_type":1,"key":"k","need_fill":true,"title":"t","conditions":[{"custom_key":"k"}]}]}}`,
    ];
    const config = `/open-apis/vc/v1/reserve_configs/${lv.A}`;
    const paths: [string, string][] = [
      ['POST', '/open-apis/vc/v1/scope_config'],
      ['POST', '/open-apis/vc/v1/scope_config/access_code'],
      ['PATCH', config],
      ['PATCH', `${config}/form`],
      ['PATCH', `${config}/admin`],
      ['PATCH', `${config}/disable_inform`],
      ['GET', '/open-apis/vc/v1/scope_config?scope_type=x&scope_id=0'],
      ['GET', `/open-apis/vc/v1/scope_config?scope_type=2&scope_id=${'x'.repeat(200)}`],
      ['GET', '/open-apis/vc/v1/reserve_configs/reserve_scope?scope_type=1'],
      ['GET', '/open-apis/vc/v1/reserve_configs/reserve_scope?scope_type=99999999999&scope_id=0'],
      ['GET', `${config}/form?scope_type=1.5`],
      ['GET', `${config}/admin?scope_type=1&user_id_type=email`],
      ['GET', `/open-apis/vc/v1/reserve_configs/${'x'.repeat(101)}/disable_inform?scope_type=1`],
    ];
    const before = await snapshot();
    for (const [method, path] of paths) {
      for (const body of method === 'GET' ? [undefined] : bodies) {
        const res = await fetch(`${s.url}${path}`, { method, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body });
        expect(res.status, `${method} ${path} ${body}`).toBeLessThan(500);
      }
    }
    expect(await snapshot()).toEqual(before);
  });

  describe('access codes', () => {
    it('a code for a level or a room, 9 capital letters, kept with its expiry', async () => {
      const before = Date.now();
      const { access_code } = await ok(acme.vc.scopeConfig.accessCode({ data: { scope_type: ROOM, scope_id: rm.a!, valid_day: 7 } }));
      expect(access_code).toMatch(/^[A-Z]{9}$/);
      const row = (await s.runtime.store.db.selectFrom('scope_access_codes').selectAll().where('code', '=', access_code).executeTakeFirstOrThrow());
      expect(row).toMatchObject({ tenant_key: 'acme', scope_type: ROOM, scope_id: rm.a });
      expect(Number(row.expires_at) - before).toBeGreaterThanOrEqual(7 * 86_400_000);
      expect((await ok(acme.vc.scopeConfig.accessCode({ data: { scope_type: LEVEL, scope_id: '0', valid_day: 30 } }))).access_code).not.toBe(access_code);
    });

    it('refuses other validities (121003) and unknown or mismatched scopes (121004, 121005)', async () => {
      const before = await snapshot();
      expect(await failure(acme.vc.scopeConfig.accessCode({ data: { scope_type: ROOM, scope_id: rm.a!, valid_day: 2 } }))).toEqual([400, 121003, 'param error: valid_day must be one of 1, 7, 30']);
      expect((await failure(acme.vc.scopeConfig.accessCode({ data: { scope_type: ROOM, scope_id: 'omm_nope', valid_day: 1 } })))[1]).toBe(121004);
      expect((await failure(acme.vc.scopeConfig.accessCode({ data: { scope_type: LEVEL, scope_id: rm.a!, valid_day: 1 } })))[1]).toBe(121005);
      expect((await failure(globex.vc.scopeConfig.accessCode({ data: { scope_type: ROOM, scope_id: rm.a!, valid_day: 1 } })))[1]).toBe(121004);
      expect(await snapshot()).toEqual(before);
    });
  });
});
