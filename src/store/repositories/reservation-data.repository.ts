import type { Kysely } from 'kysely';
import type { Database, RoomBookingTable } from '../schema.js';
import { subtreeRange, type TreePath } from '../../domain/room/tree.js';
import { USER_TYPE } from '../../domain/meeting/meeting.js';

/**
 * The reads behind the room reservation export and its JSON twin (export.md §5, §10.4): the bookings of
 * a set of rooms (a level's subtree, narrowed or thinned by a list of rooms) that start in a window,
 * with their room, organizer and meeting facts, keyset-paged in start order.
 */

export interface ReservationFilter {
  tenantKey: string;
  /** the level whose subtree holds the rooms */
  within: TreePath;
  /** only these rooms, or (`exclude`) all but these; none: every room of the subtree */
  roomIds: string[];
  exclude: boolean;
  /** unix ms, both inclusive: the booking's start falls inside */
  from: number;
  to: number;
  statuses: readonly string[];
}

export interface ReservationCursor {
  s: number;
  i: string;
}

/** A booking as the export reads it: its own columns, and the facts joined to it. */
export type ReservationDataRow = Pick<
  RoomBookingTable,
  'id' | 'room_id' | 'topic' | 'organizer_user_id' | 'start_time' | 'end_time' | 'status' | 'created_at' | 'decided_at' | 'check_in_deadline' | 'checked_in_at' | 'check_in_method' | 'released_at' | 'release_reason' | 'released_by_user_id'
> & {
  room_name: string;
  disable_start: number | null;
  disable_end: number | null;
  meeting_topic: string | null;
  organizer_name: string | null;
  organizer_department: string | null;
  releaser_name: string | null;
  invited: number;
  accepted: number;
};

export class ReservationDataRepository {
  constructor(private readonly db: Kysely<Database>) {}

  /** A level's tree path; undefined when the tenant has no such level. */
  async levelPath(tenantKey: string, levelId: string): Promise<TreePath | undefined> {
    const row = await this.db.selectFrom('room_levels').select('tree_path').where('tenant_key', '=', tenantKey).where('room_level_id', '=', levelId).executeTakeFirst();
    return row?.tree_path;
  }

  /** The tenant's rooms among `ids`, with their level's tree path. */
  async rooms(tenantKey: string, ids: readonly string[]): Promise<{ room_id: string; level_path: TreePath }[]> {
    if (ids.length === 0) return [];
    return this.db
      .selectFrom('rooms as r')
      .innerJoin('room_levels as l', (j) => j.onRef('l.tenant_key', '=', 'r.tenant_key').onRef('l.room_level_id', '=', 'r.room_level_id'))
      .select(['r.room_id', 'l.tree_path as level_path'])
      .where('r.tenant_key', '=', tenantKey)
      .where('r.room_id', 'in', ids)
      .execute();
  }

  /** Bookings joined to rooms of the subtree: the rooms' own filter and the window. */
  private bookings(f: ReservationFilter) {
    const range = subtreeRange(f.within);
    let q = this.db
      .selectFrom('room_bookings as b')
      .innerJoin('rooms as r', (j) => j.onRef('r.tenant_key', '=', 'b.tenant_key').onRef('r.room_id', '=', 'b.room_id'))
      .innerJoin('room_levels as l', (j) => j.onRef('l.tenant_key', '=', 'r.tenant_key').onRef('l.room_level_id', '=', 'r.room_level_id'))
      .where('b.tenant_key', '=', f.tenantKey)
      .where('b.start_time', '>=', f.from)
      .where('b.start_time', '<=', f.to)
      .where('b.status', 'in', f.statuses)
      .where('l.tree_path', '>=', range.lo)
      .where('l.tree_path', '<', range.hi);
    if (f.roomIds.length > 0) q = q.where('b.room_id', f.exclude ? 'not in' : 'in', f.roomIds);
    return q;
  }

  async count(f: ReservationFilter): Promise<number> {
    const row = await this.bookings(f)
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  /** Bookings in start order after `after`, with what their rows show. */
  async page(f: ReservationFilter, after: ReservationCursor | undefined, limit: number): Promise<ReservationDataRow[]> {
    let q = this.bookings(f)
      .leftJoin('users as u', (j) => j.onRef('u.tenant_key', '=', 'b.tenant_key').onRef('u.user_id', '=', 'b.organizer_user_id'))
      .leftJoin('user_departments as ud', (j) => j.onRef('ud.tenant_key', '=', 'u.tenant_key').onRef('ud.user_id', '=', 'u.user_id').on('ud.position', '=', 0))
      .leftJoin('departments as d', (j) => j.onRef('d.tenant_key', '=', 'ud.tenant_key').onRef('d.department_id', '=', 'ud.department_id'))
      .leftJoin('users as ru', (j) => j.onRef('ru.tenant_key', '=', 'b.tenant_key').onRef('ru.user_id', '=', 'b.released_by_user_id'))
      .leftJoin('meetings as m', 'm.id', 'b.meeting_id')
      .select([
        'b.id',
        'b.room_id',
        'r.name as room_name',
        'r.disable_start',
        'r.disable_end',
        'b.topic',
        'm.topic as meeting_topic',
        'b.organizer_user_id',
        'u.name as organizer_name',
        'd.name as organizer_department',
        'b.start_time',
        'b.end_time',
        'b.status',
        'b.created_at',
        'b.decided_at',
        'b.check_in_deadline',
        'b.checked_in_at',
        'b.check_in_method',
        'b.released_at',
        'b.release_reason',
        'b.released_by_user_id',
        'ru.name as releaser_name',
      ])
      // the meeting's people, rooms left out: everyone asked or who came, and those who joined
      .select((eb) => {
        const people = eb.selectFrom('meeting_participants as p').select((e) => e.fn.countAll<number>().as('n')).whereRef('p.meeting_id', '=', 'b.meeting_id').where('p.user_type', '!=', USER_TYPE.rooms);
        return [people.as('invited'), people.where('p.first_join_at', 'is not', null).as('accepted')];
      });
    if (after) q = q.where((eb) => eb(eb.refTuple('b.start_time', 'b.id'), '>', eb.tuple(after.s, after.i)));
    const rows = await q.orderBy('b.start_time').orderBy('b.id').limit(limit).execute();
    return rows.map((r) => ({ ...r, invited: Number(r.invited ?? 0), accepted: Number(r.accepted ?? 0) }));
  }
}
