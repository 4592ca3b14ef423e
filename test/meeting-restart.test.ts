import { afterAll, describe, expect, it } from 'vitest';
import { TestStore, startTestServer, type TestServer } from './helpers/server.js';
import { fixture } from './helpers/fixture.js';

type Json = Record<string, any>;

/**
 * A server goes away mid-meeting (its clients stop heartbeating with it). The next server on the same
 * store drops the silent sessions and ends the empty meeting: every join gets its leave, the start its end.
 */
describe('a restart in the middle of a meeting', () => {
  const store = new TestStore();
  let second: TestServer | undefined;
  afterAll(async () => {
    await second?.close();
    await store.dispose();
  });

  it('pairs every event after the restart', async () => {
    const config = { heartbeatTimeout: 1, emptyMeetingGrace: 0 };
    const first = await startTestServer({ store, config });
    const acme = (await first.runtime.repos.apps.find(fixture.acme.full.appId))!;
    const token = async (u: string) => (await first.runtime.tokens.issueUserTokens(acme, u, acme.scopes, 'v1', Date.now())).accessToken;
    const post = async (tok: string, path: string, body: unknown): Promise<Json> => {
      const res = await fetch(`${first.url}${path}`, { method: 'POST', headers: { authorization: `Bearer ${tok}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
      const json = (await res.json()) as Json;
      expect(json.code, JSON.stringify(json)).toBe(0);
      return json.data as Json;
    };
    const r = await first.client(fixture.acme.full).vc.reserve.apply({
      params: { user_id_type: 'user_id' },
      data: { end_time: String(Math.floor(Date.now() / 1000) + 3600), owner_id: 'alice', meeting_settings: { topic: 'Restart', password: '' } },
    });
    const no = r.data!.reserve!.meeting_no!;
    const alice = await post(await token('alice'), '/client/v1/meetings/join', { meeting_no: no });
    await post(await token('bob'), '/client/v1/meetings/join', { meeting_no: no });
    const meetingId = alice.meeting.id as string;
    await first.close();

    second = await startTestServer({ store, seed: null, config });
    const s = second;
    const types = async () => (await s.runtime.repos.outbox.list('acme', 0, 100, meetingId)).map((e) => e.event_type.replace('vc.meeting.', '').replace('_v1', ''));
    await expect.poll(types, { timeout: 10_000, interval: 200 }).toContain('meeting_ended');
    const all = await types();
    // the per-participant events (participant_meeting_*) interleave; the meeting's own pairs are checked in order
    const seen = all.filter((t) => !t.startsWith('participant_meeting_'));
    const perParticipant = all.filter((t) => t.startsWith('participant_meeting_'));
    expect(perParticipant.filter((t) => t === 'participant_meeting_joined')).toHaveLength(2);
    expect(perParticipant.filter((t) => t === 'participant_meeting_ended')).toHaveLength(2);
    expect(seen.filter((t) => t === 'join_meeting')).toHaveLength(2);
    expect(seen.filter((t) => t === 'leave_meeting')).toHaveLength(2);
    expect(seen.slice(-2)).toEqual(['meeting_ended', 'all_meeting_ended']);
    expect(seen.slice(0, 2)).toEqual(['meeting_started', 'all_meeting_started']);
    const m = await s.client(fixture.acme.full).vc.meeting.get({ path: { meeting_id: meetingId } });
    expect(m.data!.meeting!.status).toBe(3);
    const sessions = await s.runtime.store.db.selectFrom('participant_sessions').select('leave_reason').where('meeting_id', '=', meetingId).execute();
    expect(sessions.map((x) => x.leave_reason)).toEqual(['network', 'network']);
  }, 30_000);
});
