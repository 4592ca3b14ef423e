/**
 * "May this user book this room for this time, and does it need approval?" — answered from the booking
 * rules that apply to the room (reserve_configs, inherited down the tree; load them with
 * `roomBookingConfig` and the user with `bookerOf`, reserve-config.service.ts). Pure: no clock, no store.
 *
 * Whether the room is enabled at that time is the room's own state, not a booking rule: ask
 * `rooms.disabledAt`.
 *
 * Times of day (start_time, end_time, opening_hour) are taken in UTC: tenants carry no time zone.
 */
import { DAY_SECONDS, ROOT_DEPARTMENT, type ApprovalConfig, type ReserveScopeConfig, type TimeConfig } from './reserve-config.js';

const HOUR_MS = 3_600_000;
const DAY_MS = DAY_SECONDS * 1000;

/** The sections that decide a booking, as they apply to one room (defaults filled in). */
export interface BookingConfig {
  approval: ApprovalConfig;
  time: TimeConfig;
  scope: ReserveScopeConfig;
}

export interface Booker {
  userId: string;
  /** the departments the user is in, and every department above them */
  departmentIds: readonly string[];
}

/** unix ms */
export interface Booking {
  start: number;
  end: number;
}

export type BookingRefusal =
  /** not in the room's reserve scope */
  | 'not_allowed'
  /** longer than max_duration */
  | 'too_long'
  /** not within one day's start_time..end_time */
  | 'outside_hours'
  /** on a day not open for booking yet (days_in_advance, opening_hour) */
  | 'too_far_ahead';

export interface BookingVerdict {
  allowed: boolean;
  /** why not, when not allowed */
  refusal?: BookingRefusal;
  needsApproval: boolean;
  /** tenant user_ids who approve, when approval is needed */
  approvers: string[];
}

export function mayBook(scope: ReserveScopeConfig, booker: Booker): boolean {
  if (scope.allow_all_users === 1 || scope.allow_users.includes(booker.userId)) return true;
  return scope.allow_depts.some((d) => d === ROOT_DEPARTMENT || booker.departmentIds.includes(d));
}

/** What the time rules say about a booking made at `now`; undefined when they allow it. */
export function timeRefusal(t: TimeConfig, booking: Booking, now: number): BookingRefusal | undefined {
  if (t.time_switch === 0) return undefined;
  if (booking.end - booking.start > t.max_duration * HOUR_MS) return 'too_long';
  const day = Math.floor(booking.start / DAY_MS) * DAY_MS;
  // Each day's part of the booking lies within that day's hours: with hours of the whole day (0 to 86400)
  // a booking may run over midnight; with 08:00–22:00 it may not.
  for (let d = day; d < booking.end; d += DAY_MS) {
    const from = Math.max(booking.start, d);
    const to = Math.min(booking.end, d + DAY_MS);
    if (from < d + Number(t.start_time) * 1000 || to > d + Number(t.end_time) * 1000) return 'outside_hours';
  }
  // The furthest bookable day moves forward each day at opening_hour.
  const today = Math.floor(now / DAY_MS) * DAY_MS;
  const opened = now - today >= Number(t.opening_hour) * 1000;
  const furthest = today + (t.days_in_advance - (opened ? 0 : 1)) * DAY_MS;
  return day > furthest ? 'too_far_ahead' : undefined;
}

export function needsApproval(a: ApprovalConfig, booking: Booking): boolean {
  if (a.approval_switch === 0) return false;
  return a.approval_condition === 0 || booking.end - booking.start > a.meeting_duration * HOUR_MS;
}

export function bookingVerdict(config: BookingConfig, booker: Booker, booking: Booking, now: number): BookingVerdict {
  const refusal = mayBook(config.scope, booker) ? timeRefusal(config.time, booking, now) : 'not_allowed';
  const approval = needsApproval(config.approval, booking);
  return {
    allowed: refusal === undefined,
    ...(refusal !== undefined ? { refusal } : {}),
    needsApproval: approval,
    approvers: approval ? config.approval.approvers : [],
  };
}
