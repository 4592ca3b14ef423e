import { sql, type Compilable, type ExpressionBuilder, type Kysely, type SelectQueryBuilder } from 'kysely';
import type SQLite from 'better-sqlite3';
import type { Database, MeetingTable } from '../schema.js';
import { ROOM_KEY_PREFIX, roomKey } from '../../domain/meeting/meeting.js';

/**
 * The reads behind the meeting-data exports and their JSON twins: meetings, their participants with
 * their directory facts, participants' sessions and quality samples. Lists are keyset-paged in a stable
 * order, so an export can walk millions of rows a page at a time and a twin can resume from a page token.
 */

export interface MeetingScope {
  tenantKey: string;
  /** user tokens: only meetings this user owned or took part in */
  userId?: string;
}

export interface MeetingFilter {
  /** unix ms; the meeting's start falls inside */
  from: number;
  to: number;
  /** meeting.md status: 2 in progress, 3 ended */
  status: number;
  meetingNo?: string;
  /** only meetings this tenant user took part in */
  userId?: string;
  /** only meetings this room of the tenant took part in */
  roomId?: string;
  /** also meetings of other tenants that the tenant's users joined */
  includeExternal: boolean;
}

export interface MeetingCursor {
  t: number;
  id: string;
}

export interface MeetingDataRow {
  id: string;
  tenant_key: string;
  meeting_no: string;
  topic: string;
  owner_user_id: string;
  started_at: number;
  ended_at: number | null;
  accumulated: number;
  ability: string;
  recording: number;
  devices: number;
  owner_name: string | null;
  owner_email: string | null;
  owner_mobile: string | null;
  owner_employee_no: string | null;
  owner_department: string | null;
}

export interface MeetingRef {
  id: string;
  owner_user_id: string;
  status: number;
}

export interface ParticipantCursor {
  /** the meeting the last row belonged to */
  m: string;
  j: number;
  k: string;
}

export interface ParticipantDataRow {
  key: string;
  user_id: string | null;
  user_type: number;
  participant_tenant_key: string | null;
  name: string | null;
  status: number;
  first_join_at: number;
  final_leave_at: number | null;
  in_meeting_ms: number;
  joined_at: number | null;
}

export interface SessionFactsRow {
  participant_key: string;
  device: string;
  public_ip: string | null;
  leave_reason: string | null;
  used_audio: number;
  used_video: number;
  used_share: number;
}

export interface UserFactsRow {
  tenant_key: string;
  user_id: string;
  name: string;
  email: string | null;
  mobile: string | null;
  employee_no: string | null;
  department: string | null;
}

const USERS_PER_QUERY = 100;

/** The keys a tenant user has as a participant: `u:<id>` in the tenant's meetings, `x:<tenant>:<id>` as a guest elsewhere. */
function participantKeys(eb: ExpressionBuilder<Database, 'meeting_participants'>, tenantKey: string, userId: string) {
  return eb.or([eb.and([eb('key', '=', `u:${userId}`), eb('tenant_key', '=', tenantKey)]), eb('key', '=', `x:${tenantKey}:${userId}`)]);
}

export class MeetingDataRepository {
  constructor(
    private readonly db: Kysely<Database>,
    /** SQLite: the connection Kysely uses, for reads that want arrays (`arrays`) */
    private readonly sqlite?: SQLite.Database,
  ) {}

  private meetings(scope: MeetingScope, f: MeetingFilter): SelectQueryBuilder<Database & { m: MeetingTable }, 'm', object> {
    const tookPart = (userId: string) => this.db.selectFrom('meeting_participants').select('meeting_id').where((eb) => participantKeys(eb, scope.tenantKey, userId));
    let q = this.db.selectFrom('meetings as m').where('m.status', '=', f.status).where('m.started_at', '>=', f.from).where('m.started_at', '<=', f.to);
    q = f.includeExternal
      ? q.where((eb) =>
          eb.or([
            eb('m.tenant_key', '=', scope.tenantKey),
            eb('m.id', 'in', this.db.selectFrom('meeting_participants').select('meeting_id').where('participant_tenant_key', '=', scope.tenantKey).where('tenant_key', '!=', scope.tenantKey)),
          ]),
        )
      : q.where('m.tenant_key', '=', scope.tenantKey);
    if (f.meetingNo) q = q.where('m.meeting_no', '=', f.meetingNo);
    if (f.userId) q = q.where('m.id', 'in', tookPart(f.userId));
    if (f.roomId) {
      const key = roomKey(f.roomId);
      q = q.where('m.id', 'in', this.db.selectFrom('meeting_participants').select('meeting_id').where('key', '=', key).where('tenant_key', '=', scope.tenantKey));
    }
    if (scope.userId) {
      const userId = scope.userId;
      q = q.where((eb) => eb.or([eb.and([eb('m.owner_user_id', '=', userId), eb('m.tenant_key', '=', scope.tenantKey)]), eb('m.id', 'in', tookPart(userId))]));
    }
    return q;
  }

  async countMeetings(scope: MeetingScope, f: MeetingFilter): Promise<number> {
    const row = await this.meetings(scope, f).select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    return Number(row.n);
  }

  /** Meetings in start order with their organizer's directory facts and session count. */
  async meetingPage(scope: MeetingScope, f: MeetingFilter, after: MeetingCursor | undefined, limit: number): Promise<MeetingDataRow[]> {
    let q = this.meetings(scope, f)
      .leftJoin('users as u', (j) => j.onRef('u.tenant_key', '=', 'm.tenant_key').onRef('u.user_id', '=', 'm.owner_user_id'))
      .leftJoin('user_departments as ud', (j) => j.onRef('ud.tenant_key', '=', 'u.tenant_key').onRef('ud.user_id', '=', 'u.user_id').on('ud.position', '=', 0))
      .leftJoin('departments as d', (j) => j.onRef('d.tenant_key', '=', 'ud.tenant_key').onRef('d.department_id', '=', 'ud.department_id'))
      .select(['m.id', 'm.tenant_key', 'm.meeting_no', 'm.topic', 'm.owner_user_id', 'm.started_at', 'm.ended_at', 'm.accumulated', 'm.ability', 'm.recording'])
      .select((eb) => [
        eb.selectFrom('participant_sessions as s').select((e) => e.fn.countAll<number>().as('n')).whereRef('s.meeting_id', '=', 'm.id').as('devices'),
        'u.name as owner_name',
        'u.email as owner_email',
        'u.mobile as owner_mobile',
        'u.employee_no as owner_employee_no',
        'd.name as owner_department',
      ])
      // the window filter leaves out meetings that never started
      .$narrowType<{ started_at: number }>();
    if (after) q = q.where((eb) => eb(eb.refTuple('m.started_at', 'm.id'), '>', eb.tuple(after.t, after.id)));
    const rows = await q.orderBy('m.started_at').orderBy('m.id').limit(limit).execute();
    return rows.map((r) => ({ ...r, devices: Number(r.devices) }));
  }

  /** The tenant's meetings of a number that started in the window, in start order. */
  async byNumber(tenantKey: string, meetingNo: string, from: number, to: number): Promise<MeetingRef[]> {
    return this.db
      .selectFrom('meetings')
      .select(['id', 'owner_user_id', 'status'])
      .where('tenant_key', '=', tenantKey)
      .where('meeting_no', '=', meetingNo)
      .where('started_at', '>=', from)
      .where('started_at', '<=', to)
      .orderBy('started_at')
      .orderBy('id')
      .execute();
  }

  /**
   * The booked rooms of each meeting (meeting_list's `reserved_rooms`): rooms of the meeting's tenant that took
   * part in it and hold a confirmed (or since released) booking overlapping the meeting's time. Three reads
   * for a whole page of meetings.
   */
  async reservedRooms(meetings: readonly { id: string; tenantKey: string; startAt: number; endAt: number }[]): Promise<Map<string, { room_id: string; room_name: string }[]>> {
    const out = new Map<string, { room_id: string; room_name: string }[]>();
    if (meetings.length === 0) return out;
    const joined = await this.db
      .selectFrom('meeting_participants')
      .select(['meeting_id', 'tenant_key', 'key'])
      .where('meeting_id', 'in', meetings.map((m) => m.id))
      .where('key', 'like', `${ROOM_KEY_PREFIX}%`)
      .execute();
    if (joined.length === 0) return out;
    const roomIds = [...new Set(joined.map((j) => j.key.slice(ROOM_KEY_PREFIX.length)))];
    const tenants = [...new Set(joined.map((j) => j.tenant_key))];
    const [rooms, bookings] = await Promise.all([
      this.db.selectFrom('rooms').select(['tenant_key', 'room_id', 'name']).where('tenant_key', 'in', tenants).where('room_id', 'in', roomIds).execute(),
      this.db
        .selectFrom('room_bookings')
        .select(['tenant_key', 'room_id', 'start_time', 'end_time'])
        .where('tenant_key', 'in', tenants)
        .where('room_id', 'in', roomIds)
        .where('status', 'in', ['confirmed', 'released'])
        .where('start_time', '<', Math.max(...meetings.map((m) => m.endAt)))
        .where('end_time', '>', Math.min(...meetings.map((m) => m.startAt)))
        .execute(),
    ]);
    const names = new Map(rooms.map((r) => [`${r.tenant_key}\u0000${r.room_id}`, r.name]));
    for (const m of meetings) {
      const list: { room_id: string; room_name: string }[] = [];
      for (const j of joined) {
        if (j.meeting_id !== m.id || j.tenant_key !== m.tenantKey) continue;
        const roomId = j.key.slice(ROOM_KEY_PREFIX.length);
        const name = names.get(`${m.tenantKey}\u0000${roomId}`);
        const booked = bookings.some((b) => b.tenant_key === m.tenantKey && b.room_id === roomId && b.start_time < m.endAt && b.end_time > m.startAt);
        if (name !== undefined && booked) list.push({ room_id: roomId, room_name: name });
      }
      if (list.length > 0) out.set(m.id, list);
    }
    return out;
  }

  /** Whether the tenant has the room (rooms take part in their own tenant's meetings only). */
  async hasRoom(tenantKey: string, roomId: string): Promise<boolean> {
    const row = await this.db.selectFrom('rooms').select('room_id').where('tenant_key', '=', tenantKey).where('room_id', '=', roomId).executeTakeFirst();
    return row !== undefined;
  }

  /** Whether the tenant user took part in the meeting. */
  async tookPart(meetingId: string, tenantKey: string, userId: string): Promise<boolean> {
    const row = await this.db
      .selectFrom('meeting_participants')
      .select('key')
      .where('meeting_id', '=', meetingId)
      .where((eb) => participantKeys(eb, tenantKey, userId))
      .where('first_join_at', 'is not', null)
      .executeTakeFirst();
    return row !== undefined;
  }

  async countParticipants(meetingIds: string[], userKey: string | undefined): Promise<number> {
    if (meetingIds.length === 0) return 0;
    let q = this.db.selectFrom('meeting_participants').select((eb) => eb.fn.countAll<number>().as('n')).where('meeting_id', 'in', meetingIds).where('first_join_at', 'is not', null);
    if (userKey) q = q.where('key', '=', userKey);
    return Number((await q.executeTakeFirstOrThrow()).n);
  }

  /**
   * Participants of one meeting who joined, in join order. Their directory facts and sessions come from
   * `users` and `sessionFacts`: an export reads each user once and each meeting's sessions once, where a
   * join per row would read them again for every participant row.
   */
  async participantPage(meetingId: string, userKey: string | undefined, after: { j: number; k: string } | undefined, limit: number): Promise<ParticipantDataRow[]> {
    let q = this.db
      .selectFrom('meeting_participants')
      .select(['key', 'user_id', 'user_type', 'participant_tenant_key', 'name', 'status', 'first_join_at', 'final_leave_at', 'in_meeting_ms', 'joined_at'])
      .$narrowType<{ first_join_at: number }>()
      .where('meeting_id', '=', meetingId)
      .where('first_join_at', 'is not', null);
    if (userKey) q = q.where('key', '=', userKey);
    if (after) q = q.where((eb) => eb(eb.refTuple('first_join_at', 'key'), '>', eb.tuple(after.j, after.k)));
    const query = q.orderBy('first_join_at').orderBy('key').limit(limit);
    const arrays = await this.arrays(query);
    if (!arrays) return query.execute();
    return arrays.map((a) => ({
      key: a[0] as string,
      user_id: a[1] as string | null,
      user_type: a[2] as number,
      participant_tenant_key: a[3] as string | null,
      name: a[4] as string | null,
      status: a[5] as number,
      first_join_at: a[6] as number,
      final_leave_at: a[7] as number | null,
      in_meeting_ms: a[8] as number,
      joined_at: a[9] as number | null,
    }));
  }

  /** The sessions of a meeting (of one participant with `userKey`), each participant's in join order. */
  async sessionFacts(meetingId: string, userKey: string | undefined): Promise<SessionFactsRow[]> {
    let q = this.db
      .selectFrom('participant_sessions')
      .select(['participant_key', 'device', 'public_ip', 'leave_reason', 'used_audio', 'used_video', 'used_share'])
      .where('meeting_id', '=', meetingId);
    if (userKey) q = q.where('participant_key', '=', userKey);
    const query = q.orderBy('participant_key').orderBy('joined_at');
    const arrays = await this.arrays(query);
    if (!arrays) return query.execute();
    return arrays.map((a) => ({
      participant_key: a[0] as string,
      device: a[1] as string,
      public_ip: a[2] as string | null,
      leave_reason: a[3] as string | null,
      used_audio: a[4] as number,
      used_video: a[5] as number,
      used_share: a[6] as number,
    }));
  }

  /**
   * SQLite: runs a query for its rows as arrays, in the order of its select list. An export reads
   * millions of rows; building each as an object in the driver costs a third of reading it, where the
   * typed object made from the array here is cheap. Undefined on PostgreSQL (the query runs as usual).
   */
  private async arrays(query: Compilable): Promise<unknown[][] | undefined> {
    const sqlite = this.sqlite;
    if (!sqlite) return undefined;
    const { sql: text, parameters } = query.compile();
    // Holding Kysely's connection keeps the read out of a transaction another caller has open on it.
    return this.db.connection().execute(async () => {
      const stmt = sqlite.prepare(text);
      // Prepared statements are shared with Kysely (by SQL text): raw mode is switched off again at once.
      stmt.raw(true);
      try {
        return stmt.all(...parameters) as unknown[][];
      } finally {
        stmt.raw(false);
      }
    });
  }

  /**
   * Directory facts of users of one tenant, with their first department's name. Asked in lists of a
   * fixed length (the last one padded), so that an export asking for users page after page prepares one
   * statement, not one per list length (SQLite keeps prepared statements).
   */
  async users(tenantKey: string, userIds: string[]): Promise<UserFactsRow[]> {
    const rows: UserFactsRow[] = [];
    for (let i = 0; i < userIds.length; i += USERS_PER_QUERY) {
      const ids = userIds.slice(i, i + USERS_PER_QUERY);
      while (ids.length < USERS_PER_QUERY) ids.push(ids[0]!);
      rows.push(
        ...(await this.db
          .selectFrom('users as u')
          .leftJoin('user_departments as ud', (j) => j.onRef('ud.tenant_key', '=', 'u.tenant_key').onRef('ud.user_id', '=', 'u.user_id').on('ud.position', '=', 0))
          .leftJoin('departments as d', (j) => j.onRef('d.tenant_key', '=', 'ud.tenant_key').onRef('d.department_id', '=', 'ud.department_id'))
          .select(['u.tenant_key', 'u.user_id', 'u.name', 'u.email', 'u.mobile', 'u.employee_no', 'd.name as department'])
          .where('u.tenant_key', '=', tenantKey)
          .where('u.user_id', 'in', ids)
          .execute()),
      );
    }
    return rows;
  }

  /** The ids of a participant's sessions in a meeting with their join times. */
  async sessionsOf(meetingId: string, participantKey: string): Promise<{ id: string; joined_at: number }[]> {
    return this.db.selectFrom('participant_sessions').select(['id', 'joined_at']).where('meeting_id', '=', meetingId).where('participant_key', '=', participantKey).orderBy('joined_at').execute();
  }

  async countMinutes(sessionIds: string[]): Promise<number> {
    if (sessionIds.length === 0) return 0;
    const row = await this.db.selectFrom('quality_samples').select(sql<number>`count(distinct minute)`.as('n')).where('session_id', 'in', sessionIds).executeTakeFirstOrThrow();
    return Number(row.n);
  }

  /**
   * Samples of the sessions for the first `minutes` distinct minutes after `afterMinute` (unix s), in
   * minute order: every sample of a minute comes in the same page, so a minute is combined whole.
   */
  async samples(sessionIds: string[], afterMinute: number, minutes: number): Promise<{ minute: number; sample: string }[]> {
    if (sessionIds.length === 0) return [];
    const wanted = this.db
      .selectFrom('quality_samples')
      .select('minute')
      .distinct()
      .where('session_id', 'in', sessionIds)
      .where('minute', '>', afterMinute)
      .orderBy('minute')
      .limit(minutes);
    return this.db.selectFrom('quality_samples').select(['minute', 'sample']).where('session_id', 'in', sessionIds).where('minute', 'in', wanted).orderBy('minute').orderBy('session_id').execute();
  }
}
