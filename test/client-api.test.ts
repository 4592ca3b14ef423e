import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './helpers/server.js';
import { fixture } from './helpers/fixture.js';
import { MEETING_STATUS, PARTICIPANT_STATUS } from '../src/domain/meeting/meeting.js';

type Json = Record<string, any>;

describe('participant protocol', () => {
  let s: TestServer;
  const tokens: Record<string, string> = {};

  const call = async (user: string, method: string, path: string, body?: unknown): Promise<{ status: number; body: Json }> => {
    const res = await fetch(`${s.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${tokens[user]}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      body: body !== undefined ? JSON.stringify(body) : undefined,
    });
    return { status: res.status, body: (await res.json()) as Json };
  };
  const ok = async (user: string, method: string, path: string, body?: unknown): Promise<Json> => {
    const r = await call(user, method, path, body);
    expect(r.body.code, JSON.stringify(r.body)).toBe(0);
    return r.body.data as Json;
  };
  const outbox = async (meetingId: string) =>
    (await s.runtime.repos.outbox.list('acme', 0, 1000, meetingId)).map((r) => ({ type: r.event_type, payload: JSON.parse(r.payload) as Json }));

  beforeAll(async () => {
    s = await startTestServer({ config: { emptyMeetingGrace: 0 } });
    const apps = { acme: (await s.runtime.repos.apps.find(fixture.acme.full.appId))!, globex: (await s.runtime.repos.apps.find(fixture.globex.full.appId))! };
    const users = ['alice', 'bob', ...Array.from({ length: 25 }, (_, i) => `member${String(i).padStart(2, '0')}`)];
    for (const u of users) tokens[u] = (await s.runtime.tokens.issueUserTokens(apps.acme, u, apps.acme.scopes, 'v1', Date.now())).accessToken;
    tokens.gina = (await s.runtime.tokens.issueUserTokens(apps.globex, 'gina', apps.globex.scopes, 'v1', Date.now())).accessToken;
  });
  afterAll(async () => {
    await s?.close();
    await s?.store.dispose();
  });

  it('starts an instant meeting, lets others join by number, and records who did what', async () => {
    const started = await ok('alice', 'POST', '/client/v1/meetings', { topic: 'Stand-up', device: { type: 'web', client_version: '1.0', network_type: 'wifi' } });
    expect(started.meeting).toMatchObject({ topic: 'Stand-up', status: MEETING_STATUS.inProgress, host_user_id: 'alice', is_host: true });
    expect(started.meeting.id).toMatch(/^[1-9]\d{18}$/);
    expect(started.meeting.meeting_no).toMatch(/^9\d{8}$/);
    const joined = await ok('bob', 'POST', '/client/v1/meetings/join', { meeting_no: started.meeting.meeting_no });
    expect(joined.meeting).toMatchObject({ id: started.meeting.id, host_user_id: 'alice', is_host: false });
    const external = await ok('gina', 'POST', '/client/v1/meetings/join', { meeting_no: started.meeting.meeting_no });
    expect(external.meeting.id).toBe(started.meeting.id);

    await ok('bob', 'POST', `/client/v1/sessions/${joined.session_id}/heartbeat`);
    await ok('bob', 'POST', `/client/v1/sessions/${joined.session_id}/media`, { audio: true, video: true });
    await ok('bob', 'POST', `/client/v1/sessions/${joined.session_id}/share/start`);
    await ok('bob', 'POST', `/client/v1/sessions/${joined.session_id}/stats`, { samples: [{ minute: Math.floor(Date.now() / 1000), bitrate_kbps: 800, packet_loss: 0.01 }] });
    // a minute far outside the session (minutes since 1970 instead of seconds; an hour ahead) is refused, and nothing of the batch is kept
    for (const minute of [Math.floor(Date.now() / 60_000), Math.floor(Date.now() / 1000) + 3600]) {
      const wrong = await call('bob', 'POST', `/client/v1/sessions/${joined.session_id}/stats`, { samples: [{ minute: Math.floor(Date.now() / 1000), bitrate_kbps: 1 }, { minute, bitrate_kbps: 2 }] });
      expect(wrong.status).toBe(400);
      expect(wrong.body).toMatchObject({ code: 99992402, error: { field_violations: [{ field: 'samples[1].minute', value: String(minute) }] } });
    }
    const kept = await s.runtime.store.db.selectFrom('quality_samples').select('sample').where('session_id', '=', joined.session_id).execute();
    expect(kept.map((r) => JSON.parse(r.sample).bitrate_kbps)).toEqual([800]);
    await ok('alice', 'POST', `/client/v1/sessions/${started.session_id}/leave`);

    // bob is told the host changed (the earliest joiner still present hosts now)
    const events = await ok('bob', 'GET', `/client/v1/sessions/${joined.session_id}/events`);
    expect(events.events.map((e: Json) => e.type)).toEqual(['host_changed']);
    expect(events.events[0].payload).toMatchObject({ meeting_id: started.meeting.id, host: { user_id: 'bob' } });
    // and nothing newer after that
    expect((await ok('bob', 'GET', `/client/v1/sessions/${joined.session_id}/events?after=${events.next}`)).events).toEqual([]);

    // another user cannot touch bob's session; a left session cannot leave twice
    expect((await call('alice', 'POST', `/client/v1/sessions/${joined.session_id}/leave`)).body.code).toBe(121004);
    const again = await call('alice', 'POST', `/client/v1/sessions/${started.session_id}/leave`);
    expect(again.status).toBe(400);
    expect(again.body.code).toBe(122009);

    const { meeting } = (await s.runtime.repos.meetings.load('acme', started.meeting.id))!;
    expect(meeting.ability).toMatchObject({ use_audio: true, use_video: true, use_share_screen: true });
    expect(meeting.participants.map((p) => [p.key, p.status])).toEqual([
      ['u:alice', PARTICIPANT_STATUS.left],
      ['u:bob', PARTICIPANT_STATUS.inMeeting],
      ['x:globex:gina', PARTICIPANT_STATUS.inMeeting],
    ]);
    expect(meeting).toMatchObject({ peak: 3, accumulated: 3, hostKey: 'u:bob', sharingKey: 'u:bob' });
    expect(await s.runtime.repos.sessions.samples(joined.session_id)).toHaveLength(1);

    // an instant meeting only produces the tenant-wide started event so far, and the per-participant ones
    expect((await outbox(started.meeting.id)).map((e) => e.type).filter((t) => !t.includes('.participant_meeting_'))).toEqual(['vc.meeting.all_meeting_started_v1']);

    await ok('bob', 'POST', `/client/v1/sessions/${joined.session_id}/leave`);
    await ok('gina', 'POST', `/client/v1/sessions/${external.session_id}/leave`);
    // empty: the end-if-empty job (grace 0 s here) ends it
    await s.runtime.jobs.runDue();
    const ended = (await s.runtime.repos.meetings.load('acme', started.meeting.id))!.meeting;
    expect(ended.status).toBe(MEETING_STATUS.ended);
    expect((await outbox(started.meeting.id)).map((e) => e.type).filter((t) => !t.includes('.participant_meeting_'))).toEqual(['vc.meeting.all_meeting_started_v1', 'vc.meeting.all_meeting_ended_v1']);
    const joinAgain = await call('bob', 'POST', '/client/v1/meetings/join', { meeting_no: started.meeting.meeting_no });
    expect(joinAgain.status).toBe(404);
    expect(joinAgain.body.code).toBe(122002);
  });

  it('a session that stops heartbeating leaves with the network reason', async () => {
    const started = await ok('alice', 'POST', '/client/v1/meetings', {});
    const bob = await ok('bob', 'POST', '/client/v1/meetings/join', { meeting_no: started.meeting.meeting_no });
    // Bob's last heartbeat lies past the timeout (set in the store: a state, not a wait that a busy machine
    // could stretch until alice's session went stale too).
    await s.runtime.store.db.updateTable('participant_sessions').set({ last_seen_at: Date.now() - (s.runtime.config.heartbeatTimeout + 5) * 1000 }).where('id', '=', bob.session_id).execute();
    await ok('alice', 'POST', `/client/v1/sessions/${started.session_id}/heartbeat`);
    expect(await s.runtime.meetings.dropStaleSessions()).toBeGreaterThanOrEqual(1);
    const session = await s.runtime.repos.sessions.get(bob.session_id);
    expect(session).toMatchObject({ leave_reason: 'network' });
    const hb = await call('bob', 'POST', `/client/v1/sessions/${bob.session_id}/heartbeat`);
    expect(hb.body.code).toBe(122009);
    const m = (await s.runtime.repos.meetings.load('acme', started.meeting.id))!.meeting;
    expect(m.participants.find((p) => p.key === 'u:bob')?.status).toBe(PARTICIPANT_STATUS.left);
    expect(m.hostKey).toBe('u:alice');
  });

  it('concurrent joins never lose a participant', async () => {
    const started = await ok('alice', 'POST', '/client/v1/meetings', {});
    const members = Object.keys(tokens).filter((u) => u.startsWith('member'));
    const results = await Promise.all(members.map((u) => call(u, 'POST', '/client/v1/meetings/join', { meeting_no: started.meeting.meeting_no })));
    expect(results.map((r) => r.body.code)).toEqual(members.map(() => 0));
    const m = (await s.runtime.repos.meetings.load('acme', started.meeting.id))!.meeting;
    expect(m.participants.filter((p) => p.status === PARTICIPANT_STATUS.inMeeting)).toHaveLength(members.length + 1);
    expect(m.peak).toBe(members.length + 1);
  });

  it('bad input gets its code and changes nothing', async () => {
    expect((await call('alice', 'POST', '/client/v1/meetings/join', { meeting_no: '12345' })).body.code).toBe(99992402);
    expect((await call('alice', 'POST', '/client/v1/meetings/join', { meeting_no: '111111111' })).body.code).toBe(122002);
    expect((await call('alice', 'POST', '/client/v1/sessions/ps_nope/heartbeat')).body.code).toBe(121004);
    const t = await fetch(`${s.url}/client/v1/meetings`, { method: 'POST', headers: { authorization: `Bearer t-whatever` } });
    expect(((await t.json()) as Json).code).toBe(99991663);
  });
});
