import * as lark from '@larksuiteoapi/node-sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, dialect, type TestServer } from './helpers/server.js';
import { failure, ok } from './helpers/sdk.js';
import { configSnapshot, createLevel, createRoom } from './helpers/room-tree.js';
import { fixture, fixtureSeed } from './helpers/fixture.js';

type Client = lark.Client;
type SetData = NonNullable<Parameters<Client['vc']['roomConfig']['set']>[0]>['data'];
type Address = Omit<SetData, 'room_config'>;
type RoomConfig = SetData['room_config'];

const reader = { appId: 'cli_acmelegacyread', appSecret: 'acme-legacy-reader' };
const LEVEL = 1;
const ROOM = 2;

describe(`legacy room_config (${dialect})`, () => {
  let s: TestServer;
  let acme: Client;
  let globex: Client;
  let rootId = '';
  /** China → Shanghai → Tower (floors F1, F2) → rooms on F1; Berlin elsewhere under the root */
  const lv: Record<string, string> = {};
  let room = '';
  const at: Record<string, Address> = {};

  const query = async (address: Address, client = acme, user_id_type?: 'open_id' | 'union_id' | 'user_id') =>
    ok(client.vc.roomConfig.query({ params: { ...address, ...(user_id_type ? { user_id_type } : {}) } }));
  const set = (address: Address, room_config: RoomConfig, client = acme) => client.vc.roomConfig.set({ data: { ...address, room_config } });
  const del = (address: Address, config: string, client = acme) => client.vc.roomConfig.del({ data: { ...address, config } });
  /** What scope_config says a node holds itself. */
  const own = async (scope_type: number, scope_id: string) => (await ok(acme.vc.scopeConfig.get({ params: { scope_type, scope_id } }))).origin_configs![0]!.scope_config!;
  const snapshot = () => configSnapshot(s.runtime.store.db);

  beforeAll(async () => {
    const seed = fixtureSeed();
    seed.tenants[0]!.apps!.push({ app_id: reader.appId, app_secret: reader.appSecret, name: 'Legacy reader', scopes: ['vc:room:readonly'] });
    s = await startTestServer({ seed, config: { rateLimit: false } });
    acme = s.client(fixture.acme.full);
    globex = s.client(fixture.globex.full);
    rootId = (await ok(acme.vc.roomLevel.get({ path: { room_level_id: '0' } }))).room_level!.room_level_id!;
    lv.china = await createLevel(acme, 'China', '0');
    lv.shanghai = await createLevel(acme, 'Shanghai', lv.china);
    lv.tower = await createLevel(acme, 'Tower', lv.shanghai);
    lv.f1 = await createLevel(acme, 'F1', lv.tower);
    lv.f2 = await createLevel(acme, 'F2', lv.tower);
    lv.berlin = await createLevel(acme, 'Berlin', '0');
    room = await createRoom(acme, 'Lotus', lv.f1);
    at.tenant = { scope: 1 };
    at.country = { scope: 2, country_id: lv.china! };
    at.city = { scope: 3, country_id: lv.china!, district_id: lv.shanghai! };
    at.building = { scope: 4, building_id: lv.tower! };
    at.floor = { scope: 5, building_id: lv.tower!, floor_name: 'f1' };
    at.room = { scope: 6, room_id: room };
  });
  afterAll(async () => {
    await s?.close();
    await s?.store.dispose();
  });

  describe('addresses name nodes of the level tree, and both APIs read and write the same settings', () => {
    it('scopes 1–6 are the root, country_id, district_id, building_id, the floor named in the building, the room', async () => {
      const nodes: [string, number, string][] = [
        ['tenant', LEVEL, rootId],
        ['country', LEVEL, lv.china!],
        ['city', LEVEL, lv.shanghai!],
        ['building', LEVEL, lv.tower!],
        ['floor', LEVEL, lv.f1!],
        ['room', ROOM, room],
      ];
      for (const [name, type, id] of nodes) {
        await ok(set(at[name]!, { room_background: `https://bg.test/${name}.png` }));
        expect(await own(type, id)).toMatchObject({ room_background: `https://bg.test/${name}.png` });
        await ok(acme.vc.scopeConfig.create({ data: { scope_type: type, scope_id: id, scope_config: { display_background: `https://bg.test/${name}-display.png` } } }));
        expect(await query(at[name]!)).toMatchObject({ room_background: `https://bg.test/${name}.png`, display_background: `https://bg.test/${name}-display.png` });
      }
      // unused fields are ignored: a building address may carry its country
      expect((await query({ scope: 4, building_id: lv.tower!, country_id: 'omb_whatever' })).room_background).toBe('https://bg.test/building.png');
    });

    it('query answers what applies to the node, flat in data: its own sections, else the nearest level’s above it', async () => {
      await ok(set(at.country!, { digital_signage: { enable: true, mute: true, start_display: 3, stop_display: 5, materials: [{ name: 'Hello', material_type: 1, url: 'https://m.test/1.png', duration: 15 }] } }));
      await ok(del(at.floor!, 'room_background,display_background'));
      await ok(del(at.room!, 'room_background, display_background'));
      const data = await query(at.room!);
      expect(data).toMatchObject({
        room_background: 'https://bg.test/building.png',
        display_background: 'https://bg.test/building-display.png',
        digital_signage: { enable: true, mute: true, start_display: 3, stop_display: 5, materials: [{ id: expect.stringMatching(/^\d{13}$/), name: 'Hello', material_type: 1, url: 'https://m.test/1.png', duration: 15 }] },
        room_status: { status: true, schedule_status: true },
      });
      expect(data).toEqual((await ok(acme.vc.scopeConfig.get({ params: { scope_type: ROOM, scope_id: room } }))).current_config!.scope_config);
      // Berlin is not below China: only the root's sections reach it
      expect(await query({ scope: 2, country_id: lv.berlin! })).toEqual({ room_background: 'https://bg.test/tenant.png', display_background: 'https://bg.test/tenant-display.png' });
    });

    it('set keeps the sections left out, clears with null or ""; a cover reaches the levels and rooms below', async () => {
      await ok(set(at.floor!, { room_box_digital_signage: { enable: false } }));
      await ok(set(at.floor!, { room_background: 'https://bg.test/f1.png' }));
      expect(await own(LEVEL, lv.f1!)).toEqual({ room_box_digital_signage: { enable: false }, room_background: 'https://bg.test/f1.png' });
      await ok(set(at.floor!, { room_background: '' }));
      expect(await own(LEVEL, lv.f1!)).toEqual({ room_box_digital_signage: { enable: false } });
      await ok(set(at.city!, { room_box_digital_signage: { if_cover_child_scope: true, enable: true, mute: true } }));
      expect(await own(LEVEL, lv.f1!)).toEqual({});
      expect((await query(at.room!)).room_box_digital_signage).toEqual({ if_cover_child_scope: true, enable: true, mute: true });
    });

    it('room_status on a room is the room’s own (with vc.room.updated_v1); contacts in the caller’s user_id_type', async () => {
      const from = (await s.runtime.repos.outbox.list('acme', 0, 10_000)).at(-1)!.seq;
      const dir = s.runtime.repos.directory.forTenant('acme', fixture.acme.full.appId);
      await ok(acme.vc.roomConfig.set({ data: { ...at.room!, room_config: { room_status: { status: false, disable_reason: 'paint', contact_ids: ['bob'] } } }, params: { user_id_type: 'user_id' } }));
      expect((await ok(acme.vc.room.get({ path: { room_id: room } }))).room!.room_status).toMatchObject({ status: false, disable_reason: 'paint', contact_ids: [dir.openIdOf('bob')] });
      expect((await query(at.room!, acme, 'user_id')).room_status).toMatchObject({ status: false, disable_end_time: '0', contact_ids: ['bob'] });
      expect((await s.runtime.repos.outbox.list('acme', from, 100)).map((e) => e.event_type)).toEqual(['vc.room.updated_v1']);
      await ok(set(at.room!, { room_status: { status: true } }));
      expect((await query(at.room!)).room_status).toMatchObject({ status: true, schedule_status: true });
    });

    it('del clears the sections named, so the node inherits them again; the other sections stay', async () => {
      await ok(set(at.building!, { room_background: 'https://bg.test/tower.png', digital_signage: { enable: false }, room_status: { status: false } }));
      await ok(del(at.building!, 'digital_signage,room_status'));
      expect(await own(LEVEL, lv.tower!)).toEqual({ room_background: 'https://bg.test/tower.png', display_background: 'https://bg.test/building-display.png' });
      expect((await query(at.building!)).digital_signage).toMatchObject({ enable: true, start_display: 3 });
      // clearing what a node does not hold is no error
      await ok(del(at.building!, 'digital_signage'));
    });

    it('a floor is matched by name in any case; floors of other buildings do not count', async () => {
      const annex = await createLevel(acme, 'Annex', lv.shanghai!);
      const annexF1 = await createLevel(acme, 'F1', annex);
      await ok(set({ scope: 5, building_id: annex, floor_name: 'F1' }, { room_background: 'https://bg.test/annex-f1.png' }));
      expect((await own(LEVEL, annexF1)).room_background).toBe('https://bg.test/annex-f1.png');
      expect((await own(LEVEL, lv.f1!)).room_background).toBeUndefined();
    });
  });

  describe('access codes', () => {
    it('both endpoints: 9 capital letters, kept with the node they deploy and their expiry', async () => {
      const before = Date.now();
      const room1 = await ok(acme.vc.roomConfig.setRoomAccessCode({ data: { ...at.floor!, valid_day: 7 } }));
      const board = await ok(acme.vc.roomConfig.setCheckboardAccessCode({ data: { ...at.room!, valid_day: 30 } }));
      expect(room1.access_code).toMatch(/^[A-Z]{9}$/);
      expect(board.access_code).toMatch(/^[A-Z]{9}$/);
      const rows = await s.runtime.store.db.selectFrom('scope_access_codes').selectAll().where('code', 'in', [room1.access_code!, board.access_code!]).orderBy('scope_type').execute();
      expect(rows).toMatchObject([
        { tenant_key: 'acme', scope_type: LEVEL, scope_id: lv.f1 },
        { tenant_key: 'acme', scope_type: ROOM, scope_id: room },
      ]);
      const level = rows.find((r) => r.scope_type === LEVEL)!;
      expect(Number(level.expires_at) - before).toBeGreaterThanOrEqual(7 * 86_400_000);
      expect(Number(level.expires_at) - before).toBeLessThan(8 * 86_400_000);
    });

    it('valid_day other than 1, 7 or 30 is 121003; bad addresses as for the other methods', async () => {
      const before = await snapshot();
      expect(await failure(acme.vc.roomConfig.setRoomAccessCode({ data: { ...at.room!, valid_day: 2 } }))).toEqual([400, 121003, 'param error: valid_day must be one of 1, 7, 30']);
      expect(await failure(acme.vc.roomConfig.setCheckboardAccessCode({ data: { scope: 6, room_id: 'omm_nope', valid_day: 1 } }))).toEqual([404, 121004, 'data not exist: room_id omm_nope names no room of this tenant']);
      expect((await failure(acme.vc.roomConfig.setCheckboardAccessCode({ data: { scope: 7, valid_day: 1 } })))[1]).toBe(121003);
      expect(await snapshot()).toEqual(before);
    });
  });

  describe('refusals change nothing', () => {
    it('a bad scope or a missing field 121003, unknown nodes 121004, IDs of the other kind 121005 (HTTP 404)', async () => {
      const before = await snapshot();
      const bg = { room_background: 'https://bg.test/never.png' };
      const cases: [Address, [number, number, string]][] = [
        [{ scope: 0 }, [400, 121003, 'param error: scope must be 1 (tenant), 2 (country/region), 3 (city), 4 (building), 5 (floor) or 6 (room), not 0']],
        [{ scope: 7, room_id: room }, [400, 121003, 'param error: scope must be 1 (tenant), 2 (country/region), 3 (city), 4 (building), 5 (floor) or 6 (room), not 7']],
        [{ scope: 2 }, [400, 121003, 'param error: country_id is required for scope 2 (country/region)']],
        [{ scope: 3, country_id: lv.china! }, [400, 121003, 'param error: district_id is required for scope 3 (city)']],
        [{ scope: 5, building_id: lv.tower!, floor_name: '' }, [400, 121003, 'param error: floor_name is required for scope 5 (floor)']],
        [{ scope: 6, building_id: lv.tower! }, [400, 121003, 'param error: room_id is required for scope 6 (room)']],
        [{ scope: 4, building_id: 'omb_nope' }, [404, 121004, 'data not exist: building_id omb_nope names no room level of this tenant']],
        [{ scope: 6, room_id: 'omm_nope' }, [404, 121004, 'data not exist: room_id omm_nope names no room of this tenant']],
        [{ scope: 3, country_id: lv.berlin!, district_id: lv.shanghai! }, [404, 121004, `data not exist: district_id ${lv.shanghai} is not below country_id ${lv.berlin}`]],
        [{ scope: 3, country_id: lv.china!, district_id: lv.china! }, [404, 121004, `data not exist: district_id ${lv.china} is not below country_id ${lv.china}`]],
        [{ scope: 5, building_id: lv.tower!, floor_name: 'F9' }, [404, 121004, `data not exist: building_id ${lv.tower} has no floor named "F9"`]],
        [{ scope: 4, building_id: room }, [404, 121005, `no permission: building_id ${room} is not a room level`]],
        [{ scope: 6, room_id: lv.f1! }, [404, 121005, `no permission: room_id ${lv.f1} is not a room`]],
      ];
      for (const [address, expected] of cases) {
        expect(await failure(set(address, bg)), JSON.stringify(address)).toEqual(expected);
        expect(await failure(acme.vc.roomConfig.query({ params: address })), JSON.stringify(address)).toEqual(expected);
        expect(await failure(del(address, 'room_background')), JSON.stringify(address)).toEqual(expected);
        expect(await failure(acme.vc.roomConfig.setRoomAccessCode({ data: { ...address, valid_day: 1 } })), JSON.stringify(address)).toEqual(expected);
      }
      expect(await snapshot()).toEqual(before);
    });

    it('two floors of one name make the address ambiguous (121003)', async () => {
      const twin = await createLevel(acme, 'f2', lv.tower!);
      const before = await snapshot();
      expect(await failure(set({ scope: 5, building_id: lv.tower!, floor_name: 'F2' }, { room_background: 'https://bg.test/never.png' }))).toEqual([
        400,
        121003,
        `param error: floor_name "F2" names several levels in building_id ${lv.tower}; rename one, or address it by its ID with scope 4`,
      ]);
      expect(await snapshot()).toEqual(before);
      await ok(acme.vc.roomLevel.del({ data: { room_level_id: twin } }));
    });

    it('values as scope_config checks them: out of range 121003, wrong types and a missing room_config 99992402', async () => {
      const before = await snapshot();
      expect(await failure(set(at.building!, { display_background: 'https://bg.test/never.png', digital_signage: { start_display: 721 } }))).toEqual([400, 121003, 'param error: digital_signage.start_display must be from 1 to 720']);
      expect((await failure(set(at.room!, { room_status: null as never })))[1]).toBe(121003);
      expect((await failure(set(at.building!, { room_status: { status: true, contact_ids: ['ou_nobody'] } })))[1]).toBe(99992351);
      expect((await failure(set(at.building!, { room_background: 7 as never })))[1]).toBe(99992402);
      expect((await failure(acme.vc.roomConfig.set({ data: { scope: 4, building_id: lv.tower! } as never })))[1]).toBe(99992402);
      expect((await failure(acme.vc.roomConfig.query({ params: { scope: 'x' as never } })))[1]).toBe(99992402);
      expect((await failure(acme.vc.roomConfig.del({ data: { scope: 1 } as never })))[1]).toBe(99992402);
      expect(await failure(del(at.tenant!, ''))).toEqual([400, 121003, 'param error: config must name a section: room_background, display_background, digital_signage, room_box_digital_signage, room_status']);
      expect(await failure(del(at.tenant!, 'room_background,wallpaper'))).toEqual([400, 121003, 'param error: config "wallpaper" is not a section of room_config; one of room_background, display_background, digital_signage, room_box_digital_signage, room_status']);
      expect(await failure(del(at.room!, 'room_status'))).toEqual([400, 121003, 'param error: room_status cannot be cleared on a room, which always has a status; send {"status": true} to enable it']);
      expect(await snapshot()).toEqual(before);
    });

    it('another tenant’s levels and rooms do not exist for you; its own tree is its own', async () => {
      const before = await snapshot();
      expect((await failure(set(at.building!, { room_background: 'https://bg.test/never.png' }, globex)))[1]).toBe(121004);
      expect((await failure(globex.vc.roomConfig.query({ params: at.room! })))[1]).toBe(121004);
      expect(await query(at.tenant!, globex)).toEqual({});
      expect(await snapshot()).toEqual(before);
    });

    it('tokens and scopes: a tenant token; reading needs vc:room or vc:room:readonly, every write vc:room', async () => {
      const read = s.client(reader);
      expect((await ok(read.vc.roomConfig.query({ params: at.building! }))).room_background).toBe('https://bg.test/tower.png');
      const before = await snapshot();
      expect((await failure(set(at.building!, { room_background: 'https://bg.test/never.png' }, read)))[1]).toBe(99991672);
      expect((await failure(del(at.building!, 'room_background', read)))[1]).toBe(99991672);
      expect((await failure(read.vc.roomConfig.setRoomAccessCode({ data: { ...at.building!, valid_day: 1 } })))[1]).toBe(99991672);
      expect((await failure(read.vc.roomConfig.setCheckboardAccessCode({ data: { ...at.building!, valid_day: 1 } })))[1]).toBe(99991672);
      expect((await failure(s.client(fixture.acme.narrow).vc.roomConfig.query({ params: at.tenant! })))[1]).toBe(99991672);
      const app = (await s.runtime.repos.apps.find(fixture.acme.full.appId))!;
      const user = lark.withUserAccessToken((await s.runtime.tokens.issueUserTokens(app, 'alice', app.scopes, 'v1', Date.now())).accessToken);
      expect((await failure(acme.vc.roomConfig.query({ params: at.tenant! }, user)))[1]).toBe(99991668);
      expect((await failure(acme.vc.roomConfig.set({ data: { ...at.tenant!, room_config: {} } }, user)))[1]).toBe(99991668);
      expect(await snapshot()).toEqual(before);
    });
  });

  it('no malformed request gets a 500', async () => {
    const token = (await s.runtime.tokens.tenantToken((await s.runtime.repos.apps.find(fixture.acme.full.appId))!)).token;
    const bodies = [
      'null',
      '[]',
      '{}',
      '{"scope":"1"}',
      '{"scope":1e300,"room_config":{},"config":"room_background","valid_day":1}',
      `{"scope":5,"building_id":"${lv.tower}","floor_name":{},"room_config":[],"config":7,"valid_day":"7"}`,
      `{"scope":3,"country_id":"${'x'.repeat(101)}","district_id":null,"room_config":{"digital_signage":{"materials":[null]}}}`,
      `{"scope":6,"room_id":"${room}","room_config":{"room_status":{"status":"no"}},"config":",,,","valid_day":-1}`,
    ];
    const paths = ['set', 'del', 'set_room_access_code', 'set_checkboard_access_code'].map((p) => ['POST', `/open-apis/vc/v1/room_configs/${p}`]);
    const queries = ['', '?scope=x', '?scope=5&building_id=&floor_name=', `?scope=3&country_id=${lv.china}&district_id=${'y'.repeat(300)}`, '?scope=1&user_id_type=email', '?scope=99999999999999999999', '?scope=6&room_id=a&room_id=b'];
    const before = await snapshot();
    for (const [method, path] of paths) {
      for (const body of bodies) {
        const res = await fetch(`${s.url}${path}`, { method, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body });
        expect(res.status, `${method} ${path} ${body}`).toBeLessThan(500);
      }
    }
    for (const q of queries) {
      const res = await fetch(`${s.url}/open-apis/vc/v1/room_configs/query${q}`, { headers: { authorization: `Bearer ${token}` } });
      expect(res.status, q).toBeLessThan(500);
    }
    expect(await snapshot()).toEqual(before);
  });
});
