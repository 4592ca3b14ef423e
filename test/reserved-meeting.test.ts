import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as lark from '@larksuiteoapi/node-sdk';
import { sdkError, startTestServer, type TestServer } from './helpers/server.js';
import { fixture } from './helpers/fixture.js';
import { renderEvent, tripleFor } from '../src/events/event-envelope.js';
import { deriveOpenId, deriveUnionId } from '../src/domain/ids.js';

type Json = Record<string, any>;

describe('a reserved meeting, end to end', () => {
  let s: TestServer;
  let client: lark.Client;
  const tokens: Record<string, string> = {};

  const call = async (user: string, method: string, path: string, body?: unknown): Promise<Json> => {
    const res = await fetch(`${s.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${tokens[user]}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      body: body !== undefined ? JSON.stringify(body) : undefined,
    });
    return (await res.json()) as Json;
  };
  // The per-participant events (participant_meeting_*) are tested in meeting-events and sdk-conformance.
  const events = async (meetingId?: string) => (await s.runtime.repos.outbox.list('acme', 0, 1000, meetingId)).filter((r) => !r.event_type.includes('.participant_meeting_'));

  beforeAll(async () => {
    s = await startTestServer({ config: { emptyMeetingGrace: 0 } });
    client = s.client(fixture.acme.full);
    const acme = (await s.runtime.repos.apps.find(fixture.acme.full.appId))!;
    const globex = (await s.runtime.repos.apps.find(fixture.globex.full.appId))!;
    for (const u of ['alice', 'bob', 'member00', 'member01']) tokens[u] = (await s.runtime.tokens.issueUserTokens(acme, u, acme.scopes, 'v1', Date.now())).accessToken;
    tokens.gina = (await s.runtime.tokens.issueUserTokens(globex, 'gina', globex.scopes, 'v1', Date.now())).accessToken;
  });
  afterAll(async () => {
    await s?.close();
    await s?.store.dispose();
  });

  async function reserve(extra: Json = {}) {
    const res = await client.vc.reserve.apply({
      params: { user_id_type: 'user_id' },
      data: {
        end_time: String(Math.floor(Date.now() / 1000) + 3600),
        owner_id: 'alice',
        meeting_settings: {
          topic: 'Planning',
          password: '1234',
          action_permissions: [{ permission: 3, permission_checkers: [{ check_field: 1, check_mode: 1, check_list: ['alice', 'bob', 'member00'] }] }],
          assign_host_list: [{ user_type: 1, id: 'member00' }],
          ...extra,
        },
      },
    });
    return res.data!.reserve!;
  }

  it('opens on the first join, applies password and join permissions, and emits paired events', async () => {
    const r = await reserve();
    expect((await sdkError(client.vc.reserve.getActiveMeeting({ path: { reserve_id: r.id! } }))).body.code).toBe(121004);

    expect((await call('bob', 'POST', '/client/v1/meetings/join', { meeting_no: r.meeting_no })).code).toBe(121005);
    expect((await call('bob', 'POST', '/client/v1/meetings/join', { meeting_no: r.meeting_no, password: '0000' })).code).toBe(121005);
    const bob = await call('bob', 'POST', '/client/v1/meetings/join', { meeting_no: r.meeting_no, password: '1234' });
    expect(bob.code).toBe(0);
    expect(bob.data.meeting).toMatchObject({ meeting_no: r.meeting_no, topic: 'Planning', host_user_id: 'bob', is_host: true });
    // not on the reserve's join list: a user of the tenant, and a user of another tenant
    expect((await call('member01', 'POST', '/client/v1/meetings/join', { meeting_no: r.meeting_no, password: '1234' })).code).toBe(121005);
    expect((await call('gina', 'POST', '/client/v1/meetings/join', { meeting_no: r.meeting_no, password: '1234' })).code).toBe(121005);
    // the owner takes the host role when she joins
    const alice = await call('alice', 'POST', '/client/v1/meetings/join', { meeting_no: r.meeting_no, password: '1234' });
    expect(alice.data.meeting).toMatchObject({ id: bob.data.meeting.id, host_user_id: 'alice', is_host: true });

    const active = await client.vc.reserve.getActiveMeeting({ path: { reserve_id: r.id! }, params: { with_participants: true, user_id_type: 'user_id' } });
    expect(active.data!.meeting).toMatchObject({ id: bob.data.meeting.id, status: 2, host_user: { id: 'alice', user_type: 1 }, password: '1234', participant_count: '2' });
    expect(active.data!.meeting!.participants!.map((p) => p.id)).toEqual(['bob', 'alice']);

    // alice leaves; the designated host is not here, so bob (earliest joiner) hosts; the app kicks bob out
    await call('alice', 'POST', `/client/v1/sessions/${alice.data.session_id}/leave`);
    const kicked = await client.vc.meeting.kickout({ path: { meeting_id: bob.data.meeting.id }, params: { user_id_type: 'user_id' }, data: { kickout_users: [{ id: 'bob', user_type: 1 }] } });
    expect(kicked.data!.kickout_results![0]!.result).toBe(1);
    await s.runtime.jobs.runDue();

    const rows = await events(bob.data.meeting.id);
    const summary = rows.map((e) => {
      const p = JSON.parse(e.payload) as Json;
      return `${e.event_type.replace('vc.meeting.', '')}${p.leave_reason ? `:${p.leave_reason}` : ''}${p.operator?.id?.$user ? `@${p.operator.id.$user}` : ''}`;
    });
    expect(summary).toEqual([
      'meeting_started_v1@bob',
      'all_meeting_started_v1@bob',
      'join_meeting_v1@bob',
      'join_meeting_v1@alice',
      'leave_meeting_v1:1@alice',
      'leave_meeting_v1:3',
      'meeting_ended_v1',
      'all_meeting_ended_v1',
    ]);
    // rendered for an app, the kick-out reads as in events.md
    const leave = renderEvent(rows[5]!, { appId: fixture.acme.full.appId, verificationToken: 'v' }, tripleFor((await s.runtime.repos.apps.find(fixture.acme.full.appId))!)) as Json;
    expect(leave.event).toMatchObject({
      meeting: { id: bob.data.meeting.id, topic: 'Planning', meeting_no: r.meeting_no, meeting_source: 4 },
      leave_reason: 3,
      leave_user: { id: { union_id: deriveUnionId('acme', 'bob'), user_id: 'bob', open_id: deriveOpenId(fixture.acme.full.appId, 'acme', 'bob') }, user_role: 1, user_type: 1 },
      // the app that kicked bob out, named by its app_id
      operator: { id: { union_id: fixture.acme.full.appId, user_id: fixture.acme.full.appId, open_id: fixture.acme.full.appId }, user_role: 1, user_type: 1 },
    });
    expect(leave.event.meeting.owner.id.user_id).toBe('alice');
  });

  it('the same number opens a new meeting after the last one ended; list_by_no pages through them', async () => {
    const r = await reserve();
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const j = await call('member00', 'POST', '/client/v1/meetings/join', { meeting_no: r.meeting_no, password: '1234' });
      expect(j.code).toBe(0);
      ids.push(j.data.meeting.id);
      await call('member00', 'POST', `/client/v1/sessions/${j.data.session_id}/leave`);
      await s.runtime.jobs.runDue();
    }
    expect(new Set(ids).size).toBe(3);
    const now = Math.floor(Date.now() / 1000);
    const seen: string[] = [];
    for await (const page of await client.vc.meeting.listByNoWithIterator({ params: { meeting_no: r.meeting_no!, start_time: String(now - 600), end_time: String(now + 600), page_size: 1 } })) {
      for (const m of page?.meeting_briefs ?? []) seen.push(m.id!);
    }
    expect(seen).toEqual(ids);
  });

  it('host and invite permissions of the reserve apply', async () => {
    const r = await reserve({
      password: '',
      action_permissions: [
        { permission: 1, permission_checkers: [{ check_field: 1, check_mode: 1, check_list: ['alice'] }] },
        { permission: 2, permission_checkers: [{ check_field: 1, check_mode: 1, check_list: ['alice'] }] },
      ],
      assign_host_list: [],
    });
    const bob = await call('bob', 'POST', '/client/v1/meetings/join', { meeting_no: r.meeting_no });
    expect(bob.data.meeting).toMatchObject({ host_user_id: null, is_host: false });
    const alice = await call('alice', 'POST', '/client/v1/meetings/join', { meeting_no: r.meeting_no });
    expect(alice.data.meeting).toMatchObject({ host_user_id: 'alice', is_host: true });
    const p = { path: { meeting_id: bob.data.meeting.id }, params: { user_id_type: 'user_id' as const } };
    const toBob = await sdkError(client.vc.meeting.setHost({ ...p, data: { host_user: { id: 'bob', user_type: 1 } } }));
    expect([toBob.status, toBob.body.code]).toEqual([403, 121005]);
    const inviteByBob = await sdkError(client.vc.meeting.invite({ ...p, data: { invitees: [{ id: 'member01', user_type: 1 }] } }, lark.withUserAccessToken(tokens.bob!)));
    expect([inviteByBob.status, inviteByBob.body.code]).toEqual([403, 121005]);
    const byAlice = await client.vc.meeting.invite({ ...p, data: { invitees: [{ id: 'member01', user_type: 1 }] } }, lark.withUserAccessToken(tokens.alice!));
    expect(byAlice.data!.invite_results![0]!.status).toBe(1);
    // when alice leaves, nobody else may host
    await call('alice', 'POST', `/client/v1/sessions/${alice.data.session_id}/leave`);
    const after = await client.vc.meeting.get({ path: { meeting_id: bob.data.meeting.id } });
    expect(after.data!.meeting!.host_user).toBeUndefined();
  });

  it('a 1v1 call to a phone shows the callee as a calling PSTN participant', async () => {
    const res = await client.vc.reserve.apply({
      params: { user_id_type: 'user_id' },
      data: {
        owner_id: 'alice',
        meeting_settings: { topic: 'Call', meeting_initial_type: 2, call_setting: { callee: { user_type: 6, pstn_sip_info: { nickname: 'Front desk', main_address: '+86-13800000000' } } } },
      },
    });
    const r = res.data!.reserve!;
    const alice = await call('alice', 'POST', '/client/v1/meetings/join', { meeting_no: r.meeting_no, password: r.password });
    expect(alice.code).toBe(0);
    const m = await client.vc.meeting.get({ path: { meeting_id: alice.data.meeting.id }, params: { with_participants: true } });
    const phone = m.data!.meeting!.participants!.find((x) => x.user_type === 6);
    expect(phone).toMatchObject({ status: 1, is_host: false, first_join_time: '0' });
    const byUserId = await client.vc.meeting.get({ path: { meeting_id: alice.data.meeting.id }, params: { with_participants: true, user_id_type: 'user_id' } });
    // the phone being called is listed whatever the user_id_type, by the ID it has in every type
    expect(byUserId.data!.meeting!.participants!.map((x) => x.id)).toEqual([phone!.id, 'alice']);
  });

  it('auto_record: the meeting records from its first join and stops at its end', async () => {
    const r = await reserve({ password: '', auto_record: true, action_permissions: [] });
    const alice = await call('alice', 'POST', '/client/v1/meetings/join', { meeting_no: r.meeting_no });
    const id = alice.data.meeting.id;
    const m = await client.vc.meeting.get({ path: { meeting_id: id }, params: { with_meeting_ability: true } });
    expect(m.data!.meeting!.ability!.use_recording).toBe(true);
    expect((await client.vc.meeting.end({ path: { meeting_id: id } }, lark.withUserAccessToken(tokens.alice!))).code).toBe(0);
    const rows = await events(id);
    const types = rows.map((e) => e.event_type.replace('vc.meeting.', ''));
    expect(types).toEqual([
      'meeting_started_v1',
      'all_meeting_started_v1',
      'join_meeting_v1',
      'recording_started_v1',
      'recording_ended_v1',
      'leave_meeting_v1',
      'meeting_ended_v1',
      'all_meeting_ended_v1',
    ]);
    const started = JSON.parse(rows[3]!.payload) as Json;
    expect(started.operator).toEqual({ id: {}, user_role: 1, user_type: 1 });
    expect(started.meeting.meeting_no).toBe(r.meeting_no);
  });

  it('an expiring reserve ends its live meeting', async () => {
    const r = await reserve();
    const j = await call('alice', 'POST', '/client/v1/meetings/join', { meeting_no: r.meeting_no, password: '1234' });
    const past = Date.now() - 1000;
    await s.runtime.store.db.updateTable('reserves').set({ end_time: past }).where('id', '=', r.id!).execute();
    await s.runtime.store.db.updateTable('jobs').set({ run_at: past }).where('dedupe_key', '=', `reserve.expire:${r.id}`).execute();
    await s.runtime.jobs.runDue();
    const m = await client.vc.meeting.get({ path: { meeting_id: j.data.meeting.id } });
    expect(m.data!.meeting!.status).toBe(3);
    expect((await events(j.data.meeting.id)).map((e) => e.event_type).slice(-3)).toEqual(['vc.meeting.leave_meeting_v1', 'vc.meeting.meeting_ended_v1', 'vc.meeting.all_meeting_ended_v1']);
    expect((await call('alice', 'POST', '/client/v1/meetings/join', { meeting_no: r.meeting_no, password: '1234' })).code).toBe(122002);
  });
});
