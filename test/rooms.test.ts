import type { Server } from 'node:http';
import { closeLocal, sdkEventReceiver } from './helpers/local-http.js';
import * as lark from '@larksuiteoapi/node-sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, dialect, type TestServer } from './helpers/server.js';
import { failure, ok } from './helpers/sdk.js';
import { ALL, fixture, fixtureSeed } from './helpers/fixture.js';
import { deriveUnionId } from '../src/domain/ids.js';

type Client = lark.Client;
type Opts = ReturnType<typeof lark.withUserAccessToken>;
type CreateData = NonNullable<Parameters<Client['vc']['room']['create']>[0]>['data'];
type Json = Record<string, any>;

const reader = { appId: 'cli_acmeroomread1', appSecret: 'acme-room-reader' };
/** Receives room events through the SDK's EventDispatcher. */
const hook = { appId: 'cli_acmeroomhook1', appSecret: 'acme-room-hook' };
/** Subscribed to every room event, holding only a room-level scope: gets level deletions only. */
const levelOnly = { appId: 'cli_acmelevelonly', appSecret: 'acme-level-only' };
const ROOM_EVENTS = ['created', 'updated', 'deleted'].flatMap((k) => [`vc.room.${k}_v1`, `vc.room_level.${k}_v1`]);
const sec = (msFromNow: number) => String(Math.floor((Date.now() + msFromNow) / 1000));

describe(`rooms (${dialect})`, () => {
  let s: TestServer;
  let acme: Client;
  let globex: Client;
  let alice: Opts;
  let aliceToken = '';
  let receiver: Server;
  let received: Json[] = [];
  const lv: Record<string, string> = {};
  let rootId = '';

  const create = (data: Partial<CreateData>, params: { user_id_type?: 'open_id' | 'union_id' | 'user_id' } = {}, client = acme) =>
    client.vc.room.create({ params, data: { name: 'Room', capacity: 4, room_level_id: lv.F1!, ...data } as CreateData });
  const created = async (...args: Parameters<typeof create>) => (await ok(create(...args))).room!;
  const get = async (id: string, params: { user_id_type?: 'open_id' | 'union_id' | 'user_id' } = {}, client = acme) =>
    (await ok(client.vc.room.get({ path: { room_id: id }, params }))).room!;
  const search = (data: NonNullable<Parameters<Client['vc']['room']['search']>[0]>['data'], client = acme, opts: Opts | undefined = alice) => client.vc.room.search({ data }, opts);
  const searched = async (data: Parameters<typeof search>[0]) => (await ok(search(data))).rooms!.map((r) => r.name);
  const roomCount = async () => Number((await s.runtime.store.db.selectFrom('rooms').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
  const level = async (name: string, parent: string) => (await ok(acme.vc.roomLevel.create({ data: { name, parent_id: parent } }))).room_level!.room_level_id!;

  beforeAll(async () => {
    let url: string;
    ({ server: receiver, url, received } = await sdkEventReceiver('/rooms', 'vt-rooms', ROOM_EVENTS));

    const seed = fixtureSeed();
    const apps = seed.tenants[0]!.apps!;
    apps.push({ app_id: reader.appId, app_secret: reader.appSecret, name: 'Room reader', scopes: ['vc:room:readonly'] });
    apps.push({ app_id: hook.appId, app_secret: hook.appSecret, name: 'Room hook', scopes: ALL, events: { request_url: url, verification_token: 'vt-rooms', subscribe: ROOM_EVENTS } });
    apps.push({ app_id: levelOnly.appId, app_secret: levelOnly.appSecret, name: 'Level only', scopes: ['vc:rooms.roomlevel:read'], events: { request_url: url, verification_token: 'vt-rooms', subscribe: ROOM_EVENTS } });
    s = await startTestServer({ seed, config: { rateLimit: false } });
    acme = s.client(fixture.acme.full);
    globex = s.client(fixture.globex.full);
    const app = (await s.runtime.repos.apps.find(fixture.acme.full.appId))!;
    aliceToken = (await s.runtime.tokens.issueUserTokens(app, 'alice', app.scopes, 'v1', Date.now())).accessToken;
    alice = lark.withUserAccessToken(aliceToken);
    rootId = (await ok(acme.vc.roomLevel.get({ path: { room_level_id: '0' } }))).room_level!.room_level_id!;
    lv.campus = await level('North Campus', '0');
    lv.B = await level('Tower', lv.campus);
    lv.F1 = await level('Floor 1', lv.B);
    lv.F2 = await level('Floor 2', lv.B);
    lv.other = await level('Annex', '0');
  });
  afterAll(async () => {
    await s?.close();
    await s?.store.dispose();
    if (receiver) await closeLocal(receiver);
  });

  describe('create and read', () => {
    it('creates a room with everything and answers it as get, mget and list do', async () => {
      const room = await created(
        {
          name: 'Hudson',
          capacity: 10,
          description: 'corner room',
          custom_room_id: 'H-10',
          room_status: { status: true, schedule_status: false, contact_ids: ['alice', 'bob'], disable_notice: true },
          device: [{ name: 'TV' }, { name: 'Phone' }],
        },
        { user_id_type: 'user_id' },
      );
      expect(room).toEqual({
        room_id: expect.stringMatching(/^omm_[0-9a-f]{32}$/),
        name: 'Hudson',
        capacity: 10,
        description: 'corner room',
        display_id: expect.stringMatching(/^LM[1-9]\d{8}$/),
        custom_room_id: 'H-10',
        room_level_id: lv.F1,
        path: [rootId, lv.campus, lv.B, lv.F1],
        room_status: { status: true, schedule_status: true, disable_start_time: '', disable_end_time: '', disable_reason: '', contact_ids: ['alice', 'bob'], disable_notice: true, resume_notice: false },
        device: [{ name: 'TV' }, { name: 'Phone' }],
      });
      expect(await get(room.room_id!, { user_id_type: 'user_id' })).toEqual(room);
      expect((await ok(acme.vc.room.mget({ params: { user_id_type: 'user_id' }, data: { room_ids: ['omm_nope', room.room_id!] } }))).items).toEqual([room]);
      expect((await ok(acme.vc.room.list({ params: { room_level_id: lv.F1!, user_id_type: 'user_id' } }))).rooms).toEqual([room]);
    });

    it('contact IDs follow user_id_type in and out', async () => {
      const dir = s.runtime.repos.directory.forTenant('acme', fixture.acme.full.appId);
      const room = await created({ name: 'Contacts', room_status: { status: true, contact_ids: [dir.openIdOf('bob')] } });
      expect(room.room_status!.contact_ids).toEqual([dir.openIdOf('bob')]);
      expect((await get(room.room_id!, { user_id_type: 'union_id' })).room_status!.contact_ids).toEqual([deriveUnionId('acme', 'bob')]);
      expect((await get(room.room_id!, { user_id_type: 'user_id' })).room_status!.contact_ids).toEqual(['bob']);
      expect((await failure(create({ room_status: { status: true, contact_ids: ['ou_nobody'] } })))[1]).toBe(99992351);
      expect((await failure(create({ room_status: { status: true, contact_ids: ['nobody'] } }, { user_id_type: 'user_id' })))[1]).toBe(99992360);
      await ok(acme.vc.room.delete({ path: { room_id: room.room_id! } }));
    });

    it('bad requests are refused with the right code and write nothing', async () => {
      const before = await roomCount();
      expect(await failure(create({ room_level_id: 'omb_nope' }))).toEqual([404, 121004, 'data not exist: room_level_id omb_nope names no room level of this tenant']);
      expect(await failure(create({ capacity: 0 }))).toEqual([400, 121003, 'param error: capacity must be an integer from 1 to 100000']);
      expect((await failure(create({ name: '' })))[1]).toBe(121003);
      expect((await failure(create({ device: [{ name: ' ' }] })))[1]).toBe(121003);
      expect((await failure(create({ custom_room_id: 'H-10' })))[2]).toMatch(/^param error: custom_room_id "H-10" is already used by room omm_/);
      expect((await failure(create({ capacity: 1.5 })))[1]).toBe(99992402);
      expect((await failure(create({ name: undefined })))[1]).toBe(99992402);
      expect((await failure(create({ room_status: { disable_reason: 'x' } as never })))[1]).toBe(99992402);
      expect((await failure(create({ room_status: { status: true, disable_start_time: 'soon' } })))[1]).toBe(121003);
      expect(await roomCount()).toBe(before);
    });

    it('rooms may live at the root ("0")', async () => {
      const room = await created({ name: 'Lobby', room_level_id: '0' });
      expect(room).toMatchObject({ room_level_id: rootId, path: [rootId] });
      await ok(acme.vc.room.delete({ path: { room_id: room.room_id! } }));
    });
  });

  describe('room status and disable windows', () => {
    it('status false disables now, for good unless an end is given', async () => {
      const forGood = await created({ name: 'Closed', room_status: { status: false, disable_reason: 'renovation' } });
      expect(forGood.room_status).toEqual({ status: false, schedule_status: false, disable_start_time: expect.stringMatching(/^\d{10}$/), disable_end_time: '0', disable_reason: 'renovation', contact_ids: [], disable_notice: false, resume_notice: false });
      const end = sec(3_600_000);
      const until = await created({ name: 'Closed for an hour', room_status: { status: false, disable_start_time: sec(-60_000), disable_end_time: end } });
      expect(until.room_status).toMatchObject({ status: false, schedule_status: true, disable_end_time: end });
      const rooms = s.runtime.repos.rooms.forTenant('acme');
      expect(await rooms.disabledAt(until.room_id!, Date.now())).toBe(true);
      expect(await rooms.disabledAt(until.room_id!, Number(end) * 1000)).toBe(false);
      expect(await rooms.disabledAt(forGood.room_id!, Date.now() + 10 * 365 * 86_400_000)).toBe(true);
      expect(await s.runtime.repos.rooms.forTenant('globex').disabledAt(until.room_id!, Date.now())).toBeUndefined();
    });

    it('status true with a future window schedules a disable; a past one is kept as history', async () => {
      const start = sec(86_400_000);
      const later = await created({ name: 'Closing tomorrow', room_status: { status: true, disable_start_time: start, disable_end_time: sec(2 * 86_400_000) } });
      expect(later.room_status).toMatchObject({ status: true, schedule_status: false, disable_start_time: start });
      const rooms = s.runtime.repos.rooms.forTenant('acme');
      expect(await rooms.disabledAt(later.room_id!, Date.now())).toBe(false);
      expect(await rooms.disabledAt(later.room_id!, Number(start) * 1000 + 1)).toBe(true);
      // Feishu's own example: an enabled room with a window long past
      const past = await created({ name: 'Reopened', room_status: { status: true, disable_start_time: '1652356050', disable_end_time: '1652442450' } });
      expect(past.room_status).toMatchObject({ status: true, schedule_status: true, disable_start_time: '1652356050', disable_end_time: '1652442450' });
    });

    it('status false schedules a window wholly in the future; empty-string times are no time (as Feishu accepts)', async () => {
      // one clock reading: two could straddle a second
      const start = sec(3_600_000);
      const later = await created({ name: 'Later', room_status: { status: false, disable_start_time: start } });
      expect(later.room_status).toMatchObject({ status: true, schedule_status: false, disable_start_time: start, disable_end_time: '0' });
      const blank = await created({ name: 'Blank', room_status: { status: true, disable_start_time: '', disable_end_time: '' } });
      expect(blank.room_status).toMatchObject({ status: true, schedule_status: true, disable_start_time: '', disable_end_time: '' });
    });

    it('a status that contradicts its window is 121003', async () => {
      for (const room_status of [
        { status: true, disable_start_time: sec(-60_000) },
        { status: false, disable_start_time: sec(-7_200_000), disable_end_time: sec(-3_600_000) },
        { status: true, disable_start_time: sec(3_600_000), disable_end_time: sec(1_800_000) },
        { status: true, disable_end_time: sec(3_600_000) },
      ]) {
        expect((await failure(create({ room_status })))[1]).toBe(121003);
      }
    });

    it('patch replaces the whole status; enabling clears the window', async () => {
      const room = await created({ name: 'Toggle', room_status: { status: false, disable_reason: 'x', contact_ids: [] } });
      await ok(acme.vc.room.patch({ path: { room_id: room.room_id! }, data: { room_status: { status: true } } }));
      expect((await get(room.room_id!)).room_status).toMatchObject({ status: true, schedule_status: true, disable_start_time: '', disable_end_time: '' });
      expect(await s.runtime.repos.rooms.forTenant('acme').disabledAt(room.room_id!, Date.now())).toBe(false);
    });
  });

  describe('patch, move and delete', () => {
    it('patch changes only what was sent', async () => {
      const room = await created({ name: 'Patchy', capacity: 8, description: 'd', custom_room_id: 'P-1', device: [{ name: 'TV' }] });
      await ok(acme.vc.room.patch({ path: { room_id: room.room_id! }, data: { capacity: 12 } }));
      expect(await get(room.room_id!)).toEqual({ ...room, capacity: 12 });
      await ok(acme.vc.room.patch({ path: { room_id: room.room_id! }, data: { name: 'Patched', device: [], custom_room_id: '' } }));
      expect(await get(room.room_id!)).toEqual({ ...room, custom_room_id: '', name: 'Patched', capacity: 12, device: [] });
    });

    it('a new room_level_id moves the room; refusals leave it as it was', async () => {
      const room = await created({ name: 'Mover', custom_room_id: 'M-1' });
      await ok(acme.vc.room.patch({ path: { room_id: room.room_id! }, data: { room_level_id: lv.other! } }));
      expect(await get(room.room_id!)).toMatchObject({ room_level_id: lv.other, path: [rootId, lv.other] });
      expect((await failure(acme.vc.room.patch({ path: { room_id: room.room_id! }, data: { room_level_id: 'omb_nope', name: 'Lost' } })))[1]).toBe(121004);
      expect((await failure(acme.vc.room.patch({ path: { room_id: room.room_id! }, data: { custom_room_id: 'H-10', name: 'Lost' } })))[1]).toBe(121003);
      expect((await failure(acme.vc.room.patch({ path: { room_id: room.room_id! }, data: { capacity: -1 } })))[1]).toBe(121003);
      expect(await get(room.room_id!)).toMatchObject({ name: 'Mover', custom_room_id: 'M-1', room_level_id: lv.other });
      expect((await failure(acme.vc.room.patch({ path: { room_id: 'omm_nope' }, data: { capacity: 3 } })))[1]).toBe(121004);
    });

    it('delete removes the room; unknown rooms are 121004', async () => {
      const room = await created({ name: 'Doomed' });
      await ok(acme.vc.room.delete({ path: { room_id: room.room_id! } }));
      expect(await failure(acme.vc.room.get({ path: { room_id: room.room_id! } }))).toEqual([404, 121004, `data not exist: room_id ${room.room_id} names no room of this tenant`]);
      expect((await failure(acme.vc.room.delete({ path: { room_id: room.room_id! } })))[1]).toBe(121004);
    });
  });

  describe('list and search', () => {
    beforeAll(async () => {
      for (const [name, levelId, custom] of [
        ['Alpha 100%', lv.F2, 'S-1'],
        ['beta_1', lv.F2, 'S-2'],
        ['Gamma', lv.F2, undefined],
        ['Delta', lv.other, 'S-4'],
        ['会议室 东', lv.F2, undefined],
        ['Zeta Lab', lv.other, undefined],
        ['Theta lab', lv.F1, undefined],
        ['Lab Iota', lv.F2, undefined],
      ] as const) {
        await created({ name, room_level_id: levelId, ...(custom ? { custom_room_id: custom } : {}) });
      }
    });

    it('list by level holds that level’s own rooms, by name; without a level, every room, level by level', async () => {
      expect((await ok(acme.vc.room.list({ params: { room_level_id: lv.F2! } }))).rooms!.map((r) => r.name)).toEqual(['Alpha 100%', 'beta_1', 'Gamma', 'Lab Iota', '会议室 东']);
      expect((await ok(acme.vc.room.list({ params: { room_level_id: lv.B! } }))).rooms).toEqual([]);
      const all: Json[] = [];
      for await (const page of await acme.vc.room.listWithIterator({ params: { page_size: 3 } })) all.push(...(page?.rooms ?? []));
      expect(all).toHaveLength(await roomCount());
      const paths = all.map((r) => r.path.join('/'));
      expect(paths).toEqual([...paths].sort());
      expect(new Set(all.map((r) => r.room_id)).size).toBe(all.length);
    });

    it('list refuses an unknown level (121004) and a bad page token (99992402)', async () => {
      expect((await failure(acme.vc.room.list({ params: { room_level_id: 'omb_nope' } })))[1]).toBe(121004);
      expect((await failure(acme.vc.room.list({ params: { page_token: 'garbage' } })))[1]).toBe(99992402);
      expect((await failure(acme.vc.room.list({ params: { page_size: 101 } })))[1]).toBe(99992402);
    });

    it('search: custom room IDs first, in the order asked, without paging', async () => {
      expect(await ok(search({ custom_room_ids: ['S-4', 'nope', 'S-1'], keyword: 'gamma' }))).toEqual({ rooms: [expect.objectContaining({ name: 'Delta' }), expect.objectContaining({ name: 'Alpha 100%' })], has_more: false, page_token: '' });
    });

    it('search: keyword anywhere in the name, any case; % and _ are plain characters', async () => {
      expect(await searched({ keyword: 'AMM' })).toEqual(['Gamma']);
      expect(await searched({ keyword: '100%' })).toEqual(['Alpha 100%']);
      expect(await searched({ keyword: 'a_1' })).toEqual(['beta_1']);
      expect(await searched({ keyword: '_' })).toEqual(['beta_1']);
      expect(await searched({ keyword: '会议' })).toEqual(['会议室 东']);
      expect(await searched({ keyword: '会议室' })).toEqual(['会议室 东']);
      expect(await searched({ keyword: 'nothing like it' })).toEqual([]);
    });

    it('search: a level keeps to its subtree; search_level_name also matches the levels above a room', async () => {
      // Rooms come level by level (in path order, which follows the levels' IDs), each level's by name.
      const some = async (data: Parameters<typeof search>[0]) => (await searched(data)).sort();
      expect(await some({ keyword: 'ta', room_level_id: lv.campus! })).toEqual(['Lab Iota', 'Theta lab', 'beta_1']);
      expect(await some({ keyword: 'ta' })).toEqual(['Delta', 'Lab Iota', 'Theta lab', 'Zeta Lab', 'beta_1']);
      expect(await searched({ keyword: 'annex' })).toEqual([]);
      expect(await searched({ keyword: 'annex', search_level_name: true })).toEqual(['Delta', 'Mover', 'Zeta Lab']);
      expect(await searched({ keyword: 'tower', search_level_name: true, room_level_id: lv.F2! })).toEqual(['Alpha 100%', 'beta_1', 'Gamma', 'Lab Iota', '会议室 东']);
      expect(await some({ keyword: 'lab', room_level_id: lv.B! })).toEqual(['Lab Iota', 'Theta lab']);
      expect(await searched({ keyword: 'lab', room_level_id: lv.other! })).toEqual(['Zeta Lab']);
      expect((await failure(search({ room_level_id: 'omb_nope' })))[1]).toBe(121004);
    });

    it('search pages through its results like list does; page_token "0" is the first page', async () => {
      const all = (await ok(search({ page_size: 100 }))).rooms!.map((r) => r.room_id);
      expect(all).toHaveLength(await roomCount());
      const paged: string[] = [];
      let token: string | undefined = '0';
      do {
        const page: Json = await ok(search({ page_size: 2, page_token: token }));
        paged.push(...page.rooms.map((r: Json) => r.room_id));
        token = page.has_more ? page.page_token : undefined;
      } while (token);
      expect(paged).toEqual(all);
      const labs: string[] = [];
      for (let page: Json = await ok(search({ keyword: 'LAB', page_size: 1 })); ; page = await ok(search({ keyword: 'LAB', page_size: 1, page_token: page.page_token }))) {
        labs.push(...page.rooms.map((r: Json) => r.name));
        if (!page.has_more) break;
      }
      expect(labs).toEqual(await searched({ keyword: 'lab' }));
      expect(labs.sort()).toEqual(['Lab Iota', 'Theta lab', 'Zeta Lab']);
    });

    it('search takes a user token only', async () => {
      expect((await failure(search({ keyword: 'a' }, acme, {})))[1]).toBe(99991663);
    });
  });

  describe('tenants and scopes', () => {
    it('another tenant’s rooms do not exist for you', async () => {
      const room = await created({ name: 'Private', custom_room_id: 'PRIV' });
      expect((await failure(globex.vc.room.get({ path: { room_id: room.room_id! } })))[1]).toBe(121004);
      expect((await failure(globex.vc.room.patch({ path: { room_id: room.room_id! }, data: { name: 'Mine' } })))[1]).toBe(121004);
      expect((await failure(globex.vc.room.delete({ path: { room_id: room.room_id! } })))[1]).toBe(121004);
      expect((await failure(create({ name: 'Intruder' }, {}, globex)))[1]).toBe(121004);
      expect((await ok(globex.vc.room.mget({ data: { room_ids: [room.room_id!] } }))).items).toEqual([]);
      expect((await ok(globex.vc.room.list({ params: {} }))).rooms).toEqual([]);
      // the same custom ID is free in another tenant
      const globexRoot = (await ok(globex.vc.roomLevel.get({ path: { room_level_id: '0' } }))).room_level!.room_level_id!;
      const theirs = (await ok(globex.vc.room.create({ data: { name: 'Theirs', capacity: 2, room_level_id: globexRoot, custom_room_id: 'PRIV' } }))).room!;
      expect(theirs.custom_room_id).toBe('PRIV');
      expect((await get(room.room_id!)).name).toBe('Private');
    });

    it('an app without vc:room scopes is refused; vc:room:readonly reads but does not write', async () => {
      const narrow = s.client(fixture.acme.narrow);
      const read = s.client(reader);
      expect((await failure(narrow.vc.room.list({ params: {} })))[1]).toBe(99991672);
      expect((await ok(read.vc.room.list({ params: { room_level_id: lv.F2! } }))).rooms).toHaveLength(5);
      expect((await failure(create({ name: 'X' }, {}, read)))[1]).toBe(99991672);
      expect((await failure(read.vc.room.delete({ path: { room_id: 'omm_x' } })))[1]).toBe(99991672);
    });
  });

  describe('events', () => {
    it('each change wrote its event to the outbox in the same transaction, in events.md’s shape', async () => {
      const from = (await s.runtime.repos.outbox.list('acme', 0, 100_000)).at(-1)!.seq;
      const room = await created({ name: 'Evented', custom_room_id: 'EV', room_status: { status: false, contact_ids: ['bob'] } }, { user_id_type: 'user_id' });
      await ok(acme.vc.room.patch({ path: { room_id: room.room_id! }, data: { capacity: 9 } }));
      await ok(acme.vc.room.delete({ path: { room_id: room.room_id! } }));
      // a refused change writes no event
      await failure(create({ name: 'Refused', capacity: 0 }));
      const rows = await s.runtime.repos.outbox.list('acme', from, 100);
      expect(rows.map((r) => r.event_type)).toEqual(['vc.room.created_v1', 'vc.room.updated_v1', 'vc.room.deleted_v1']);
      const stored = JSON.parse(rows[0]!.payload).room;
      expect(stored).toEqual({ ...room, room_status: { ...room.room_status, contact_ids: [{ $user: 'bob' }] } });
      expect(JSON.parse(rows[1]!.payload).room.capacity).toBe(9);
      expect(JSON.parse(rows[2]!.payload)).toEqual({ room: { room_id: room.room_id } });
    });

    it('apps receive them through the SDK with contacts as ID triples; a level-only scope gets level deletions only', async () => {
      const room = await created({ name: 'Delivered', room_status: { status: true, contact_ids: ['alice'] } }, { user_id_type: 'user_id' });
      const gone = await level('Gone', '0');
      await ok(acme.vc.roomLevel.del({ data: { room_level_id: gone } }));
      await expect.poll(() => received.filter((e) => e.room?.room_id === room.room_id).length, { timeout: 5_000, interval: 50 }).toBe(1);
      const event = received.find((e) => e.room?.room_id === room.room_id)!;
      expect(event).toMatchObject({ event_type: 'vc.room.created_v1', app_id: hook.appId, tenant_key: 'acme', schema: '2.0' });
      const dir = s.runtime.repos.directory.forTenant('acme', hook.appId);
      expect(event.room.room_status.contact_ids).toEqual([{ union_id: deriveUnionId('acme', 'alice'), user_id: 'alice', open_id: dir.openIdOf('alice') }]);
      await expect.poll(() => received.filter((e) => e.room_level_id === gone).map((e) => e.app_id).sort(), { timeout: 5_000, interval: 50 }).toEqual([hook.appId, levelOnly.appId].sort());
      const levelOnlyTypes = new Set((await s.runtime.repos.deliveries.forApp(levelOnly.appId)).map((d) => d.event_type));
      expect([...levelOnlyTypes]).toEqual(['vc.room_level.deleted_v1']);
    });
  });

  it('search stays exact whether the keyword is rare, common or odd', async () => {
    // Written straight to the store: 600 rooms through the API would only be slower.
    const rooms = s.runtime.repos.rooms.forTenant('acme');
    const now = Date.now();
    for (let i = 0; i < 600; i++) {
      const name = `Common ${String(i).padStart(3, '0')}`;
      const room_id = `omm_common${String(i).padStart(22, '0')}`;
      await rooms.insert({ room_id, name, name_key: name.toLowerCase(), capacity: 2, description: null, display_id: `LM9${String(i).padStart(8, '0')}`, custom_room_id: null, room_level_id: lv.F2!, disable_start: null, disable_end: null, status_info: '{}', devices: '[]', created_at: now, updated_at: now });
    }
    await created({ name: 'Say "hi" [*?]', room_level_id: lv.F2! });
    const collect = async (keyword: string) => {
      const names: string[] = [];
      for (let page: Json = await ok(search({ keyword, page_size: 100 })); ; page = await ok(search({ keyword, page_size: 100, page_token: page.page_token }))) {
        names.push(...page.rooms.map((r: Json) => r.name));
        if (!page.has_more) return names;
      }
    };
    const expected = (f: (i: number) => boolean) => Array.from({ length: 600 }, (_, i) => i).filter(f).map((i) => `Common ${String(i).padStart(3, '0')}`);
    expect(await collect('COMMON')).toEqual(expected(() => true));
    expect(await collect('mon 5')).toEqual(expected((i) => i >= 500));
    expect(await collect('on 12')).toEqual(expected((i) => Math.floor(i / 10) === 12));
    expect(await collect('n 1x')).toEqual([]);
    expect(await collect('"hi" [*?]')).toEqual(['Say "hi" [*?]']);
    expect(await collect('[*?')).toEqual(['Say "hi" [*?]']);
  });

  it('no malformed request gets a 500', async () => {
    const token = (await s.runtime.tokens.tenantToken((await s.runtime.repos.apps.find(fixture.acme.full.appId))!)).token;
    const bodies = ['null', '[]', '"x"', '{"name":{"a":1},"capacity":"9","room_level_id":[1]}', '{"room_ids":"x"}', '{"level_ids":[null]}', '{"room_status":{"status":"yes"}}', '{"device":[{}]}', '{"name":"x","parent_id":"0","custom_group_id":5}', `{"room_ids":[${'"a",'.repeat(150)}"b"]}`];
    const paths: [string, string][] = [
      ['POST', '/open-apis/vc/v1/rooms'],
      ['PATCH', '/open-apis/vc/v1/rooms/omm_x'],
      ['POST', '/open-apis/vc/v1/rooms/mget'],
      ['POST', '/open-apis/vc/v1/room_levels'],
      ['PATCH', `/open-apis/vc/v1/room_levels/${lv.F1}`],
      ['POST', '/open-apis/vc/v1/room_levels/mget'],
      ['POST', '/open-apis/vc/v1/room_levels/del'],
      ['GET', '/open-apis/vc/v1/rooms?page_size=abc&page_token=%00'],
      ['GET', `/open-apis/vc/v1/rooms?room_level_id=${'x'.repeat(200)}`],
      ['GET', '/open-apis/vc/v1/room_levels?page_token=eyJuIjoxfQ'],
      ['GET', '/open-apis/vc/v1/room_levels/search?custom_level_ids=a&custom_level_ids=b'],
      ['GET', `/open-apis/vc/v1/rooms/${'x'.repeat(101)}`],
    ];
    for (const [method, path] of paths) {
      for (const body of method === 'GET' ? [undefined] : bodies) {
        const res = await fetch(`${s.url}${path}`, { method, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body });
        expect(res.status, `${method} ${path} ${body}`).toBeLessThan(500);
      }
    }
    const res = await fetch(`${s.url}/open-apis/vc/v1/rooms/search`, { method: 'POST', headers: { authorization: `Bearer ${aliceToken}`, 'content-type': 'application/json' }, body: '{"page_token":"eyJwIjpbXX0","keyword":"[*?"}' });
    expect(res.status).toBe(400);
  });
});
