import { Type } from '@sinclair/typebox';
import type { BookingRow } from '../store/repositories/booking.repository.js';
import type { UserIdMapper } from '../domain/identity/user-ids.js';
import { BOOKING_STATUSES, CHECK_IN_METHODS, RELEASE_REASONS, type CheckInMethod, type ReleaseReason } from '../domain/booking/values.js';

/** A string schema listing the codes of a value set. */
const codes = <T extends string>(values: readonly T[], description: string) => Type.Unsafe<T>({ type: 'string', enum: [...values], description });

export const BookingStatusSchema = codes(BOOKING_STATUSES, 'pending (awaiting approval), confirmed, released (let go early, see release_reason), cancelled (withdrawn before it began), rejected');
export const CheckInMethodSchema = codes(Object.keys(CHECK_IN_METHODS) as CheckInMethod[], 'sign-in board, QR code, controller, touch panel, or a device offline checked in automatically');
const ReleaseReasonSchema = codes(Object.keys(RELEASE_REASONS) as ReleaseReason[], 'by hand, the meeting ended, nobody checked in, a sensor found the room empty');

export const Seconds = (description: string) => Type.String({ pattern: '^[0-9]{1,11}$', description: `${description}, unix seconds` });
const Time = (description: string) => Type.Optional(Type.String({ description: `${description}, unix seconds` }));

export const BookingObject = Type.Object({
  booking_id: Type.String(),
  room_id: Type.String(),
  organizer_id: Type.String({ description: 'whom the room is booked for, in user_id_type' }),
  topic: Type.String(),
  start_time: Type.String({ description: 'unix seconds' }),
  end_time: Type.String({ description: 'unix seconds' }),
  status: BookingStatusSchema,
  needs_approval: Type.Boolean({ description: 'the booking had to wait for approval' }),
  decided_time: Time('when it was approved or rejected'),
  reject_reason: Type.Optional(Type.String()),
  check_in_deadline: Time('released unless checked in by then; absent: no check-in needed (or not approved yet)'),
  check_in_time: Time('when it was checked in'),
  check_in_method: Type.Optional(CheckInMethodSchema),
  release_time: Time('when a released or cancelled booking let the room go'),
  release_reason: Type.Optional(ReleaseReasonSchema),
  released_by: Type.Optional(Type.String({ description: 'the user who released or cancelled it, in user_id_type; absent when an app or the server did' })),
  meeting_no: Type.Optional(Type.String({ description: 'the meeting the booking is for' })),
  meeting_id: Type.Optional(Type.String({ description: 'the meeting the room joined with this booking' })),
  create_time: Type.String({ description: 'unix seconds' }),
});

const sec = (ms: number): string => String(Math.floor(ms / 1000));
const maybeSec = (ms: number | null): string | undefined => (ms === null ? undefined : sec(ms));
const maybe = <T>(v: T | null): T | undefined => v ?? undefined;

export function presentBooking(b: BookingRow, ids: UserIdMapper) {
  return {
    booking_id: b.id,
    room_id: b.room_id,
    organizer_id: ids.present(b.organizer_user_id),
    topic: b.topic,
    start_time: sec(b.start_time),
    end_time: sec(b.end_time),
    status: b.status,
    needs_approval: b.needs_approval === 1,
    decided_time: maybeSec(b.decided_at),
    reject_reason: maybe(b.decision_note),
    check_in_deadline: maybeSec(b.check_in_deadline),
    check_in_time: maybeSec(b.checked_in_at),
    check_in_method: maybe(b.check_in_method),
    release_time: maybeSec(b.released_at),
    release_reason: maybe(b.release_reason),
    released_by: b.released_by_user_id === null ? undefined : ids.present(b.released_by_user_id),
    meeting_no: maybe(b.meeting_no),
    meeting_id: maybe(b.meeting_id),
    create_time: sec(b.created_at),
  };
}
