/**
 * What room bookings do (docs/room-bookings.md). Every change loads the booking (locked on PostgreSQL),
 * applies a rule of ./rules.ts and writes the result with its no-check-in job in one transaction. Reads
 * that are not part of a change (users, the room, the booking policy) happen before the transaction: on
 * SQLite the transaction holds the only connection.
 */
import type { Kysely } from 'kysely';
import type { Database } from '../../store/schema.js';
import type { Repositories } from '../../store/repositories/index.js';
import type { BookingCursor, BookingFilter, BookingRow } from '../../store/repositories/booking.repository.js';
import type { Principal } from '../auth/principal.js';
import { apiError } from '../../contract/errors.js';
import type { UserIdMapper } from '../identity/user-ids.js';
import { randomHex } from '../ids.js';
import type { Meeting } from '../meeting/meeting.js';
import type { Caller, Device, MeetingService, ReserveRules, SessionView } from '../meeting/meeting.service.js';
import { ownsReserve } from '../reserve/ownership.js';
import { levelNamed } from '../room/levels.js';
import { idsOf } from '../room/tree.js';
import type { BookingPolicy } from './policy.js';
import * as rules from './rules.js';
import type { BookingChange, BookingState } from './rules.js';
import type { CheckInMethod } from './values.js';

export const BOOKING_JOB = { noCheckIn: 'booking.no_check_in' } as const;
const noCheckInKey = (bookingId: string) => `${BOOKING_JOB.noCheckIn}:${bookingId}`;

export interface NoCheckInPayload {
  tenant_key: string;
  booking_id: string;
}

export interface BookInput {
  room_id: string;
  start_time: string;
  end_time: string;
  topic?: string;
  /** whom the room is booked for; required with a tenant token, ignored with a user token */
  organizer_id?: string;
  meeting_no?: string;
}

export interface BookingDeps {
  repos: Repositories;
  meetings: MeetingService;
  reserveRules: ReserveRules;
  policy: BookingPolicy;
  /** `bookingCheckInWindow` in ms; 0 turns check-in off */
  checkInWindowMs: number;
  clock?: { now(): number };
}

type Rule = (b: BookingRow, db: Kysely<Database>) => BookingChange | null | Promise<BookingChange | null>;

const newBookingId = (): string => 'rb_' + randomHex(16);
const sec = (ms: number) => String(Math.floor(ms / 1000));
/** a time for people in a message: the unix seconds the API speaks and the same instant in UTC */
const when = (ms: number) => `${sec(ms)} (${new Date(ms).toISOString().slice(0, 16).replace('T', ' ')} UTC)`;
const paramError = (msg: string) => apiError('paramError', `param error: ${msg}`);
const roomNotFound = (id: string) => apiError('dataNotExist', `data not exist: room_id ${id} names no room of this tenant`);
const bookingNotFound = (id: string) => apiError('dataNotExist', `data not exist: booking_id ${id} names no booking of this tenant`);

export class BookingService {
  private readonly clock: { now(): number };

  constructor(private readonly deps: BookingDeps) {
    this.clock = deps.clock ?? Date;
  }

  private get repos(): Repositories {
    return this.deps.repos;
  }

  /** Books a room: refused with nothing written when the span breaks a limit, the room is disabled then, or it is taken. */
  async book(p: Principal, ids: UserIdMapper, input: BookInput): Promise<BookingRow> {
    const now = this.clock.now();
    if (p.kind === 'tenant' && !input.organizer_id) throw paramError('organizer_id is required with a tenant_access_token');
    const span = rules.bookingSpan(input.start_time, input.end_time, now);
    const organizer = p.kind === 'user' ? p.userId! : await activeUser(ids, input.organizer_id!);
    const room = await this.repos.rooms.forTenant(p.tenantKey).find(input.room_id);
    if (!room) throw roomNotFound(input.room_id);
    const verdict = await this.deps.policy({ tenantKey: p.tenantKey, roomId: room.room_id, levelPath: room.level_path, organizerUserId: organizer, span });
    if (!verdict.allowed) throw apiError('noPermission', verdict.reason ?? 'the user may not book this room');
    return this.repos.bookings.transaction(async (trx) => {
      const bookings = this.repos.bookings.forTenant(p.tenantKey, trx);
      const locked = await bookings.lockRoom(room.room_id);
      if (!locked) throw roomNotFound(room.room_id);
      const window = locked.disable_start === null ? null : { start: locked.disable_start, end: locked.disable_end };
      if (rules.disabledDuring(window, span)) throw apiError('roomDisabled', `room ${room.room_id} is disabled for part of that time`);
      const clash = (await bookings.holding(room.room_id, span))[0];
      if (clash) throw apiError('bookingConflict', `room ${room.room_id} is booked from ${when(clash.start_time)} to ${when(clash.end_time)} (booking ${clash.id})`);
      const row = await bookings.insert({
        id: newBookingId(),
        room_id: room.room_id,
        organizer_user_id: organizer,
        app_id: p.appId,
        topic: input.topic?.trim() ?? '',
        start_time: span.start,
        end_time: span.end,
        ...rules.newBookingState(span, verdict.needsApproval, now, this.deps.checkInWindowMs),
        needs_approval: verdict.needsApproval ? 1 : 0,
        decided_at: null,
        decided_by_app_id: null,
        decision_note: null,
        checked_in_at: null,
        check_in_method: null,
        released_at: null,
        release_reason: null,
        released_by_user_id: null,
        meeting_no: input.meeting_no ?? null,
        meeting_id: null,
        created_at: now,
        updated_at: now,
      });
      await this.syncCheckInJob(row, trx, now);
      return row;
    });
  }

  /** Any booking of the caller's tenant: a room's schedule is visible to everyone who may book it. */
  async get(p: Principal, id: string): Promise<BookingRow> {
    const b = await this.repos.bookings.forTenant(p.tenantKey).find(id);
    if (!b) throw bookingNotFound(id);
    return b;
  }

  async page(p: Principal, filter: BookingFilter, after: BookingCursor | undefined, limit: number): Promise<BookingRow[]> {
    return this.repos.bookings.forTenant(p.tenantKey).page(filter, after, limit);
  }

  /** The organizer (user token) or the app that booked (tenant token) cancels, or releases once begun. */
  async cancel(p: Principal, id: string): Promise<BookingRow> {
    return this.change(p.tenantKey, id, (b) => {
      if (!ownsReserve(p, { tenantKey: b.tenant_key, appId: b.app_id, ownerUserId: b.organizer_user_id })) {
        throw apiError('noPermission', p.kind === 'user' ? 'only the organizer can cancel the booking' : 'only the app that made the booking can cancel it');
      }
      return rules.cancel(b, this.clock.now(), p.kind === 'user' ? p.userId! : null);
    });
  }

  /** An approver (an app holding vc:room) approves or rejects a pending booking. */
  async decide(p: Principal, id: string, approve: boolean, note?: string): Promise<BookingRow> {
    return this.change(p.tenantKey, id, (b) => ({ ...rules.decide(b, approve, this.clock.now(), this.deps.checkInWindowMs, note), decided_by_app_id: p.appId }));
  }

  /** A room device (any app of the tenant) or the organizer checks the booking in; not while the room is disabled. */
  async checkIn(p: Principal, id: string, method: CheckInMethod): Promise<BookingRow> {
    return this.change(p.tenantKey, id, async (b, db) => {
      if (p.kind === 'user' && p.userId !== b.organizer_user_id) throw apiError('noPermission', 'only the organizer or a room device can check the booking in');
      const now = this.clock.now();
      if (await this.repos.rooms.forTenant(p.tenantKey, db).disabledAt(b.room_id, now)) throw apiError('roomDisabled', `room ${b.room_id} is disabled now`);
      return rules.checkIn(b, method, now);
    });
  }

  /** A room sensor saw the room empty: the booking in progress lets it go. Undefined when none was. */
  async roomVacant(p: Principal, roomId: string): Promise<BookingRow | undefined> {
    const now = this.clock.now();
    const bookings = this.repos.bookings.forTenant(p.tenantKey);
    if ((await this.repos.rooms.forTenant(p.tenantKey).disabledAt(roomId, now)) === undefined) throw roomNotFound(roomId);
    const current = (await bookings.holding(roomId, { start: now, end: now + 1 })).find((b) => b.status === 'confirmed' && b.start_time <= now);
    if (!current) return undefined;
    const after = await this.change(p.tenantKey, current.id, (b) => rules.releaseEarly(b, 'sensor', now));
    return after.release_reason === 'sensor' ? after : undefined;
  }

  /** Job: a booking nobody checked in by its deadline is released (a no-op when it was meanwhile). */
  async releaseUnchecked(tenantKey: string, id: string): Promise<void> {
    await this.change(tenantKey, id, (b) => rules.releaseUnchecked(b, this.clock.now()));
  }

  /** MeetingService hook, in the transaction that ends the meeting: the bookings it took let their rooms go. */
  readonly releaseForMeeting = async (m: Meeting, at: number, trx: Kysely<Database>): Promise<void> => {
    for (const b of await this.repos.bookings.forTenant(m.tenantKey, trx).ofMeeting(m.id)) {
      await this.change(m.tenantKey, b.id, (x) => rules.releaseEarly(x, 'meeting_ended', at), trx);
    }
  };

  /**
   * A room joins a meeting through a user who operates it. Refused while the room is disabled or while
   * another user's booking holds it; the caller's own booking (in progress or opening for check-in) is
   * taken into the meeting, checked in, and released when the meeting ends.
   */
  async joinRoom(caller: Caller, roomId: string, meetingNo: string, password: string | undefined, device: Device): Promise<SessionView> {
    const now = this.clock.now();
    const rooms = this.repos.rooms.forTenant(caller.tenantKey);
    const room = await rooms.find(roomId);
    if (!room) throw roomNotFound(roomId);
    if (await rooms.disabledAt(roomId, now)) throw apiError('roomDisabled', `room ${roomId} is disabled now`);
    const holding = await this.repos.bookings.forTenant(caller.tenantKey).holding(roomId, { start: now, end: now + rules.CHECK_IN_OPENS_MS });
    const { blockedBy, claim } = rules.roomJoin(holding, caller.userId, now);
    if (blockedBy) throw apiError('noPermission', `room ${roomId} is booked by another user until ${when(blockedBy.end_time)}`);
    return this.deps.meetings.joinByNo(caller, meetingNo, password, device, this.deps.reserveRules, {
      roomId,
      name: room.name,
      joined: async (m, at, trx) => {
        if (claim) await this.change(caller.tenantKey, claim.id, (b) => rules.claimForMeeting(b, { id: m.id, meetingNo: m.meetingNo }, at), trx);
      },
    });
  }

  /** A level's own approval flag, and whether bookings of its rooms need approval (its flag or one above it). */
  async levelApproval(p: Principal, levelId: string): Promise<{ room_level_id: string; needs_approval: boolean; effective_needs_approval: boolean }> {
    const level = await levelNamed(this.repos.roomLevels.forTenant(p.tenantKey), levelId, 'room_level_id', this.clock.now());
    const bookings = this.repos.bookings.forTenant(p.tenantKey);
    return {
      room_level_id: level.room_level_id,
      needs_approval: await bookings.anyNeedsApproval([level.room_level_id]),
      effective_needs_approval: await bookings.anyNeedsApproval(idsOf(level.tree_path)),
    };
  }

  async setLevelApproval(p: Principal, levelId: string, needsApproval: boolean): Promise<void> {
    const now = this.clock.now();
    const level = await levelNamed(this.repos.roomLevels.forTenant(p.tenantKey), levelId, 'room_level_id', now);
    await this.repos.bookings.forTenant(p.tenantKey).setLevelApproval(level.room_level_id, needsApproval, now);
  }

  /**
   * Loads the booking locked, applies `rule` and stores what it changed with the matching no-check-in
   * job, in `trx` or a transaction of its own. `rule` may throw to refuse; null means nothing to do.
   */
  private async change(tenantKey: string, id: string, rule: Rule, trx?: Kysely<Database>): Promise<BookingRow> {
    const run = async (db: Kysely<Database>) => {
      const bookings = this.repos.bookings.forTenant(tenantKey, db);
      const b = await bookings.find(id, true);
      if (!b) throw bookingNotFound(id);
      const c = await rule(b, db);
      if (!c) return b;
      const now = this.clock.now();
      await bookings.update(id, c, now);
      const after = { ...b, ...c, updated_at: now };
      await this.syncCheckInJob(after, db, now);
      return after;
    };
    return trx ? run(trx) : this.repos.bookings.transaction(run);
  }

  /** One pending no-check-in job while the booking awaits its check-in, none otherwise. */
  private async syncCheckInJob(b: BookingState & { tenant_key: string; id: string }, db: Kysely<Database>, now: number): Promise<void> {
    if (!rules.awaitsCheckIn(b)) return this.repos.jobs.cancel(noCheckInKey(b.id), db);
    const payload: NoCheckInPayload = { tenant_key: b.tenant_key, booking_id: b.id };
    await this.repos.jobs.schedule({ kind: BOOKING_JOB.noCheckIn, payload, runAt: b.check_in_deadline!, dedupeKey: noCheckInKey(b.id) }, db, now);
  }
}

async function activeUser(ids: UserIdMapper, id: string): Promise<string> {
  const user = await ids.resolve(id);
  if (user.status !== 'active') throw paramError('organizer_id must name an active user of the tenant');
  return user.user_id;
}
