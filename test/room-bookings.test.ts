import * as lark from '@larksuiteoapi/node-sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestStore, dialect, startTestServer, type TestServer } from './helpers/server.js';
import { ok } from './helpers/sdk.js';
import { fixture, fixtureSeed } from './helpers/fixture.js';
import { MEETING_STATUS } from '../src/domain/meeting/meeting.js';

type Json = Record<string, any>;
type Reply = { status: number; body: Json };

const HOUR = 3600;
/** Unix seconds, `s` seconds from now. */
const at = (s: number) => Math.floor(Date.now() / 1000) + s;
const BASE = '/openvc/v1/room_bookings';
/** An app of acme holding no reserve or room scope. */
const narrow = fixture.acme.narrow;
/** Check-in window of the main server: 0.02 min = 1.2 s, so that the no-check-in release comes quickly. */
const WINDOW_MIN = 0.02;

describe(`room bookings (${dialect})`, () => {
  let s: TestServer;
  let acme: lark.Client;
  const tokens: Record<string, string> = {};
  const rooms: Record<string, string> = {};
  const levels: Record<string, string> = {};

  const call = async (who: string, method: string, path: string, body?: unknown): Promise<Reply> => {
    const res = await fetch(`${s.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${tokens[who]}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      body: body !== undefined ? JSON.stringify(body) : undefined,
    });
    return { status: res.status, body: (await res.json()) as Json };
  };
  const okCall = async (who: string, method: string, path: string, body?: unknown): Promise<Json> => {
    const r = await call(who, method, path, body);
    expect(r.body.code, JSON.stringify(r.body)).toBe(0);
    return r.body.data as Json;
  };
  /** [HTTP status, code] of a call that must fail. */
  const refused = async (who: string, method: string, path: string, body?: unknown): Promise<[number, number]> => {
    const r = await call(who, method, path, body);
    return [r.status, r.body.code as number];
  };
  const book = async (who: string, body: Json) => (await okCall(who, 'POST', `${BASE}?user_id_type=user_id`, body)).booking as Json;
  const get = async (id: string) => (await okCall('app', 'GET', `${BASE}/${id}?user_id_type=user_id`)).booking as Json;
  const count = async (table: 'room_bookings' | 'jobs') => Number((await s.runtime.store.db.selectFrom(table).select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);
  const room = async (name: string, level: string, status?: Json) =>
    (await ok(acme.vc.room.create({ data: { name, capacity: 8, room_level_id: level, ...(status ? { room_status: status as never } : {}) } }))).room!.room_id!;

  beforeAll(async () => {
    s = await startTestServer({ config: { rateLimit: false, bookingCheckInWindow: WINDOW_MIN } });
    acme = s.client(fixture.acme.full);
    const apps = { acme: (await s.runtime.repos.apps.find(fixture.acme.full.appId))!, globex: (await s.runtime.repos.apps.find(fixture.globex.full.appId))! };
    const users = ['alice', 'bob', ...Array.from({ length: 25 }, (_, i) => `member${String(i).padStart(2, '0')}`)];
    for (const u of users) tokens[u] = (await s.runtime.tokens.issueUserTokens(apps.acme, u, apps.acme.scopes, 'v1', Date.now())).accessToken;
    tokens.app = (await s.runtime.tokens.tenantToken(apps.acme)).token;
    tokens.narrow = (await s.runtime.tokens.tenantToken((await s.runtime.repos.apps.find(narrow.appId))!)).token;
    tokens.globex = (await s.runtime.tokens.tenantToken(apps.globex)).token;

    levels.campus = (await ok(acme.vc.roomLevel.create({ data: { name: 'Campus', parent_id: '0' } }))).room_level!.room_level_id!;
    levels.vip = (await ok(acme.vc.roomLevel.create({ data: { name: 'VIP floor', parent_id: levels.campus } }))).room_level!.room_level_id!;
    for (const name of ['Alpha', 'Beta', 'Gamma', 'Delta', 'Epsilon', 'Sensor', 'Join']) rooms[name] = await room(name, levels.campus);
    rooms.Boardroom = await room('Boardroom', levels.vip);
    // disabled for an hour, two hours from now (a scheduled disable)
    rooms.Closing = await room('Closing', levels.campus, { status: true, disable_start_time: String(at(2 * HOUR)), disable_end_time: String(at(3 * HOUR)) });
    rooms.Closed = await room('Closed', levels.campus, { status: false });
    rooms.Globex = (await ok(s.client(fixture.globex.full).vc.room.create({ data: { name: 'Globex room', capacity: 4, room_level_id: '0' } }))).room!.room_id!;
  });
  afterAll(async () => {
    await s?.close();
    await s?.store.dispose();
  });

  it('books a room with a user token and finds it by room, organizer, status and time, paged', async () => {
    // one clock reading: two could straddle a second
    const start = at(HOUR);
    const mine = await book('alice', { room_id: rooms.Alpha, start_time: String(start), end_time: String(start + HOUR), topic: ' Planning ' });
    expect(mine).toMatchObject({ room_id: rooms.Alpha, organizer_id: 'alice', topic: 'Planning', status: 'confirmed', needs_approval: false, start_time: String(start) });
    expect(mine.booking_id).toMatch(/^rb_[0-9a-f]{32}$/);
    // confirmed before its start: released unless checked in within the window
    expect(Number(mine.check_in_deadline)).toBe(Number(mine.start_time) + 1);
    // in the default ID type the organizer is an open_id of the reading app
    expect((await okCall('alice', 'GET', `${BASE}/${mine.booking_id}`)).booking.organizer_id).toMatch(/^ou_/);

    const later = await book('bob', { room_id: rooms.Alpha, start_time: String(at(2 * HOUR)), end_time: String(at(3 * HOUR)) });
    await book('bob', { room_id: rooms.Beta, start_time: String(at(HOUR)), end_time: String(at(2 * HOUR)) });

    const byRoom = await okCall('app', 'GET', `${BASE}?room_id=${rooms.Alpha}&user_id_type=user_id`);
    expect(byRoom.items.map((b: Json) => b.booking_id)).toEqual([mine.booking_id, later.booking_id]);
    const byUser = await okCall('app', 'GET', `${BASE}?organizer_id=bob&user_id_type=user_id`);
    expect(byUser.items.map((b: Json) => b.room_id)).toEqual([rooms.Beta, rooms.Alpha]);
    // overlapping [now + 2.5 h, …): only bob's later booking
    const byTime = await okCall('alice', 'GET', `${BASE}?start_time=${at(2.5 * HOUR)}&room_id=${rooms.Alpha}`);
    expect(byTime.items.map((b: Json) => b.booking_id)).toEqual([later.booking_id]);
    expect((await okCall('app', 'GET', `${BASE}?status=rejected`)).items).toEqual([]);

    const first = await okCall('app', 'GET', `${BASE}?page_size=2`);
    expect(first).toMatchObject({ has_more: true });
    const second = await okCall('app', 'GET', `${BASE}?page_size=2&page_token=${first.page_token}`);
    expect([...first.items, ...second.items].map((b: Json) => b.booking_id)).toContain(later.booking_id);
    expect(await refused('app', 'GET', `${BASE}?page_token=garbage`)).toEqual([400, 99992402]);
    const forged = Buffer.from(JSON.stringify({ s: 'soon', i: 'x' })).toString('base64url');
    expect(await refused('app', 'GET', `${BASE}?page_token=${forged}`)).toEqual([400, 99992402]);
  });

  it('books for a user with a tenant token (organizer_id), and refuses bad organizers', async () => {
    const b = await book('app', { room_id: rooms.Beta, start_time: String(at(5 * HOUR)), end_time: String(at(6 * HOUR)), organizer_id: 'alice', meeting_no: '123456789' });
    expect(b).toMatchObject({ organizer_id: 'alice', meeting_no: '123456789', status: 'confirmed' });
    const slot = { room_id: rooms.Beta, start_time: String(at(7 * HOUR)), end_time: String(at(8 * HOUR)) };
    expect(await refused('app', 'POST', `${BASE}?user_id_type=user_id`, slot)).toEqual([400, 121003]);
    expect(await refused('app', 'POST', `${BASE}?user_id_type=user_id`, { ...slot, organizer_id: 'nobody' })).toEqual([400, 99992360]);
    expect(await refused('app', 'POST', `${BASE}?user_id_type=user_id`, { ...slot, organizer_id: 'carol' })).toEqual([400, 121003]);
    // scopes: reserve scopes to book, the gateway's codes otherwise
    expect(await refused('narrow', 'POST', `${BASE}?user_id_type=user_id`, { ...slot, organizer_id: 'alice' })).toEqual([400, 99991672]);
    expect(await refused('alice', 'POST', BASE, { ...slot, surprise: 1 })).toEqual([400, 99992402]);
  });

  it('refuses overlaps, bad spans, disabled, unknown and foreign rooms with their codes, changing nothing', async () => {
    await book('alice', { room_id: rooms.Gamma, start_time: String(at(HOUR)), end_time: String(at(2 * HOUR)) });
    const [bookings, jobs] = [await count('room_bookings'), await count('jobs')];
    const ask = (room: string, start: number, end: number) => refused('bob', 'POST', BASE, { room_id: room, start_time: String(start), end_time: String(end) });
    expect(await ask(rooms.Gamma!, at(1.5 * HOUR), at(3 * HOUR))).toEqual([409, 191001]);
    expect(await ask(rooms.Gamma!, at(0.5 * HOUR), at(1.1 * HOUR))).toEqual([409, 191001]);
    expect(await ask(rooms.Delta!, at(2 * HOUR), at(HOUR))).toEqual([400, 121003]);
    expect(await ask(rooms.Delta!, at(HOUR), at(HOUR + 25 * HOUR))).toEqual([400, 121003]);
    expect(await ask(rooms.Delta!, at(400 * 24 * HOUR), at(400 * 24 * HOUR + HOUR))).toEqual([400, 121003]);
    expect(await ask(rooms.Delta!, at(-HOUR), at(HOUR))).toEqual([400, 121003]);
    expect(await ask(rooms.Closing!, at(1.5 * HOUR), at(2.5 * HOUR))).toEqual([400, 191002]);
    expect(await ask(rooms.Closed!, at(HOUR), at(2 * HOUR))).toEqual([400, 191002]);
    expect(await ask('omm_00000000000000000000000000000000', at(HOUR), at(2 * HOUR))).toEqual([404, 121004]);
    expect(await ask(rooms.Globex!, at(HOUR), at(2 * HOUR))).toEqual([404, 121004]);
    expect(await ask(rooms.Gamma!, 'soon' as never, at(2 * HOUR))).toEqual([400, 99992402]);
    expect([await count('room_bookings'), await count('jobs')]).toEqual([bookings, jobs]);
    // back to back is no overlap; the room closing later is fine before its window
    await book('bob', { room_id: rooms.Gamma, start_time: String(at(2 * HOUR)), end_time: String(at(3 * HOUR)) });
    await book('bob', { room_id: rooms.Closing, start_time: String(at(HOUR)), end_time: String(at(1.5 * HOUR)) });
    // another tenant sees none of it
    expect(await refused('globex', 'GET', `${BASE}/${(await okCall('app', 'GET', `${BASE}?room_id=${rooms.Gamma}`)).items[0].booking_id}`)).toEqual([404, 121004]);
  });

  it('lets exactly one of 200 concurrent bookings of one slot win, over real HTTP', async () => {
    const users = Object.keys(tokens).filter((u) => u === 'alice' || u === 'bob' || u.startsWith('member'));
    const slot = { room_id: rooms.Delta, start_time: String(at(10 * HOUR)), end_time: String(at(11 * HOUR)) };
    // Open 200 connections first, so that the bookings reach the server together rather than one handshake apart.
    await Promise.all(Array.from({ length: 200 }, () => fetch(`${s.url}/healthz`).then((r) => r.text())));
    const replies = await Promise.all(Array.from({ length: 200 }, (_, i) => call(users[i % users.length]!, 'POST', BASE, slot)));
    const won = replies.filter((r) => r.body.code === 0);
    expect(won).toHaveLength(1);
    expect(replies.filter((r) => r.status === 409 && r.body.code === 191001)).toHaveLength(199);
    const held = await okCall('app', 'GET', `${BASE}?room_id=${rooms.Delta}&start_time=${slot.start_time}&end_time=${slot.end_time}`);
    expect(held.items.map((b: Json) => b.booking_id)).toEqual([won[0]!.body.data.booking.booking_id]);
  });

  it('waits for approval where the level asks for it; the pending booking holds the room', async () => {
    expect(await okCall('app', 'GET', `${BASE}/level_settings/${levels.vip}`)).toEqual({ room_level_id: levels.vip, needs_approval: false, effective_needs_approval: false });
    // set on the campus: the VIP floor below it inherits the flag
    expect(await okCall('app', 'PUT', `${BASE}/level_settings/${levels.campus}`, { needs_approval: true })).toMatchObject({ needs_approval: true, effective_needs_approval: true });
    expect(await okCall('app', 'GET', `${BASE}/level_settings/${levels.vip}`)).toMatchObject({ needs_approval: false, effective_needs_approval: true });
    expect(await refused('alice', 'PUT', `${BASE}/level_settings/${levels.vip}`, { needs_approval: true })).toEqual([400, 99991668]);
    expect(await refused('app', 'PUT', `${BASE}/level_settings/omb_00000000000000000000000000000000`, { needs_approval: true })).toEqual([404, 121004]);
    try {
      const slot = { room_id: rooms.Boardroom, start_time: String(at(HOUR)), end_time: String(at(2 * HOUR)) };
      const pending = await book('alice', slot);
      expect(pending).toMatchObject({ status: 'pending', needs_approval: true });
      expect(pending.check_in_deadline).toBeUndefined();
      expect(await refused('bob', 'POST', BASE, slot)).toEqual([409, 191001]);
      expect(await refused('alice', 'POST', `${BASE}/${pending.booking_id}/approve`)).toEqual([400, 99991668]);
      expect(await refused('alice', 'POST', `${BASE}/${pending.booking_id}/check_in`, { method: 'qr_code' })).toEqual([400, 191003]);
      const approved = (await okCall('app', 'POST', `${BASE}/${pending.booking_id}/approve`)).booking;
      expect(approved).toMatchObject({ status: 'confirmed' });
      expect(approved.decided_time).toBeDefined();
      expect(approved.check_in_deadline).toBeDefined();
      expect(await refused('app', 'POST', `${BASE}/${pending.booking_id}/approve`)).toEqual([400, 191003]);

      const other = await book('bob', { ...slot, start_time: String(at(3 * HOUR)), end_time: String(at(4 * HOUR)) });
      const rejected = (await okCall('app', 'POST', `${BASE}/${other.booking_id}/reject?user_id_type=user_id`, { reason: 'board meeting' })).booking;
      expect(rejected).toMatchObject({ status: 'rejected', reject_reason: 'board meeting' });
      // the rejected slot is free again
      expect((await book('alice', { ...slot, start_time: String(at(3 * HOUR)), end_time: String(at(4 * HOUR)) })).status).toBe('pending');
    } finally {
      await okCall('app', 'PUT', `${BASE}/level_settings/${levels.campus}`, { needs_approval: false });
    }
  });

  it("obeys the room's reserve configs: who may book it, and when approval is needed", async () => {
    const gamma = await room('Gamma', levels.campus!);
    await ok(
      acme.vc.reserveConfig.patch({
        path: { reserve_config_id: gamma },
        params: { user_id_type: 'user_id' },
        data: { scope_type: '2', reserve_scope_config: { allow_all_users: 0, allow_users: [{ user_id: 'bob' }], allow_depts: [] }, approval_config: { approval_switch: 1, approval_condition: 0, approvers: [{ user_id: 'alice' }] } },
      }),
    );
    const slot = { room_id: gamma, start_time: String(at(5 * HOUR)), end_time: String(at(6 * HOUR)) };
    const before = await count('room_bookings');
    const denied = await call('alice', 'POST', BASE, slot);
    expect([denied.status, denied.body.code]).toEqual([403, 121005]);
    expect(denied.body.msg).toMatch(/reserve scope/);
    expect(await count('room_bookings')).toBe(before);
    expect(await book('bob', slot)).toMatchObject({ status: 'pending', needs_approval: true });
  });

  it('cancels before the start, releases by hand after it; only the organizer or the booking app', async () => {
    const ahead = await book('alice', { room_id: rooms.Alpha, start_time: String(at(20 * HOUR)), end_time: String(at(21 * HOUR)) });
    expect(await refused('bob', 'POST', `${BASE}/${ahead.booking_id}/cancel`)).toEqual([403, 121005]);
    const cancelled = (await okCall('alice', 'POST', `${BASE}/${ahead.booking_id}/cancel?user_id_type=user_id`)).booking;
    expect(cancelled).toMatchObject({ status: 'cancelled', released_by: 'alice' });
    expect(cancelled.release_reason).toBeUndefined();
    expect(await refused('alice', 'POST', `${BASE}/${ahead.booking_id}/cancel`)).toEqual([400, 191003]);
    expect(await s.runtime.repos.jobs.byKey(`booking.no_check_in:${ahead.booking_id}`)).toBeUndefined();
    // the slot is free again
    const again = await book('app', { room_id: rooms.Alpha, start_time: String(at(20 * HOUR)), end_time: String(at(21 * HOUR)), organizer_id: 'bob' });

    // begun (an instant booking, so no check-in is needed): cancelling releases the room by hand
    const now = await book('alice', { room_id: rooms.Alpha, start_time: String(at(0)), end_time: String(at(HOUR / 4)) });
    expect(now.check_in_deadline).toBeUndefined();
    const released = (await okCall('alice', 'POST', `${BASE}/${now.booking_id}/cancel?user_id_type=user_id`)).booking;
    expect(released).toMatchObject({ status: 'released', release_reason: 'manual', released_by: 'alice' });
    // bob booked through the app: bob himself or the app may cancel, another app may not
    expect(await refused('globex', 'POST', `${BASE}/${again.booking_id}/cancel`)).toEqual([404, 121004]);
    expect((await okCall('app', 'POST', `${BASE}/${again.booking_id}/cancel`)).booking.status).toBe('cancelled');
  });

  it('checks in from each device kind, within the window', async () => {
    const soon = (room: string, inS: number, lengthS = 120) => book('alice', { room_id: room, start_time: String(at(inS)), end_time: String(at(inS + lengthS)) });
    const board = await soon(rooms.Beta!, 600);
    const byBoard = (await okCall('app', 'POST', `${BASE}/${board.booking_id}/check_in`, { method: 'sign_in_board' })).booking;
    expect(byBoard).toMatchObject({ check_in_method: 'sign_in_board', status: 'confirmed' });
    expect(byBoard.check_in_time).toBeDefined();
    // checked in: no release is pending any more
    expect(await s.runtime.repos.jobs.byKey(`booking.no_check_in:${board.booking_id}`)).toBeUndefined();
    expect(await refused('app', 'POST', `${BASE}/${board.booking_id}/check_in`, { method: 'sign_in_board' })).toEqual([400, 191003]);

    // check-in opens 15 minutes before the start
    const later = await soon(rooms.Gamma!, 4 * HOUR);
    expect(await refused('alice', 'POST', `${BASE}/${later.booking_id}/check_in`, { method: 'qr_code' })).toEqual([400, 191003]);
    expect(await refused('bob', 'POST', `${BASE}/${later.booking_id}/check_in`, { method: 'qr_code' })).toEqual([403, 121005]);
    expect(await refused('alice', 'POST', `${BASE}/${later.booking_id}/check_in`, { method: 'fingerprint' })).toEqual([400, 99992402]);

    const methods = ['qr_code', 'controller', 'touch_panel', 'offline_auto'];
    for (const [i, method] of methods.entries()) {
      const b = await soon(rooms.Delta!, 60 + i * 150);
      // the organizer's phone scans the QR code; devices check in with the tenant token
      const who = method === 'qr_code' ? 'alice' : 'app';
      expect((await okCall(who, 'POST', `${BASE}/${b.booking_id}/check_in`, { method })).booking.check_in_method).toBe(method);
    }
  });

  it('releases a booking nobody checked in, by its durable job', async () => {
    const b = await book('alice', { room_id: rooms.Epsilon, start_time: String(at(2)), end_time: String(at(2 + HOUR)) });
    expect(Number(b.check_in_deadline)).toBe(Number(b.start_time) + 1);
    await expect.poll(async () => (await get(b.booking_id)).status, { timeout: 10_000, interval: 250 }).toBe('released');
    const released = await get(b.booking_id);
    expect(released).toMatchObject({ release_reason: 'no_check_in' });
    expect(released.released_by).toBeUndefined();
    expect(await refused('alice', 'POST', `${BASE}/${b.booking_id}/check_in`, { method: 'qr_code' })).toEqual([400, 191003]);
    // the rest of the slot is free
    await book('bob', { room_id: rooms.Epsilon, start_time: String(at(60)), end_time: String(at(120)) });
  });

  it('releases the booking in progress when a room sensor reports the room empty', async () => {
    expect(await okCall('app', 'POST', `${BASE}/rooms/${rooms.Sensor}/vacant`)).toEqual({ released: false });
    const b = await book('bob', { room_id: rooms.Sensor, start_time: String(at(0)), end_time: String(at(HOUR)) });
    const signal = await okCall('app', 'POST', `${BASE}/rooms/${rooms.Sensor}/vacant?user_id_type=user_id`);
    expect(signal).toMatchObject({ released: true, booking: { booking_id: b.booking_id, status: 'released', release_reason: 'sensor' } });
    expect(await refused('bob', 'POST', `${BASE}/rooms/${rooms.Sensor}/vacant`)).toEqual([400, 99991668]);
    expect(await refused('app', 'POST', `${BASE}/rooms/${rooms.Globex}/vacant`)).toEqual([404, 121004]);
  });

  it('joins a meeting as a room (user_type 2) with its booking, which the meeting end releases', async () => {
    // a reserved meeting, whose join events go to the outbox
    const reserve = await ok(acme.vc.reserve.apply({ params: { user_id_type: 'user_id' }, data: { end_time: String(at(HOUR)), owner_id: 'bob', meeting_settings: { topic: 'With a room', password: '' } } }));
    const meetingNo = reserve.reserve!.meeting_no!;
    const hosted = await okCall('bob', 'POST', '/client/v1/meetings/join', { meeting_no: meetingNo });
    const mine = await book('alice', { room_id: rooms.Join, start_time: String(at(0)), end_time: String(at(HOUR)) });

    // bob may not take the room alice holds; disabled and unknown rooms do not join
    expect(await refused('bob', 'POST', `/client/v1/rooms/${rooms.Join}/join`, { meeting_no: meetingNo })).toEqual([403, 121005]);
    expect(await refused('alice', 'POST', `/client/v1/rooms/${rooms.Closed}/join`, { meeting_no: meetingNo })).toEqual([400, 191002]);
    expect(await refused('alice', 'POST', `/client/v1/rooms/${rooms.Globex}/join`, { meeting_no: meetingNo })).toEqual([404, 121004]);

    const joined = await okCall('alice', 'POST', `/client/v1/rooms/${rooms.Join}/join`, { meeting_no: meetingNo, device: { type: 'room' } });
    expect(joined.meeting).toMatchObject({ id: hosted.meeting.id, is_host: false });
    await okCall('alice', 'POST', `/client/v1/sessions/${joined.session_id}/heartbeat`);
    expect(await get(mine.booking_id)).toMatchObject({ meeting_id: hosted.meeting.id, meeting_no: meetingNo, check_in_method: 'controller' });

    const meeting = (await ok(acme.vc.meeting.get({ path: { meeting_id: hosted.meeting.id }, params: { with_participants: true } }))).meeting!;
    expect(meeting.participants!.map((p) => [p.id, p.user_type])).toContainEqual([rooms.Join, 2]);
    const outbox = await s.runtime.repos.outbox.list('acme', 0, 100, hosted.meeting.id);
    const joins = outbox.filter((e) => e.event_type === 'vc.meeting.join_meeting_v1').map((e) => JSON.parse(e.payload) as Json);
    expect(joins.map((e) => e.operator.user_type)).toEqual([1, 2]);

    // the host app removes the room (named by its room_id, user_type 2); an unknown room fails alone
    const kicked = await ok(acme.vc.meeting.kickout({ path: { meeting_id: hosted.meeting.id }, params: { user_id_type: 'user_id' }, data: { kickout_users: [{ id: rooms.Join, user_type: 2 }, { id: 'omm_nope', user_type: 2 }] } }));
    expect(kicked.kickout_results).toEqual([
      { id: rooms.Join, user_type: 2, result: 1 },
      { id: 'omm_nope', user_type: 2, result: 2 },
    ]);
    const after = (await ok(acme.vc.meeting.get({ path: { meeting_id: hosted.meeting.id }, params: { with_participants: true } }))).meeting!;
    expect(after.participants!.find((p) => p.id === rooms.Join)).toMatchObject({ user_type: 2, status: 4 });
    // the room's session is over: it was removed
    expect(await refused('alice', 'POST', `/client/v1/sessions/${joined.session_id}/heartbeat`)).toEqual([400, 122009]);

    await ok(acme.vc.meeting.end({ path: { meeting_id: hosted.meeting.id } }, lark.withUserAccessToken(tokens.bob!)));
    expect((await ok(acme.vc.meeting.get({ path: { meeting_id: hosted.meeting.id } }))).meeting!.status).toBe(MEETING_STATUS.ended);
    expect(await get(mine.booking_id)).toMatchObject({ status: 'released', release_reason: 'meeting_ended' });
  });

  it('documents the booking API in the OpenAPI document', async () => {
    const doc = (await (await fetch(`${s.url}/openapi.json`)).json()) as Json;
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining([BASE, `${BASE}/{booking_id}/check_in`, `${BASE}/rooms/{room_id}/vacant`, '/client/v1/rooms/{room_id}/join']));
    expect(doc.paths[BASE].post.tags).toEqual(['room_bookings']);
  });
});

describe(`room bookings across a restart (${dialect})`, () => {
  const store = new TestStore();
  let second: TestServer | undefined;
  afterAll(async () => {
    await second?.close();
    await store.dispose();
  });

  it('releases an unchecked booking after the server comes back', async () => {
    const config = { rateLimit: false, bookingCheckInWindow: WINDOW_MIN };
    const first = await startTestServer({ store, config, seed: fixtureSeed() });
    const client = first.client(fixture.acme.full);
    const roomId = (await ok(client.vc.room.create({ data: { name: 'Restart', capacity: 2, room_level_id: '0' } }))).room!.room_id!;
    const res = await fetch(`${first.url}${BASE}?user_id_type=user_id`, {
      method: 'POST',
      headers: { authorization: `Bearer ${(await first.runtime.tokens.tenantToken((await first.runtime.repos.apps.find(fixture.acme.full.appId))!)).token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ room_id: roomId, start_time: String(at(1)), end_time: String(at(HOUR)), organizer_id: 'alice' }),
    });
    const id = ((await res.json()) as Json).data.booking.booking_id as string;
    await first.close();
    // down past the deadline: nothing ran the release
    await new Promise((r) => setTimeout(r, 2500));

    second = await startTestServer({ store, seed: null, config });
    const s2 = second;
    await expect.poll(async () => (await s2.runtime.repos.bookings.forTenant('acme').find(id))?.release_reason, { timeout: 10_000, interval: 250 }).toBe('no_check_in');
  });
});
