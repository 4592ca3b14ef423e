import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from './helpers/server.js';
import { fixture } from './helpers/fixture.js';
import { join as joinMeeting, leave } from '../src/domain/meeting/meeting.js';
import { apiError } from '../src/contract/errors.js';

type Json = Record<string, any>;

/**
 * Changes of one meeting made at the same time are committed in groups (docs/decisions.md "Group
 * commit"): each caller still gets its own answer, the events are made from the meeting as each change
 * left it, and a refused change fails alone.
 */
describe('changes of one meeting committed together', () => {
  let s: TestServer;
  const members = Array.from({ length: 25 }, (_, i) => `member${String(i).padStart(2, '0')}`);
  const tokens: Record<string, string> = {};
  const call = async (user: string, path: string, body: unknown = {}): Promise<Json> => {
    const res = await fetch(`${s.url}${path}`, { method: 'POST', headers: { authorization: `Bearer ${tokens[user]}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    return (await res.json()) as Json;
  };

  beforeAll(async () => {
    s = await startTestServer({ config: { emptyMeetingGrace: 600_000 } });
    const acme = (await s.runtime.repos.apps.find(fixture.acme.full.appId))!;
    for (const name of ['alice', ...members]) tokens[name] = (await s.runtime.tokens.issueUserTokens(acme, name, acme.scopes, 'v1', Date.now())).accessToken;
  });
  afterAll(async () => {
    await s?.close();
    await s?.store.dispose();
  });

  it('many joins and leaves at once: every caller answered, every event once, in the order committed', async () => {
    // A reserved meeting: its joins and leaves are events (instant meetings only start and end).
    const reserve = await s.client(fixture.acme.full).vc.reserve.apply({
      params: { user_id_type: 'user_id' },
      data: { end_time: String(Math.floor(Date.now() / 1000) + 3600), owner_id: 'alice', meeting_settings: { topic: 'Crowd', password: '' } },
    });
    const meeting_no = reserve.data!.reserve!.meeting_no!;
    const started = await call('alice', '/client/v1/meetings/join', { meeting_no });
    const id = started.data.meeting.id as string;

    const joins = await Promise.all(members.map((u) => call(u, '/client/v1/meetings/join', { meeting_no })));
    expect(joins.map((r) => r.code)).toEqual(members.map(() => 0));
    // Half of them leave at once, and each leaves a second time (refused: the session has left).
    const leaving = members.filter((_, i) => i % 2 === 0);
    const sessionOf = new Map(members.map((u, i) => [u, joins[i]!.data.session_id as string]));
    const leaves = await Promise.all(leaving.map((u) => call(u, `/client/v1/sessions/${sessionOf.get(u)}/leave`)));
    expect(leaves.map((r) => r.code)).toEqual(leaving.map(() => 0));
    const again = await Promise.all(leaving.map((u) => call(u, `/client/v1/sessions/${sessionOf.get(u)}/leave`)));
    expect(again.map((r) => r.code)).toEqual(leaving.map(() => 122009));

    const loaded = (await s.runtime.repos.meetings.load('acme', id))!;
    const inMeeting = loaded.meeting.participants.filter((p) => p.status === 2).map((p) => p.userId);
    expect(inMeeting.sort()).toEqual(['alice', ...members.filter((_, i) => i % 2 === 1)].sort());
    expect(loaded.meeting.peak).toBe(members.length + 1);

    // Each join's event names its own participant, and carries the participant count as of that join.
    const rows = await s.runtime.repos.outbox.list('acme', 0, 1000, id);
    const joined = rows.filter((r) => r.event_type === 'vc.meeting.join_meeting_v1').map((r) => JSON.parse(r.payload) as Json);
    const left = rows.filter((r) => r.event_type === 'vc.meeting.leave_meeting_v1').map((r) => JSON.parse(r.payload) as Json);
    const who = (e: Json) => e.operator?.id?.$user as string;
    expect(joined.map(who).sort()).toEqual(['alice', ...members].sort());
    // In the order committed: the outbox lists the joins in the order the meeting took the participants in.
    expect(joined.map(who)).toEqual(loaded.meeting.participants.map((p) => p.userId));
    expect(left.map(who).sort()).toEqual([...leaving].sort());
    // Sessions ended for exactly the participants who left.
    for (const u of members) {
      const session = await s.runtime.repos.sessions.get(sessionOf.get(u)!);
      expect(session?.left_at !== null).toBe(leaving.includes(u));
    }
  });

  it('queued changes commit in one transaction; a refused one fails alone and the others commit', async () => {
    const reserve = await s.client(fixture.acme.full).vc.reserve.apply({
      params: { user_id_type: 'user_id' },
      data: { end_time: String(Math.floor(Date.now() / 1000) + 3600), owner_id: 'alice', meeting_settings: { topic: 'Refusals', password: '' } },
    });
    const started = await call('alice', '/client/v1/meetings/join', { meeting_no: reserve.data!.reserve!.meeting_no! });
    const id = started.data.meeting.id as string;
    const meetings = s.runtime.meetings;
    const versionOf = async () => (await s.runtime.repos.meetings.load('acme', id))!.version;
    const hold = () => {
      let release!: () => void;
      const held = new Promise<void>((r) => (release = r));
      const holding = meetings.mutate('acme', id, async () => {
        await held;
        return { events: [], result: 'held' };
      });
      return { release, holding };
    };

    // Two changes queued behind a held one: saved once, both answered (the held change saves once too).
    const before = await versionOf();
    const h = hold();
    const pair = [
      meetings.mutate('acme', id, (m, at) => ({ events: joinMeeting(m, { key: 'u:member01', userId: 'member01', userType: 1, tenantKey: 'acme', sessionId: 'g0', mayHost: true }, at), result: 'in' })),
      meetings.mutate('acme', id, (m, at) => ({ events: leave(m, 'u:member01', at), result: 'out' })),
    ];
    h.release();
    expect(await h.holding).toBe('held');
    expect(await Promise.all(pair)).toEqual(['in', 'out']);
    expect((await versionOf()) - before).toBe(2);

    // Hold the meeting with a slow change so that the next ones queue and commit as one group.
    const versionBefore = await versionOf();
    let release!: () => void;
    const held = new Promise<void>((r) => (release = r));
    const first = meetings.mutate('acme', id, async () => {
      await held;
      return { events: [], result: 'first' };
    });
    const queued = [
      meetings.mutate('acme', id, (m, at) => ({ events: joinMeeting(m, { key: 'u:member00', userId: 'member00', userType: 1, tenantKey: 'acme', sessionId: 'g1', mayHost: true }, at), result: 'joined' })),
      meetings.mutate('acme', id, () => {
        throw apiError('noPermission', 'refused on purpose');
      }),
      meetings.mutate('acme', id, (m, at) => ({ events: leave(m, 'u:member00', at), result: 'left' })),
    ];
    release();
    expect(await first).toBe('first');
    const settled = await Promise.allSettled(queued);
    expect(settled.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((settled[1] as PromiseRejectedResult).reason).toMatchObject({ code: 121005 });
    const { meeting: m, version } = (await s.runtime.repos.meetings.load('acme', id))!;
    // The held change saved once; the three queued as one group, and the refusal made the other two commit one by one (two saves).
    expect(version - versionBefore).toBe(3);
    expect(m.participants.find((p) => p.userId === 'member00')?.status).toBe(4);
    const moves = (await s.runtime.repos.outbox.list('acme', 0, 1000, id))
      .filter((r) => r.event_type === 'vc.meeting.join_meeting_v1' || r.event_type === 'vc.meeting.leave_meeting_v1')
      .map((r) => `${r.event_type.slice(11, 16)} ${(JSON.parse(r.payload) as Json).operator.id.$user}`);
    expect(moves).toEqual(['join_ alice', 'join_ member01', 'leave member01', 'join_ member00', 'leave member00']);
  });
});
