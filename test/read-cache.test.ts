import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as lark from '@larksuiteoapi/node-sdk';
import { startTestServer, dialect, TestStore, type TestServer } from './helpers/server.js';
import { failure, ok } from './helpers/sdk.js';
import { fixture, fixtureSeed } from './helpers/fixture.js';
import { protocol } from './helpers/exports.js';

// Issue 19: reads of the directory, rooms and room levels are answered from per-process caches while the
// store says the tenant's area is unchanged. Two servers share one store (each with its own runtime,
// pool and caches, as two processes would): a write answered by one is seen by the next read on the
// other, and a cached read never answers another tenant.

describe(`versioned read caches across servers (${dialect})`, () => {
  const store = new TestStore();
  let a: TestServer;
  let b: TestServer;
  let acmeA: lark.Client;
  let acmeB: lark.Client;
  let globexB: lark.Client;
  let floor = '';
  let room = '';

  beforeAll(async () => {
    a = await startTestServer({ store });
    b = await startTestServer({ store, seed: null });
    acmeA = a.client(fixture.acme.full);
    acmeB = b.client(fixture.acme.full);
    globexB = b.client(fixture.globex.full);
    floor = (await ok(acmeA.vc.roomLevel.create({ data: { name: 'Floor 1', parent_id: '0' } }))).room_level!.room_level_id!;
    room = (await ok(acmeA.vc.room.create({ data: { name: 'Room 0', capacity: 4, room_level_id: floor } }))).room!.room_id!;
  });
  afterAll(async () => {
    await b?.close();
    await a?.close();
    await store.dispose();
  });

  const userName = async (client: lark.Client, userId: string) =>
    (await ok(client.contact.user.get({ path: { user_id: userId }, params: { user_id_type: 'user_id' } }))).user!.name;
  const roomName = async () => (await ok(acmeB.vc.room.get({ path: { room_id: room } }))).room!.name;
  const roomNames = async (client = acmeB, levelId = floor) => ((await ok(client.vc.room.list({ params: { room_level_id: levelId, page_size: 100 } }))).rooms ?? []).map((r) => r.name).sort();
  const levelNames = async (client = acmeB, parent = '0') => ((await ok(client.vc.roomLevel.list({ params: { room_level_id: parent, page_size: 100 } }))).items ?? []).map((l) => l.name).sort();

  it('a room patched on one server is read back patched on the other at once, every time', async () => {
    for (let i = 1; i <= 15; i++) {
      // Warm B's cache of the room and of its floor's list, then write through A and read on B.
      expect(await roomName()).toBe(`Room ${i - 1}`);
      expect(await roomNames()).toContain(`Room ${i - 1}`);
      await ok(acmeA.vc.room.patch({ path: { room_id: room }, data: { name: `Room ${i}` } }));
      expect(await roomName()).toBe(`Room ${i}`);
      expect(await roomNames()).toContain(`Room ${i}`);
    }
  });

  it('rooms and levels created or deleted on one server are listed on the other at once', async () => {
    for (let i = 0; i < 5; i++) {
      const before = await roomNames();
      const created = (await ok(acmeA.vc.room.create({ data: { name: `New ${i}`, capacity: 2, room_level_id: floor } }))).room!.room_id!;
      expect(await roomNames()).toEqual([...before, `New ${i}`].sort());
      await ok(acmeA.vc.room.delete({ path: { room_id: created } }));
      expect(await roomNames()).toEqual(before);

      const levels = await levelNames();
      const level = (await ok(acmeA.vc.roomLevel.create({ data: { name: `Wing ${i}`, parent_id: '0' } }))).room_level!.room_level_id!;
      expect(await levelNames()).toEqual([...levels, `Wing ${i}`].sort());
      await ok(acmeA.vc.roomLevel.del({ data: { room_level_id: level } }));
      expect(await levelNames()).toEqual(levels);
    }
  });

  it('a directory change written by one server process is read on the other at once', async () => {
    for (let i = 1; i <= 5; i++) {
      expect(await userName(acmeB, 'alice')).toBe(i === 1 ? 'Alice' : `Alice ${i - 1}`);
      const seed = fixtureSeed();
      seed.tenants[0]!.users!.find((u) => u.user_id === 'alice')!.name = `Alice ${i}`;
      await a.runtime.repos.directory.applySeed(seed);
      expect(await userName(acmeB, 'alice')).toBe(`Alice ${i}`);
    }
  });

  it('a meeting changed through one server is read as changed on the other at once, and never by another tenant', async () => {
    const app = (await a.runtime.repos.apps.find(fixture.acme.full.appId))!;
    const token = async (user: string) => (await a.runtime.tokens.issueUserTokens(app, user, app.scopes, 'v1', Date.now())).accessToken;
    const aliceToken = await token('alice');
    const alice = protocol(a.url, aliceToken);
    const started = await alice.start('Cached', { type: 'web' });
    const id = started.meeting.id as string;
    const get = async () => (await ok(acmeB.vc.meeting.get({ path: { meeting_id: id }, params: { with_participants: true, user_id_type: 'user_id' } }))).meeting!;
    const people = async () => ((await get()).participants ?? []).filter((x) => x.status === 2).map((x) => x.id).sort();
    expect(await people()).toEqual(['alice']);
    for (const user of ['bob', 'member00', 'member01']) {
      // B has the meeting cached; the join is written through A.
      expect(await people()).not.toContain(user);
      const joined = await protocol(a.url, await token(user)).join(started.meeting.meeting_no as string, { type: 'web' });
      expect(await people()).toContain(user);
      await protocol(a.url, await token(user)).leave(joined.session_id as string);
      expect(await people()).not.toContain(user);
    }
    // Another tenant's token never gets the cached meeting.
    expect((await failure(globexB.vc.meeting.get({ path: { meeting_id: id } })))[1]).toBe(121004);
    await ok(acmeA.vc.meeting.end({ path: { meeting_id: id } }, lark.withUserAccessToken(aliceToken)));
    expect((await get()).status).toBe(3);
  });

  it('cached reads never answer another tenant', async () => {
    // The same user_id in two tenants: each tenant's app sees its own user, whichever was cached first.
    const seed = fixtureSeed();
    seed.tenants[1]!.users!.push({ user_id: 'alice', name: 'Globex Alice' });
    await a.runtime.repos.directory.applySeed(seed);
    const acmeAlice = await userName(acmeB, 'alice');
    expect(await userName(globexB, 'alice')).toBe('Globex Alice');
    expect(await userName(acmeB, 'alice')).toBe(acmeAlice);
    expect(acmeAlice).not.toBe('Globex Alice');
    // acme's bob is cached; globex has no bob.
    expect(await userName(acmeB, 'bob')).toBe('Bob');
    expect((await failure(globexB.contact.user.get({ path: { user_id: 'bob' }, params: { user_id_type: 'user_id' } })))[1]).toBe(99992360);

    // Room lists of the tenant root, the same request in both tenants.
    const globexLevel = (await ok(b.client(fixture.globex.full).vc.roomLevel.create({ data: { name: 'Globex HQ', parent_id: '0' } }))).room_level!.room_level_id!;
    expect(await levelNames(acmeB)).not.toContain('Globex HQ');
    expect(await levelNames(globexB)).toEqual(['Globex HQ']);
    expect(await levelNames(acmeB)).not.toContain('Globex HQ');
    // An acme room, read by ID with a globex token: not found, though acme's read of it is cached.
    expect(await roomName()).toMatch(/^Room /);
    expect((await failure(globexB.vc.room.get({ path: { room_id: room } })))[1]).toBe(121004);
    expect(await roomNames(globexB, globexLevel)).toEqual([]);
  });
});
