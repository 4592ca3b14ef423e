import * as lark from '@larksuiteoapi/node-sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dialect, sdkError, startTestServer, type TestServer } from './helpers/server.js';
import { ok } from './helpers/sdk.js';
import { fixture } from './helpers/fixture.js';
import { exported, hms, protocol, shanghai, type Row } from './helpers/exports.js';
import { RESERVATION_HEADERS } from './helpers/export-headers.js';
import { deriveOpenId } from '../src/domain/ids.js';

type Json = Record<string, any>;

const HOUR = 3600;
const BASE = '/openvc/v1/room_bookings';
/** Unix seconds, `s` seconds from now. */
const at = (s: number) => Math.floor(Date.now() / 1000) + s;
const ms = (sec: string | undefined) => (sec === undefined ? null : Number(sec) * 1000);

/**
 * Room bookings played through /openvc/v1/room_bookings and the participant protocol; the reservation
 * sheet must say what happened to each of them.
 *
 * Levels: Campus → Floor 1 (Room A, Room B), Floor 2 (Room C, Room E); Annex (Room D, Hot desk) beside it.
 * - A: alice books it from now and releases it by hand; member01 books it in 10 minutes and checks in at the sign-in board.
 * - B: bob books it from in 2 s and never checks in (released by the job); bob books it again in an hour; alice books and cancels one.
 * - C: alice books it from now, joins bob's meeting with the room (checked in by the controller), the meeting ends it.
 * - E: alice books it from now, a sensor releases it; bob's later booking waits for approval.
 * - D and Hot desk: outside the campus; 22 bookings of the hot desk to page through.
 */
describe(`room reservation export and query (${dialect})`, () => {
  let s: TestServer;
  let acme: lark.Client;
  const tokens: Record<string, string> = {};
  const levels: Record<string, string> = {};
  const rooms: Record<string, string> = {};
  const b: Record<string, Json> = {};
  let t0 = 0;
  let meeting: Json = {};

  const call = async (who: string, method: string, path: string, body?: unknown): Promise<Json> => {
    const res = await fetch(`${s.url}${path}`, {
      method,
      headers: { authorization: `Bearer ${tokens[who]}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      body: body !== undefined ? JSON.stringify(body) : undefined,
    });
    const json = (await res.json()) as Json;
    expect(json.code, `${method} ${path}: ${JSON.stringify(json)}`).toBe(0);
    return json.data as Json;
  };
  const book = async (who: string, room: string, start: number, end: number, extra: Json = {}) =>
    (await call(who, 'POST', `${BASE}?user_id_type=user_id`, { room_id: rooms[room], start_time: String(start), end_time: String(end), ...extra })).booking as Json;
  const get = async (id: string) => (await call('app', 'GET', `${BASE}/${id}?user_id_type=user_id`)).booking as Json;
  const window = () => ({ start_time: String(t0), end_time: String(t0 + 86_400) });
  const taskCount = async () => Number((await s.runtime.store.db.selectFrom('export_tasks').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);

  beforeAll(async () => {
    // check-in window 0.02 min (1.2 s): a booking nobody checks in is released within seconds
    s = await startTestServer({ config: { rateLimit: false, bookingCheckInWindow: 0.02, emptyMeetingGrace: 0 } });
    acme = s.client(fixture.acme.full);
    const apps = { acme: (await s.runtime.repos.apps.find(fixture.acme.full.appId))!, globex: (await s.runtime.repos.apps.find(fixture.globex.full.appId))! };
    for (const u of ['alice', 'bob', 'member01', 'member02']) tokens[u] = (await s.runtime.tokens.issueUserTokens(apps.acme, u, apps.acme.scopes, 'v1', Date.now())).accessToken;
    tokens.app = (await s.runtime.tokens.tenantToken(apps.acme)).token;
    t0 = at(-60);

    const level = async (name: string, parent: string) => (await ok(acme.vc.roomLevel.create({ data: { name, parent_id: parent } }))).room_level!.room_level_id!;
    levels.campus = await level('Campus', '0');
    levels.floor1 = await level('Floor 1', levels.campus);
    levels.floor2 = await level('Floor 2', levels.campus);
    levels.annex = await level('Annex', '0');
    const room = async (name: string, lvl: string) => (await ok(acme.vc.room.create({ data: { name, capacity: 8, room_level_id: lvl } }))).room!.room_id!;
    rooms.A = await room('Room A', levels.floor1);
    rooms.B = await room('Room B', levels.floor1);
    rooms.C = await room('Room C', levels.floor2);
    rooms.E = await room('Room E', levels.floor2);
    rooms.D = await room('Room D', levels.annex);
    rooms.Hot = await room('Hot desk', levels.annex);
    const globex = s.client(fixture.globex.full);
    rooms.Globex = (await ok(globex.vc.room.create({ data: { name: 'Globex room', capacity: 4, room_level_id: '0' } }))).room!.room_id!;
    levels.globex = (await ok(globex.vc.roomLevel.create({ data: { name: 'Globex HQ', parent_id: '0' } }))).room_level!.room_level_id!;

    // A: booked from now and released by hand
    b.manual = await book('alice', 'A', at(0), at(HOUR), { topic: 'Retro' });
    await call('alice', 'POST', `${BASE}/${b.manual.booking_id}/cancel`);
    // A: booked ahead, checked in at the sign-in board
    b.board = await book('app', 'A', at(600), at(600 + 30 * 60), { organizer_id: 'member01', topic: 'Interview' });
    await call('app', 'POST', `${BASE}/${b.board.booking_id}/check_in`, { method: 'sign_in_board' });
    // B: nobody checks in
    b.missed = await book('bob', 'B', at(2), at(30 * 60), { topic: 'Ghost' });
    b.ahead = await book('bob', 'B', at(HOUR), at(2 * HOUR), { topic: 'Design review' });
    const cancelled = await book('alice', 'B', at(5 * HOUR), at(6 * HOUR));
    await call('alice', 'POST', `${BASE}/${cancelled.booking_id}/cancel`);
    // C: the room joins bob's meeting with alice's booking; member01 joins, member02 is invited and never comes
    b.meeting = await book('alice', 'C', at(0), at(HOUR));
    const started = await protocol(s.url, tokens.bob!).start('Standup sync', { type: 'desktop' });
    meeting = started.meeting as Json;
    const joined = await call('alice', 'POST', `/client/v1/rooms/${rooms.C}/join`, { meeting_no: meeting.meeting_no, device: { type: 'room' } });
    meeting.roomSession = joined.session_id;
    await protocol(s.url, tokens.member01!).join(meeting.meeting_no, { type: 'web' });
    await ok(acme.vc.meeting.invite({ path: { meeting_id: meeting.id }, params: { user_id_type: 'user_id' }, data: { invitees: [{ id: 'member02', user_type: 1 }] } }, lark.withUserAccessToken(tokens.bob!)));
    await ok(acme.vc.meeting.end({ path: { meeting_id: meeting.id } }, lark.withUserAccessToken(tokens.bob!)));
    // E: a sensor finds the room empty; then bookings of Floor 2 need approval
    b.sensor = await book('alice', 'E', at(0), at(HOUR), { topic: 'Focus time' });
    await call('app', 'POST', `${BASE}/rooms/${rooms.E}/vacant`);
    await call('app', 'PUT', `${BASE}/level_settings/${levels.floor2}`, { needs_approval: true });
    b.pending = await book('bob', 'E', at(3 * HOUR), at(4 * HOUR), { topic: 'Board prep' });
    await call('app', 'PUT', `${BASE}/level_settings/${levels.floor2}`, { needs_approval: false });
    // outside the campus, and outside the window
    b.annex = await book('bob', 'D', at(HOUR), at(2 * HOUR), { topic: 'Annex sync' });
    for (let i = 0; i < 22; i++) await book('app', 'Hot', at(6 * HOUR + i * 120), at(6 * HOUR + i * 120 + 60), { organizer_id: `member${String(i).padStart(2, '0')}` });
    await book('alice', 'A', at(25 * HOUR), at(26 * HOUR));

    // (expect.poll works only inside a test)
    for (let i = 0; i < 60 && (await get(b.missed.booking_id)).status !== 'released'; i++) await new Promise((r) => setTimeout(r, 250));
    for (const k of Object.keys(b)) b[k] = await get(b[k]!.booking_id);
  }, 90_000);

  afterAll(async () => {
    await s?.close();
    await s?.store.dispose();
  });

  /** A row as the sheet must show it, with the booking's start and id to sort by. */
  const expected = (x: Json, room: string, topic: string | null, reserver: [string, string], counts: [number, number], status: string, device: string | null, checkIn: string, releaser: string | null) => ({
    key: [Number(x.start_time), x.booking_id as string] as const,
    row: [
      room,
      topic,
      ...reserver,
      ...counts,
      shanghai(ms(x.start_time)!),
      shanghai(ms(x.end_time)!),
      hms((Number(x.end_time) - Number(x.start_time)) * 1000),
      status,
      device,
      checkIn,
      x.check_in_time === undefined ? null : shanghai(ms(x.check_in_time)!),
      releaser,
      x.status === 'released' ? shanghai(ms(x.release_time)!) : null,
    ] as Row,
  });
  const inOrder = (rows: ReturnType<typeof expected>[]) => rows.sort((p, q) => p.key[0] - q.key[0] || (p.key[1] < q.key[1] ? -1 : 1)).map((r) => r.row);

  const campusRows = () =>
    inOrder([
      expected(b.manual!, 'Room A', 'Retro', ['Alice', 'Engineering'], [0, 0], '已释放（手动释放）', null, '无需签到（即时预定）', 'Alice'),
      expected(b.board!, 'Room A', 'Interview', ['Member 1', 'Big Team'], [0, 0], '预定成功', '签到板', '已签到', null),
      expected(b.missed!, 'Room B', 'Ghost', ['Bob', 'Engineering'], [0, 0], '已释放（未签到被释放）', null, '超时未签到', null),
      expected(b.ahead!, 'Room B', 'Design review', ['Bob', 'Engineering'], [0, 0], '预定成功', null, '待签到', null),
      // the booking has no topic: its meeting's; bob and member01 joined, member02 was invited
      expected(b.meeting!, 'Room C', 'Standup sync', ['Alice', 'Engineering'], [3, 2], '已释放（会议结束后自动释放）', '控制器', '已签到', null),
      expected(b.sensor!, 'Room E', 'Focus time', ['Alice', 'Engineering'], [0, 0], '已释放（传感器自动释放）', null, '无需签到（即时预定）', null),
      expected(b.pending!, 'Room E', 'Board prep', ['Bob', 'Engineering'], [0, 0], '审批中', null, '无需签到', null),
    ]);

  it('exports a level\'s bookings as they happened, with the spec\'s columns and values', async () => {
    expect(b.meeting).toMatchObject({ status: 'released', release_reason: 'meeting_ended', check_in_method: 'controller', meeting_id: meeting.id });
    const sheet = await exported(acme, acme.vc.export.resourceReservationList({ data: { ...window(), room_level_id: levels.campus!, need_topic: true } }));
    expect(sheet.name).toBe('会议室预定数据');
    expect(decodeURIComponent(String(sheet.headers['content-disposition']))).toMatch(/filename\*=UTF-8''会议室预定数据_\d{8}_\d{6}\.xlsx/);
    expect(sheet.rows[0]).toEqual(RESERVATION_HEADERS);
    expect(sheet.rows.slice(1)).toEqual(campusRows());
    // a user token exports the same: every booking of the tenant is visible to its users
    const mine = await exported(acme, acme.vc.export.resourceReservationList({ data: { ...window(), room_level_id: levels.campus!, need_topic: true } }, lark.withUserAccessToken(tokens.member02!)), lark.withUserAccessToken(tokens.member02!));
    expect(mine.rows).toEqual(sheet.rows);
  });

  it('keeps or leaves out room_ids, blanks topics unless asked, and falls back to the tenant root', async () => {
    const all = campusRows();
    const onlyA = await exported(acme, acme.vc.export.resourceReservationList({ data: { ...window(), room_level_id: levels.campus!, room_ids: [rooms.A!] } }));
    expect(onlyA.rows.slice(1)).toEqual(all.filter((r) => r[0] === 'Room A').map((r) => [r[0], null, ...r.slice(2)]));
    const notA = await exported(acme, acme.vc.export.resourceReservationList({ data: { ...window(), room_level_id: levels.campus!, need_topic: true, room_ids: [rooms.A!, rooms.B!], is_exclude: true } }));
    expect(notA.rows.slice(1)).toEqual(all.filter((r) => r[0] !== 'Room A' && r[0] !== 'Room B'));
    // a level's subtree: Floor 2 alone
    const floor2 = await exported(acme, acme.vc.export.resourceReservationList({ data: { ...window(), room_level_id: levels.floor2!, need_topic: true } }));
    expect(floor2.rows.slice(1)).toEqual(all.filter((r) => r[0] === 'Room C' || r[0] === 'Room E'));
    // "0" (or any ID not shaped omb_…) is the tenant root: every room, the annex included
    const root = await exported(acme, acme.vc.export.resourceReservationList({ data: { ...window(), room_level_id: '0', need_topic: true } }));
    expect(root.rows.length - 1).toBe(all.length + 1 + 22);
    expect(root.rows.slice(1).filter((r) => r[0] === 'Room D').map((r) => r[1])).toEqual(['Annex sync']);
  });

  it('answers the JSON twin with the same rows, paged', async () => {
    const params = { ...window(), room_level_id: levels.campus!, need_topic: true, room_ids: [rooms.A!, rooms.B!, rooms.C!, rooms.E!] };
    const twin = await ok(acme.vc.resourceReservationList.get({ params }));
    expect(twin.has_more).toBe(false);
    const items = twin.room_reservation_list!;
    const blank = (v: string | undefined) => (v === '' ? null : v);
    expect(
      items.map((x) => [x.room_name, blank(x.event_title), x.reserver, x.department_of_reserver, Number(x.guests_number), Number(x.accepted_number), x.event_start_time, x.event_end_time, x.event_duration, x.reservation_status, blank(x.check_in_device), x.room_check_in_status, blank(x.check_in_time), blank(x.releasing_person), blank(x.releasing_time)]),
    ).toEqual(campusRows());
    const meetingItem = items.find((x) => x.room_id === rooms.C)!;
    expect(meetingItem).toMatchObject({ reserver_user_id: deriveOpenId(fixture.acme.full.appId, 'acme', 'alice'), is_release_early: '是', guests_number: '3', accepted_number: '2' });
    expect(items.find((x) => x.reservation_status === '审批中')).toMatchObject({ is_release_early: '否' });
    // without need_topic the titles are blank
    const untitled = await ok(acme.vc.resourceReservationList.get({ params: { ...params, need_topic: false } }));
    expect(untitled.room_reservation_list!.map((x) => x.event_title)).toEqual(items.map(() => ''));

    // 23 bookings of the annex: a page of 20, then the rest, through the SDK's iterator too
    const annex = { ...window(), room_level_id: levels.annex!, room_ids: [rooms.D!, rooms.Hot!], page_size: 20 };
    const first = await ok(acme.vc.resourceReservationList.get({ params: annex }));
    expect(first).toMatchObject({ has_more: true, page_token: expect.any(String) });
    expect(first.room_reservation_list).toHaveLength(20);
    const reservers: string[] = [];
    for await (const page of await acme.vc.resourceReservationList.getWithIterator({ params: annex })) reservers.push(...page!.room_reservation_list!.map((x) => x.reserver!));
    expect(reservers).toEqual(['Bob', ...Array.from({ length: 22 }, (_, i) => `Member ${i}`)]);
    // room_level_id not shaped omb_…: the tenant root
    const fallback = await ok(acme.vc.resourceReservationList.get({ params: { ...window(), room_level_id: 'default', room_ids: [rooms.D!] } }));
    expect(fallback.room_reservation_list!.map((x) => x.event_title)).toEqual(['']);
  });

  it('filters the other exports by a room that took part', async () => {
    const m = (await s.runtime.repos.meetings.find('acme', meeting.id))!;
    const list = await exported(acme, acme.vc.export.meetingList({ data: { start_time: String(t0), end_time: String(at(0)), room_id: rooms.C! } }));
    expect(list.rows.slice(1).map((r) => r[1])).toEqual(['Standup sync']);
    expect((await exported(acme, acme.vc.export.meetingList({ data: { start_time: String(t0), end_time: String(at(0)), room_id: rooms.A! } }))).rows).toHaveLength(1);
    const twin = await ok(acme.vc.meetingList.get({ params: { start_time: String(t0), end_time: String(at(0)), room_id: rooms.C! } }));
    expect(twin.meeting_list!.map((x) => x.meeting_instance_id)).toEqual([meeting.id]);
    // Room C was booked for that hour and joined: it is the meeting's reserved room
    expect(twin.meeting_list![0]!.reserved_rooms).toEqual([{ room_id: rooms.C, room_name: 'Room C' }]);

    const one = { meeting_start_time: String(Math.floor(m.startedAt! / 1000)), meeting_end_time: String(at(0)), meeting_no: meeting.meeting_no as string };
    const participants = await exported(acme, acme.vc.export.participantList({ data: { ...one, room_id: rooms.C! } }));
    expect(participants.rows.slice(1).map((r) => [r[0], r[2], r[22]])).toEqual([['Room C', null, '会议结束']]);
    const twinParticipants = await ok(acme.vc.participantList.get({ params: { ...one, room_id: rooms.C! } }));
    expect(twinParticipants.participants!.map((x) => [x.participant_name, x.meeting_room_id])).toEqual([['Room C', rooms.C]]);
    // the room's quality: it reported none, but it is found by its join time
    const joined = m.participants.find((p) => p.key === `r:${rooms.C}`)!.firstJoinAt!;
    const quality = await exported(acme, acme.vc.export.participantQualityList({ data: { ...one, join_time: String(Math.floor(joined / 1000)), room_id: rooms.C! } }));
    expect(quality.rows).toHaveLength(1);
    expect((await sdkError(acme.vc.export.participantQualityList({ data: { ...one, join_time: String(Math.floor(joined / 1000) - 5), room_id: rooms.C! } }))).body.code).toBe(121004);
  });

  it('answers bad input with its code and creates no task', async () => {
    const before = await taskCount();
    const now = at(0);
    const level = levels.campus!;
    const exportCases: [Json, number, number, RegExp][] = [
      [{ room_level_id: level, start_time: String(now), end_time: String(now - 60) }, 400, 121003, /end_time is before start_time/],
      [{ room_level_id: level, start_time: String(now - 2 * 86_400), end_time: String(now) }, 400, 121003, /at most 1 day/],
      [{ room_level_id: level, start_time: 'yesterday', end_time: String(now) }, 400, 121003, /start_time must be unix seconds/],
      [{ room_level_id: level, start_time: String(now + 600), end_time: String(now + 700) }, 400, 121003, /start_time lies in the future/],
      [{ ...window(), room_level_id: 'omb_00000000000000000000000000000000' }, 404, 121004, /room_level_id omb_0+ names no room level/],
      [{ ...window(), room_level_id: levels.globex }, 404, 121004, /names no room level/],
      [{ ...window(), room_level_id: level, room_ids: ['omm_00000000000000000000000000000000'] }, 404, 121004, /names no room of this tenant/],
      [{ ...window(), room_level_id: level, room_ids: [rooms.Globex] }, 404, 121004, /names no room of this tenant/],
      [{ ...window(), room_level_id: level, room_ids: [rooms.A, rooms.D] }, 400, 121003, /room .* is not in room level/],
      [{ ...window(), room_level_id: '0', room_ids: Array.from({ length: 101 }, (_, i) => `omm_${i}`) }, 400, 121003, /at most 100 rooms/],
    ];
    for (const [data, status, code, msg] of exportCases) {
      const e = await sdkError(acme.vc.export.resourceReservationList({ data: data as never }));
      expect([e.status, e.body.code], JSON.stringify(e.body)).toEqual([status, code]);
      expect(e.body.msg).toMatch(msg);
    }
    // the gateway's validation: a missing level, a mistyped flag
    expect((await sdkError(acme.vc.export.resourceReservationList({ data: { ...window() } as never }))).body.code).toBe(99992402);
    expect((await sdkError(acme.vc.export.resourceReservationList({ data: { ...window(), room_level_id: level, need_topic: 'yes' } as never }))).body.code).toBe(99992402);
    // room filters of the other exports: unknown and foreign rooms
    for (const room_id of ['omm_00000000000000000000000000000000', rooms.Globex!]) {
      const e = await sdkError(acme.vc.export.meetingList({ data: { start_time: String(t0), end_time: String(now), room_id } }));
      expect([e.status, e.body.code]).toEqual([404, 121004]);
    }
    expect(await taskCount()).toBe(before);

    const twinCases: [Json, number, number][] = [
      [{ room_level_id: level, room_ids: [rooms.A], start_time: String(now), end_time: String(now - 60) }, 400, 126006],
      [{ room_level_id: level, room_ids: [rooms.A], start_time: String(now - 2 * 86_400), end_time: String(now) }, 400, 126006],
      [{ room_level_id: level, room_ids: [rooms.A], start_time: String(now + 600), end_time: String(now + 700) }, 400, 126005],
      [{ room_level_id: level, room_ids: [rooms.A], start_time: 'soon', end_time: String(now) }, 400, 126005],
      [{ ...window(), room_level_id: 'omb_00000000000000000000000000000000', room_ids: [rooms.A] }, 404, 121004],
      [{ ...window(), room_level_id: level, room_ids: [rooms.Globex] }, 404, 121004],
      [{ ...window(), room_level_id: level, room_ids: [rooms.D] }, 400, 121003],
      [{ ...window(), room_level_id: level }, 400, 99992402],
      [{ ...window(), room_level_id: level, room_ids: [rooms.A], page_size: 10 }, 400, 99992402],
    ];
    for (const [params, status, code] of twinCases) {
      const e = await sdkError(acme.vc.resourceReservationList.get({ params: params as never }));
      expect([e.status, e.body.code], JSON.stringify(e.body)).toEqual([status, code]);
    }
    const unknownRoom = { start_time: String(t0), end_time: String(now), room_id: 'omm_00000000000000000000000000000000' };
    expect((await sdkError(acme.vc.meetingList.get({ params: unknownRoom }))).body.code).toBe(126015);
    // the twin's scope is vc:room:readonly; the export's vc:export
    const narrow = s.client(fixture.acme.narrow);
    expect((await sdkError(narrow.vc.resourceReservationList.get({ params: { ...window(), room_level_id: level, room_ids: [rooms.A!] } }))).body.code).toBe(99991672);
    expect((await sdkError(narrow.vc.export.resourceReservationList({ data: { ...window(), room_level_id: level } }))).body.code).toBe(99991672);
  });
});
