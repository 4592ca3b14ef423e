import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as lark from '@larksuiteoapi/node-sdk';
import { sdkError, startTestServer, type TestServer } from './helpers/server.js';
import { fixture } from './helpers/fixture.js';
import { awayFromMinuteBoundary } from './helpers/clock.js';
import { renderBody, tripleFor } from '../src/events/event-envelope.js';

type Json = Record<string, any>;
type Checker = [number, number, string[]];

const join3 = (...checkers: Checker[]) => [{ permission: 3, permission_checkers: checkers.map(([check_field, check_mode, check_list]) => ({ check_field, check_mode, check_list })) }];
const GUESTS_TOO = join3([2, 1, ['1', '5']]);

describe('guests', () => {
  let s: TestServer;
  let client: lark.Client;
  const tokens: Record<string, string> = {};

  const call = async (token: string | undefined, method: string, path: string, body?: unknown): Promise<{ status: number; body: Json }> => {
    const res = await fetch(`${s.url}${path}`, {
      method,
      headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      body: body !== undefined ? JSON.stringify(body) : undefined,
    });
    return { status: res.status, body: (await res.json()) as Json };
  };
  const ok = async (token: string | undefined, method: string, path: string, body?: unknown): Promise<Json> => {
    const r = await call(token, method, path, body);
    expect(r.body.code, JSON.stringify(r.body)).toBe(0);
    return r.body.data as Json;
  };
  const guestJoin = (body: Json) => call(undefined, 'POST', '/client/v1/meetings/guest_join', body);
  const outbox = async (meetingId: string) => (await s.runtime.repos.outbox.list('acme', 0, 1000, meetingId)).map((r) => ({ type: r.event_type, payload: JSON.parse(r.payload) as Json }));

  async function reserve(action_permissions: ReturnType<typeof join3>, extra: Json = {}) {
    const res = await client.vc.reserve.apply({
      params: { user_id_type: 'user_id' },
      data: { end_time: String(Math.floor(Date.now() / 1000) + 3600), owner_id: 'alice', meeting_settings: { topic: 'Open day', password: '', action_permissions, ...extra } },
    });
    return res.data!.reserve!;
  }

  beforeAll(async () => {
    s = await startTestServer({ config: { emptyMeetingGrace: 0 } });
    client = s.client(fixture.acme.full);
    const acme = (await s.runtime.repos.apps.find(fixture.acme.full.appId))!;
    for (const u of ['alice', 'bob']) tokens[u] = (await s.runtime.tokens.issueUserTokens(acme, u, acme.scopes, 'v1', Date.now())).accessToken;
  });
  afterAll(async () => {
    await s?.close();
    await s?.store.dispose();
  });

  it('joins a meeting whose reserve admits user type 5 under the name given, and shows as user_type 5 everywhere', async () => {
    const r = await reserve(GUESTS_TOO);
    const alice = await ok(tokens.alice, 'POST', '/client/v1/meetings/join', { meeting_no: r.meeting_no });
    const joined = await guestJoin({ meeting_no: r.meeting_no, name: '  Gus Guest ', device: { type: 'web', os: 'Linux' } });
    expect(joined.status).toBe(200);
    expect(joined.body.code).toBe(0);
    const g = joined.body.data as Json;
    expect(g.meeting).toMatchObject({ id: alice.meeting.id, meeting_no: r.meeting_no, host_user_id: 'alice', is_host: false });
    expect(g.guest).toMatchObject({ name: 'Gus Guest', expires_in: 12 * 3600 });
    expect(g.guest.id).toMatch(/^gu_[0-9a-f]{24}$/);
    expect(g.guest.access_token).toMatch(/^g-/);
    const token = g.guest.access_token as string;

    // the guest's own session calls
    await ok(token, 'POST', `/client/v1/sessions/${g.session_id}/heartbeat`);
    await ok(token, 'POST', `/client/v1/sessions/${g.session_id}/media`, { audio: true, video: true });
    await ok(token, 'POST', `/client/v1/sessions/${g.session_id}/share/start`);
    await ok(token, 'POST', `/client/v1/sessions/${g.session_id}/share/stop`);
    await ok(token, 'POST', `/client/v1/sessions/${g.session_id}/stats`, { samples: [{ minute: Math.floor(Date.now() / 1000), bitrate_kbps: 500 }] });
    expect((await ok(token, 'GET', `/client/v1/sessions/${g.session_id}/events`)).events).toEqual([]);

    // the Open API through the official SDK: the guest's ID and user_type 5, external, never the host
    const got = await client.vc.meeting.get({ path: { meeting_id: alice.meeting.id }, params: { with_participants: true } });
    expect(got.code).toBe(0);
    const guestRow = got.data!.meeting!.participants!.find((p) => p.user_type === 5);
    expect(guestRow).toMatchObject({ id: g.guest.id, user_type: 5, is_host: false, is_cohost: false, is_external: true, status: 2 });
    expect(got.data!.meeting!.participant_count).toBe('2');
    // with user_id a guest is still listed, by its guest ID (as rooms by their room_id)
    const byUserId = await client.vc.meeting.get({ path: { meeting_id: alice.meeting.id }, params: { with_participants: true, user_id_type: 'user_id' } });
    expect(byUserId.data!.meeting!.participants!.map((p) => p.id)).toEqual(['alice', g.guest.id]);
    const listed = await client.vc.meeting.listByNo({ params: { meeting_no: r.meeting_no!, start_time: String(Math.floor(Date.now() / 1000) - 60), end_time: String(Math.floor(Date.now() / 1000) + 60) } });
    expect(listed.data!.meeting_briefs!.map((m) => m.id)).toEqual([alice.meeting.id]);

    // the host sees them on the media roster's source: the participant carries the name
    const m = (await s.runtime.repos.meetings.load('acme', alice.meeting.id))!.meeting;
    expect(m.participants.find((p) => p.key === `g:${g.guest.id}`)).toMatchObject({ userType: 5, name: 'Gus Guest', userId: null, tenantKey: null });

    // vc.meeting.join_meeting_v1 for a guest: user_type 5, named by its guest ID (it has no open_id, union_id or user_id)
    const joins = (await outbox(alice.meeting.id)).filter((e) => e.type === 'vc.meeting.join_meeting_v1');
    const guestIds = { union_id: g.guest.id, user_id: g.guest.id, open_id: g.guest.id };
    expect(joins).toHaveLength(2);
    expect(joins[1]!.payload.operator).toEqual({ id: guestIds, user_role: 1, user_type: 5 });
    const acme = (await s.runtime.repos.apps.find(fixture.acme.full.appId))!;
    const rendered = renderBody(joins[1]!.payload, tripleFor(acme), 'acme') as Json;
    expect(rendered.operator).toEqual({ id: guestIds, user_role: 1, user_type: 5 });

    // the guest leaves: leave_meeting_v1 with leave_reason 1 and the guest as leave_user
    await ok(token, 'POST', `/client/v1/sessions/${g.session_id}/leave`);
    const leaves = (await outbox(alice.meeting.id)).filter((e) => e.type === 'vc.meeting.leave_meeting_v1');
    expect(leaves.map((e) => [e.payload.leave_reason, e.payload.leave_user, e.payload.operator])).toEqual([[1, { id: guestIds, user_role: 1, user_type: 5 }, { id: guestIds, user_role: 1, user_type: 5 }]]);

    // the same guest rejoins with their token (the page's "Join again"): same participant, a new session
    const again = await ok(token, 'POST', '/client/v1/meetings/join', { meeting_no: r.meeting_no });
    expect(again.session_id).not.toBe(g.session_id);
    const after = (await s.runtime.repos.meetings.load('acme', alice.meeting.id))!.meeting;
    expect(after.participants.filter((p) => p.userType === 5)).toHaveLength(1);
    expect(after.accumulated).toBe(2);

    // ended: the guest's pass is spent, the report counts them, the participant list names them
    await client.vc.meeting.end({ path: { meeting_id: alice.meeting.id } }, lark.withUserAccessToken(tokens.alice!));
    expect((await ok(token, 'GET', `/client/v1/sessions/${again.session_id}/events`)).events.map((e: Json) => e.type)).toEqual(['meeting_ended']);
    const late = await call(token, 'POST', '/client/v1/meetings/join', { meeting_no: r.meeting_no });
    expect([late.status, late.body.code]).toEqual([400, 122001]);
    const ended = (await s.runtime.repos.meetings.load('acme', alice.meeting.id))!.meeting;
    const sec = (ms: number) => String(Math.floor(ms / 1000));
    const twin = await client.vc.participantList.get({ params: { meeting_start_time: sec(ended.startedAt!), meeting_end_time: String(Math.floor(ended.endedAt! / 1000) + 1), meeting_no: r.meeting_no! } });
    expect(twin.data!.participants!.map((p) => [p.participant_name, p.is_external, p.user_id])).toEqual([
      ['Alice', false, expect.stringMatching(/^ou_/)],
      ['Gus Guest', true, ''],
    ]);
    const day = await client.vc.report.getDaily({ params: { start_time: sec(Date.now() - 86400_000), end_time: sec(Date.now()) } });
    expect(day.data!.meeting_report!.total_participant_count).toBe('2');
  });

  it('the host app kicks a guest out by guest ID and user_type 5; the guest is told and may not host', async () => {
    const r = await reserve(join3([2, 2, ['6', '7']]));
    const alice = await ok(tokens.alice, 'POST', '/client/v1/meetings/join', { meeting_no: r.meeting_no });
    const g = (await guestJoin({ meeting_no: r.meeting_no, name: 'Kim' })).body.data as Json;
    expect(g.meeting.id).toBe(alice.meeting.id);

    // host handover to a guest is refused: from the page and through the Open API
    const handover = await call(tokens.alice, 'POST', `/client/v1/sessions/${alice.session_id}/set_host`, { participant_key: `g:${g.guest.id}` });
    expect(handover.body.code).toBe(121005);
    const viaApi = await sdkError(client.vc.meeting.setHost({ path: { meeting_id: alice.meeting.id }, data: { host_user: { id: g.guest.id, user_type: 5 } } }));
    expect(viaApi.body.code).toBe(121005);

    const kicked = await client.vc.meeting.kickout({ path: { meeting_id: alice.meeting.id }, data: { kickout_users: [{ id: g.guest.id, user_type: 5 }] } });
    expect(kicked.data!.kickout_results).toEqual([{ id: g.guest.id, user_type: 5, result: 1 }]);
    const events = await ok(g.guest.access_token, 'GET', `/client/v1/sessions/${g.session_id}/events`);
    expect(events.events.map((e: Json) => e.type)).toEqual(['kicked_out']);
    expect((await call(g.guest.access_token, 'POST', `/client/v1/sessions/${g.session_id}/heartbeat`)).body.code).toBe(122009);
    const leave = (await outbox(alice.meeting.id)).find((e) => e.type === 'vc.meeting.leave_meeting_v1')!;
    expect(leave.payload).toMatchObject({ leave_reason: 3, leave_user: { id: {}, user_type: 5 }, operator: { id: {}, user_type: 1 } });
    // a guest ID of nobody in the meeting is a failed result, not an error
    const nobody = await client.vc.meeting.kickout({ path: { meeting_id: alice.meeting.id }, data: { kickout_users: [{ id: 'gu_000000000000000000000000', user_type: 5 }] } });
    expect(nobody.data!.kickout_results![0]!.result).toBe(2);

    // the host removes a guest from the page too
    const g2 = (await guestJoin({ meeting_no: r.meeting_no, name: 'Lee' })).body.data as Json;
    await ok(tokens.alice, 'POST', `/client/v1/sessions/${alice.session_id}/kickout`, { participant_key: `g:${g2.guest.id}` });
    expect((await ok(g2.guest.access_token, 'GET', `/client/v1/sessions/${g2.session_id}/events`)).events.map((e: Json) => e.type)).toEqual(['kicked_out']);
  });

  it('refuses guests where the meeting does not admit them, and bad input, with Feishu codes', async () => {
    const refused = async (body: Json, status: number, code: number) => {
      const res = await guestJoin(body);
      expect([res.status, res.body.code], JSON.stringify(res.body)).toEqual([status, code]);
      return res.body;
    };
    const instant = await ok(tokens.alice, 'POST', '/client/v1/meetings', { topic: 'Instant' });
    await refused({ meeting_no: instant.meeting.meeting_no, name: 'Gus' }, 403, 121005);

    const noPermission = await reserve([]);
    await refused({ meeting_no: noPermission.meeting_no, name: 'Gus' }, 403, 121005);
    const usersOnly = await reserve(join3([1, 2, ['bob']], [3, 2, ['globex']]));
    await refused({ meeting_no: usersOnly.meeting_no, name: 'Gus' }, 403, 121005);
    const blacklisted = await reserve(join3([2, 2, ['5']]));
    const body = await refused({ meeting_no: blacklisted.meeting_no, name: 'Gus' }, 403, 121005);
    expect(body.msg).toMatch(/guests/);
    // …the same reserve still lets its users in
    await ok(tokens.bob, 'POST', '/client/v1/meetings/join', { meeting_no: blacklisted.meeting_no });

    const open = await reserve(GUESTS_TOO);
    for (const name of ['', '   ', 'x'.repeat(65), 'a\u0000b']) {
      const res = await refused({ meeting_no: open.meeting_no, name }, 400, 99992402);
      expect(res.error.field_violations[0].field).toBe('name');
    }
    await refused({ meeting_no: open.meeting_no }, 400, 99992402);
    await refused({ meeting_no: '12345', name: 'Gus' }, 400, 99992402);
    await refused({ meeting_no: '123456780', name: 'Gus' }, 404, 122002);
    const locked = await reserve(GUESTS_TOO, { password: '2468' });
    await refused({ meeting_no: locked.meeting_no, name: 'Gus' }, 403, 121005);
    // a guest may be the first in: the meeting starts, with no host until someone who may host arrives
    const first = (await guestJoin({ meeting_no: locked.meeting_no, name: 'Gus', password: '2468' })).body as Json;
    expect(first.code).toBe(0);
    expect(first.data.meeting).toMatchObject({ status: 2, host_user_id: null, is_host: false });
    const hostless = await client.vc.meeting.get({ path: { meeting_id: first.data.meeting.id } });
    expect(hostless.data!.meeting!.host_user).toBeUndefined();
    const owner = await ok(tokens.alice, 'POST', '/client/v1/meetings/join', { meeting_no: locked.meeting_no, password: '2468' });
    expect(owner.meeting).toMatchObject({ id: first.data.meeting.id, host_user_id: 'alice', is_host: true });

    // a meeting that has ended: its number no longer names a meeting
    const over = await ok(tokens.alice, 'POST', '/client/v1/meetings', {});
    await ok(tokens.alice, 'POST', `/client/v1/sessions/${over.session_id}/end`);
    await refused({ meeting_no: over.meeting.meeting_no, name: 'Gus' }, 404, 122002);
    // nothing of the refusals was kept: no guest joined the instant meeting
    const m = (await s.runtime.repos.meetings.load('acme', instant.meeting.id))!.meeting;
    expect(m.participants.map((p) => p.key)).toEqual(['u:alice']);
  });

  it("a guest's token works only for that guest's session calls in that meeting", async () => {
    const r = await reserve(GUESTS_TOO);
    const other = await reserve(GUESTS_TOO);
    const alice = await ok(tokens.alice, 'POST', '/client/v1/meetings/join', { meeting_no: r.meeting_no });
    const bob = await ok(tokens.bob, 'POST', '/client/v1/meetings/join', { meeting_no: other.meeting_no });
    const g = (await guestJoin({ meeting_no: r.meeting_no, name: 'Gus' })).body.data as Json;
    const token = g.guest.access_token as string;

    // not the Open API, through the SDK or plain HTTP
    const viaSdk = await sdkError(client.vc.meeting.get({ path: { meeting_id: alice.meeting.id } }, lark.withUserAccessToken(token)));
    expect([viaSdk.status, viaSdk.body.code]).toEqual([400, 99991668]);
    expect((await call(token, 'GET', `/open-apis/vc/v1/meetings/${alice.meeting.id}`)).body.code).toBe(99991668);
    expect((await call(token, 'POST', '/open-apis/vc/v1/reserves/apply', { end_time: '1' })).body.code).toBe(99991668);
    // not another meeting, nor the user-only and host calls of the protocol
    const elsewhere = await call(token, 'POST', '/client/v1/meetings/join', { meeting_no: other.meeting_no });
    expect([elsewhere.status, elsewhere.body.code]).toEqual([403, 121005]);
    for (const [method, path, body] of [
      ['POST', '/client/v1/meetings', {}],
      ['POST', `/client/v1/meetings/${alice.meeting.id}/decline`, undefined],
      ['GET', '/client/v1/events', undefined],
      ['POST', `/client/v1/sessions/${g.session_id}/end`, undefined],
      ['POST', `/client/v1/sessions/${g.session_id}/lock`, undefined],
      ['POST', `/client/v1/sessions/${g.session_id}/kickout`, { participant_key: 'u:alice' }],
      ['POST', `/client/v1/sessions/${g.session_id}/set_host`, { participant_key: `g:${g.guest.id}` }],
      ['POST', `/client/v1/rooms/room1/join`, { meeting_no: r.meeting_no }],
    ] as const) {
      expect((await call(token, method, path, body)).body.code, `${method} ${path}`).toBe(99991668);
    }
    // not someone else's session, and nobody else can use the guest's
    expect((await call(token, 'POST', `/client/v1/sessions/${bob.session_id}/heartbeat`)).body.code).toBe(121004);
    expect((await call(token, 'GET', `/client/v1/sessions/${alice.session_id}/events`)).body.code).toBe(121004);
    expect((await call(tokens.bob, 'POST', `/client/v1/sessions/${g.session_id}/leave`)).body.code).toBe(121004);
    // a made-up guest token is no token
    expect((await call('g-nonsense', 'POST', `/client/v1/sessions/${g.session_id}/heartbeat`)).body.code).toBe(99991668);
    // and the guest is still in: none of that touched the session
    await ok(token, 'POST', `/client/v1/sessions/${g.session_id}/heartbeat`);
  });
});

describe('guest join rate limit', () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await startTestServer({ seed: null });
  });
  afterAll(async () => {
    await s?.close();
    await s?.store.dispose();
  });

  it('counts joins per address: 30 a minute, then 429 / 99991400', async () => {
    const join = () => fetch(`${s.url}/client/v1/meetings/guest_join`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ meeting_no: '123456780', name: 'Gus' }) });
    const codes = [];
    await awayFromMinuteBoundary();
    for (let i = 0; i < 30; i++) codes.push(((await (await join()).json()) as Json).code);
    expect(new Set(codes)).toEqual(new Set([122002]));
    const over = await join();
    expect(over.status).toBe(429);
    expect(((await over.json()) as Json).code).toBe(99991400);
  });
});
