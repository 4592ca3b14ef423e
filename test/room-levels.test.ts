import * as lark from '@larksuiteoapi/node-sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, dialect, type TestServer } from './helpers/server.js';
import { failure, ok } from './helpers/sdk.js';
import { fixture, fixtureSeed } from './helpers/fixture.js';
import { MAX_DEPTH } from '../src/domain/room/tree.js';

type Client = lark.Client;
type Level = { room_level_id?: string; name?: string; parent_id?: string; path?: string[]; has_child?: boolean; custom_group_id?: string };

/** An app of acme that may only read rooms. */
const reader = { appId: 'cli_acmeroomread1', appSecret: 'acme-room-reader' };

describe(`room levels (${dialect})`, () => {
  let s: TestServer;
  let acme: Client;
  let globex: Client;
  let root: Level;
  /** campus → buildings A, B → floors A1, A2, B1, B2, B3 */
  const ids: Record<string, string> = {};

  const create = (name: string, parent: string, custom?: string, client = acme) =>
    client.vc.roomLevel.create({ data: { name, parent_id: parent, ...(custom !== undefined ? { custom_group_id: custom } : {}) } });
  const created = async (name: string, parent: string, custom?: string) => (await ok(create(name, parent, custom))).room_level!;
  const get = async (id: string, client = acme) => (await ok(client.vc.roomLevel.get({ path: { room_level_id: id } }))).room_level!;
  const patch = (id: string, name: string, parent: string, custom?: string) =>
    acme.vc.roomLevel.patch({ path: { room_level_id: id }, data: { name, parent_id: parent, ...(custom !== undefined ? { custom_group_id: custom } : {}) } });
  const children = async (id?: string, client = acme) => {
    const all: Level[] = [];
    for await (const page of await client.vc.roomLevel.listWithIterator({ params: { page_size: 2, ...(id ? { room_level_id: id } : {}) } })) all.push(...(page?.items ?? []));
    return all;
  };
  const levelCount = async () => Number((await s.runtime.store.db.selectFrom('room_levels').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
  const events = async () => (await s.runtime.repos.outbox.list('acme', 0, 10_000)).filter((e) => e.event_type.startsWith('vc.room'));

  beforeAll(async () => {
    const seed = fixtureSeed();
    seed.tenants[0]!.apps!.push({ app_id: reader.appId, app_secret: reader.appSecret, name: 'Room reader', scopes: ['vc:room:readonly'] });
    s = await startTestServer({ seed, config: { rateLimit: false } });
    acme = s.client(fixture.acme.full);
    globex = s.client(fixture.globex.full);
    root = await get('0');
    ids.campus = (await created('Campus', '0', 'C1')).room_level_id!;
    for (const b of ['A', 'B']) ids[b] = (await created(`Building ${b}`, ids.campus, `B-${b}`)).room_level_id!;
    for (const f of ['A1', 'A2']) ids[f] = (await created(`Floor ${f}`, ids.A!, `F-${f}`)).room_level_id!;
    for (const f of ['B1', 'B2', 'B3']) ids[f] = (await created(`Floor ${f}`, ids.B!)).room_level_id!;
  });
  afterAll(async () => {
    await s?.close();
    await s?.store.dispose();
  });

  describe('the tenant root', () => {
    it('GET /room_levels/0 is the root: named after the tenant, no parent, an empty path', async () => {
      root = await get('0');
      expect(root).toEqual({ room_level_id: expect.stringMatching(/^omb_[0-9a-f]{32}$/), name: 'Acme Inc', parent_id: '', path: [], has_child: true, custom_group_id: '' });
    });

    it('is the same level by its own ID, in mget, and as the parent of top levels', async () => {
      expect(await get(root.room_level_id!)).toEqual(root);
      expect((await ok(acme.vc.roomLevel.mget({ data: { level_ids: [root.room_level_id!] } }))).items).toEqual([root]);
      expect((await get(ids.campus!)).parent_id).toBe(root.room_level_id);
    });

    it('cannot be changed or deleted (121005, HTTP 404)', async () => {
      expect(await failure(patch('0', 'Renamed', '0'))).toEqual([404, 121005, 'no permission: the tenant root level cannot be changed']);
      expect(await failure(acme.vc.roomLevel.del({ data: { room_level_id: root.room_level_id!, delete_child: true } }))).toEqual([404, 121005, 'no permission: the tenant root level cannot be deleted']);
    });

    it('every tenant has its own', async () => {
      const other = await get('0', globex);
      expect(other.room_level_id).not.toBe(root.room_level_id);
      expect(other.name).toBe('Globex');
    });
  });

  describe('building the tree', () => {
    it('a level knows its ancestors, its parent and whether it has children', async () => {
      expect(await get(ids.A1!)).toEqual({ room_level_id: ids.A1, name: 'Floor A1', parent_id: ids.A, path: [root.room_level_id, ids.campus, ids.A], has_child: false, custom_group_id: 'F-A1' });
      expect(await get(ids.A!)).toMatchObject({ path: [root.room_level_id, ids.campus], has_child: true });
      expect(await get(ids.B1!)).toHaveProperty('custom_group_id', '');
    });

    it('create answers the level as get does', async () => {
      const level = await created('Annex', ids.campus!, 'ANNEX');
      expect(level).toEqual(await get(level.room_level_id!));
      expect(level).toMatchObject({ parent_id: ids.campus, path: [root.room_level_id, ids.campus], has_child: false });
      await ok(acme.vc.roomLevel.del({ data: { room_level_id: level.room_level_id! } }));
    });

    it('list pages through the direct children by name; no room_level_id lists the root’s', async () => {
      expect((await children(ids.B)).map((l) => l.name)).toEqual(['Floor B1', 'Floor B2', 'Floor B3']);
      expect((await children()).map((l) => l.room_level_id)).toEqual([ids.campus]);
      const first = await ok(acme.vc.roomLevel.list({ params: { room_level_id: ids.B!, page_size: 2 } }));
      expect(first.has_more).toBe(true);
      const second = await ok(acme.vc.roomLevel.list({ params: { room_level_id: ids.B!, page_size: 2, page_token: first.page_token! } }));
      expect(second).toEqual({ items: [expect.objectContaining({ name: 'Floor B3' })], has_more: false, page_token: '' });
      expect((await ok(acme.vc.roomLevel.list({ params: { room_level_id: '0' } }))).items!.map((l) => l.room_level_id)).toEqual([ids.campus]);
    });

    it('mget answers the levels that exist, in the order asked', async () => {
      const items = (await ok(acme.vc.roomLevel.mget({ data: { level_ids: [ids.B2!, 'omb_nope', ids.A!, ids.B2!] } }))).items!;
      expect(items.map((l) => l.room_level_id)).toEqual([ids.B2, ids.A]);
    });

    it('search finds levels by custom IDs, comma-separated, in the order asked', async () => {
      expect(await ok(acme.vc.roomLevel.search({ params: { custom_level_ids: 'F-A2, C1,nope,,B-A' } }))).toEqual({ level_ids: [ids.A2, ids.campus, ids.A] });
      expect(await ok(acme.vc.roomLevel.search({ params: { custom_level_ids: 'nope' } }))).toEqual({ level_ids: [] });
      expect((await failure(acme.vc.roomLevel.search({ params: { custom_level_ids: ' , ' } })))[1]).toBe(121003);
    });

    it('levels nest at most MAX_DEPTH deep below the root', async () => {
      let parent = ids.A1!;
      for (let depth = 4; depth <= MAX_DEPTH; depth++) parent = (await created(`Deep ${depth}`, parent)).room_level_id!;
      expect((await get(parent)).path).toHaveLength(MAX_DEPTH);
      const [status, code, msg] = await failure(create('Too deep', parent));
      expect([status, code]).toEqual([400, 121003]);
      expect(msg).toContain(`at most ${MAX_DEPTH} deep`);
      // A subtree that would pass the limit cannot move under a deeper parent either.
      const deep = (await children(ids.A1))[0]!;
      const spacer = await created('Spacer', ids.A2!);
      expect((await failure(patch(deep.room_level_id!, deep.name!, spacer.room_level_id!)))[1]).toBe(121003);
      await ok(patch(deep.room_level_id!, deep.name!, ids.A2!));
      expect((await get(parent)).path).toHaveLength(MAX_DEPTH);
      for (const id of [deep.room_level_id!, spacer.room_level_id!]) await ok(acme.vc.roomLevel.del({ data: { room_level_id: id, delete_child: true } }));
      expect((await get(ids.A1!)).has_child).toBe(false);
    });
  });

  describe('refusals change nothing', () => {
    it('bad create requests: 121004 unknown parent, 121003 bad values, 99992402 missing fields', async () => {
      const before = await levelCount();
      expect(await failure(create('X', 'omb_nope'))).toEqual([404, 121004, 'data not exist: parent_id omb_nope names no room level of this tenant']);
      expect(await failure(create('   ', ids.A!))).toEqual([400, 121003, 'param error: name must not be empty']);
      expect((await failure(create('x'.repeat(256), ids.A!)))[1]).toBe(121003);
      expect((await failure(create('X', ids.A!, 'a,b')))[1]).toBe(121003);
      expect(await failure(create('X', ids.A!, 'F-A1'))).toEqual([400, 121003, `param error: custom_group_id "F-A1" is already used by room level ${ids.A1}`]);
      expect((await failure(acme.vc.roomLevel.create({ data: { name: 'X' } as never })))[1]).toBe(99992402);
      expect((await failure(acme.vc.roomLevel.create({ data: { name: 7, parent_id: ids.A } as never })))[1]).toBe(99992402);
      expect(await levelCount()).toBe(before);
    });

    it('another tenant’s level does not exist for you', async () => {
      expect((await failure(globex.vc.roomLevel.get({ path: { room_level_id: ids.A! } })))[1]).toBe(121004);
      expect((await failure(create('Intruder', ids.A!, undefined, globex)))[1]).toBe(121004);
      expect((await ok(globex.vc.roomLevel.mget({ data: { level_ids: [ids.A!] } }))).items).toEqual([]);
      expect(await ok(globex.vc.roomLevel.search({ params: { custom_level_ids: 'C1' } }))).toEqual({ level_ids: [] });
      expect(await children(undefined, globex)).toEqual([]);
    });

    it('scopes: reading needs vc:room or vc:room:readonly, writing vc:room', async () => {
      const narrow = s.client(fixture.acme.narrow);
      const read = s.client(reader);
      expect((await failure(narrow.vc.roomLevel.get({ path: { room_level_id: '0' } })))[1]).toBe(99991672);
      expect((await ok(read.vc.roomLevel.get({ path: { room_level_id: ids.A! } }))).room_level!.name).toBe('Building A');
      const [status, code, msg] = await failure(create('X', ids.A!, undefined, read));
      expect([status, code]).toEqual([400, 99991672]);
      expect(msg).toContain('[vc:room]');
    });

    it('list, get, mget and search take a tenant token only', async () => {
      const app = (await s.runtime.repos.apps.find(fixture.acme.full.appId))!;
      const token = (await s.runtime.tokens.issueUserTokens(app, 'alice', app.scopes, 'v1', Date.now())).accessToken;
      expect((await failure(acme.vc.roomLevel.get({ path: { room_level_id: '0' } }, lark.withUserAccessToken(token))))[1]).toBe(99991668);
    });
  });

  describe('moving and renaming', () => {
    it('patch renames, keeps the custom ID when left out and clears it with ""', async () => {
      await ok(patch(ids.A2!, 'Floor A2 (new)', ids.A!));
      expect(await get(ids.A2!)).toMatchObject({ name: 'Floor A2 (new)', custom_group_id: 'F-A2' });
      await ok(patch(ids.A2!, 'Floor A2', ids.A!, ''));
      expect(await get(ids.A2!)).toHaveProperty('custom_group_id', '');
      await ok(patch(ids.A2!, 'Floor A2', ids.A!, 'F-A2'));
      expect((await failure(patch(ids.A2!, 'Floor A2', ids.A!, 'F-A1')))[1]).toBe(121003);
    });

    it('moving a level moves its whole subtree, rooms included', async () => {
      const room = (await ok(acme.vc.room.create({ data: { name: 'B3-01', capacity: 6, room_level_id: ids.B3! } }))).room!;
      const annex = await created('Annex', '0');
      await ok(patch(ids.B!, 'Building B', annex.room_level_id!));
      expect(await get(ids.B!)).toMatchObject({ parent_id: annex.room_level_id, path: [root.room_level_id, annex.room_level_id] });
      expect((await get(ids.B3!)).path).toEqual([root.room_level_id, annex.room_level_id, ids.B]);
      expect((await ok(acme.vc.room.get({ path: { room_id: room.room_id! } }))).room!.path).toEqual([root.room_level_id, annex.room_level_id, ids.B, ids.B3]);
      expect(await get(annex.room_level_id!)).toMatchObject({ has_child: true });
      expect((await children(ids.campus)).map((l) => l.name)).toEqual(['Building A']);
      // and back
      await ok(patch(ids.B!, 'Building B', ids.campus!));
      expect((await get(ids.B3!)).path).toEqual([root.room_level_id, ids.campus, ids.B]);
      expect((await get(annex.room_level_id!)).has_child).toBe(false);
      await ok(acme.vc.room.delete({ path: { room_id: room.room_id! } }));
      await ok(acme.vc.roomLevel.del({ data: { room_level_id: annex.room_level_id! } }));
    });

    it('a level cannot move below itself (121003) and nothing moves', async () => {
      for (const target of [ids.B1!, ids.B!]) {
        const [status, code, msg] = await failure(patch(ids.B!, 'Building B', target));
        expect([status, code]).toEqual([400, 121003]);
        expect(msg).toContain('cannot move below itself');
      }
      expect((await get(ids.B1!)).path).toEqual([root.room_level_id, ids.campus, ids.B]);
    });

    it('unknown levels and parents are 121004', async () => {
      expect((await failure(patch('omb_nope', 'X', ids.A!)))[1]).toBe(121004);
      expect((await failure(patch(ids.A1!, 'X', 'omb_nope')))[1]).toBe(121004);
      expect((await get(ids.A1!)).name).toBe('Floor A1');
    });
  });

  describe('deleting', () => {
    it('a level with children or rooms needs delete_child (125001, HTTP 404) and stays', async () => {
      const [status, code, msg] = await failure(acme.vc.roomLevel.del({ data: { room_level_id: ids.B!, delete_child: false } }));
      expect([status, code]).toEqual([404, 125001]);
      expect(msg).toContain('delete_child');
      const room = (await ok(acme.vc.room.create({ data: { name: 'Lonely', capacity: 2, room_level_id: ids.B1! } }))).room!;
      expect((await failure(acme.vc.roomLevel.del({ data: { room_level_id: ids.B1! } })))[1]).toBe(125001);
      expect((await get(ids.B1!)).name).toBe('Floor B1');
      await ok(acme.vc.room.delete({ path: { room_id: room.room_id! } }));
    });

    it('delete_child deletes the subtree and its rooms; unknown levels are 121004', async () => {
      const wing = await created('Wing', ids.B!);
      const inner = await created('Wing floor', wing.room_level_id!);
      const room = (await ok(acme.vc.room.create({ data: { name: 'Wing room', capacity: 2, room_level_id: inner.room_level_id! } }))).room!;
      const from = (await s.runtime.repos.outbox.list('acme', 0, 10_000)).at(-1)!.seq;
      await ok(acme.vc.roomLevel.del({ data: { room_level_id: wing.room_level_id!, delete_child: true } }));
      for (const id of [wing.room_level_id!, inner.room_level_id!]) expect((await failure(acme.vc.roomLevel.get({ path: { room_level_id: id } })))[1]).toBe(121004);
      expect((await failure(acme.vc.room.get({ path: { room_id: room.room_id! } })))[1]).toBe(121004);
      // One event for the room, one for the level (its subtree implied by delete_child).
      const after = (await s.runtime.repos.outbox.list('acme', from, 100)).map((e) => [e.event_type, JSON.parse(e.payload)]);
      expect(after).toEqual([
        ['vc.room.deleted_v1', { room: { room_id: room.room_id } }],
        ['vc.room_level.deleted_v1', { room_level_id: wing.room_level_id, delete_child: true }],
      ]);
      expect((await failure(acme.vc.roomLevel.del({ data: { room_level_id: wing.room_level_id! } })))[1]).toBe(121004);
    });
  });

  it('every change wrote its event in the shape of events.md', async () => {
    const all = await events();
    const created = all.find((e) => e.event_type === 'vc.room_level.created_v1' && JSON.parse(e.payload).room_level.room_level_id === ids.campus)!;
    expect(JSON.parse(created.payload)).toEqual({ room_level: { room_level_id: ids.campus, name: 'Campus', parent_id: root.room_level_id, path: [root.room_level_id], has_child: false, custom_group_id: 'C1' } });
    expect(created.event_id).toMatch(/^[0-9a-f]{32}$/);
    const renamed = all.filter((e) => e.event_type === 'vc.room_level.updated_v1').map((e) => JSON.parse(e.payload).room_level);
    expect(renamed).toContainEqual({ room_level_id: ids.A2, name: 'Floor A2 (new)', parent_id: ids.A, path: [root.room_level_id, ids.campus, ids.A], has_child: false, custom_group_id: 'F-A2' });
    // refused requests wrote nothing: no event names the level "Too deep" or a name over 255 characters
    expect(all.some((e) => e.payload.includes('Too deep') || e.payload.includes('Intruder'))).toBe(false);
    expect((await s.runtime.repos.outbox.list('globex', 0, 100)).filter((e) => e.event_type.startsWith('vc.room'))).toEqual([]);
  });
});
