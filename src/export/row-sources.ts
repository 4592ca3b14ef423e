/**
 * Where exported rows come from: one row source per kind, read from the store a page at a time. An
 * export walks every page into its sheet; a JSON twin serves one page per request, its page token
 * wrapping the source's cursor. Opening a source checks that what the query names exists and that the
 * caller may see it, answering through the caller's `fail` (121004/121005 for exports, 126xxx for twins).
 */
import type { CursorShape } from '../contract/page-token.js';
import type { Fail, MeetingListQuery, ParticipantListQuery, QualityListQuery, ReservationListQuery } from '../domain/export/queries.js';
import type { DeviceFacts, MeetingRow, ParticipantRow, Person, QualityRow, ReservationRow } from '../domain/export/rows.js';
import { checkInDeviceText, checkInStatusText, LISTED_STATUSES, releaseText, reservationStatusText } from '../domain/export/reservation.js';
import { combineMinute, parseSample, type QualityMinute } from '../domain/export/quality.js';
import { deviceFacts, leaveReasonText } from '../domain/export/participant-facts.js';
import { inMeetingMs, isExternal, MEETING_STATUS, PARTICIPANT_STATUS, ROOM_KEY_PREFIX, roomKey, userKey, type Ability, type UserType } from '../domain/meeting/meeting.js';
import { rootLevelId } from '../domain/room/ids.js';
import { isWithin, rootPath } from '../domain/room/tree.js';
import type { UserIdMapper } from '../domain/identity/user-ids.js';
import type { MeetingDataRepository, MeetingRef, ParticipantDataRow, UserFactsRow } from '../store/repositories/meeting-data.repository.js';
import type { ReservationDataRepository, ReservationDataRow, ReservationFilter } from '../store/repositories/reservation-data.repository.js';

export type Cursor = Record<string, string | number>;

export interface Page<Row> {
  rows: Row[];
  /** where the next page starts; absent on the last page */
  next?: Cursor;
}

export interface RowSource<Row> {
  /** what this source's cursors hold (a page token must hold just that) */
  readonly cursor: CursorShape;
  /** how many rows there are (for progress) */
  count(): Promise<number>;
  page(after: Cursor | undefined, limit: number): Promise<Page<Row>>;
}

/** Who reads, and how they see users. */
export interface ReadContext {
  tenantKey: string;
  /** user tokens see only meetings they owned or took part in */
  userId?: string;
  ids: UserIdMapper;
  /** the time ongoing durations run up to */
  now: number;
}

const emptySource = <Row>(cursor: CursorShape): RowSource<Row> => ({ cursor, count: async () => 0, page: async () => ({ rows: [] }) });

/** Rows fetched one past the limit: the extra one only says there is more. */
function pageOf<T, Row>(fetched: T[], limit: number, row: (t: T) => Row, cursor: (t: T) => Cursor): Page<Row> {
  const rows = fetched.slice(0, limit);
  const last = rows[rows.length - 1];
  return { rows: rows.map(row), ...(fetched.length > limit && last !== undefined ? { next: cursor(last) } : {}) };
}

const NOBODY: Person = { name: '', department: '', id: '', employeeNo: '', email: '', mobile: '' };

/** A user's directory facts (a participant's, or a meeting owner's), as the row sources read them. */
interface UserFacts {
  name: string | null;
  department: string | null;
  employee_no: string | null;
  email: string | null;
  mobile: string | null;
}

/**
 * A person as the sheets show them. Contact facts (department, employee number, email, mobile) are
 * shown for the caller's own tenant only; a guest from another tenant shows their name and their
 * tenant's ID; someone outside the directory (a phone) their name.
 */
function person(ctx: ReadContext, tenantKey: string | null, userId: string | null, name: string | null, facts: UserFacts | null): Person {
  if (userId === null || tenantKey === null) return { ...NOBODY, name: name ?? '' };
  const id = ctx.ids.presentAnyTenant(tenantKey, userId) ?? '';
  const shown = facts?.name ?? name ?? userId;
  if (tenantKey !== ctx.tenantKey || !facts) return { ...NOBODY, name: shown, id };
  return { name: shown, department: facts.department ?? '', id, employeeNo: facts.employee_no ?? '', email: facts.email ?? '', mobile: facts.mobile ?? '' };
}

// --- meeting list ---------------------------------------------------------------------------------

/** A room filter must name a room of the caller's tenant (121004 for exports; the twins' 126015 / 126010). */
async function checkRoom(data: MeetingDataRepository, ctx: ReadContext, roomId: string | undefined, fail: Fail): Promise<void> {
  if (roomId !== undefined && !(await data.hasRoom(ctx.tenantKey, roomId))) fail('room', `there is no room ${roomId} in this tenant`);
}

export async function meetingListSource(data: MeetingDataRepository, ctx: ReadContext, q: MeetingListQuery, fail: Fail): Promise<RowSource<MeetingRow>> {
  const cursor: CursorShape = { t: 'integer', id: 'string' };
  await checkRoom(data, ctx, q.roomId, fail);
  // Future meetings are scheduled (calendar) meetings, which openvc does not have: reserves carry no
  // start time. Local screen-casts (type 3) do not exist here either: every meeting is a video meeting.
  if (q.status === 3 || q.meetingType === 3) return emptySource(cursor);
  const scope = { tenantKey: ctx.tenantKey, ...(ctx.userId ? { userId: ctx.userId } : {}) };
  const filter = {
    from: q.window.from,
    to: q.window.to,
    status: q.status === 1 ? MEETING_STATUS.inProgress : MEETING_STATUS.ended,
    ...(q.meetingNo ? { meetingNo: q.meetingNo } : {}),
    ...(q.userId ? { userId: q.userId } : {}),
    ...(q.roomId ? { roomId: q.roomId } : {}),
    includeExternal: q.includeExternal,
  };
  return {
    cursor,
    count: () => data.countMeetings(scope, filter),
    page: async (after, limit) => {
      const rows = await data.meetingPage(scope, filter, after as { t: number; id: string } | undefined, limit + 1);
      const booked = await data.reservedRooms(rows.slice(0, limit).filter((r) => r.tenant_key === ctx.tenantKey).map((r) => ({ id: r.id, tenantKey: r.tenant_key, startAt: r.started_at, endAt: r.ended_at ?? ctx.now })));
      return pageOf(
        rows,
        limit,
        (r): MeetingRow => {
          const ability = JSON.parse(r.ability) as Ability;
          return {
            meetingId: r.id,
            meetingNo: r.meeting_no,
            topic: r.topic,
            organizer: person(ctx, r.tenant_key, r.owner_user_id, null, { name: r.owner_name, department: r.owner_department, employee_no: r.owner_employee_no, email: r.owner_email, mobile: r.owner_mobile }),
            startAt: r.started_at,
            endAt: r.ended_at,
            durationMs: (r.ended_at ?? ctx.now) - r.started_at,
            participants: r.accumulated,
            devices: r.devices,
            audio: ability.use_audio,
            video: ability.use_video,
            sharing: ability.use_share_screen || ability.use_follow_screen,
            recording: ability.use_recording || r.recording === 1,
            telephone: ability.use_pstn,
            isExternal: r.tenant_key !== ctx.tenantKey,
            reservedRooms: booked.get(r.id) ?? [],
          };
        },
        (r) => ({ t: r.started_at, id: r.id }),
      );
    },
  };
}

// --- meetings named by number and time (participant and quality lists) ----------------------------

/** The tenant's meetings of the number that started in the window and are in `status`; visible ones only. */
async function namedMeetings(data: MeetingDataRepository, ctx: ReadContext, meetingNo: string, window: { from: number; to: number }, status: number, fail: Fail): Promise<MeetingRef[]> {
  const all = await data.byNumber(ctx.tenantKey, meetingNo, window.from, window.to);
  const inStatus = all.filter((m) => m.status === status);
  if (inStatus.length === 0) {
    if (all.some((m) => m.status !== MEETING_STATUS.ended) && status === MEETING_STATUS.ended) fail('meeting_not_ended', `meeting ${meetingNo} has not ended yet`);
    fail('no_meeting', `no meeting with number ${meetingNo} ${status === MEETING_STATUS.ended ? 'ended' : 'is in progress'} that started in the time range`);
  }
  if (!ctx.userId) return inStatus;
  const visible: MeetingRef[] = [];
  for (const m of inStatus) if (m.owner_user_id === ctx.userId || (await data.tookPart(m.id, ctx.tenantKey, ctx.userId))) visible.push(m);
  if (visible.length === 0) fail('not_visible', `the user took part in no meeting with number ${meetingNo} in the time range`);
  return visible;
}

// --- participant list -----------------------------------------------------------------------------

/** A participant's sessions summed up: their last client, and whether any of them used each medium. */
interface SessionSummary {
  device: DeviceFacts;
  leaveReason: string | null;
  audio: boolean;
  video: boolean;
  sharing: boolean;
}

/**
 * What the rows of a participant list need besides the participants: sessions, read a meeting at a
 * time (pages walk meetings in order, so each is read once), and directory facts, read once per user for
 * the source's life (the same people meet again and again).
 */
class ParticipantFacts {
  private meetingId: string | undefined;
  private sessions = new Map<string, SessionSummary>();
  private readonly users = new Map<string, UserFactsRow | null>();

  constructor(
    private readonly data: MeetingDataRepository,
    private readonly only: string | undefined,
  ) {}

  async sessionsOf(meetingId: string): Promise<Map<string, SessionSummary>> {
    if (meetingId === this.meetingId) return this.sessions;
    const sessions = new Map<string, SessionSummary>();
    for (const s of await this.data.sessionFacts(meetingId, this.only)) {
      const before = sessions.get(s.participant_key);
      // in join order: the last session's client and reason stand, media used by any session count
      sessions.set(s.participant_key, {
        device: deviceFacts(JSON.parse(s.device) as Record<string, unknown>, s.public_ip),
        leaveReason: s.leave_reason,
        audio: s.used_audio === 1 || (before?.audio ?? false),
        video: s.used_video === 1 || (before?.video ?? false),
        sharing: s.used_share === 1 || (before?.sharing ?? false),
      });
    }
    this.meetingId = meetingId;
    this.sessions = sessions;
    return sessions;
  }

  /** Reads the directory facts of the rows' users not read yet. */
  async load(rows: ParticipantDataRow[]): Promise<void> {
    const missing = new Map<string, Set<string>>();
    for (const r of rows) {
      if (r.user_id === null || r.participant_tenant_key === null || this.users.has(`${r.participant_tenant_key}\u0000${r.user_id}`)) continue;
      const set = missing.get(r.participant_tenant_key) ?? new Set<string>();
      missing.set(r.participant_tenant_key, set.add(r.user_id));
    }
    if (missing.size === 0) return;
    if (this.users.size > 100_000) this.users.clear();
    for (const [tenantKey, ids] of missing) {
      for (const id of ids) this.users.set(`${tenantKey}\u0000${id}`, null);
      for (const u of await this.data.users(tenantKey, [...ids])) this.users.set(`${tenantKey}\u0000${u.user_id}`, u);
    }
  }

  user(r: ParticipantDataRow): UserFactsRow | null {
    return r.user_id === null ? null : (this.users.get(`${r.participant_tenant_key}\u0000${r.user_id}`) ?? null);
  }
}

const NO_SESSION: SessionSummary = { device: deviceFacts({}, null), leaveReason: null, audio: false, video: false, sharing: false };

export async function participantListSource(data: MeetingDataRepository, ctx: ReadContext, q: ParticipantListQuery, fail: Fail): Promise<RowSource<ParticipantRow>> {
  if (q.status === 3) fail('no_meeting', `no meeting with number ${q.meetingNo} is scheduled: openvc has no scheduled meetings`);
  await checkRoom(data, ctx, q.roomId, fail);
  const meetings = await namedMeetings(data, ctx, q.meetingNo, q.window, q.status === 1 ? MEETING_STATUS.inProgress : MEETING_STATUS.ended, fail);
  const ids = meetings.map((m) => m.id);
  const only = q.userId ? userKey(q.userId) : q.roomId ? roomKey(q.roomId) : undefined;
  const facts = new ParticipantFacts(data, only);
  return {
    cursor: { m: 'string', j: 'integer', k: 'string' },
    count: () => data.countParticipants(ids, only),
    page: async (after, limit) => {
      const cursor = after as { m: string; j: number; k: string } | undefined;
      let index = cursor ? ids.indexOf(cursor.m) : 0;
      // a page token of a meeting no longer in the list: nothing follows it
      if (index < 0) return { rows: [] };
      const fetched: { meetingId: string; p: ParticipantDataRow }[] = [];
      for (; index < ids.length && fetched.length <= limit; index++) {
        const meetingId = ids[index]!;
        const from = cursor && meetingId === cursor.m ? { j: cursor.j, k: cursor.k } : undefined;
        for (const p of await data.participantPage(meetingId, only, from, limit + 1 - fetched.length)) fetched.push({ meetingId, p });
      }
      await facts.load(fetched.slice(0, limit).map((f) => f.p));
      const rows: ParticipantRow[] = [];
      for (const { meetingId, p } of fetched.slice(0, limit)) {
        rows.push(participantRow(ctx, p, facts.user(p), (await facts.sessionsOf(meetingId)).get(p.key) ?? NO_SESSION));
      }
      const last = fetched[limit - 1];
      return { rows, ...(fetched.length > limit && last ? { next: { m: last.meetingId, j: last.p.first_join_at, k: last.p.key } } : {}) };
    },
  };
}

function participantRow(ctx: ReadContext, p: ParticipantDataRow, user: UserFactsRow | null, s: SessionSummary): ParticipantRow {
  const inMeeting = p.status === PARTICIPANT_STATUS.inMeeting;
  return {
    person: person(ctx, p.participant_tenant_key, p.user_id, p.name, user),
    roomId: p.key.startsWith(ROOM_KEY_PREFIX) ? p.key.slice(ROOM_KEY_PREFIX.length) : '',
    isExternal: isExternal(ctx.tenantKey, { tenantKey: p.participant_tenant_key, userType: p.user_type as UserType }),
    device: s.device,
    audio: s.audio,
    video: s.video,
    sharing: s.sharing,
    joinAt: p.first_join_at,
    leaveAt: inMeeting ? null : p.final_leave_at,
    inMeetingMs: inMeetingMs({ inMeetingMs: p.in_meeting_ms, joinedAt: p.joined_at }, ctx.now),
    leaveReason: inMeeting ? '' : leaveReasonText(s.leaveReason),
  };
}

// --- participant quality list ---------------------------------------------------------------------

/**
 * The sessions of the participant who joined one of the meetings at `joinTime` (unix ms, to the second):
 * their first join as the participant list shows it, or any re-join. All of that participant's sessions
 * in that meeting count.
 */
async function sessionsJoinedAt(data: MeetingDataRepository, meetings: MeetingRef[], key: string, joinTime: number): Promise<string[] | undefined> {
  for (const m of meetings) {
    const sessions = await data.sessionsOf(m.id, key);
    if (sessions.some((s) => Math.floor(s.joined_at / 1000) * 1000 === joinTime)) return sessions.map((s) => s.id);
  }
  return undefined;
}

export async function qualityListSource(data: MeetingDataRepository, ctx: ReadContext, q: QualityListQuery, fail: Fail): Promise<RowSource<QualityRow>> {
  await checkRoom(data, ctx, q.roomId, fail);
  const meetings = await namedMeetings(data, ctx, q.meetingNo, q.window, MEETING_STATUS.ended, fail);
  const sessionIds = await sessionsJoinedAt(data, meetings, q.userId !== undefined ? userKey(q.userId) : roomKey(q.roomId!), q.joinTime);
  if (!sessionIds) fail('no_device', `the ${q.userId !== undefined ? 'user' : 'room'} did not join meeting ${q.meetingNo} at ${q.joinTime / 1000} (join_time must be a join time from the participant list, in unix seconds)`);
  return {
    cursor: { t: 'integer' },
    count: () => data.countMinutes(sessionIds),
    page: async (after, limit) => {
      const samples = await data.samples(sessionIds, after ? Number(after.t) : -1, limit + 1);
      const minutes: QualityMinute[][] = [];
      for (const s of samples) {
        const q1 = parseSample(s.minute * 1000, JSON.parse(s.sample) as Record<string, unknown>);
        const group = minutes[minutes.length - 1];
        if (group && group[0]!.minute === q1.minute) group.push(q1);
        else minutes.push([q1]);
      }
      return pageOf(minutes, limit, combineMinute, (g) => ({ t: g[0]!.minute / 1000 }));
    },
  };
}

// --- room reservation list -------------------------------------------------------------------------

/**
 * The rooms a reservation query names: the level's subtree (an ID that is not `omb_…` names the tenant
 * root), then `room_ids` kept or left out. Named rooms must be rooms of the tenant (121004) in that
 * subtree (121003).
 */
async function reservationFilter(data: ReservationDataRepository, ctx: ReadContext, q: ReservationListQuery, fail: Fail): Promise<ReservationFilter> {
  const root = rootLevelId(ctx.tenantKey);
  const levelId = q.levelId.startsWith('omb_') ? q.levelId : root;
  const within = levelId === root ? rootPath(root) : await data.levelPath(ctx.tenantKey, levelId);
  if (within === undefined) fail('level', `room_level_id ${q.levelId} names no room level of this tenant`);
  const rooms = new Map((await data.rooms(ctx.tenantKey, q.roomIds)).map((r) => [r.room_id, r.level_path]));
  for (const id of q.roomIds) {
    const path = rooms.get(id);
    if (path === undefined) fail('room', `room_ids: ${id} names no room of this tenant`);
    if (!isWithin(path, within)) fail('room_ids', `room_ids: room ${id} is not in room level ${q.levelId}`);
  }
  return { tenantKey: ctx.tenantKey, within, roomIds: q.roomIds, exclude: q.exclude, from: q.window.from, to: q.window.to, statuses: LISTED_STATUSES };
}

/**
 * Bookings of the named rooms that start in the window, in start order. Every booking of the tenant is
 * visible to every caller of the tenant (docs/room-bookings.md), user tokens included.
 */
export async function reservationListSource(data: ReservationDataRepository, ctx: ReadContext, q: ReservationListQuery, fail: Fail): Promise<RowSource<ReservationRow>> {
  const filter = await reservationFilter(data, ctx, q, fail);
  return {
    cursor: { s: 'integer', i: 'string' },
    count: () => data.count(filter),
    page: async (after, limit) =>
      pageOf(await data.page(filter, after as { s: number; i: string } | undefined, limit + 1), limit, (r) => reservationRow(ctx, q, r), (r) => ({ s: r.start_time, i: r.id })),
  };
}

function reservationRow(ctx: ReadContext, q: ReservationListQuery, r: ReservationDataRow): ReservationRow {
  const released = r.status === 'released';
  const room = r.disable_start === null ? null : { start: r.disable_start, end: r.disable_end };
  return {
    roomId: r.room_id,
    roomName: r.room_name,
    topic: q.needTopic ? r.topic || (r.meeting_topic ?? '') : '',
    reserver: person(ctx, ctx.tenantKey, r.organizer_user_id, null, r.organizer_name === null ? null : { name: r.organizer_name, department: r.organizer_department, employee_no: null, email: null, mobile: null }),
    invited: r.invited,
    accepted: r.accepted,
    startAt: r.start_time,
    endAt: r.end_time,
    status: reservationStatusText(r),
    release: releaseText(r),
    checkInDevice: checkInDeviceText(r),
    checkInStatus: checkInStatusText(r, room, ctx.now),
    checkInAt: r.checked_in_at,
    releaser: released ? (r.releaser_name ?? '') : '',
    releasedAt: released ? r.released_at : null,
  };
}
