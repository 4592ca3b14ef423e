/**
 * The vc methods beyond the spec files (issue #18 item 1), through the SDK: meeting.list, meeting.search,
 * meeting.changeName, the user event (un)subscriptions and alert.list, with their refusals.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as lark from '@larksuiteoapi/node-sdk';
import { startTestServer, type TestServer } from './helpers/server.js';
import { fixture } from './helpers/fixture.js';
import { failure, ok } from './helpers/sdk.js';
import { protocol } from './helpers/exports.js';

describe('vc methods beyond the spec', () => {
  let s: TestServer;
  let acme: lark.Client;
  const tokens: Record<string, string> = {};
  const now = () => Math.floor(Date.now() / 1000);
  const asUser = (name: string) => lark.withUserAccessToken(tokens[name]!);

  beforeAll(async () => {
    s = await startTestServer({ config: { rateLimit: false, emptyMeetingGrace: 0 } });
    acme = s.client(fixture.acme.full);
    const app = (await s.runtime.repos.apps.find(fixture.acme.full.appId))!;
    for (const name of ['alice', 'bob']) tokens[name] = (await s.runtime.tokens.issueUserTokens(app, name, app.scopes, 'v1', Date.now())).accessToken;
  });
  afterAll(async () => {
    await s?.close();
    await s?.store.dispose();
  });

  it('list, search and changeName see and rename a live meeting; search with a user token sees only their meetings', async () => {
    const started = await protocol(s.url, tokens.alice!).start('Beyond the spec', { type: 'web' });
    const id = started.meeting.id as string;
    const window = { start_time: String(now() - 60), end_time: String(now() + 60) };

    const live = await ok(acme.vc.meeting.list({ params: { ...window, status: 2 } }));
    expect(live).toMatchObject({ has_more: false, page_token: '' });
    expect(live.meetings!.map((m) => m.id)).toContain(id);
    expect(live.meetings!.find((m) => m.id === id)).toMatchObject({ topic: 'Beyond the spec', status: 2, note_id: '', meeting_connect: false, end_time: '0' });
    expect((await ok(acme.vc.meeting.list({ params: { ...window, status: 3 } }))).meetings).toEqual([]);

    const found = await ok(acme.vc.meeting.search({ data: { query: 'beyond' } }));
    expect(found).toMatchObject({ total: 1, has_more: false, page_token: '', notice: '' });
    expect(found.items![0]).toMatchObject({ id, display_info: 'Beyond the spec', meta_data: { app_link: `${s.url}/j/${started.meeting.meeting_no}` } });
    expect((await ok(acme.vc.meeting.search({ data: { query: 'beyond' } }, asUser('bob')))).total).toBe(0);
    expect((await ok(acme.vc.meeting.search({ data: { query: 'beyond' } }, asUser('alice')))).total).toBe(1);

    const renamed = await ok(
      acme.vc.meeting.changeName({ path: { meeting_id: id }, params: { user_id_type: 'user_id' }, data: { change_name_users: [{ id: 'alice', user_type: 1, in_meeting_name: 'Ally' }, { id: 'bob', user_type: 1, in_meeting_name: 'Bobby' }] } }),
    );
    expect(renamed.results).toEqual([
      { id: 'alice', user_type: 1, result: 1 },
      { id: 'bob', user_type: 1, result: 2 },
    ]);
    expect((await s.runtime.repos.meetings.find('acme', id))!.participants.find((p) => p.key === 'u:alice')!.name).toBe('Ally');
    expect(await failure(acme.vc.meeting.changeName({ path: { meeting_id: id }, data: { change_name_users: [{ id: 'x', in_meeting_name: ' ' }] } }))).toEqual([400, 121003, expect.stringMatching(/in_meeting_name/)]);
  });

  it('refuses bad windows, unknown event types and unsupported alert queries', async () => {
    expect((await failure(acme.vc.meeting.list({ params: { start_time: String(now()), end_time: String(now() - 10), status: 2 } })))[1]).toBe(121003);
    expect((await failure(acme.vc.meeting.subscription({ data: { event_type: 'vc.meeting.nope_v1' } }, asUser('alice'))))[1]).toBe(121003);
    expect((await failure(acme.vc.recording.subscription({ data: { event_type: 'vc.meeting.join_meeting_v1' } }, asUser('alice'))))[1]).toBe(121003);
    expect(await ok(acme.vc.meeting.subscription({ data: { event_type: 'vc.meeting.participant_meeting_joined_v1' } }, asUser('alice')))).toEqual({});
    expect(await ok(acme.vc.recording.unsubscription({ data: { event_type: 'vc.recording.recording_ended_v1' } }, asUser('alice')))).toEqual({});
    const window = { start_time: String(now() - 60), end_time: String(now() + 60) };
    expect(await ok(acme.vc.alert.list({ params: window }))).toEqual({ has_more: false, page_token: '', items: [] });
    expect((await failure(acme.vc.alert.list({ params: { ...window, query_type: 2, query_value: 'x' } })))[1]).toBe(121002);
  });
});
