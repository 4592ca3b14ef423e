import * as lark from '@larksuiteoapi/node-sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, dialect, type TestServer } from './helpers/server.js';
import { ok } from './helpers/sdk.js';
import { createLevel, createRoom } from './helpers/room-tree.js';
import { fixture } from './helpers/fixture.js';

type SearchData = NonNullable<Parameters<lark.Client['vc']['room']['search']>[0]>['data'];

/** More levels named "wing" than the server reads in one batch (50), so that search goes past the first. */
const WINGS = 56;

describe(`room search by level names, page by page (${dialect})`, () => {
  let s: TestServer;
  let acme: lark.Client;
  let alice: ReturnType<typeof lark.withUserAccessToken>;
  /** Site → Wing 0 … Wing 55 (a desk each; Wing 0 also holds "Wing 0 annex" with two desks), Plain (a "Wingback" room and a desk) */
  const lv: Record<string, string> = {};
  const ids: Record<string, string> = {};

  const search = async (data: SearchData) => ok(acme.vc.room.search({ data }, alice));
  /** Every page of a search, `size` rooms a page: the rooms' names in the order given. */
  async function paged(data: SearchData, size: number): Promise<string[]> {
    const names: string[] = [];
    let token: string | undefined = '0';
    while (token !== undefined) {
      const page = await search({ ...data, page_size: size, page_token: token });
      names.push(...page.rooms!.map((r) => r.name!));
      token = page.has_more ? page.page_token : undefined;
    }
    return names;
  }
  /** Room order: level path (which follows the levels' IDs), then name. */
  const inRoomOrder = async (names: string[]) => {
    const rooms = await Promise.all(names.map(async (n) => (await ok(acme.vc.room.get({ path: { room_id: ids[n]! } }))).room!));
    return rooms.sort((a, b) => (a.path!.join('/') < b.path!.join('/') ? -1 : a.path!.join('/') > b.path!.join('/') ? 1 : a.name!.toLowerCase() < b.name!.toLowerCase() ? -1 : 1)).map((r) => r.name!);
  };

  beforeAll(async () => {
    s = await startTestServer({ config: { rateLimit: false } });
    acme = s.client(fixture.acme.full);
    const app = (await s.runtime.repos.apps.find(fixture.acme.full.appId))!;
    alice = lark.withUserAccessToken((await s.runtime.tokens.issueUserTokens(app, 'alice', app.scopes, 'v1', Date.now())).accessToken);
    lv.site = await createLevel(acme, 'Site', '0');
    for (let i = 0; i < WINGS; i++) {
      lv[`wing${i}`] = await createLevel(acme, `Wing ${i}`, lv.site);
      ids[`Desk ${i}`] = await createRoom(acme, `Desk ${i}`, lv[`wing${i}`]!);
    }
    lv.annex = await createLevel(acme, 'Wing 0 annex', lv.wing0!);
    ids['Desk a1'] = await createRoom(acme, 'Desk a1', lv.annex);
    ids['Desk a2'] = await createRoom(acme, 'Desk a2', lv.annex);
    lv.plain = await createLevel(acme, 'Plain', lv.site);
    ids.Wingback = await createRoom(acme, 'Wingback', lv.plain);
    ids['Desk plain'] = await createRoom(acme, 'Desk plain', lv.plain);
  });
  afterAll(async () => {
    await s?.close();
    await s?.store.dispose();
  });

  it('rooms under every level named so (a level inside another counted once) and rooms so named, in room order, on pages of any size', async () => {
    const expected = await inRoomOrder([...Array.from({ length: WINGS }, (_, i) => `Desk ${i}`), 'Desk a1', 'Desk a2', 'Wingback']);
    const all = await search({ keyword: 'WING', search_level_name: true, page_size: 100 });
    expect(all.rooms!.map((r) => r.name)).toEqual(expected);
    expect(all.has_more).toBe(false);
    for (const size of [1, 2, 7, 50]) expect(await paged({ keyword: 'wing', search_level_name: true }, size)).toEqual(expected);
    expect(await paged({ keyword: 'wing' }, 3)).toEqual(['Wingback']);
  });

  it('within a level: a named level above it holds all of its rooms; else the named levels inside it', async () => {
    expect(await paged({ keyword: 'wing', search_level_name: true, room_level_id: lv.annex! }, 1)).toEqual(['Desk a1', 'Desk a2']);
    expect(await paged({ keyword: 'wing', search_level_name: true, room_level_id: lv.wing0! }, 1)).toEqual(await inRoomOrder(['Desk 0', 'Desk a1', 'Desk a2']));
    expect(await paged({ keyword: 'annex', search_level_name: true, room_level_id: lv.wing0! }, 1)).toEqual(['Desk a1', 'Desk a2']);
    expect(await paged({ keyword: 'site', search_level_name: true, room_level_id: lv.plain! }, 1)).toEqual(['Desk plain', 'Wingback']);
    expect(await paged({ keyword: 'wing', search_level_name: true, room_level_id: lv.plain! }, 1)).toEqual(['Wingback']);
    // the tenant root is named after the tenant, and sits above every room
    const root = (await ok(acme.vc.roomLevel.get({ path: { room_level_id: '0' } }))).room_level!.name!;
    expect(await paged({ keyword: root, search_level_name: true }, 25)).toHaveLength(WINGS + 4);
  });
});
