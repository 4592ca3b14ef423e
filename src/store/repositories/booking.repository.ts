import type { Kysely, Selectable, SelectQueryBuilder } from 'kysely';
import type { Dialect } from '../database.js';
import type { Database, RoomBookingTable } from '../schema.js';
import { MAX_DURATION_MS, type BookingChange, type Span } from '../../domain/booking/rules.js';

export type BookingRow = Selectable<RoomBookingTable>;
export type NewBooking = Omit<BookingRow, 'tenant_key'>;

/** Which bookings a list wants; every part narrows the result. */
export interface BookingFilter {
  roomId?: string;
  organizerUserId?: string;
  status?: string;
  /** bookings overlapping [start, end); either end may be open */
  range?: Partial<Span>;
}

/** Keyset position in booking order: start time, then ID. */
export type BookingCursor = { s: number; i: string };

const HOLDING = ['pending', 'confirmed'];

/**
 * Bookings overlapping `range`. A booking lasts at most MAX_DURATION_MS, so one that overlaps starts no
 * earlier than that before the range: the lower bound keeps the scan of the (tenant, room, start) index short.
 */
function overlapping<O>(q: SelectQueryBuilder<Database, 'room_bookings', O>, range: Partial<Span>) {
  if (range.start !== undefined) q = q.where('end_time', '>', range.start).where('start_time', '>', range.start - MAX_DURATION_MS);
  if (range.end !== undefined) q = q.where('start_time', '<', range.end);
  return q;
}

/** Room bookings and the per-level approval flag. Every query goes through `forTenant` and carries the tenant_key. */
export class BookingRepository {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly dialect: Dialect,
  ) {}

  forTenant(tenantKey: string, db: Kysely<Database> = this.db): TenantBookings {
    return new TenantBookings(db, this.dialect, tenantKey);
  }

  async transaction<T>(fn: (trx: Kysely<Database>) => Promise<T>): Promise<T> {
    return this.db.transaction().execute(fn);
  }
}

export class TenantBookings {
  constructor(
    private readonly db: Kysely<Database>,
    private readonly dialect: Dialect,
    readonly tenantKey: string,
  ) {}

  private bookings() {
    return this.db.selectFrom('room_bookings').selectAll().where('tenant_key', '=', this.tenantKey);
  }

  /**
   * The booking lock: holds the room's row until the transaction ends, so that bookings of one room
   * check for overlaps and insert one after the other (PostgreSQL `FOR UPDATE`; SQLite runs one writer
   * at a time). Returns the room's disable window as of the lock; undefined when the tenant has no such room.
   */
  async lockRoom(roomId: string): Promise<{ disable_start: number | null; disable_end: number | null } | undefined> {
    let q = this.db.selectFrom('rooms').select(['disable_start', 'disable_end']).where('tenant_key', '=', this.tenantKey).where('room_id', '=', roomId);
    if (this.dialect === 'postgres') q = q.forUpdate();
    return q.executeTakeFirst();
  }

  /** `lock` holds the row until the transaction ends (PostgreSQL; SQLite transactions already exclude each other). */
  async find(id: string, lock = false): Promise<BookingRow | undefined> {
    let q = this.bookings().where('id', '=', id);
    if (lock && this.dialect === 'postgres') q = q.forUpdate();
    return q.executeTakeFirst();
  }

  /** The bookings holding the room (pending or confirmed) for any part of the span, in start order. */
  async holding(roomId: string, span: Span): Promise<BookingRow[]> {
    return overlapping(this.bookings().where('room_id', '=', roomId), span).where('status', 'in', HOLDING).orderBy('start_time').orderBy('id').execute();
  }

  /** Bookings in start order after `after`. */
  async page(f: BookingFilter, after: BookingCursor | undefined, limit: number): Promise<BookingRow[]> {
    let q = overlapping(this.bookings(), f.range ?? {});
    if (f.roomId !== undefined) q = q.where('room_id', '=', f.roomId);
    if (f.organizerUserId !== undefined) q = q.where('organizer_user_id', '=', f.organizerUserId);
    if (f.status !== undefined) q = q.where('status', '=', f.status);
    if (after) q = q.where((eb) => eb(eb.refTuple('start_time', 'id'), '>', eb.tuple(after.s, after.i)));
    return q.orderBy('start_time').orderBy('id').limit(limit).execute();
  }

  /** The bookings a meeting took (room joins), in the state they are now. */
  async ofMeeting(meetingId: string): Promise<BookingRow[]> {
    return this.bookings().where('meeting_id', '=', meetingId).execute();
  }

  async insert(row: NewBooking): Promise<BookingRow> {
    const full = { ...row, tenant_key: this.tenantKey };
    await this.db.insertInto('room_bookings').values(full).execute();
    return full;
  }

  async update(id: string, change: BookingChange, now: number): Promise<void> {
    await this.db
      .updateTable('room_bookings')
      .set({ ...change, updated_at: now })
      .where('tenant_key', '=', this.tenantKey)
      .where('id', '=', id)
      .execute();
  }

  /** Whether any of the levels (a room's level and those above it) asks bookings to wait for approval. */
  async anyNeedsApproval(levelIds: readonly string[]): Promise<boolean> {
    if (levelIds.length === 0) return false;
    const row = await this.db
      .selectFrom('room_booking_levels')
      .select('room_level_id')
      .where('tenant_key', '=', this.tenantKey)
      .where('room_level_id', 'in', levelIds)
      .where('needs_approval', '=', 1)
      .limit(1)
      .executeTakeFirst();
    return row !== undefined;
  }

  async setLevelApproval(levelId: string, needsApproval: boolean, now: number): Promise<void> {
    await this.db
      .insertInto('room_booking_levels')
      .values({ tenant_key: this.tenantKey, room_level_id: levelId, needs_approval: needsApproval ? 1 : 0, updated_at: now })
      .onConflict((oc) => oc.columns(['tenant_key', 'room_level_id']).doUpdateSet({ needs_approval: needsApproval ? 1 : 0, updated_at: now }))
      .execute();
  }
}
