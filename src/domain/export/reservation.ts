/**
 * How a room booking reads in the room reservation export (export.md §9.4, columns 10–12): its
 * reservation status, its check-in device and its check-in status, as of the moment of the export.
 * Plain functions of the booking's stored state; the labels are src/domain/booking/values.ts's.
 */
import { CHECK_IN_OPENS_MS, disabledDuring } from '../booking/rules.js';
import { CHECK_IN_METHODS, CHECK_IN_STATUSES, HOLDING_STATUSES, RELEASE_REASONS, type CheckInMethod, type ReleaseReason } from '../booking/values.js';
import type { DisableWindow } from '../room/room-status.js';

/** What the texts are read from: the booking's columns, and its room's disable window. */
export interface BookingFacts {
  /** pending, confirmed or released (the statuses the export lists) */
  status: string;
  start_time: number;
  created_at: number;
  decided_at: number | null;
  check_in_deadline: number | null;
  checked_in_at: number | null;
  check_in_method: string | null;
  release_reason: string | null;
}

/** Statuses the export lists: cancelled and rejected bookings never held their room when it mattered. */
export const LISTED_STATUSES = ['pending', 'confirmed', 'released'] as const;

/** Column 10 (会议室预定状态): 审批中, 预定成功, or how the room was released. */
export function reservationStatusText(b: Pick<BookingFacts, 'status' | 'release_reason'>): string {
  if (b.status === 'released') return RELEASE_REASONS[b.release_reason as ReleaseReason] ?? '';
  return HOLDING_STATUSES[b.status as keyof typeof HOLDING_STATUSES] ?? '';
}

/** The twin's `is_release_early`: 是 when the room was released before the booking's end, else 否. */
export function releaseText(b: { status: string; released_at: number | null; end_time: number }): string {
  return b.status === 'released' && b.released_at !== null && b.released_at < b.end_time ? '是' : '否';
}

/** Column 11 (签到设备): where it was checked in; '' when it was not. */
export function checkInDeviceText(b: Pick<BookingFacts, 'check_in_method'>): string {
  return b.check_in_method === null ? '' : (CHECK_IN_METHODS[b.check_in_method as CheckInMethod] ?? '');
}

/**
 * Column 12 (会议室签到状态) at `now`:
 * - checked in: 已签到; released for the missed check-in: 超时未签到;
 * - waiting for approval: 无需签到 (nothing is asked of it until it is approved);
 * - no check-in needed: 无需签到（即时预定） when it was confirmed once its time had begun, else
 *   无需签到（未开启签到设置） (check-in was off, `bookingCheckInWindow` 0);
 * - a check-in due: 无需签到 once the room was released some other way first; 不可签到（会议室被禁用）
 *   when the room is disabled during its check-in window; else 待签到 before the window opens,
 *   签到时间未结束 while it is open, 超时未签到 after it closed (the release is on its way).
 */
export function checkInStatusText(b: BookingFacts, room: DisableWindow | null, now: number): string {
  if (b.checked_in_at !== null) return CHECK_IN_STATUSES.checkedIn;
  if (b.status === 'released' && b.release_reason === 'no_check_in') return CHECK_IN_STATUSES.missed;
  if (b.status === 'pending') return CHECK_IN_STATUSES.notNeeded;
  if (b.check_in_deadline === null) return (b.decided_at ?? b.created_at) >= b.start_time ? CHECK_IN_STATUSES.instant : CHECK_IN_STATUSES.off;
  if (b.status === 'released') return CHECK_IN_STATUSES.notNeeded;
  const opens = b.start_time - CHECK_IN_OPENS_MS;
  if (disabledDuring(room, { start: opens, end: b.check_in_deadline })) return CHECK_IN_STATUSES.roomDisabled;
  if (now < opens) return CHECK_IN_STATUSES.waiting;
  if (now <= b.check_in_deadline) return CHECK_IN_STATUSES.open;
  return CHECK_IN_STATUSES.missed;
}
